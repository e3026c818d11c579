"""Every named query answers known questions about the KIK; parameters are bound, never pasted."""

from __future__ import annotations

import pytest
from rdflib import Literal

from kik_graph.params import bind_params, run_named
from kik_graph.queries import all_queries, get_query, parse_query_file
from kik_graph.terms import InvalidInput

HOSTILE = [
    'SB-7.2" } ; DROP ALL ; #',
    "SB-7.2> } DELETE WHERE { ?s ?p ?o } #",
    "x'); DROP GRAPH <https://w3id.org/kik-graph/graph/kik> ; #",
    "<script>alert(1)</script>",
    "SB\u202e-7.2",
    "\\u0022 } UNION { ?s ?p ?o } #",
    "A" * 5000,
    "",
    "   ",
]


def labels(result, column):
    return [str(r[column]) for r in result.rows]


def test_every_query_file_has_a_header_with_title_and_description():
    queries = all_queries()
    assert {"measures", "actors-for-measure", "measures-for-actor", "actors-by-field", "measures-by-phase",
            "measures-by-target-group", "measures-without-lead", "coverage-matrix", "institutions-without-role"} <= set(queries)
    for q in queries.values():
        assert q.title and q.description, q.name


def test_measures_all_and_by_field(store):
    assert len(run_named(store, "measures")) == 144
    io = run_named(store, "measures", {"field": "IO"})
    assert len(io) == 26
    assert labels(io, "notation")[:3] == ["IO-1.1", "IO-1.2", "IO-1.3"]
    assert "IO-6.4" not in labels(io, "notation")


def test_actors_for_measure_sb_7_2(store):
    result = run_named(store, "actors-for-measure", {"measure": "SB-7.2"})
    assert labels(result, "actorLabel") == ["Runder Tisch der Bildungsträger Kempten & Oberallgäu"]
    row = result.as_strings()[0]
    assert row["roleLabel"] == "federführend"
    assert row["provenance"] == "im KIK-Text genannt"


def test_actors_for_measure_accepts_lower_case(store):
    assert len(run_named(store, "actors-for-measure", {"measure": "sb-7.2"})) == 1


def test_measures_for_actor_by_label_and_iri(store):
    by_label = run_named(store, "measures-for-actor", {"actor": "Runder Tisch der Bildungsträger"})
    assert labels(by_label, "notation") == ["SB-7.2"]
    vhs = run_named(store, "measures-for-actor", {"actor": "vhs Kempten"})
    assert labels(vhs, "notation") == ["SB-7.1", "SB-8.6"]
    assert set(labels(vhs, "viaLabel")) == {"Bildungsträger"}
    iri = "https://w3id.org/kik-graph/id/organisation/stadt-kempten"
    assert labels(run_named(store, "measures-for-actor", {"actor": iri}), "notation") == ["IO-1.1", "IO-1.2"]


def test_unknown_actor_is_a_clear_error(store):
    with pytest.raises(InvalidInput, match="nicht bekannt"):
        run_named(store, "measures-for-actor", {"actor": "Gibt es nicht e.V."})


def test_actors_by_field(store):
    gp = labels(run_named(store, "actors-by-field", {"field": "GP"}), "actorLabel")
    assert "Diakonie TAFF" in gp and "Schwangerenberatungsstellen" in gp and "KoKi" in gp
    assert len(gp) == 27


def test_measures_by_phase(store):
    assert len(run_named(store, "measures-by-phase", {"phase": "1"})) == 0
    phase2 = run_named(store, "measures-by-phase", {"phase": "II"})
    fields = set(labels(phase2, "fieldCode"))
    assert {"AA", "SB"} <= fields
    via_field = [r for r in phase2.as_strings() if r["fieldCode"] == "AA" and r["via"] == "Handlungsfeld"]
    assert len({r["notation"] for r in via_field}) == 27
    assert all(r["evidenceType"].endswith("StatedInSource") for r in via_field)
    direct = {r["notation"] for r in phase2.as_strings() if r["via"] == "Maßnahme"}
    assert "AA-6.1" in direct


def test_measures_by_target_group(store):
    parents = labels(run_named(store, "measures-by-target-group", {"group": "Eltern"}), "notation")
    assert {"SB-5.1", "SB-6.4", "AA-5.2"} <= set(parents)
    apprentices = labels(run_named(store, "measures-by-target-group", {"group": "Auszubildende"}), "notation")
    assert "AA-3.1" in apprentices


def test_measures_without_lead(store):
    result = run_named(store, "measures-without-lead")
    notations = labels(result, "notation")
    assert len(notations) == 129
    assert "SB-7.2" not in notations and "SB-1.1" in notations
    gp22 = next(r for r in result.as_strings() if r["notation"] == "GP-2.2")
    assert gp22["partners"] == "1"
    assert len(run_named(store, "measures-without-lead", {"field": "GP"})) == 19


def test_coverage_matrix(store):
    rows = run_named(store, "coverage-matrix").as_strings()
    afi = {r["fieldCode"]: r for r in rows if r["actorLabel"] == "Amt für Integration"}
    assert set(afi) == {"SB", "AA", "GP", "BE", "GT", "IO"}
    assert all(r["listed"] == "1" for r in afi.values())
    bt = {r["fieldCode"]: r for r in rows if r["actorLabel"] == "Bildungsträger"}
    assert bt["SB"]["measures"] == "2"


def test_institutions_without_role(store):
    names = labels(run_named(store, "institutions-without-role"), "label")
    assert "Polizei Kempten" in names
    assert "Amt für Integration" not in names and "vhs Kempten" not in names


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("query", "param"), [("actors-for-measure", "measure"), ("measures", "field"),
                                              ("measures-by-phase", "phase"), ("measures-for-actor", "actor"),
                                              ("measures-by-target-group", "group")])
def test_hostile_parameters_are_rejected_or_harmless(store, query, param, value):
    before = store.triple_count()
    try:
        result = run_named(store, query, {param: value})
    except InvalidInput as exc:
        assert str(exc) and "Traceback" not in str(exc)  # a clear message
    else:
        # only what survives cleaning (control and bidi characters removed) is used, as a term
        cleaned = "".join(ch for ch in value if ch != "\u202e")
        assert cleaned == "SB-7.2" or (query == "measures" and not value.strip())
        assert len(result) == len(run_named(store, query, {param: cleaned}))
    assert store.triple_count() == before


def test_text_parameter_is_bound_as_a_literal_not_pasted(store):
    query = get_query("lookup-actor")
    bindings = bind_params(query, {"label": '" } } ; DROP ALL #'}, store)
    assert bindings["label"] == Literal('" } } ; DROP ALL #')
    assert len(store.select(query.sparql, bindings)) == 0


def test_unknown_and_missing_parameters_are_named(store):
    with pytest.raises(InvalidInput, match="measure"):
        run_named(store, "actors-for-measure", {})
    with pytest.raises(InvalidInput, match="bogus"):
        run_named(store, "measures", {"bogus": "1"})


def test_query_header_is_parsed(tmp_path):
    path = tmp_path / "x.rq"
    path.write_text("# title: T\n# description: D\n# param: a field optional  Feld\nSELECT * WHERE { ?s ?p ?o }\n")
    q = parse_query_file(path)
    assert (q.title, q.description, q.params[0].name, q.params[0].kind, q.params[0].required) == ("T", "D", "a", "field", False)
    path.write_text("# title: T\n# param: a nonsense required\nSELECT * WHERE {}\n")
    with pytest.raises(ValueError, match="param"):
        parse_query_file(path)


def test_measure_facets_include_direct_phase_assignments(store):
    rows = run_named(store, "measure-facets").as_strings()
    aa12 = {(r["kind"], r["valueLabel"]) for r in rows if r["measure"].endswith("/massnahme/AA-1.2")}
    assert ("phase", "II") in aa12  # assigned to the measure itself (inferred)
    assert ("phase", "III") in aa12  # via its field AA (stated)


def test_categories_without_institution(store):
    rows = run_named(store, "categories-without-institution").as_strings()
    labels = {r["categoryLabel"] for r in rows}
    assert {"Kliniken", "Krankenkassen"} <= labels
    assert "Bildungsträger" not in labels and "Schwangerenberatungsstellen" not in labels
