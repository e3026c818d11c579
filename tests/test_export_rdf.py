"""The RDF export: four isomorphic serialisations, stable readable IRIs, re-import gives the public graph."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from kik_graph.cli import main
from kik_graph.export import cpsv, rdf
from kik_graph.export.bundle import export_all
from kik_graph.export.privacy import public_graph
from kik_graph.namespaces import CPSV, GRAPH_ONTOLOGY
from kik_graph.terms import InvalidInput
from kik_graph.validate import validate_graph
from tests.fixtures.export import BASE, DOWNLOAD


@pytest.fixture(scope="module")
def exported_graphs(kik_export) -> dict[str, Graph]:
    return {fmt.key: rdf.read_file(kik_export.files[fmt.key]) for fmt in rdf.RDF_FORMATS}


def test_four_formats_are_written_and_isomorphic(exported_graphs):
    assert set(exported_graphs) == {"turtle", "jsonld", "ntriples", "rdfxml"}
    turtle = exported_graphs["turtle"]
    assert len(turtle) > 5000
    for key, graph in exported_graphs.items():
        assert len(graph) == len(turtle), key
        assert isomorphic(graph, turtle), key


def test_reimport_reproduces_the_public_graph(exported_graphs, store):
    expected = public_graph(store)
    cpsv.apply_profile(expected, store.graph(str(GRAPH_ONTOLOGY)))  # the CPSV-AP profile is part of the export
    for key, graph in exported_graphs.items():
        back = rdf.rebase(graph, rdf.INTERNAL_BASE, BASE)
        assert isomorphic(back, expected), key


def test_iris_are_readable_built_from_the_base_and_stable(kik_export, exported_graphs, store, tmp_path):
    turtle = exported_graphs["turtle"]
    measure = URIRef(BASE + "massnahme/SB-7.2")
    assert (measure, None, None) in turtle
    assert not any(str(t).startswith(rdf.INTERNAL_BASE) for triple in turtle for t in triple)
    again = export_all(store, tmp_path / "again", base=BASE, download_url=DOWNLOAD)
    second = rdf.read_file(again.files["turtle"])
    assert {s for s in turtle.subjects() if isinstance(s, URIRef)} == \
           {s for s in second.subjects() if isinstance(s, URIRef)}
    # same content → byte-identical N-Triples (sorted, deterministic)
    assert again.files["ntriples"].read_bytes() == kik_export.files["ntriples"].read_bytes()


def test_default_base_keeps_the_internal_iris(store, tmp_path):
    result = export_all(store, tmp_path / "default")
    graph = rdf.read_file(result.files["ntriples"])
    assert (URIRef(rdf.INTERNAL_BASE + "massnahme/SB-7.2"), None, None) in graph


def test_jsonld_is_compact_and_refers_to_the_published_context(kik_export):
    doc = json.loads(kik_export.files["jsonld"].read_text(encoding="utf-8"))
    assert doc["@context"] == DOWNLOAD + "context.jsonld"
    published = json.loads(kik_export.files["context"].read_text(encoding="utf-8"))
    assert published == rdf.jsonld_context()
    node = next(n for n in doc["@graph"] if n["@id"] == BASE + "massnahme/SB-7.2")
    assert node["@type"] == "kik:Measure"
    assert node["notation"] == "SB-7.2" if "notation" in node else node["skos:notation"] == "SB-7.2"
    assert "de" in node["prefLabel"] and node["field"] == BASE + "handlungsfeld/SB"


def test_exported_dataset_conforms_to_the_project_shapes(exported_graphs):
    data = rdf.rebase(exported_graphs["turtle"], rdf.INTERNAL_BASE, BASE)
    report = validate_graph(data)
    assert report.conforms, report.text()


@pytest.mark.parametrize("bad", ["daten.kempten.de/kik", "ftp://x/y/", "https://exa mple.org/", "https://x.org/?q=1"])
def test_invalid_base_is_rejected_with_a_clear_message(bad):
    with pytest.raises(InvalidInput, match="Basis-IRI"):
        rdf.normalise_base(bad)


def test_base_gets_a_trailing_slash():
    assert rdf.normalise_base("https://daten.kempten.de/kik/id") == "https://daten.kempten.de/kik/id/"


def test_cli_export_and_bad_input(tmp_path, closed_store_path, capsys):
    assert main(["--store", str(closed_store_path), "export", "--out", str(tmp_path / "out"), "--base", BASE,
                 "--no-check"]) == 0
    out = capsys.readouterr().out
    assert "kik-graph.ttl" in out and "catalog.ttl" in out
    # the office learns how many services the portal gets as public services and how many lack a recorded status
    claimed = len(list(Graph().parse(tmp_path / "out" / "kik-graph.ttl").subjects(RDF.type, CPSV.PublicService)))
    assert f"{claimed} als cpsv:PublicService" in out and "ohne (nicht in hsds.json)" in out
    assert main(["--store", str(closed_store_path), "export", "--out", str(tmp_path / "x"), "--base", "kein iri"]) == 2
    assert "Basis-IRI" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["--store", str(closed_store_path), "export", "--out", str(tmp_path / "file")]) == 2
