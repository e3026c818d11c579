"""The embedded store: built from graph_data/, refreshed on change, rebuilt when corrupt, atomic writes."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys

import pytest
from rdflib import Graph, Literal, URIRef

from kik_graph import config, graphdata
from kik_graph.namespaces import GRAPH_KIK, KIKD
from kik_graph.store import StoreError, open_store, stored_fingerprint
from kik_graph.terms import InvalidInput


@pytest.fixture()
def data_copy(tmp_path, monkeypatch):
    """A private copy of graph_data/ that a test may change."""
    copy = tmp_path / "graph_data"
    shutil.copytree(config.PATHS.graph_data, copy)
    monkeypatch.setattr(graphdata, "PATHS", config.Paths(graph_data=copy))
    return copy


def test_store_is_built_when_missing_and_reopened_without_rebuild(tmp_path, caplog):
    path = tmp_path / "store"
    with caplog.at_level(logging.INFO, logger="kik_graph.store"):
        store = open_store(path)
    assert "aufgebaut" in caplog.text
    count = store.triple_count()
    assert count > 4000 and stored_fingerprint(store) == graphdata.fingerprint()
    store.close()
    del store
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kik_graph.store"):
        again = open_store(path)
    assert again.triple_count() == count and "aufgebaut" not in caplog.text


def test_store_is_refreshed_when_graph_data_changes(tmp_path, data_copy):
    path = tmp_path / "store"
    store = open_store(path)
    assert len(store.select("SELECT ?x WHERE { ?x a kik:Measure }")) == 144
    store.close()
    del store
    extra = data_copy / "zz-extra.ttl"
    extra.write_text('@prefix kik: <https://w3id.org/kik-graph/vocab#> .\n<urn:x:1> a kik:Measure .\n', encoding="utf-8")
    store = open_store(path)
    assert len(store.select("SELECT ?x WHERE { ?x a kik:Measure }")) == 145


def test_corrupt_store_is_set_aside_and_rebuilt_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "store"
    path.mkdir()
    (path / "CURRENT").write_text("garbage\n")
    (path / "MANIFEST-000001").write_bytes(b"\x00\xff" * 100)
    with caplog.at_level(logging.WARNING, logger="kik_graph.store"):
        store = open_store(path)
    assert len(store.select("SELECT ?x WHERE { ?x a kik:Measure }")) == 144
    assert "beschädigt" in caplog.text
    assert list(tmp_path.glob("store.defekt-*"))


def test_failed_update_changes_nothing(fresh_store):
    before = sorted(fresh_store.graph(str(GRAPH_KIK)))
    with pytest.raises(StoreError):
        fresh_store.update(f"INSERT DATA {{ GRAPH <{GRAPH_KIK}> {{ <urn:a> <urn:b> <urn:c> }} }} ; THIS IS NOT SPARQL")
    assert sorted(fresh_store.graph(str(GRAPH_KIK))) == before


def test_replace_graph_is_one_transaction(fresh_store):
    g = Graph()
    g.add((URIRef("urn:s"), URIRef("urn:p"), Literal('tricky " } text')))
    fresh_store.replace_graph("urn:graph:test", g)
    assert fresh_store.triple_count("urn:graph:test") == 1
    with pytest.raises(InvalidInput):
        fresh_store.replace_graph("urn:graph:test> } DROP ALL ; INSERT DATA { GRAPH <urn:x", g)
    assert fresh_store.triple_count("urn:graph:test") == 1
    assert fresh_store.triple_count(str(GRAPH_KIK)) > 4000


def test_second_process_gets_a_clear_message(store, store_path):
    """The session store is open in this process; a CLI run on the same store must say so, not crash."""
    out = subprocess.run([sys.executable, "-m", "kik_graph.cli", "--store", str(store_path), "stats"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 3
    assert "anderen Prozess" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------------------------------ scoped datasets
def _two_municipalities():
    from kik_graph.store import OxigraphStore

    data = (b'<urn:m1:a> <urn:p:name> "eins" <urn:g:m1> .\n'
            b'<urn:m2:a> <urn:p:name> "zwei" <urn:g:m2> .\n'
            b'<urn:p:name> <http://www.w3.org/2000/01/rdf-schema#label> "Name" <urn:g:vocab> .\n')
    whole = OxigraphStore(None)
    whole.bulk_load(None, data, "nq")
    scoped = OxigraphStore(None, graphs=["urn:g:m1", "urn:g:vocab"])
    scoped.bulk_load(None, data, "nq")
    return whole, scoped


def test_a_scoped_store_answers_from_its_graphs_only():
    """One store holding several municipalities: a store scoped to one municipality's graphs (like the remote
    store's ``graphs``) sees exactly their union, in the default graph and in GRAPH patterns."""
    whole, scoped = _two_municipalities()
    names = "SELECT ?s ?name ?label WHERE { ?s <urn:p:name> ?name . <urn:p:name> ?l ?label }"
    assert sorted(str(r["name"]) for r in whole.select(names)) == ["eins", "zwei"]
    rows = scoped.select(names).as_strings()
    assert rows == [{"s": "urn:m1:a", "name": "eins", "label": "Name"}]
    graphs = scoped.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").as_strings()
    assert graphs == [{"g": "urn:g:m1"}, {"g": "urn:g:vocab"}]
    assert not scoped.ask("ASK { GRAPH <urn:g:m2> { ?s ?p ?o } }")
    assert scoped.triple_count() == whole.triple_count() == 3  # the store itself still holds everything


def test_a_scoped_store_refuses_an_invalid_graph_iri():
    from kik_graph.store import OxigraphStore

    with pytest.raises(InvalidInput):
        OxigraphStore(None, graphs=["urn:g:ok", "kein iri mit leerzeichen"])


def test_query_results_are_the_complete_answer_as_an_endpoint_sends_it(store):
    """SPARQL JSON results for SELECT/ASK and N-Triples for CONSTRUCT, with the same content as select()/construct()."""
    import json

    from kik_graph.queries import get_query

    query = get_query("measures").sparql
    bindings = {"field": KIKD["handlungsfeld/SB"]}
    document = json.loads(store.query_results(query, bindings))
    expected = store.select(query, bindings)
    assert document["head"]["vars"] == expected.variables
    assert [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]] == \
        [{k: v for k, v in row.items() if v} for row in expected.as_strings()]
    assert len(expected) == 30
    assert json.loads(store.query_results("ASK { ?s ?p ?o }")) == {"head": {}, "boolean": True}
    taxonomy = get_query("directory-taxonomy").sparql
    graph = Graph().parse(data=store.query_results(taxonomy).decode("utf-8"), format="nt")
    assert len(graph) == len(store.construct(taxonomy)) > 1000


def test_the_memory_mirror_follows_every_write_and_the_disk_stays_the_truth(tmp_path):
    """Reads come from a copy in memory; after every write (and a refused one) it holds exactly what the disk holds,
    as the store reopened from disk without a mirror shows."""
    import gc

    from rdflib.compare import isomorphic

    from kik_graph.store import OxigraphStore

    path = tmp_path / "s"
    store = OxigraphStore(path)

    def graphs(s: OxigraphStore) -> dict[str, Graph]:
        return {g: s.graph(g) for g in s.named_graphs()}

    def assert_same_and_reopen() -> OxigraphStore:
        in_memory = graphs(store)
        store.close()
        gc.collect()
        disk = OxigraphStore(path, mirror=False)
        on_disk = graphs(disk)
        disk.close()
        gc.collect()
        assert on_disk.keys() == in_memory.keys()
        assert all(isomorphic(on_disk[g], in_memory[g]) for g in on_disk)
        return OxigraphStore(path)

    assert store.triple_count() == 0  # the first read copies the (empty) disk
    store.update('INSERT DATA { GRAPH <urn:g:1> { <urn:a> <urn:p> "eins" . <urn:a> <urn:q> [ <urn:r> "leer" ] } }')
    assert store.ask('ASK { <urn:a> <urn:p> "eins" }')
    store = assert_same_and_reopen()
    store.replace_graph("urn:g:2", Graph().parse(data='<urn:b> <urn:p> "zwei" .', format="nt"))
    store = assert_same_and_reopen()
    assert store.triple_count("urn:g:2") == 1  # read first: the mirror exists before the next writes
    with pytest.raises(StoreError):
        store.update("INSERT DATA { kaputt")
    store.update("DELETE WHERE { GRAPH <urn:g:1> { <urn:a> <urn:p> ?o } }")
    assert not store.ask('ASK { <urn:a> <urn:p> "eins" }')
    store.bulk_load("urn:g:3", b'<urn:c> <urn:p> "drei" .\n', "nt")
    assert store.ask("ASK { GRAPH <urn:g:3> { <urn:c> ?p ?o } }")
    store = assert_same_and_reopen()
    assert store.triple_count() == 4


def test_a_scoped_store_on_disk_keeps_only_its_graphs_in_memory_and_stays_exact(tmp_path):
    """A store on disk with several municipalities, scoped to one: memory holds only that municipality and the
    vocabulary; reads of other graphs come from the disk; after a write (also one that copies data in from a graph
    outside the scope) queries see exactly what the disk holds."""
    from kik_graph.store import OxigraphStore

    data = (b'<urn:m1:a> <urn:p:name> "eins" <urn:g:m1> .\n'
            b'<urn:m2:a> <urn:p:name> "zwei" <urn:g:m2> .\n'
            b'<urn:p:name> <http://www.w3.org/2000/01/rdf-schema#label> "Name" <urn:g:vocab> .\n')
    store = OxigraphStore(tmp_path / "m", graphs=["urn:g:m1", "urn:g:vocab"], mirror=True)
    store.bulk_load(None, data, "nq")
    names = "SELECT ?name WHERE { ?s <urn:p:name> ?name } ORDER BY ?name"
    assert store.select(names).as_strings() == [{"name": "eins"}]
    assert len(store._read_store()) == 2, "memory holds municipality 1 and the vocabulary, not municipality 2"
    graphs = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").as_strings()
    assert graphs == [{"g": "urn:g:m1"}, {"g": "urn:g:vocab"}]
    assert not store.ask("ASK { GRAPH <urn:g:m2> { ?s ?p ?o } }")
    assert store.named_graphs() == ["urn:g:m1", "urn:g:m2", "urn:g:vocab"] and store.triple_count() == 3
    assert [str(o) for o in store.graph("urn:g:m2").objects()] == ["zwei"] and store.triple_count("urn:g:m2") == 1
    # an update that reads a graph outside the scope: the mirror must not answer from its partial copy
    store.update("INSERT { GRAPH <urn:g:m1> { <urn:m1:b> <urn:p:name> ?n } } WHERE { GRAPH <urn:g:m2> { ?s <urn:p:name> ?n } }")
    assert store.select(names).as_strings() == [{"name": "eins"}, {"name": "zwei"}]
    store.update('INSERT DATA { GRAPH <urn:g:m2> { <urn:m2:c> <urn:p:name> "drei" } }')
    assert store.triple_count("urn:g:m2") == 2 and len(store.select(names)) == 2


def test_a_rebuild_killed_in_the_middle_of_the_swap_keeps_the_office_records(tmp_path, caplog):
    """build_store sets the old store aside before the new one moves in; a process killed between the two steps
    (simulated: the old store aside, the new one never arrived) gets the old store back – with its history – on the
    next open, and a leftover old store next to a complete new one is removed."""
    from kik_graph.namespaces import GRAPH_HISTORY
    from kik_graph.store import build_store

    path = tmp_path / "store"
    store = build_store(path)
    store.update(f'INSERT DATA {{ GRAPH <{GRAPH_HISTORY}> {{ <urn:change:1> <urn:p> "Verlauf" }} }}')
    store.flush()
    store.close()
    del store
    aside = path.with_name("store.vorher")
    path.rename(aside)  # killed here: old store aside, new one not yet in place
    with caplog.at_level(logging.WARNING, logger="kik_graph.store"):
        reopened = open_store(path)
    assert reopened.ask(f'ASK {{ GRAPH <{GRAPH_HISTORY}> {{ <urn:change:1> ?p "Verlauf" }} }}')
    assert not aside.exists()
    assert any("unterbrochen" in r.getMessage() for r in caplog.records)
    reopened.close()
    del reopened
    shutil.copytree(path, aside)  # killed after the new store arrived, before the old one was deleted
    build_store(path).close()
    assert not aside.exists()
