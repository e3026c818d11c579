"""The synthetic benchmark graph (benchmarks/synthetic.py) has the shape of the KIK data, scaled to n municipalities."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from benchmarks import synthetic
from benchmarks.bench_queries import query_form, synthetic_bindings
from kik_graph import graphdata
from kik_graph.namespaces import GRAPH_KIK, GRAPH_ONTOLOGY, KIK, KIKG
from kik_graph.queries import all_queries
from kik_graph.store import OxigraphStore

#: Classes whose instances are copied one to one into every municipality.
FIXED_CLASSES = (KIK.FieldOfAction, KIK.Goal, KIK.Measure, KIK.NapPhase, KIK.PhaseAssignment, KIK.TargetGroup,
                 KIK.District, KIK.KeyFigure, KIK.ActorCategory, KIK.GovernanceBody)


@pytest.fixture(scope="module")
def kik():
    return graphdata.load_data()


@pytest.fixture(scope="module")
def three():
    return synthetic.generate(3, seed=0)


@pytest.fixture(scope="module")
def three_store(three):
    store = OxigraphStore(None)
    store.replace_graph(str(GRAPH_KIK), three)
    return store


def part(graph, k):
    """The triples whose subject belongs to municipality k."""
    return [(s, p, o) for s, p, o in graph if synthetic.municipality_of(s) == k]


def shared(term):
    """True for the resources all municipalities share (concept schemes)."""
    return synthetic.municipality_of(term) == 0 and synthetic.local_name(term).split("/")[0] in synthetic.SHARED_KINDS


def class_counts(triples):
    return Counter(o for _, p, o in triples if p == RDF.type)


def test_municipality_zero_is_the_kik_data(kik):
    assert set(synthetic.generate(1)) == set(kik)


def test_counts_scale_with_the_number_of_municipalities(kik, three):
    base = class_counts(kik)
    counts = class_counts(three)
    for cls in FIXED_CLASSES:
        if base[cls]:
            assert counts[cls] == 3 * base[cls], cls
    # a few organisations are left out per copy, never more than an eighth of them
    assert 3 * base[KIK.Organisation] * 7 // 8 <= counts[KIK.Organisation] <= 3 * base[KIK.Organisation]
    assert 2.5 * len(kik) < len(three) < 3.3 * len(kik)
    for k in (1, 2):
        assert class_counts(part(three, k))[KIK.Responsibility] >= 3
    assert len(synthetic.generate(5)) > len(three)


def test_every_copy_uses_the_classes_and_properties_of_the_kik(kik, three):
    tpl = synthetic._template(graphdata.fingerprint())
    droppable = set(tpl.droppable)
    own = [(s, p, o) for s, p, o in kik if not shared(s)]
    needed = {p for s, p, o in own if s not in droppable}
    for k in (1, 2):
        triples = part(three, k)
        assert set(class_counts(triples)) == set(class_counts(own))
        assert needed <= {p for _, p, _ in triples}


def test_copies_link_only_within_their_municipality(three):
    for k in (1, 2):
        for s, p, o in part(three, k):
            assert f"/gemeinde/{k}/" in str(s) or f"-gemeinde-{k}" in str(s)
            assert synthetic.in_municipality(k, synthetic.local_name(s)) == s
            if isinstance(o, URIRef) and synthetic.municipality_of(o) is not None:
                assert synthetic.municipality_of(o) == k or shared(o), (s, p, o)


def test_copies_carry_synthetic_texts_not_kik_texts(kik, three):
    kik_texts = {str(o) for _, p, o in kik if isinstance(o, Literal) and o.datatype is None
                 and p not in synthetic.KEEP_PREDICATES}
    for k in (1, 2):
        for s, p, o in part(three, k):
            if not isinstance(o, Literal) or o.datatype is not None or p in synthetic.KEEP_PREDICATES:
                continue
            assert str(o) not in kik_texts or str(o).startswith(("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")), (s, p, o)
            if p == SKOS.prefLabel:
                assert f"Gemeinde {k}" in str(o) or f"municipality {k}" in str(o)
    # numbering is kept, so codes and notations have the KIK's form in every copy
    notations = {str(o) for s, p, o in part(three, 2) if p == SKOS.notation}
    assert "SB-7.2" in notations and "SB-Z7" in notations


def test_key_figures_stay_decimal_and_percentages_below_100(three):
    for s, value in three.subject_objects(RDF.value):
        assert value.datatype == XSD.decimal
        if str(three.value(s, KIK.unit)) == "Prozent":
            assert 0 <= float(value) < 100


def test_output_is_deterministic_in_the_seed(three):
    assert set(synthetic.generate(3, seed=0)) == set(three)
    other = synthetic.generate(3, seed=1)
    assert set(other) != set(three)
    assert set(part(other, 0)) == set(part(three, 0))


def test_named_queries_return_rows_for_values_of_municipality_k(three, three_store):
    """Every parameterised named query that finds rows in the KIK (municipality 0) finds rows for a value of
    municipality k – and only rows of k."""
    checked = 0
    queries = {name: q for name, q in all_queries().items() if q.params and query_form(q.sparql) == "SELECT"}
    kik_values = synthetic.sample_parameters(three, 0)
    with_rows = {name for name, q in queries.items()
                 if three_store.select(q.sparql, synthetic_bindings(q, kik_values, three_store)).rows}
    assert len(with_rows) >= 8
    for k in (1, 2):
        values = synthetic.sample_parameters(three, k)
        for name, query in queries.items():
            bindings = synthetic_bindings(query, values, three_store)
            rows = three_store.select(query.sparql, bindings).rows
            assert rows or name not in with_rows, f"{name}: keine Zeilen für Gemeinde {k} ({bindings})"
            for row in rows:
                for term in row.values():
                    owner = synthetic.municipality_of(term) if term is not None else None
                    assert owner in (None, k), f"{name}: {term} gehört nicht zu Gemeinde {k}"
            checked += 1
    assert checked >= 2 * len(with_rows)


def test_lookups_find_exactly_one_resource_per_municipality(three, three_store):
    for k in (0, 1, 2):
        values = synthetic.sample_parameters(three, k)
        for name, label, expected in (("lookup-actor", values["actor_label"], values["actor"]),
                                      ("lookup-target-group", values["group_label"], values["group"])):
            rows = three_store.select(all_queries()[name].sparql, {"label": Literal(label)}).rows
            assert [r["resource"] for r in rows] == [expected], (name, label)


def test_whole_graph_queries_grow_with_the_graph(three_store):
    kik_store = OxigraphStore(None)
    kik_store.replace_graph(str(GRAPH_KIK), graphdata.load_data())
    for name in ("measures", "class-counts"):
        query = all_queries()[name]
        small = len(kik_store.select(query.sparql).rows)
        big = len(three_store.select(query.sparql).rows)
        assert big >= small and (name == "class-counts" or big == 3 * small), name


@pytest.mark.slow
def test_a_copy_conforms_to_the_shacl_shapes():
    from kik_graph.validate import validate_graph

    graph = synthetic.generate(2, seed=3)
    copy = Graph()
    for s, p, o in graph:
        if synthetic.municipality_of(s) == 1 or (shared(s) and synthetic.municipality_of(o) in (None, 1)):
            copy.add((s, p, o))
    assert len(copy) > 0.8 * len(graphdata.load_data())
    report = validate_graph(copy)
    bad = [p for p in report.problems if p.severity == "Violation"]
    assert not bad, "\n".join(map(str, bad[:10]))


def test_each_municipality_gets_its_own_named_graph(three):
    graphs = list(synthetic.municipality_graphs(3, seed=0))
    assert [g.identifier for g in graphs] == [GRAPH_KIK, KIKG["gemeinde/1"], KIKG["gemeinde/2"]]
    assert set().union(*(set(g) for g in graphs)) == set(three)
    for k, graph in enumerate(graphs):
        assert {synthetic.municipality_of(s) for s, _, _ in graph if not shared(s)} == {k}
    store = OxigraphStore(None)
    store.bulk_load(None, b"".join(synthetic.as_nquads(g) for g in graphs), "nq")
    assert {g: store.triple_count(g) for g in store.named_graphs()} == {str(g.identifier): len(g) for g in graphs}


@pytest.fixture(scope="module")
def scoped_engines():
    """Oxigraph and rdflib over the same three municipalities, both scoped to municipality 2 and the vocabulary."""
    from rdflib import Dataset

    from benchmarks.bench_queries import RdflibStore, ScopedDataset
    from kik_graph.config import PATHS

    graphs = list(synthetic.municipality_graphs(3, seed=0))
    data = b"".join(synthetic.as_nquads(g) for g in graphs)
    scope = [synthetic.municipality_graph(2), GRAPH_ONTOLOGY]
    ox_store = OxigraphStore(None, graphs=[str(g) for g in scope])
    ox_store.bulk_load(None, data, "nq")
    ox_store.bulk_load(str(GRAPH_ONTOLOGY), PATHS.ontology, "ttl")
    dataset = Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    dataset.graph(GRAPH_ONTOLOGY).parse(PATHS.ontology, format="turtle")
    return ox_store, RdflibStore(ScopedDataset(dataset, scope)), synthetic.sample_parameters(graphs[2], 2)


@pytest.mark.parametrize("name", ["actors-by-field", "measures-for-actor", "class-counts", "phases", "fields",
                                  "directory-labels"])
def test_scoped_oxigraph_and_rdflib_give_the_same_answer(scoped_engines, name):
    """The benchmark's comparison is fair: both engines see exactly municipality 2's dataset (property paths,
    GRAPH patterns and aggregates included) and return the same rows, all of them from municipality 2."""
    from benchmarks.bench_queries import _summary

    ox_store, rd_store, values = scoped_engines
    query = all_queries()[name]
    ox_result = ox_store.select(query.sparql, synthetic_bindings(query, values, ox_store))
    rd_result = rd_store.select(query.sparql, synthetic_bindings(query, values, rd_store))
    assert _summary(ox_result, True) == _summary(rd_result, True)
    owners = {synthetic.municipality_of(t) for row in ox_result.rows for t in row.values() if t is not None}
    assert owners <= {None, 2}
    assert len(ox_result.rows) > 0 or name == "class-counts"  # class-counts reads kikg:kik, not in this dataset
