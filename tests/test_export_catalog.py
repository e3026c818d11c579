"""The catalogue (DCAT-AP.de 3.0, official shapes), the VoID description and CPSV-AP conformance of the services."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from kik_graph.directory.model import ADMS, M8G
from kik_graph.export import cpsv, dcat, rdf
from kik_graph.export.privacy import public_graph
from kik_graph.namespaces import CPSV, GRAPH_KIK, GRAPH_ONTOLOGY, KIK, KIKD, SCHEMA
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


@pytest.fixture(scope="module")
def cpsv_shapes() -> Graph:
    ref = dcat.reference_dir() / "shapes" / "cpsv-ap-3.2.0" / "cpsv-ap-SHACL.ttl"
    require_or_skip(ref.is_file(), f"CPSV-AP-Shapes fehlen: {ref}")
    return Graph().parse(ref, format="turtle")


def _with_vocabulary(data: Graph, vocabulary: Graph) -> Graph:
    combined = Graph()
    combined += data
    combined += vocabulary  # class hierarchy for sh:targetClass / sh:class, as a consumer would load it
    return combined


def test_services_conform_to_cpsv_ap(kik_export, cpsv_shapes):
    data = rdf.read_file(kik_export.files["turtle"])
    vocabulary = Graph().parse(kik_export.files["vocabulary"], format="turtle")
    services = set(data.subjects(RDF.type, CPSV.PublicService))
    assert URIRef(BASE + "angebot/jobcenter-kempten") in services
    assert URIRef(BASE + "angebot/amt-fuer-integration") in services
    assert len(services) == len(kik_export.cpsv_report.public_services) >= 10
    # not a single violation of any CPSV-AP 3.2.0 shape in the whole dataset (services, organisations, concepts …)
    results = [r for r in dcat.validate_with(_with_vocabulary(data, vocabulary), cpsv_shapes)
               if r.severity == "Violation"]
    assert results == [], [str(r) for r in results[:10]]
    for service in services:
        authorities = set(data.objects(service, M8G.hasCompetentAuthority))
        assert authorities, service
        for authority in authorities:
            assert (authority, RDF.type, M8G.PublicOrganisation) in data
            assert data.value(authority, DCTERMS.spatial) == dcat.SPATIAL
    assert (dcat.SPATIAL, RDF.type, DCTERMS.Location) in data


def test_no_private_provider_service_is_claimed_as_public_service(kik_export, store):
    data = rdf.read_file(kik_export.files["turtle"])
    source = store.graph(str(GRAPH_KIK))
    vocabulary = Graph().parse(kik_export.files["vocabulary"], format="turtle")
    assert (KIK.Service, RDFS.subClassOf, CPSV.PublicService) not in vocabulary
    public_types = cpsv.PUBLIC_ORGANISATION_TYPES
    claimed = set(data.subjects(RDF.type, CPSV.PublicService))
    directory = set(data.subjects(RDF.type, KIK.Service))
    assert claimed < directory and len(directory) >= 40
    for service in directory:
        internal = rdf.rebase_term(service, BASE, rdf.INTERNAL_BASE)
        providers = set(source.objects(internal, SCHEMA.provider))
        stated = set(source.objects(internal, M8G.hasCompetentAuthority))
        is_public = any(set(source.objects(o, KIK.organisationType)) & public_types for o in stated)
        assert (service in claimed) == is_public, service
        if not is_public:
            assert (service, RDF.type, SCHEMA.Service) in data
            assert not set(data.objects(service, M8G.hasCompetentAuthority))
        if providers and not any(set(source.objects(p, KIK.organisationType)) & public_types for p in providers):
            assert service not in claimed, f"{service}: privater Anbieter als cpsv:PublicService ausgegeben"
    caritas = URIRef(BASE + "angebot/migrationsberatung-caritas")
    assert caritas in directory and caritas not in claimed
    # the office sees the gap: every service not claimed lacks a competent authority in the completeness list
    from kik_graph.directory.model import missing_fields, services_in

    for service in services_in(public_graph(store)):
        public_iri = URIRef(BASE + "angebot/" + service.slug)
        assert ("competent_authorities" in missing_fields(service)) == (public_iri not in claimed), service.slug
    # a reasoner over data + vocabulary does not make them public services either
    inferred = {s for s in data.subjects(RDF.type, None)
                if any((cls, RDFS.subClassOf, CPSV.PublicService) in vocabulary for cls in data.objects(s, RDF.type))}
    assert inferred <= claimed


def test_cpsv_profile_follows_the_recorded_competent_authority(store, cpsv_shapes):
    graph = public_graph(store)
    vocabulary = store.graph(str(GRAPH_ONTOLOGY))
    caritas_service, caritas = KIKD["angebot/migrationsberatung-caritas"], KIKD["organisation/migrationsberatung-caritas"]
    library = KIKD["angebot/kulturcafes"]
    jobcenter = KIKD["angebot/jobcenter-kempten"]
    graph.add((library, M8G.hasCompetentAuthority, KIKD["organisation/kulturamt"]))  # office records a city office
    graph.add((caritas_service, M8G.hasCompetentAuthority, caritas))  # a welfare organisation is no authority
    graph.remove((jobcenter, M8G.hasCompetentAuthority, None))  # authority removed
    graph.add((KIKD["angebot/amt-fuer-integration"], ADMS.status, KIK.ServiceActive))
    report = cpsv.apply_profile(graph, vocabulary)
    assert str(library) in report.public_services and str(jobcenter) in report.other_services
    assert (str(caritas_service), str(caritas)) in report.non_public_authorities
    assert (caritas_service, RDF.type, CPSV.PublicService) not in graph
    assert (caritas_service, M8G.hasCompetentAuthority, None) not in graph
    assert (jobcenter, RDF.type, CPSV.PublicService) not in graph
    assert (library, RDF.type, CPSV.PublicService) in graph
    assert (KIKD["organisation/kulturamt"], RDF.type, M8G.PublicOrganisation) in graph
    results = [r for r in dcat.validate_with(_with_vocabulary(graph, vocabulary), cpsv_shapes)
               if r.severity == "Violation"]
    assert results == [], [str(r) for r in results[:10]]


def test_a_re_export_keeps_the_first_publication_date(store, tmp_path):
    """dct:issued is the first publication: a later export into the same folder keeps it, only dct:modified moves."""
    from datetime import date

    from kik_graph.export.bundle import export_all

    export_all(store, tmp_path, issued=date(2024, 5, 1), modified=date(2024, 5, 1), validate=False)
    export_all(store, tmp_path, modified=date(2026, 11, 22), validate=False)
    catalog = Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    node = next(catalog.subjects(RDF.type, DCAT.Catalog))
    assert str(catalog.value(node, DCTERMS.issued)) == "2024-05-01"
    assert str(catalog.value(node, DCTERMS.modified)) == "2026-11-22"
