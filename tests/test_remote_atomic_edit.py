"""A multi-operation edit against a SPARQL endpoint is all-or-nothing (real Virtuoso; sparql_atomic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kik_graph.editing import operations as op
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_KIK, GRAPH_OFFICE
from kik_graph.store import sparql_atomic
from kik_graph.store.base import StoreError
from kik_graph.store.sparql_store import SparqlEndpointStore
from tests.fixtures.virtuoso import VirtuosoServer, _require_virtuoso

G = "urn:kik-test:atomic-edit"
MISSING = "urn:kik-test:never-created"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso of this module's own (the edits write the dataset's history and office graphs)."""
    server = VirtuosoServer(Path(tmp_path_factory.mktemp("virtuoso-atomic")), _require_virtuoso())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def remote(server: VirtuosoServer, store) -> SparqlEndpointStore:
    """The KIK store published to the module's Virtuoso."""
    from kik_graph.publish import publish

    endpoint = server.store()
    publish(store, endpoint)
    return endpoint


def _quads(remote: SparqlEndpointStore, graphs: list[str]) -> set[tuple[str, str, str, str]]:
    return {(g, *map(str, t)) for g in graphs for t in remote.graph(g)}


def _private_graphs(remote: SparqlEndpointStore) -> list[str]:
    data = remote._json(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?g), '
                        f'"{sparql_atomic.PRIVATE_PREFIX}") }}', timeout=None, dataset=False)
    return [row["g"]["value"] for row in data["results"]["bindings"]]


def _reset(remote: SparqlEndpointStore) -> None:
    remote._request(f"DROP SILENT GRAPH <{G}>", update=True)
    remote._request(f'INSERT {{ GRAPH <{G}> {{ <urn:s> <urn:p> "vorher" . <urn:s> <urn:q> [ <urn:r> 1 ] }} }} '
                    'WHERE { }', update=True)


# ------------------------------------------------------------------------------------------- the endpoint itself

@pytest.mark.virtuoso
def test_virtuoso_commits_the_operations_of_one_request_one_by_one(remote):
    """Why sparql_atomic exists: sent unchanged, a request whose second operation fails leaves the first applied."""
    _reset(remote)
    with pytest.raises(StoreError):
        remote._request(f'INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "halb" }} }} ;\nDROP GRAPH <{MISSING}>',
                        update=True)
    assert "halb" in {str(o) for o in remote.graph(G).objects()}


# ------------------------------------------------------------------------------------------- through the store

@pytest.mark.virtuoso
def test_failing_second_operation_leaves_every_graph_unchanged(remote):
    _reset(remote)
    before = _quads(remote, [G])
    with pytest.raises(StoreError, match="SPARUL_DROP"):  # the endpoint's own error of the third operation
        remote.update(f'DELETE DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "vorher" }} }} ;\n'
                      f'INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "nachher" }} }} ;\n'
                      f"DROP GRAPH <{MISSING}>")
    assert _quads(remote, [G]) == before
    assert _private_graphs(remote) == []


@pytest.mark.virtuoso
def test_successful_multi_operation_update_applies_everything(remote):
    _reset(remote)
    remote.update(f'DELETE DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "vorher" }} }} ;\n'
                  f'DELETE {{ GRAPH <{G}> {{ <urn:s> <urn:q> ?b . ?b ?x ?y }} }} '
                  f'WHERE {{ GRAPH <{G}> {{ <urn:s> <urn:q> ?b . ?b ?x ?y }} }} ;\n'
                  f'INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "nachher ; GRAPH <{MISSING}>" }} }}')
    assert {(str(p), str(o)) for _s, p, o in remote.graph(G)} == {("urn:p", f"nachher ; GRAPH <{MISSING}>")}
    assert _private_graphs(remote) == []


def _is_applied_edit(text: str, kwargs: dict) -> bool:
    """The request that runs the edit's operations on the private work copies."""
    return bool(kwargs.get("update")) and ":work:" in text and " ;\n" in text and not text.startswith("DROP")


@pytest.mark.virtuoso
def test_an_edit_whose_endpoint_fails_midway_changes_nothing(remote, monkeypatch):
    """A real edit (status of SB-1.1: data, history and pending marker – three graphs, several operations)."""
    op.set_status(remote, "bob", "SB-1.1", "geplant", "2026-10-01")  # the edit below then deletes and inserts
    graphs = [str(GRAPH_KIK), str(GRAPH_HISTORY), str(GRAPH_OFFICE)]
    before = _quads(remote, graphs)
    real = remote._request
    failed: list[str] = []

    def failing(text: str, **kwargs):
        if _is_applied_edit(text, kwargs) and not failed:
            failed.append(text)
            real(text.split(" ;\n")[0], **kwargs)  # the first operation reaches the endpoint and is applied …
            raise StoreError("Die Verbindung zum SPARQL-Endpunkt ist abgebrochen (Test).")  # … then it fails
        return real(text, **kwargs)

    monkeypatch.setattr(remote, "_request", failing)
    with pytest.raises(StoreError, match="abgebrochen"):
        op.set_status(remote, "bob", "SB-1.1", "in Umsetzung", "2026-11-01", "Test")
    assert failed and "DELETE DATA" in failed[0]
    assert _quads(remote, graphs) == before
    assert _private_graphs(remote) == []

    result = op.set_status(remote, "bob", "SB-1.1", "in Umsetzung", "2026-11-01", "Test")
    after = _quads(remote, graphs)
    assert result.changed
    assert any(q[0] == str(GRAPH_HISTORY) and q[1] == str(result.change) for q in after)
    assert {q for q in before - after if q[0] == str(GRAPH_KIK)}  # the old status went …
    assert any(q[0] == str(GRAPH_KIK) and q[3] == "2026-11-01" for q in after - before)  # … the new one came


@pytest.mark.virtuoso
def test_a_concurrent_change_is_not_lost(remote, monkeypatch):
    """Another writer changes the graph between copy and swap: the swap does nothing, the request is retried."""
    _reset(remote)
    real = remote._request
    injected: list[bool] = []

    def with_other_writer(text: str, **kwargs):
        result = real(text, **kwargs)
        if kwargs.get("update") and "work:" in text and "INSERT DATA" in text and not injected:
            injected.append(True)
            real(f'INSERT DATA {{ GRAPH <{G}> {{ <urn:other> <urn:p> "gleichzeitig" }} }}', update=True)
        return result

    monkeypatch.setattr(remote, "_request", with_other_writer)
    remote.update(f'DELETE DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "vorher" }} }} ;\n'
                  f'INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> "nachher" }} }}')
    values = {str(o) for o in remote.graph(G).objects() if not str(o).startswith("N")}
    assert injected and {"gleichzeitig", "nachher"} <= values and "vorher" not in values
    assert _private_graphs(remote) == []


# ------------------------------------------------------------------------------------------- analysis (no server)

def test_analysis_finds_operations_and_graphs_but_never_looks_into_data():
    text = ('PREFIX kikg: <https://w3id.org/kik-graph/graph/>\n'
            'DELETE DATA { GRAPH kikg:kik { <urn:a> <urn:b> "x ; GRAPH <urn:evil> { }" } } ;\n'
            '# GRAPH <urn:comment> ;\n'
            'INSERT DATA { GRAPH <urn:g2> { <https://w3id.org/kik-graph/graph/kik> <urn:p> """a;\n}b""" } }')
    plan = sparql_atomic.analyse(text)
    assert plan.operations == 2 and plan.needs_copies
    assert plan.graphs == ["https://w3id.org/kik-graph/graph/kik", "urn:g2"]
    out = sparql_atomic.rewrite(text, {"https://w3id.org/kik-graph/graph/kik": "urn:w0", "urn:g2": "urn:w1"})
    assert 'GRAPH <urn:w0> { <urn:a> <urn:b> "x ; GRAPH <urn:evil> { }" }' in out
    assert 'GRAPH <urn:w1> { <https://w3id.org/kik-graph/graph/kik> <urn:p> """a;\n}b""" }' in out
    assert "# GRAPH <urn:comment> ;" in out


@pytest.mark.parametrize("text, reason", [
    ("DROP ALL ; INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }", "DROP ALL"),
    ("INSERT { GRAPH ?g { <urn:a> <urn:b> 1 } } WHERE { ?g <urn:x> 1 } ; CLEAR GRAPH <urn:g>", "?g"),
    ("LOAD <http://example.org/x.ttl> ; CLEAR GRAPH <urn:g>", "LOAD"),
    ("INSERT DATA { GRAPH nope:g { <urn:a> <urn:b> 1 } } ; CLEAR GRAPH <urn:g>", "nope:g"),
])
def test_requests_with_unknown_graphs_are_recognised(text, reason):
    plan = sparql_atomic.analyse(text)
    assert plan.operations == 2 and not plan.needs_copies and reason in plan.unsupported
