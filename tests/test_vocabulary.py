"""The vocabulary: every term labelled in German and English, documentation renders offline."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kik_graph.config import PATHS
from kik_graph.graphdata import load_data, load_ontology
from kik_graph.namespaces import KIK
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
