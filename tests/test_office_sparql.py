"""The read-only SPARQL page: what is refused, limits, time limit, and the page itself."""

from __future__ import annotations

import pytest

from kik_graph.store.base import QueryTimeout
from kik_graph.ui.office_query import QueryRefused, check_query, run_query
from tests.fixtures.office import no_exceptions, texts

SELECT_MEASURES = "SELECT ?m ?n WHERE { ?m a kik:Measure ; skos:notation ?n } ORDER BY ?n"


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/kik-graph/graph/kik>",
    "PREFIX kik: <https://w3id.org/kik-graph/vocab#> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused(update: str, fresh_store) -> None:
    with pytest.raises(QueryRefused, match="nicht erlaubt"):
        check_query(update)
    before = fresh_store.triple_count()
    with pytest.raises(QueryRefused):
        run_query(fresh_store, update)
    assert fresh_store.triple_count() == before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://dbpedia.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x.example/> { ?s ?q ?r } } }",
])
def test_service_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(query)


def test_from_with_remote_iris_is_refused_but_local_graphs_are_fine() -> None:
    with pytest.raises(QueryRefused, match="FROM"):
        check_query("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }")
    with pytest.raises(QueryRefused, match="FROM"):
        check_query("PREFIX ex: <http://example.org/> SELECT * FROM NAMED ex:g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert check_query("SELECT * FROM kikg:kik WHERE { ?s ?p ?o }").form == "SELECT"


def test_syntax_errors_and_sizes() -> None:
    with pytest.raises(QueryRefused, match="Zeile 2"):
        check_query("SELECT ?s\nWHERE { ?s ?p }")
    with pytest.raises(QueryRefused, match="leer"):
        check_query("   ")
    with pytest.raises(QueryRefused, match="zu lang"):
        check_query("SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000)


def test_forms_and_construct_limit() -> None:
    assert check_query("ASK { ?s ?p ?o }").form == "ASK"
    assert check_query("DESCRIBE <https://w3id.org/kik-graph/id/massnahme/SB-7.2>").form == "DESCRIBE"
    construct = check_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } # no limit", limit=50)
    assert construct.form == "CONSTRUCT" and construct.text.endswith("\nLIMIT 51")
    with pytest.raises(QueryRefused, match="LIMIT"):
        check_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } VALUES ?s { <urn:x> }")


def test_select_with_row_limit(store) -> None:
    outcome = run_query(store, SELECT_MEASURES, limit=5)
    assert len(outcome.frame) == 5 and outcome.truncated
    assert list(outcome.frame.columns) == ["m", "n"]
    full = run_query(store, SELECT_MEASURES, limit=1000)
    assert len(full.frame) == 144 and not full.truncated


def test_ask_construct_describe(store) -> None:
    assert run_query(store, "ASK { ?m skos:notation 'SB-7.2' }").boolean is True
    graph = run_query(store, "CONSTRUCT { ?m skos:notation ?n } WHERE { ?m a kik:Measure ; skos:notation ?n }",
                      limit=10)
    assert len(graph.frame) == 10 and graph.truncated
    described = run_query(store, "DESCRIBE <https://w3id.org/kik-graph/id/massnahme/SB-7.2>")
    assert "https://w3id.org/kik-graph/vocab#text" in set(described.frame["predicate"])


def test_time_limit(store) -> None:
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a a kik:FieldOfAction . ?b a kik:NapPhase . "
            "?c a kik:CrossCuttingTheme . ?g a kik:FieldOfAction . ?d ?e ?f }")
    with pytest.raises(QueryTimeout, match="Zeitlimit"):
        run_query(store, slow, timeout=0.2)


# ------------------------------------------------------------------------------------------------ the page
def test_page_prefills_named_query_and_runs_it_with_parameters(office_page) -> None:
    at = office_page("office_sparql", q="actors-for-measure", p_measure="SB-7.2")
    no_exceptions(at)
    assert "kik:Responsibility" in at.text_area(key="office_sparql_text").value
    at.button(key="office_sparql_run").click().run()
    no_exceptions(at)
    result = at.dataframe[0].value
    assert list(result["actorLabel"]) == ["Runder Tisch der Bildungsträger Kempten & Oberallgäu"]
    assert "1 Zeilen" in texts(at)
    assert len(at.get("download_button")) == 2


def test_page_switching_query_replaces_the_editor(office_page) -> None:
    at = office_page("office_sparql")
    no_exceptions(at)
    assert "kik:FieldOfAction" in at.text_area(key="office_sparql_text").value
    at.selectbox(key="office_q").set_value("phases").run()
    no_exceptions(at)
    assert "kik:NapPhase" in at.text_area(key="office_sparql_text").value
    at.button(key="office_sparql_run").click().run()
    assert len(at.dataframe[0].value) == 5


def test_page_refuses_updates_and_missing_parameters(office_page) -> None:
    at = office_page("office_sparql", q="measures-for-actor")
    at.button(key="office_sparql_run").click().run()
    no_exceptions(at)
    assert "actor" in texts(at) and "fehlt" in texts(at)
    at.text_area(key="office_sparql_text").set_value("DELETE WHERE { ?s ?p ?o }").run()
    at.button(key="office_sparql_run").click().run()
    no_exceptions(at)
    assert any("nicht erlaubt" in w.value for w in at.warning)
    assert not at.dataframe
