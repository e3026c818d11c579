"""The store over a SPARQL 1.1 endpoint: same answers as the embedded store, clear errors, no hangs.

Part 1 runs against small fake HTTP servers (always). Part 2 runs against a real Virtuoso started on loopback by
the fixture in tests/fixtures/virtuoso.py; in CI it must run (a missing Virtuoso fails the test).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kik_graph.cli import main
from kik_graph.namespaces import GRAPH_KIK, GRAPH_ONTOLOGY, KIK
from kik_graph.params import run_named
from kik_graph.queries import all_queries
from kik_graph.store import open_store
from kik_graph.store.base import GraphStore, QueryTimeout, StoreError
from kik_graph.store.sparql_store import SparqlEndpointStore, _from_json, dataset_graphs, staging_graph

# ------------------------------------------------------------------------------------------ fake endpoints


class _Handler(BaseHTTPRequestHandler):
    behaviour: dict = {}

    def log_message(self, *args) -> None:  # keep test output clean
        return None

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode("utf-8")
        self.server.requests.append(body)  # type: ignore[attr-defined]
        status, content_type, payload = self.server.answer(body)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="x"')
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture()
def fake_endpoint() -> Iterator:
    """A tiny SPARQL endpoint whose answer a test sets with ``server.answer = fn(body) -> (status, type, bytes)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    server.answer = lambda body: (200, "application/sparql-results+json",  # type: ignore[attr-defined]
                                  b'{"head":{"vars":[]},"boolean":true}')
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/sparql"


def test_select_results_become_rdflib_terms_and_bindings_are_sent_as_values(fake_endpoint):
    result = {"head": {"vars": ["a", "b", "c", "d", "e"]}, "results": {"bindings": [{
        "a": {"type": "uri", "value": "https://w3id.org/kik-graph/id/massnahme/SB-7.2"},
        "b": {"type": "literal", "value": "Text", "xml:lang": "de"},
        "c": {"type": "typed-literal", "value": "2", "datatype": str(XSD.integer)},
        "d": {"type": "bnode", "value": "nodeID://b1"},
    }]}}
    fake_endpoint.answer = lambda body: (200, "application/sparql-results+json", json.dumps(result).encode())
    store = SparqlEndpointStore(_url(fake_endpoint), graphs=["urn:g:1"])
    rows = store.select("SELECT ?a ?b ?c ?d ?e WHERE { ?a skos:prefLabel ?b }",
                        {"a": URIRef("https://w3id.org/kik-graph/id/massnahme/SB-7.2")})
    row = rows.rows[0]
    assert row == {"a": URIRef("https://w3id.org/kik-graph/id/massnahme/SB-7.2"), "b": Literal("Text", lang="de"),
                   "c": Literal("2", datatype=XSD.integer), "d": BNode("nodeID://b1"), "e": None}
    sent = fake_endpoint.requests[-1]
    assert "VALUES" in sent and "PREFIX+skos" in sent  # bound as VALUES, missing prefixes added
    assert "default-graph-uri=urn%3Ag%3A1" in sent and "named-graph-uri=urn%3Ag%3A1" in sent


def test_plain_string_literals_match_the_embedded_store():
    assert _from_json({"type": "literal", "value": "x", "datatype": str(XSD.string)}) == Literal("x")


def test_endpoint_down_is_a_clear_store_error_not_a_hang():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = SparqlEndpointStore(f"http://127.0.0.1:{port}/sparql", timeout=5)
    started = time.monotonic()
    with pytest.raises(StoreError, match="nicht erreichbar"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 5


def test_slow_endpoint_times_out_with_a_clear_message():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepts connections, never answers
    try:
        store = SparqlEndpointStore(f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", timeout=1.5)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="nicht innerhalb von"):
            store.ask("ASK { }")
        assert time.monotonic() - started < 10
    finally:
        listener.close()


@pytest.mark.parametrize(("status", "expected"), [(401, "Anmeldung"), (403, "Kein Zugriff"), (404, "keinen SPARQL-Endpunkt"),
                                                  (400, "abgelehnt"), (500, "Interner Fehler"), (503, "nicht verfügbar")])
def test_http_errors_become_german_messages(fake_endpoint, status, expected):
    fake_endpoint.answer = lambda body: (status, "text/plain", b"Virtuoso 37000 Error SP030: something")
    store = SparqlEndpointStore(_url(fake_endpoint))
    with pytest.raises(StoreError, match=expected):
        store.select("SELECT * WHERE { ?s ?p ?o }")


def test_server_side_timeout_is_reported_as_timeout(fake_endpoint):
    fake_endpoint.answer = lambda body: (500, "text/plain", b"Virtuoso S1T00 Error SR171: Transaction timed out")
    with pytest.raises(QueryTimeout):
        SparqlEndpointStore(_url(fake_endpoint)).select("SELECT * WHERE { ?s ?p ?o }")


def test_a_non_sparql_answer_is_a_clear_error(fake_endpoint):
    fake_endpoint.answer = lambda body: (200, "text/html", b"<html>Wartungsarbeiten</html>")
    with pytest.raises(StoreError, match="kein SPARQL-JSON"):
        SparqlEndpointStore(_url(fake_endpoint)).select("SELECT * WHERE { ?s ?p ?o }")


def test_configuration_from_the_environment(monkeypatch):
    monkeypatch.setenv("KIK_GRAPH_UPDATE_ENDPOINT", "http://127.0.0.1:1/sparql-auth")
    monkeypatch.setenv("KIK_GRAPH_USER", "dba")
    monkeypatch.setenv("KIK_GRAPH_PASSWORD", "geheim")
    monkeypatch.setenv("KIK_GRAPH_TIMEOUT", "7.5")
    store = SparqlEndpointStore.from_environment("http://127.0.0.1:1/sparql")
    assert (store.update_endpoint, store.user, store.timeout, store.auth) == \
        ("http://127.0.0.1:1/sparql-auth", "dba", 7.5, "DIGEST")
    assert str(GRAPH_KIK) in store.graphs and str(GRAPH_ONTOLOGY) in store.graphs
    assert store.graph_store == "http://127.0.0.1:1/sparql-graph-crud-auth"
    monkeypatch.setenv("KIK_GRAPH_TIMEOUT", "bald")
    with pytest.raises(StoreError, match="KIK_GRAPH_TIMEOUT"):
        SparqlEndpointStore.from_environment("http://127.0.0.1:1/sparql")
    monkeypatch.setenv("KIK_GRAPH_TIMEOUT", "5")
    monkeypatch.setenv("KIK_GRAPH_ENDPOINT", "http://127.0.0.1:1/sparql")
    assert isinstance(open_store(), SparqlEndpointStore)
    with pytest.raises(StoreError, match="gültige"):
        SparqlEndpointStore("kein-endpunkt")


def test_cli_with_an_unreachable_endpoint_exits_3_without_traceback(capsys):
    code = main(["--endpoint", "http://127.0.0.1:1/sparql", "query", "measures"])
    err = capsys.readouterr().err
    assert code == 3 and "nicht erreichbar" in err and "Traceback" not in err


def test_blank_nodes_stay_together_in_upload_batches():
    graph = Graph()
    for i in range(30):
        node = BNode()
        graph.add((URIRef(f"urn:x:{i}"), KIK.note, node))
        graph.add((node, KIK.text, Literal(f"t{i}")))
        graph.add((node, KIK.evidence, BNode()))
    store = SparqlEndpointStore("http://127.0.0.1:1/sparql")
    batches = list(store._batches(graph, 7))
    assert sum(len(b) for b in batches) == len(graph)
    for batch in batches:
        labels = {part for line in batch for part in line.split() if part.startswith("_:")}
        for other in batches:
            if other is not batch:
                assert not labels & {p for line in other for p in line.split() if p.startswith("_:")}


def test_staging_graph_is_deterministic_and_outside_the_dataset():
    assert staging_graph(str(GRAPH_KIK)) == staging_graph(str(GRAPH_KIK))
    assert staging_graph(str(GRAPH_KIK)) not in dataset_graphs()


# ------------------------------------------------------------------------------------------ real Virtuoso

def canonical(term):
    """Equal answers: numbers by value (Virtuoso returns 11689 for 11689.0), unbound ≡ "" (empty GROUP_CONCAT:
    Virtuoso gives "", Oxigraph leaves it unbound)."""
    if term is None:
        return Literal("")
    if isinstance(term, Literal) and term.datatype in (XSD.decimal, XSD.integer, XSD.double, XSD.float):
        return ("number", Decimal(str(term.toPython())))
    return term


SAMPLES = {"field": ["SB", "IO"], "measure": ["SB-7.2", "IO-1.1"], "phase": ["1", "2"], "group": ["Eltern"],
           "actor": ["vhs Kempten", "Runder Tisch der Bildungsträger"], "text": ["vhs Kempten", "Eltern"],
           "goal": ["SB-Z7"], "integer": ["1"], "iri": ["https://w3id.org/kik-graph/id/massnahme/SB-7.2"]}

#: Named queries on which Virtuoso 7.2 answers differently, with the measured reason (see README, "Virtuoso").
#: Empty: every named query answers the same on Virtuoso (categories-without-institution and all-actors were
#: rewritten for it). Add an entry only with a reason measured on the real endpoint – it turns a failure into xfail.
KNOWN_VIRTUOSO_DIFFERENCES: dict[str, str] = {}


_RENAMED = re.compile(r'\(\s*COALESCE\s*\(\s*\?(\w+)\s*,\s*""\s*\)\s*AS\s*\?(\w+)\s*\)', re.IGNORECASE)
_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:[^()"]|"[^"]*")*?(?:;\s*SEPARATOR\s*=\s*"([^"]*)")?\s*\)\s*AS\s*\?(\w+)',
                           re.IGNORECASE)


def _concat_columns(query) -> dict[str, str]:
    """Columns built with GROUP_CONCAT and their separators: SPARQL leaves the order of the parts (and whether a
    common language tag is kept) open, so these are compared as sorted lists of parts."""
    found = {m.group(2): (m.group(1) if m.group(1) is not None else " ") for m in _GROUP_CONCAT.finditer(query.sparql)}
    # a concatenation computed in a sub-query and projected under another name: (COALESCE(?list, "") AS ?name)
    for m in _RENAMED.finditer(query.sparql):
        if m.group(1) in found:
            found[m.group(2)] = found[m.group(1)]
    return found


def _row(row: dict, variables: list[str], concat: dict[str, str]) -> tuple:
    return tuple(tuple(sorted(str(row[v] or "").split(concat[v]))) if v in concat else canonical(row[v])
                 for v in variables)


def _param_runs(query) -> list[dict[str, str]]:
    runs: list[dict[str, str]] = [{}]
    for param in query.params:
        assert param.kind in SAMPLES, f"{query.name}: kein Beispielwert für Parameterart {param.kind}"
        if param.required:
            runs = [dict(r, **{param.name: s}) for r in runs for s in SAMPLES[param.kind]]
        else:
            runs += [{param.name: s} for s in SAMPLES[param.kind]]
    return runs


@pytest.fixture(scope="module")
def published(virtuoso, store) -> SparqlEndpointStore:
    """The session's KIK store published to Virtuoso (data + vocabulary)."""
    from kik_graph.publish import publish

    remote = virtuoso.store()
    publish(store, remote)
    return remote


def _is_construct(query) -> bool:
    return "CONSTRUCT" in query.sparql.upper().split("WHERE")[0]


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", sorted(all_queries()))
def test_every_named_query_gives_the_same_answers(name, published: GraphStore, store: GraphStore):
    query = all_queries()[name]
    for params in _param_runs(query):
        if _is_construct(query):
            from kik_graph.params import bind_params

            local = store.construct(query.sparql, bind_params(query, params, store))
            remote = published.construct(query.sparql, bind_params(query, params, published))
            assert isomorphic(_canonical_graph(local), _canonical_graph(remote)), (name, params)
            continue
        local = run_named(store, name, params)
        remote = run_named(published, name, params)
        assert local.variables == remote.variables
        concat = _concat_columns(query)
        rows_local = [_row(r, local.variables, concat) for r in local.rows]
        rows_remote = [_row(r, remote.variables, concat) for r in remote.rows]
        same_set = sorted(map(repr, rows_local)) == sorted(map(repr, rows_remote))
        ordered = "ORDER BY" in query.sparql.upper()
        same = same_set and (not ordered or rows_local == rows_remote)
        if not same and name in KNOWN_VIRTUOSO_DIFFERENCES:
            pytest.xfail(KNOWN_VIRTUOSO_DIFFERENCES[name])
        assert same_set, (name, params, len(rows_local), len(rows_remote))
        if ordered:
            assert rows_local == rows_remote, (name, params, "Reihenfolge")


def _number(text: str) -> str:
    value = Decimal(text)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _canonical_graph(graph: Graph) -> Graph:
    """The graph with numbers in one lexical form (Virtuoso answers ``11689`` for ``11689.0``)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in (XSD.decimal, XSD.integer):
            o = Literal(_number(str(o)), datatype=o.datatype)
        out.add((s, p, o))
    return out


@pytest.mark.virtuoso
def test_graph_round_trip_and_counts(published, store):
    remote_kik = published.graph(str(GRAPH_KIK))
    local_kik = store.graph(str(GRAPH_KIK))
    assert len(remote_kik) == len(local_kik) == published.triple_count(str(GRAPH_KIK))
    assert isomorphic(_canonical_graph(remote_kik), _canonical_graph(local_kik))
    assert published.triple_count() == len(local_kik) + published.triple_count(str(GRAPH_ONTOLOGY))


@pytest.mark.virtuoso
def test_hostile_parameters_are_bound_not_pasted(published, store):
    before = published.triple_count(str(GRAPH_KIK))
    for value in ('SB-7.2" } ; DROP ALL ; #', "x'); DROP GRAPH <https://w3id.org/kik-graph/graph/kik> ; #",
                  'vhs Kempten" } UNION { ?s ?p ?o } #'):
        with pytest.raises(Exception) as info:
            run_named(published, "measures-for-actor", {"actor": value})
        assert type(info.value).__name__ in ("InvalidInput", "StoreError")
    result = published.select(all_queries()["lookup-actor"].sparql, {"label": Literal('" } ?s ?p ?o { "')})
    assert len(result) == 0
    assert published.triple_count(str(GRAPH_KIK)) == before


@pytest.mark.virtuoso
def test_gaps_and_directory_search_run_unchanged_on_the_endpoint(published, store):
    from kik_graph import gaps
    from kik_graph.directory import search

    assert gaps.gap_counts(published).keys() == gaps.gap_counts(store).keys()
    for key in gaps.gap_counts(store):
        assert len(gaps.gap(published, key).rows) == len(gaps.gap(store, key).rows), key
    for text in ("Beratung", "Deutschkurs", "Arbeit", "Migrationsberatung Caritas"):
        local = [h.service.iri for h in search.search(store, text).hits]
        remote = [h.service.iri for h in search.search(published, text).hits]
        assert local == remote, text


@pytest.mark.virtuoso
def test_cli_runs_unchanged_against_the_endpoint(published, virtuoso, monkeypatch, capsys):
    for key, value in virtuoso.environment().items():
        monkeypatch.setenv(key, value)
    assert main(["query", "actors-for-measure", "--param", "measure=SB-7.2", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["actorLabel"] == "Runder Tisch der Bildungsträger Kempten & Oberallgäu"
    assert main(["stats"]) == 0
    assert "Measure" in capsys.readouterr().out


@pytest.mark.virtuoso
def test_paused_endpoint_gives_a_timeout_not_a_hang(private_virtuoso):
    store = private_virtuoso.store(timeout=2)
    store.ping()
    private_virtuoso.pause()
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert time.monotonic() - started < 15
    finally:
        private_virtuoso.resume()
    store.ping()


@pytest.mark.virtuoso
def test_wrong_password_is_a_clear_message(virtuoso):
    store = virtuoso.store(password="falsch", timeout=10)
    with pytest.raises(StoreError, match="Anmeldung|Kein Zugriff"):
        store.update("INSERT DATA { GRAPH <urn:kik-test:pw> { <urn:a> <urn:b> <urn:c> } }")
