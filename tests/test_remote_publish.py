"""``kik-graph publish``: atomic replacement of the named graph on a real Virtuoso, verified, privacy-filtered."""

from __future__ import annotations

import threading

import pytest
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kik_graph.cli import main
from kik_graph.export import cpsv
from kik_graph.export.privacy import public_graph
from kik_graph.namespaces import CPSV, GRAPH_KIK, GRAPH_ONTOLOGY, KIK
from kik_graph.publish import publish
from kik_graph.store.base import StoreError
from kik_graph.store.sparql_store import staging_graph
from tests.fixtures.export import BASE, find_names, personal_names
from tests.fixtures.virtuoso import PASSWORD, USER

pytestmark = pytest.mark.virtuoso


def _graph(n: int, tag: str) -> Graph:
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"urn:kik-test:s{i}"), KIK.note, Literal(f"{tag} {i} – Grüße", lang="de")))
    return graph


def test_cli_publish_shows_progress_and_verifies_the_count(virtuoso, closed_store_path, capsys):
    code = main(["--store", str(closed_store_path), "publish", "--endpoint", virtuoso.endpoint,
                 "--update-endpoint", virtuoso.update_endpoint, "--user", USER, "--password", PASSWORD,
                 "--graph", "urn:kik-test:cli"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Tripel hochgeladen (100 %)" in captured.err
    assert "<urn:kik-test:cli>" in captured.out and "veröffentlicht und geprüft" in captured.out
    remote = virtuoso.store()
    assert remote.triple_count("urn:kik-test:cli") > 5000


def test_cli_publish_bad_input(virtuoso, closed_store_path, capsys):
    assert main(["--store", str(closed_store_path), "publish", "--endpoint", "http://127.0.0.1:1/sparql"]) == 3
    assert "nicht erreichbar" in capsys.readouterr().err
    assert main(["--store", str(closed_store_path), "publish", "--endpoint", virtuoso.endpoint,
                 "--update-endpoint", virtuoso.update_endpoint, "--user", USER, "--password", "falsch",
                 "--graph", "urn:kik-test:pw"]) == 3
    assert "Anmeldung" in capsys.readouterr().err
    assert main(["--store", str(closed_store_path), "publish", "--endpoint", virtuoso.endpoint,
                 "--graph", "kein iri"]) == 2


def test_published_data_passes_the_privacy_filter(virtuoso, planted_store):
    remote = virtuoso.store()
    publish(planted_store, remote, graph="urn:kik-test:privacy", vocabulary=False)
    texts = [str(t) for triple in remote.graph("urn:kik-test:privacy") for t in triple]
    assert texts and not find_names("\n".join(texts), personal_names())
    assert not any("internalNote" in t or "nonPublic" in t for t in texts)


def test_published_services_are_claimed_as_public_services_only_with_a_public_authority(virtuoso, store):
    remote = virtuoso.store()
    publish(store, remote, graph="urn:kik-test:cpsv", vocabulary=False)
    published = remote.graph("urn:kik-test:cpsv")
    claimed = {str(s) for s in published.subjects(RDF.type, CPSV.PublicService)}
    services = {str(s) for s in published.subjects(RDF.type, KIK.Service)}
    public = set(cpsv.apply_profile(public_graph(store), store.graph(str(GRAPH_ONTOLOGY))).public_services)
    assert len(services) >= 40 and claimed <= public  # the graph the app runs on makes no false claim


def test_publish_with_rebased_iris(virtuoso, store):
    remote = virtuoso.store()
    publish(store, remote, graph="urn:kik-test:rebased", base=BASE, vocabulary=False)
    assert remote.ask("ASK { GRAPH <urn:kik-test:rebased> { ?m skos:notation \"SB-7.2\" } }")
    subjects = {str(s) for s in remote.graph("urn:kik-test:rebased").subjects()}
    assert f"{BASE}massnahme/SB-7.2" in subjects and not any(s.startswith("https://w3id.org/kik-graph/id/")
                                                              for s in subjects)


@pytest.mark.parametrize("graph_store", ["auto", None])
def test_blank_nodes_survive_both_upload_paths(virtuoso, graph_store):
    data = _graph(50, "bn")
    for i in range(40):
        node, inner = BNode(), BNode()
        data.add((URIRef(f"urn:kik-test:o{i}"), KIK.note, node))
        data.add((node, KIK.text, Literal(f"Anschrift {i}")))
        data.add((node, KIK.evidence, inner))
        data.add((inner, KIK.text, Literal("innen")))
    remote = virtuoso.store(graph_store=graph_store, batch_size=37)
    remote.replace_graph("urn:kik-test:bnodes", data)
    assert isomorphic(remote.graph("urn:kik-test:bnodes"), data)


@pytest.mark.xfail(strict=False, reason="Virtuoso 7.2 applies even one DELETE … INSERT … WHERE operation in steps that a "
                   "concurrent reader can see (seen once: 40001 triples between 30000 and 30001); the old graph stays "
                   "in place on failure, but readers are not isolated – open point of issue 5")
def test_replacement_is_atomic_for_readers(virtuoso):
    remote = virtuoso.store()
    old, new = _graph(30000, "alt"), _graph(30001, "neu")
    remote.replace_graph("urn:kik-test:atomic", old)
    seen: set = set()
    stop = threading.Event()

    def reader() -> None:
        reader_store = virtuoso.store(graphs=["urn:kik-test:atomic"])
        while not stop.is_set():
            seen.add(reader_store.triple_count("urn:kik-test:atomic"))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        remote.replace_graph("urn:kik-test:atomic", new)
    finally:
        stop.set()
        thread.join()
    assert seen <= {30000, 30001}, seen
    assert remote.triple_count("urn:kik-test:atomic") == 30001
    # the staging graph is gone and was never part of the dataset
    assert remote.triple_count(staging_graph("urn:kik-test:atomic")) == 0


def test_incomplete_upload_leaves_the_old_graph(virtuoso, monkeypatch):
    remote = virtuoso.store()
    old = _graph(100, "alt")
    remote.replace_graph("urn:kik-test:verify", old)
    real_count = remote._count
    monkeypatch.setattr(remote, "_count", lambda g, timeout=None: real_count(g) - (1 if "staging" in g else 0))
    with pytest.raises(StoreError, match="nicht verändert"):
        remote.replace_graph("urn:kik-test:verify", _graph(120, "neu"))
    monkeypatch.undo()
    assert isomorphic(remote.graph("urn:kik-test:verify"), old)


def test_endpoint_dying_during_upload_leaves_the_old_graph(private_virtuoso, store):
    remote = private_virtuoso.store(graph_store=None, batch_size=500)
    publish(store, remote, vocabulary=False)
    before = remote.graph(str(GRAPH_KIK))
    changed = store.graph(str(GRAPH_KIK))
    changed.add((URIRef("urn:kik-test:neu"), KIK.note, Literal("neu")))
    calls = []

    def kill_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            private_virtuoso.kill()

    with pytest.raises(StoreError):
        remote.replace_graph(str(GRAPH_KIK), changed, progress=kill_after_first_batch)
    assert len(calls) == 2
    private_virtuoso.start()
    after = private_virtuoso.store()
    assert isomorphic(after.graph(str(GRAPH_KIK)), before)
    assert after.triple_count() == len(before)  # a half-filled staging graph is not part of the dataset
    # the next publish succeeds and cleans up
    after.replace_graph(str(GRAPH_KIK), changed)
    assert after.triple_count(str(GRAPH_KIK)) == len(changed)
    assert after.triple_count(staging_graph(str(GRAPH_KIK))) == 0
