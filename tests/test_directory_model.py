"""The service model (RDF round trip, checks, completeness), opening hours and loading from the store."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kik_graph.directory import hours
from kik_graph.directory.model import (
    Address,
    Directory,
    Service,
    check,
    from_graph,
    load_directory,
    missing_fields,
    replace_in_store,
    slugify,
    to_graph,
)
from kik_graph.directory.search import get_index, invalidate, run
from kik_graph.terms import InvalidInput

ID = "https://w3id.org/kik-graph/id/"


def complete_service() -> Service:
    return Service(
        slug="beispiel", name="Beispielberatung", description="Eine Beratung.", providers=[ID + "organisation/caritas"],
        competent_authorities=[ID + "organisation/stadt-kempten"], categories=[ID + "angebotskategorie/beratung"],
        target_groups=[ID + "zielgruppe/eltern"], languages=["ar", "tr"], interpreter=False, cost="fee",
        fee_description="5 Euro", eligibility="Alle", required_documents="Ausweis", access_modes=["appointment"],
        telephone="0831 123", email="a@example.org", website="https://example.org",
        addresses=[Address("Weg 1", "87435", "Kempten (Allgäu)", "visiting", "Eingang hinten")],
        district=ID + "stadtbezirk/10", opening_hours=["Mo-Fr 09:00-12:00", "Tu 14:00-16:00"], hours_note="Ferien zu",
        status="temporarily-closed", last_verified=date(2024, 5, 1), modified=date(2024, 5, 2),
        measures=[ID + "massnahme/SB-7.1"], goals=[ID + "ziel/SB-Z7"], editorial_links=[ID + "ziel/SB-Z7"],
        link_note="weil", source_locator="KIK 2021, S. 1", evidence=["Zitat"], notes=["Hinweis"],
        name_i18n={"en": "Example counselling"}, description_i18n={"en": "A counselling service."})


def test_rdf_round_trip_keeps_every_field() -> None:
    service = complete_service()
    assert from_graph(to_graph(service), service.iri) == service


def test_round_trip_of_a_minimal_service_keeps_unknowns_unknown() -> None:
    service = Service(slug="mini", name="Mini", description="Kurz.", providers=[ID + "organisation/caritas"],
                      categories=[ID + "angebotskategorie/beratung"], source_locator="KIK 2021")
    back = from_graph(to_graph(service), service.iri)
    assert back == service
    assert back.interpreter is None and back.cost is None and back.is_free() is None and back.open_now() is None
    assert set(missing_fields(back)) == {"telephone", "email", "website", "address", "district", "opening_hours",
                                         "languages", "interpreter", "cost", "access_modes", "status", "last_verified",
                                         "competent_authorities"}
    assert missing_fields(complete_service()) == []


def test_check_names_each_problem_and_to_graph_refuses() -> None:
    bad = Service(slug="Not Valid", name="", description="", telephone="call me", email="x@", website="ftp://x",
                  opening_hours=["sometimes"], languages=["Arabic"], status="open", access_modes=["phone"],
                  editorial_links=[ID + "massnahme/SB-1.1"])
    problems = " | ".join(check(bad))
    for expected in ("Kennung", "Name", "Beschreibung", "Anbieter", "Kategorie", "Telefon", "E-Mail", "Website",
                     "Öffnungszeiten", "Sprachen", "Status", "Zugang", "Redaktionelle Zuordnung", "Fundstelle"):
        assert expected in problems, expected
    with pytest.raises(InvalidInput):
        to_graph(bad)


def test_slugify_makes_readable_slugs() -> None:
    assert slugify("Migrationsberatung Caritas") == "migrationsberatung-caritas"
    assert slugify("Wohnraum Für Alle (WoFa)") == "wohnraum-fuer-alle-wofa"
    assert slugify("!!!") == "angebot"


@pytest.mark.parametrize("value,moment,expected", [
    ("Mo-Fr 09:00-12:00", datetime(2025, 1, 6, 10, 0), True),     # Monday 10:00
    ("Mo-Fr 09:00-12:00", datetime(2025, 1, 6, 12, 0), False),    # closing time is closed
    ("Mo-Fr 09:00-12:00", datetime(2025, 1, 4, 10, 0), False),    # Saturday
    ("Mo,We 09:00-12:00,14:00-16:00", datetime(2025, 1, 8, 15, 0), True),
    ("Fr 20:00-02:00", datetime(2025, 1, 11, 1, 0), True),        # Saturday 01:00, range past midnight
    ("Fr-Mo 10:00-11:00", datetime(2025, 1, 5, 10, 30), True),    # Sunday within Fr-Mo wrap-around
    ("Sa 10:00-24:00", datetime(2025, 1, 4, 23, 59), True),
])
def test_open_now(value: str, moment: datetime, expected: bool) -> None:
    assert hours.is_open([value], moment.replace(tzinfo=hours.TIMEZONE)) is expected


def test_hours_unknown_is_never_closed_and_bad_values_are_named() -> None:
    assert hours.is_open([]) is None
    assert hours.is_open(["nicht lesbar"]) is None
    with pytest.raises(InvalidInput, match="Mo-Fr 09:00-12:00"):
        hours.parse("montags")
    with pytest.raises(InvalidInput, match="Tageskürzel"):
        hours.parse("Xx 09:00-10:00")
    with pytest.raises(InvalidInput, match="Uhrzeit"):
        hours.parse("Mo 25:00-26:00")
    assert hours.normalise("mo - fr 9:00-12:00") == "Mo-Fr 09:00-12:00"
    assert hours.describe("Mo-Fr 09:00-12:00", "ar").startswith("الاثنين")


def test_load_directory_reads_services_taxonomy_and_labels(directory: Directory) -> None:
    assert len(directory.services) >= 40
    assert len(directory.categories) >= 15
    taff = directory.service("taff")
    assert taff is not None and directory.provider_names(taff) == ["Diakonie TAFF (Diakonie Kempten Allgäu)"]
    assert directory.notations[ID + "massnahme/SB-7.1"] == "SB-7.1"
    assert directory.texts[ID + "massnahme/SB-7.1"].startswith("Die örtlichen Bildungsträger")
    assert directory.label(ID + "stadtbezirk/10") == "Marienberg – Süd"
    sprache = directory.categories[ID + "angebotskategorie/sprache"]
    assert sprache.label("ar") == ("تعلم اللغة الألمانية ودورات اللغة", False)


def test_a_changed_service_is_found_by_its_new_name(fresh_store) -> None:
    """Editing through the model updates the store and the search index (no stale results)."""
    directory = load_directory(fresh_store)
    taff = directory.service("taff")
    assert run(get_index(fresh_store), "Traumaambulanz").total == 0
    taff.name = "TAFF Traumaambulanz"
    taff.telephone = "0831 99999"
    replace_in_store(fresh_store, taff)
    result = run(get_index(fresh_store), "Traumaambulanz")
    assert [h.service.slug for h in result.hits] == ["taff"]
    assert result.hits[0].service.telephone == "0831 99999"
    assert len(load_directory(fresh_store).services) == len(directory.services)
    invalidate()
