"""The seed services and the category taxonomy: only facts the KIK states, sources everywhere, SHACL-valid."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kik_graph.config import PATHS
from kik_graph.directory.model import M8G, SCHEMA, Address, Service, services_in, to_graph
from kik_graph.graphdata import load_data
from kik_graph.namespaces import KIK
from kik_graph.validate import class_hierarchy, load_shapes, validate_graph
from tests.conftest import require_or_skip
from tests.fixtures.directory import KIK_TEXT

UI_LANGUAGES = ("de", "de-x-ls", "en", "ar", "tr", "uk", "ru", "fa")
ID = "https://w3id.org/kik-graph/id/"


@pytest.fixture(scope="module")
def data() -> Graph:
    return load_data()


@pytest.fixture(scope="module")
def services(data: Graph) -> list[Service]:
    return services_in(data)


def test_the_institutions_the_issue_names_are_services(services: list[Service]) -> None:
    slugs = {s.slug for s in services}
    for slug in ("migrationsberatung-caritas", "migrationsberatung-diakonie", "migrationsberatung-brk",
                 "jugendmigrationsdienst", "sprachkurse-vhs-kempten", "deutsch-lernen-im-haus-international", "taff",
                 "mimi-projekt", "vera", "kulturcafes", "kulturdolmetscher", "dolmetscher-pool", "wofa",
                 "wohnungsnothilfe", "kasa", "schwangerenberatung-pro-familia", "schwangerenberatung-skf",
                 "psychologische-beratungsstelle", "stadtteilbuero-sankt-mang", "stadtteilbuero-thingers",
                 "quartiersmanagement-kempten-ost", "familienzentrum-wir", "stadtbibliothek", "mehrgenerationenhaus",
                 "jobcenter-kempten", "agentur-fuer-arbeit", "integrationsbeirat", "amt-fuer-integration"):
        assert slug in slugs, slug
    assert len(services) >= 40


def test_every_service_names_its_source_and_locator(services: list[Service]) -> None:
    for s in services:
        assert s.sources == [ID + "quelle/kik-2021"], s.slug
        assert s.source_locator.startswith("KIK 2021"), s.slug


def test_quoted_evidence_is_verbatim_kik_text(services: list[Service]) -> None:
    require_or_skip(KIK_TEXT.exists(), f"KIK-Quelltext fehlt: {KIK_TEXT}")
    source = re.sub(r"\s+", " ", KIK_TEXT.read_text(encoding="utf-8").replace("**", ""))
    quotes = [(s.slug, q) for s in services for q in s.evidence]
    assert len(quotes) > 30
    for slug, quote in quotes:
        assert re.sub(r"\s+", " ", quote) in source, f"{slug}: nicht wörtlich im KIK: {quote[:80]}"


def test_contact_data_only_where_the_kik_gives_it(services: list[Service]) -> None:
    """The KIK's only contact data is the imprint; nothing else is invented."""
    with_contact = {s.slug for s in services if s.telephone or s.email or s.website or s.addresses}
    assert with_contact == {"amt-fuer-integration"}
    office = next(s for s in services if s.slug == "amt-fuer-integration")
    assert (office.telephone, office.email, office.website) == ("0831 2525-5311", "integration@kempten.de",
                                                               "https://www.kempten.de")
    assert [a.kind for a in office.addresses] == ["publisher"], "imprint address is the publisher's, not a visiting address"
    assert office.addresses[0].one_line() == "Rathausplatz 22, 87435 Kempten (Allgäu)"
    for s in services:
        assert not s.opening_hours and not s.languages and s.district is None and s.interpreter is None, s.slug
        assert s.cost is None and not s.access_modes and s.last_verified is None, s.slug


def test_status_is_the_kiks_and_says_so(services: list[Service]) -> None:
    """Every seed service is active as of the KIK 2021, which names it as existing; the note says that the office
    has not checked it, and no check date is invented."""
    for s in services:
        assert s.status == "active" and s.last_verified is None, s.slug
        assert any("Status „aktiv“: Stand des KIK 2021" in n and "nicht geprüft" in n for n in s.notes), s.slug


def test_providers_are_organisations_of_the_graph(data: Graph, services: list[Service]) -> None:
    for s in services:
        for provider in s.providers:
            types = set(data.objects(URIRef(provider), RDF.type))
            assert types & {KIK.Organisation, KIK.GovernanceBody}, f"{s.slug}: {provider}"


def test_links_to_measures_and_goals_exist_and_editorial_ones_are_marked(data: Graph, services: list[Service]) -> None:
    for s in services:
        for iri in s.measures:
            assert (URIRef(iri), RDF.type, KIK.Measure) in data, iri
        for iri in s.goals:
            assert (URIRef(iri), RDF.type, KIK.Goal) in data, iri
        if s.measures or s.goals:
            assert s.link_note, f"{s.slug}: link without explanation"
    by_slug = {s.slug: s for s in services}
    assert ID + "massnahme/SB-7.1" in by_slug["sprachkurse-vhs-kempten"].measures
    assert ID + "massnahme/SB-5.3" in by_slug["dolmetscher-pool"].measures
    assert ID + "massnahme/SB-5.3" not in by_slug["dolmetscher-pool"].editorial_links, "stated in the KIK text"
    assert ID + "massnahme/GP-2.2" in by_slug["taff"].editorial_links, "TAFF-Forum ≠ TAFF: an interpretation"


def test_taxonomy_has_labels_and_synonyms_in_every_ui_language(data: Graph) -> None:
    categories = set(data.subjects(RDF.type, KIK.ServiceCategory))
    assert len(categories) >= 15
    for c in categories:
        pref = {o.language: str(o) for o in data.objects(c, SKOS.prefLabel)}
        alt = {o.language for o in data.objects(c, SKOS.altLabel)}
        for lang in UI_LANGUAGES:
            assert pref.get(lang), f"{c}: prefLabel@{lang} fehlt"
            assert lang in alt, f"{c}: kein altLabel@{lang}"
    names = {str(o) for c in categories for o in data.objects(c, SKOS.prefLabel) if o.language == "en"}
    for wanted in ("Migration counselling", "Recognition of foreign qualifications", "Mental health", "Housing",
                   "Pregnancy and birth", "Volunteering", "Meeting places", "Interpreting and translation",
                   "Participation", "Protection against discrimination and racism"):
        assert wanted in names


def _subset(data: Graph) -> Graph:
    """Services, their address nodes, the taxonomy and the rdf:type of everything they point to (fast to validate)."""
    mine = ("https://w3id.org/kik-graph/id/angebot/", "https://w3id.org/kik-graph/id/angebotskategorie/",
            "https://w3id.org/kik-graph/id/schema/angebotskategorien")
    out = Graph()
    for s, p, o in data:
        if str(s).startswith(mine):
            out.add((s, p, o))
            if isinstance(o, URIRef):
                for type_ in data.objects(o, RDF.type):
                    out.add((o, RDF.type, type_))
    return out


BROKEN = URIRef(ID + "angebot/kaputt")
FULL = URIRef(ID + "angebot/test-angebot")


def _broken() -> Graph:
    broken = Graph()
    s = BROKEN
    for triple in [(s, RDF.type, KIK.Service), (s, SKOS.prefLabel, Literal("Kaputt", lang="de")),
                   (s, URIRef("http://purl.org/dc/terms/title"), Literal("Anders", lang="de")),
                   (s, URIRef("http://purl.org/dc/terms/identifier"), Literal("Kaputt!")),
                   (s, SCHEMA.telephone, Literal("ruf mich an")),
                   (s, SCHEMA.openingHours, Literal("montags 9 bis 12")),
                   (s, M8G.thematicArea, URIRef(ID + "angebotskategorie/sprache")),
                   (s, KIK.editorialLink, URIRef(ID + "massnahme/SB-7.1"))]:
        broken.add(triple)
    return broken


def _full() -> Graph:
    """A service with every field filled, written by the model."""
    full = Service(slug="test-angebot", name="Testangebot", description="Beschreibung.",
                   providers=[ID + "organisation/caritas"], categories=[ID + "angebotskategorie/beratung"],
                   target_groups=[ID + "zielgruppe/eltern"], languages=["ar", "prs"], interpreter=True, cost="free",
                   eligibility="Alle.", access_modes=["walk-in", "online"], telephone="+49 831 123-45",
                   email="info@example.org", website="https://example.org/a",
                   addresses=[Address("Hauptstraße 1", "87435", "Kempten (Allgäu)")],
                   district=ID + "stadtbezirk/10", opening_hours=["Mo-Fr 09:00-12:00"], status="active",
                   measures=[ID + "massnahme/SB-7.1"], editorial_links=[ID + "massnahme/SB-7.1"], link_note="Test.",
                   source_locator="KIK 2021, Test", name_i18n={"de-x-ls": "Test in Leichter Sprache"})
    return to_graph(full)


@pytest.fixture(scope="module")
def problems(data: Graph) -> list:
    """SHACL problems (violations) of services, addresses and categories – seed data plus a broken and a complete
    test service, validated once (the rest of the graph is validated by its own tests)."""
    report = validate_graph(_subset(data + _broken() + _full()), shapes=load_shapes())
    mine = ("kikd:angebot/", "kikd:angebotskategorie/")
    return [p for p in report.problems if p.node.startswith(mine) and p.severity == "Violation"]


def test_services_and_taxonomy_conform_to_the_shapes(problems: list) -> None:
    assert [p for p in problems if p.node != "kikd:angebot/kaputt"] == []


def test_shapes_catch_a_broken_service(problems: list) -> None:
    text = "\n".join(str(p) for p in problems if p.node == "kikd:angebot/kaputt")
    for expected in ("schema:provider", "dcterms:description", "Kennung", "Telefon", "Öffnungszeiten",
                     "kik:editorialLink", "dcterms:title", "Fundstelle", "dcterms:source"):
        assert expected in text, f"{expected!r} nicht gemeldet:\n{text}"


def test_model_writes_what_the_shapes_accept(problems: list) -> None:
    assert not [p for p in problems if p.node.startswith("kikd:angebot/test-angebot")]


def test_services_are_schema_services_but_not_claimed_as_public_services() -> None:
    # most providers are private (Caritas, Diakonie, …): only the export claims cpsv:PublicService, where a public
    # competent authority is stated (kik_graph/export/cpsv.py)
    hierarchy = class_hierarchy()
    sub_class_of = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    assert (KIK.Service, sub_class_of, URIRef("https://schema.org/Service")) in hierarchy
    assert (KIK.Service, sub_class_of, URIRef("http://purl.org/vocab/cpsv#PublicService")) not in hierarchy
    data = Graph().parse(PATHS.graph_data / "services.ttl")
    assert not set(data.subjects(None, URIRef("http://purl.org/vocab/cpsv#PublicService")))
