"""The catalogue (DCAT-AP.de 3.0, official shapes), the VoID description and CPSV-AP conformance of the services."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from kik_graph.export import dcat, rdf
from kik_graph.namespaces import CPSV
from tests.conftest import require_or_skip
from tests.fixtures.export import BASE, DOWNLOAD

VCARD = dcat.VCARD


@pytest.fixture(scope="module")
def catalog(kik_export) -> Graph:
    return Graph().parse(kik_export.files["catalog"], format="turtle")


@pytest.fixture(scope="module")
def reference():
    ref = dcat.reference_dir()
    require_or_skip((ref / "shapes" / "dcat-ap-de-3.0").is_dir(),
                    f"offizielle Shapes fehlen unter {ref} (../shared/reference)")
    return ref


def test_catalog_has_zero_violations_of_the_official_shapes(catalog, reference):
    results = dcat.validate_catalog(catalog, reference)
    assert [r for r in results if r.severity == "Violation"] == []
    assert results == [], [str(r) for r in results]  # not even warnings


def test_the_official_shapes_do_catch_a_broken_catalogue(catalog, reference):
    broken = Graph()
    broken += catalog
    broken.remove((None, DCTERMS.license, None))
    broken.remove((dcat.dataset_iri(BASE), DCTERMS.publisher, None))
    broken.add((dcat.dataset_iri(BASE), DCAT.theme, URIRef("http://example.org/kein-thema")))
    messages = [r.message for r in dcat.validate_catalog(broken, reference) if r.severity == "Violation"]
    assert any("dcterms:license" in m for m in messages)
    assert any("dcterms:publisher" in m for m in messages)
    assert any("dcat:theme" in m for m in messages)


def test_catalog_content(catalog, kik_export):
    dataset = dcat.dataset_iri(BASE)
    assert (dcat.catalog_iri(BASE), DCAT.dataset, dataset) in catalog
    publisher = catalog.value(dataset, DCTERMS.publisher)
    assert publisher == URIRef(BASE + "organisation/stadt-kempten")
    assert str(catalog.value(publisher, dcat.FOAF.name)) == "Stadt Kempten (Allgäu)"
    assert catalog.value(publisher, DCTERMS.type) == URIRef("http://purl.org/adms/publishertype/LocalAuthority")
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert "Amt für Integration" in str(catalog.value(contact, VCARD.fn))
    assert catalog.value(contact, VCARD.hasEmail) == URIRef("mailto:integration@kempten.de")
    assert catalog.value(contact, VCARD.hasTelephone) == URIRef("tel:+49-831-2525-5311")
    assert catalog.value(dataset, DCTERMS.spatial) == \
        URIRef("http://dcat-ap.de/def/politicalGeocoding/municipalityKey/09763000")
    period = catalog.value(dataset, DCTERMS.temporal)
    assert catalog.value(period, DCAT.startDate) == Literal("2020-12-31", datatype=XSD.date)
    assert catalog.value(dataset, DCTERMS.issued) is not None and catalog.value(dataset, DCTERMS.modified)
    assert len(set(catalog.objects(dataset, DCAT.keyword))) >= 5
    assert len(set(catalog.objects(dataset, DCAT.theme))) >= 1

    distributions = set(catalog.objects(dataset, DCAT.distribution))
    formats = {catalog.value(d, DCTERMS.format) for d in distributions}
    assert {dcat.EU_FILE_TYPE[f.file_type] for f in rdf.RDF_FORMATS} <= formats
    for d in distributions:
        assert catalog.value(d, DCTERMS.license) == URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
        assert "Stadt Kempten" in str(catalog.value(d, dcat.DCATDE.licenseAttributionByText))
        url = str(catalog.value(d, DCAT.downloadURL))
        assert url.startswith(DOWNLOAD)
        path = kik_export.out_dir / url[len(DOWNLOAD):]
        assert path.is_file()
        assert int(catalog.value(d, DCAT.byteSize)) == path.stat().st_size
        checksum = catalog.value(d, dcat.SPDX.checksum)
        assert str(catalog.value(checksum, dcat.SPDX.checksumValue)) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_void_description(kik_export, store):
    void = Graph().parse(kik_export.files["void"], format="turtle")
    dataset = dcat.dataset_iri(BASE)
    turtle = rdf.read_file(kik_export.files["turtle"])
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert int(void.value(dataset, VOID.triples)) == len(turtle)
    assert str(void.value(dataset, VOID.uriSpace)) == BASE
    assert void.value(dataset, VOID.exampleResource) == URIRef(BASE + "massnahme/SB-7.2")
    measures = next(p for p in void.objects(dataset, VOID.classPartition)
                    if void.value(p, VOID["class"]) == URIRef("https://w3id.org/kik-graph/vocab#Measure"))
    assert int(void.value(measures, VOID.entities)) == 144
    dumps = {str(u) for u in void.objects(dataset, VOID.dataDump)}
    assert DOWNLOAD + "kik-graph.nt" in dumps


#: CPSV-AP violations that come from the directory's data model, not from the export (see README, "Offene Punkte").
KNOWN_CPSV_GAPS = {"http://data.europa.eu/m8g/hasCompetentAuthority"}


def test_services_conform_to_cpsv_ap(kik_export):
    ref = dcat.reference_dir() / "shapes" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"
    require_or_skip(ref.is_file(), f"CPSV-AP-Shapes fehlen: {ref}")
    data = rdf.read_file(kik_export.files["turtle"])
    services = set(data.subjects(RDF.type, CPSV.PublicService))
    assert len(services) >= 40
    data += Graph().parse(kik_export.files["vocabulary"], format="turtle")  # class hierarchy for sh:class
    shapes = Graph().parse(ref, format="turtle")
    results = [r for r in dcat.validate_with(data, shapes) if r.severity == "Violation"
               and URIRef(r.focus) in services]
    unexpected = [str(r) for r in results if r.path not in KNOWN_CPSV_GAPS]
    assert unexpected == []
    if results:
        pytest.xfail(f"{len(results)} Verstöße gegen CPSV-AP bei m8g:hasCompetentAuthority (zuständige Behörde "
                     "fehlt oder ist nicht als m8g:PublicOrganisation beschrieben) – Datenmodell des Verzeichnisses")
