"""``kik-graph publish``: atomic replacement of the named graph on a real Virtuoso, verified, privacy-filtered;
concurrent readers see the old or the new graph, never a mixture."""

from __future__ import annotations

import threading
import time

import pytest
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kik_graph.cli import main
from kik_graph.export import cpsv
from kik_graph.export.privacy import public_graph
from kik_graph.namespaces import CPSV, GRAPH_KIK, GRAPH_ONTOLOGY, KIK
from kik_graph.publish import publish
from kik_graph.store.base import QueryTimeout, StoreError
from kik_graph.store.sparql_fence import BEGAN, ENDED, SWITCH_GRAPH
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


def _tags(remote, graph: str) -> frozenset:
    """(tag, count) of every version tag in ``graph`` – one query, so a mixture of versions shows as two tags."""
    rows = remote.select(f'SELECT ?tag (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} '
                         f'BIND (STRBEFORE(STR(?o), " ") AS ?tag) }} GROUP BY ?tag').rows
    return frozenset((str(r["tag"]), int(r["n"])) for r in rows)


def test_replacement_is_atomic_for_readers(virtuoso):
    """Readers that run while the graph is switched three times see exactly one complete version each time.

    Virtuoso reads READ COMMITTED row by row (no snapshot per query): without the switch markers of
    kik_graph.store.sparql_fence a count running across the commit saw old and new rows together (20001 triples
    while 10000 were replaced by 10001) in practically every switch; see README, "Was atomar ist"."""
    target = "urn:kik-test:atomic"
    remote = virtuoso.store()
    versions = [_graph(10000 + k % 2, f"v{k}") for k in range(4)]
    remote.replace_graph(target, versions[0])
    complete = {frozenset({(f"v{k}", len(v))}) for k, v in enumerate(versions)}
    counts: list[int] = []
    tags: list[frozenset] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def reader(kind: str) -> None:
        reader_store = virtuoso.store(graphs=[target])
        try:
            while not stop.is_set():
                if kind == "count":
                    counts.append(reader_store.triple_count(target))
                else:
                    tags.append(_tags(reader_store, target))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=reader, args=(kind,)) for kind in ("count", "tags", "tags")]
    for thread in threads:
        thread.start()
    try:
        for version in versions[1:]:
            remote.replace_graph(target, version)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures
    assert counts and tags
    assert set(counts) <= {10000, 10001}, sorted(set(counts))
    assert set(tags) <= complete, sorted(set(tags) - complete)
    assert _tags(virtuoso.store(graphs=[target]), target) == frozenset({("v3", 10001)})
    # the staging graph is gone and was never part of the dataset
    assert remote.triple_count(staging_graph(target)) == 0


def test_a_graph_read_page_by_page_shows_one_version(virtuoso, monkeypatch):
    """``graph()`` needs several requests (pages); a switch between two pages must not give a mixed copy."""
    from kik_graph.store import sparql_store

    monkeypatch.setattr(sparql_store, "PAGE_SIZE", 500)
    target = "urn:kik-test:paged"
    remote = virtuoso.store()
    versions = [_graph(1500 + k % 2, f"p{k}") for k in range(3)]
    remote.replace_graph(target, versions[0])
    copies: list[Graph] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        reader_store = virtuoso.store(graphs=[target])
        try:
            while not stop.is_set():
                copies.append(reader_store.graph(target))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for version in versions[1:]:
            time.sleep(0.5)
            remote.replace_graph(target, version)
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    seen = {frozenset({(str(o).split()[0], len(copy)) for o in copy.objects()}) for copy in copies}
    assert seen <= {frozenset({(f"p{k}", len(v))}) for k, v in enumerate(versions)}, seen


def test_a_running_switch_holds_readers_back_until_it_ends_or_expires(virtuoso):
    """A reader waits while a switch is marked, gives up with a clear message after its timeout, and ignores the
    marker of a writer that died once the marker's deadline has passed."""
    remote = virtuoso.store()
    remote.replace_graph("urn:kik-test:held", _graph(5, "x"))
    node = f"{SWITCH_GRAPH}:kik-test-held"
    soon = time.time() + 2.5
    remote._request(f'INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ <{node}> <{BEGAN}> "{soon:017.3f}" }} }}', update=True)
    try:
        impatient = virtuoso.store(timeout=1)
        with pytest.raises(QueryTimeout, match="umgeschaltet"):
            impatient.triple_count("urn:kik-test:held")
        patient = virtuoso.store()
        assert patient.triple_count("urn:kik-test:held") == 5  # after the deadline: the dead writer is ignored
        assert time.time() >= soon
    finally:
        remote._request(f'INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ <{node}> <{ENDED}> "1" }} }}', update=True)


def test_failing_switch_leaves_the_old_graph_and_does_not_hold_readers_back(virtuoso, monkeypatch):
    remote = virtuoso.store()
    old = _graph(50, "alt")
    remote.replace_graph("urn:kik-test:swapfail", old)
    real_request = remote._request

    def failing_swap(text, **kwargs):
        if kwargs.get("update") and text.startswith("DELETE") and "urn:kik-test:swapfail" in text:
            raise StoreError("Interner Fehler des SPARQL-Endpunkts (HTTP 500): simuliert")
        return real_request(text, **kwargs)

    monkeypatch.setattr(remote, "_request", failing_swap)
    with pytest.raises(StoreError, match="simuliert"):
        remote.replace_graph("urn:kik-test:swapfail", _graph(60, "neu"))
    monkeypatch.undo()
    reader = virtuoso.store(timeout=2)
    assert isomorphic(reader.graph("urn:kik-test:swapfail"), old)
    assert not reader._read_marker().switching


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
