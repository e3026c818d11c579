"""The vocabulary: every term labelled in German and English, every class has a SHACL shape that accepts what the
app writes and rejects broken records, documentation renders offline."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kik_graph.config import PATHS
from kik_graph.directory import feedback, searchlog
from kik_graph.editing import operations as op
from kik_graph.editing import vocab as editing_vocab
from kik_graph.graphdata import load_data, load_ontology
from kik_graph.i18n import LANGUAGES
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_OFFICE, KIK
from kik_graph.report import record_report
from kik_graph.validate import load_shapes, validate_graph
from kik_graph.vocabdoc import render


def test_every_class_and_property_has_german_and_english_label_and_definition():
    onto = load_ontology()
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in onto.subjects(RDF.type, kind):
            if not str(term).startswith(str(KIK)):
                continue
            for pred in (RDFS.label, SKOS.definition):
                langs = {o.language for o in onto.objects(term, pred) if isinstance(o, Literal)}
                assert {"de", "en"} <= langs, (term, pred)


def test_every_kik_term_used_in_the_data_is_declared():
    onto = load_ontology()
    declared = set(onto.subjects())
    used = set()
    for _s, p, o in load_data():
        used.update(t for t in (p, o) if str(t).startswith(str(KIK)))
        if p == RDF.type and str(o).startswith(str(KIK)):
            used.add(o)
    assert not sorted(used - declared)


def test_vocabulary_documentation_renders_without_network_resources():
    html = render(PATHS.ontology, "de")
    assert "Handlungsfeld" in html and "Maßnahme" in html
    assert "fonts.googleapis" not in html and "cdn" not in html.lower()


# ---- every class has a shape (issue 2) ----

SHAPES_NS = "https://w3id.org/kik-graph/shapes#"


def _kik_classes() -> set:
    onto = load_ontology()
    return {c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(KIK))}


def _shape_values(shapes: Graph, shape: str, predicate: URIRef) -> list:
    """The values of ``predicate`` on the shape ``kiksh:<shape>`` (RDF lists unpacked)."""
    out = []
    for value in shapes.objects(URIRef(SHAPES_NS + shape), predicate):
        out.extend(Collection(shapes, value) if predicate == SH["in"] else [value])
    return out


def test_every_kik_class_is_the_target_class_of_a_node_shape():
    shapes = load_shapes()
    targeted = {c for shape in shapes.subjects(RDF.type, SH.NodeShape) for c in shapes.objects(shape, SH.targetClass)}
    classes = _kik_classes()
    assert len(classes) >= 36
    assert sorted(str(c) for c in classes - targeted) == []


def test_controlled_values_of_the_vocabulary_conform_and_other_values_are_rejected():
    onto = load_ontology()
    assert validate_graph(onto).conforms
    stray = Graph()
    stray.add((KIK.ByBicycle, RDF.type, KIK.AccessMode))
    stray.add((KIK.ByBicycle, SKOS.prefLabel, Literal("mit dem Rad", lang="de")))
    stray.add((KIK.ByBicycle, SKOS.inScheme, KIK.AccessModeScheme))
    stray.add((KIK.Cheap, RDF.type, KIK.CostType))  # no label, no scheme, not in the list
    report = validate_graph(onto + stray)
    assert {p.node for p in report.problems} == {"kik:ByBicycle", "kik:Cheap"}
    assert any(p.node == "kik:Cheap" and p.path == str(SKOS.inScheme) for p in report.problems)


def test_the_shapes_follow_the_limits_of_the_writing_code():
    """The lists and limits in the shapes are those of the code that writes the records (never stricter)."""
    shapes = load_shapes()
    assert [str(v) for v in _shape_values(shapes, "Feedback-field", SH["in"])] == list(feedback.FIELDS)
    assert _shape_values(shapes, "Feedback-text", SH.maxLength) == [Literal(feedback.MAX_FEEDBACK_LENGTH)]
    assert sorted(str(v) for v in _shape_values(shapes, "FailedSearch-language", SH["in"])) == sorted(LANGUAGES)
    assert _shape_values(shapes, "FailedSearch-text", SH.maxLength) == [Literal(searchlog.MAX_LOGGED_LENGTH)]
    account = shapes.value(URIRef(SHAPES_NS + "AccountShape"), SH.property)
    assert str(shapes.value(account, SH.pattern)) == editing_vocab._ACCOUNT.pattern


def test_office_and_history_records_written_by_the_app_conform(fresh_store):
    """Feedback, failed searches, an issued report and an edit (account) as the app writes them are valid."""
    service = "https://w3id.org/kik-graph/id/angebot/taff"
    feedback.submit(fresh_store, service, "telephone", "", day=date(2024, 5, 2))
    feedback.submit(fresh_store, service, "other", "Sprechzeiten geändert: " + "ä" * 977)  # the longest text allowed
    for _ in range(2):
        searchlog.record_failed(fresh_store, "Zahnarzt Tel. 0831 123456", "de-x-ls")
    searchlog.record_failed(fresh_store, "x" * 300, "fa")
    record_report(fresh_store, since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    record_report(fresh_store, since=None)
    op.set_status(fresh_store, "alice.b+kik@example.org", "SB-1.1", "umgesetzt", "2024-02-01")
    data = fresh_store.graph(str(GRAPH_OFFICE)) + fresh_store.graph(str(GRAPH_HISTORY))
    for cls in (KIK.Feedback, KIK.FailedSearch, KIK.StatusReport, KIK.Account):
        assert (None, RDF.type, cls) in data, cls
    assert {int(c) for c in data.objects(None, KIK["count"])} == {1, 2}
    assert max(len(t) for t in data.objects(None, KIK.feedbackText)) == feedback.MAX_FEEDBACK_LENGTH
    report = validate_graph(data)
    assert report.conforms and report.problems == [], report.text()


def _broken_records() -> Graph:
    g = Graph()
    base = "https://w3id.org/kik-graph/id/"
    fb = URIRef(base + "intern/rueckmeldung/kaputt")
    g.add((fb, RDF.type, KIK.Feedback))
    g.add((fb, KIK.aboutService, URIRef(base + "angebot/taff")))
    g.add((fb, KIK.feedbackField, Literal("colour")))  # not a field code
    g.add((fb, DCTERMS.date, Literal("2024-05-02")))  # a string, not an xsd:date
    fb2 = URIRef(base + "intern/rueckmeldung/ohne-angebot")
    g.add((fb2, RDF.type, KIK.Feedback))  # no service, no field, no date
    g.add((fb2, KIK.feedbackText, Literal("x" * 1001)))
    sr = URIRef(base + "bericht/kaputt")
    g.add((sr, RDF.type, KIK.StatusReport))
    g.add((sr, DCTERMS.issued, Literal(date(2024, 5, 2))))  # a date, not an xsd:dateTime
    sr2 = URIRef(base + "bericht/ohne-datum")
    g.add((sr2, RDF.type, KIK.StatusReport))  # no dcterms:issued
    fs = URIRef(base + "intern/erfolglose-suche/kaputt")
    g.add((fs, RDF.type, KIK.FailedSearch))
    g.add((fs, KIK.searchText, Literal("zahnarzt")))
    g.add((fs, KIK.searchLanguage, Literal("xx")))
    g.add((fs, DCTERMS.date, Literal(date(2024, 5, 2))))
    g.add((fs, KIK["count"], Literal("2")))  # a string, not an xsd:integer
    account = URIRef(base + "konto/blenk")
    g.add((account, RDF.type, KIK.Account))
    g.add((account, KIK.accountId, Literal("Susanne Blenk")))  # a name, not an account id
    return g


@pytest.fixture(scope="module")
def broken_problems() -> set[tuple[str, str]]:
    """(node, property) of every violation in a graph of deliberately broken internal records."""
    report = validate_graph(_broken_records())
    assert not report.conforms
    return {(p.node, p.path) for p in report.problems if p.severity == "Violation"}


@pytest.mark.parametrize(("node", "path"), [
    ("kikd:intern/rueckmeldung/kaputt", "kik:feedbackField"),
    ("kikd:intern/rueckmeldung/kaputt", str(DCTERMS.date)),
    ("kikd:intern/rueckmeldung/ohne-angebot", "kik:aboutService"),
    ("kikd:intern/rueckmeldung/ohne-angebot", "kik:feedbackField"),
    ("kikd:intern/rueckmeldung/ohne-angebot", str(DCTERMS.date)),
    ("kikd:intern/rueckmeldung/ohne-angebot", "kik:feedbackText"),
])
def test_broken_feedback_is_reported_with_the_property(broken_problems, node, path):
    assert (node, path) in broken_problems


@pytest.mark.parametrize(("node", "path"), [
    ("kikd:bericht/kaputt", str(DCTERMS.issued)),
    ("kikd:bericht/ohne-datum", str(DCTERMS.issued)),
    ("kikd:intern/erfolglose-suche/kaputt", "kik:searchLanguage"),
    ("kikd:intern/erfolglose-suche/kaputt", "kik:count"),
    ("kikd:konto/blenk", "kik:accountId"),
])
def test_broken_status_report_search_and_account_are_reported_with_the_property(broken_problems, node, path):
    assert (node, path) in broken_problems
