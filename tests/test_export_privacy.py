"""The privacy filter: personal names, internal notes, history, feedback and search logs never leave the system."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, XSD

from kik_graph.export import rdf
from kik_graph.export.bundle import export_all
from kik_graph.export.privacy import filter_graph, public_graph
from kik_graph.export.tables import write_tables
from kik_graph.namespaces import GRAPH_KIK, KIK, KIKD
from tests.fixtures.export import BASE, file_texts, find_names, personal_names


def test_the_names_list_covers_the_seed_sources():
    names = personal_names()
    # Vorwort, Steuerungsgruppe, Projektteam, Impressum, photo credits, decision paper
    for name in ("Thomas Kiechle", "Ilknur Altan", "Rosalia Kubedinow", "Priska Hecht", "Philipp Wagner",
                 "Lars Hallström", "Thomas Baier-Regnery", "Altan", "Blenk", "Hübert"):
        assert name in names


def test_every_exported_file_is_free_of_personal_names(kik_export, status_export, store, tmp_path):
    names = personal_names()
    # status_export: the same data with recorded service statuses, so that hsds.json is written too
    files = sorted(p for export in (kik_export, status_export) for p in export.out_dir.rglob("*") if p.is_file())
    files += write_tables(store, tmp_path / "tabellen")
    kinds = {p.suffix for p in files}
    assert {".ttl", ".jsonld", ".nt", ".rdf", ".json", ".csv", ".xlsx"} <= kinds
    for path in files:
        for text in file_texts(path):
            assert not find_names(text, names), (path.name, find_names(text, names))


def test_planted_private_data_does_not_leak_into_any_output(planted_store, tmp_path):
    names = personal_names()
    result = export_all(planted_store, tmp_path / "export", base=BASE)
    files = sorted(p for p in result.out_dir.rglob("*") if p.is_file())
    files += write_tables(planted_store, tmp_path / "tabellen")
    leaked = {p.name: find_names(t, names) for p in files for t in file_texts(p) if find_names(t, names)}
    assert not leaked
    # the filter did withhold something, and the public KIK content is still there
    assert result.privacy.removed_triples >= 9
    exported = rdf.read_file(result.out_dir / "kik-graph.ttl")
    terms = {str(t) for triple in exported for t in triple}
    assert f"{BASE}massnahme/SB-7.2" in terms
    assert not any("internalNote" in t or "nonPublic" in t or "intern/kontakt-1" in t or "person/wagner" in t
                   or "konto/blenk" in t or "accountId" in t for t in terms)


def test_filter_rules_one_by_one():
    data = Graph()
    secret = URIRef("urn:x:secret")
    public = KIKD["massnahme/SB-1.1"]
    note = BNode()
    data.add((public, KIK.text, Literal("öffentlich", lang="de")))
    data.add((public, KIK.internalNote, note))
    data.add((note, RDFS.comment, Literal("intern")))
    data.add((secret, KIK.nonPublic, Literal(True)))
    data.add((secret, RDFS.label, Literal("geheim")))
    data.add((public, RDFS.seeAlso, secret))
    data.add((URIRef("urn:x:p"), RDF.type, FOAF.Person))
    data.add((URIRef("urn:x:p"), FOAF.name, Literal("Name")))
    data.add((URIRef("urn:x:kept"), KIK.nonPublic, Literal("false", datatype=XSD.boolean)))
    out = filter_graph(data)
    assert set(out) == {(public, KIK.text, Literal("öffentlich", lang="de"))}


def test_vocabulary_flags_make_classes_and_properties_internal():
    vocabulary = Graph()
    feedback, secret_prop, sub = URIRef("urn:v:Feedback"), URIRef("urn:v:secretNote"), URIRef("urn:v:SubFeedback")
    vocabulary.add((feedback, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    vocabulary.add((feedback, KIK.nonPublic, Literal(True)))
    vocabulary.add((sub, RDFS.subClassOf, feedback))
    vocabulary.add((secret_prop, KIK.nonPublic, Literal(True)))
    data = Graph()
    data.add((URIRef("urn:x:f"), RDF.type, sub))
    data.add((URIRef("urn:x:f"), RDFS.label, Literal("Rückmeldung")))
    data.add((URIRef("urn:x:m"), secret_prop, Literal("x")))
    data.add((URIRef("urn:x:m"), RDFS.label, Literal("bleibt")))
    assert set(filter_graph(data, vocabulary=vocabulary)) == {(URIRef("urn:x:m"), RDFS.label, Literal("bleibt"))}


def test_public_graph_reads_only_the_public_graph_and_honours_flags_anywhere(planted_store):
    out = public_graph(planted_store)
    subjects = {str(s) for s in out.subjects()}
    assert not any("aenderung" in s or "rueckmeldung" in s or "intern/" in s for s in subjects)
    # the vhs is explicitly public (flag false in the office graph) and stays
    assert (KIKD["organisation/vhs-kempten"], None, None) in out
    kik = planted_store.graph(str(GRAPH_KIK))
    assert len(out) < len(kik)


def test_export_result_reports_what_was_withheld(planted_store, tmp_path: Path):
    result = export_all(planted_store, tmp_path / "out")
    assert result.privacy.removed_resources >= 3
    assert result.privacy.removed_by_predicate >= 2
