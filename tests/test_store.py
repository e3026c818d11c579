"""The embedded store: built from graph_data/, refreshed on change, rebuilt when corrupt, atomic writes."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys

import pytest
from rdflib import Graph, Literal, URIRef

from kik_graph import config, graphdata
from kik_graph.namespaces import GRAPH_KIK
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
