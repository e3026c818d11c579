"""The directory as Open Referral HSDS 3.0 JSON and the office tables as CSV and Excel."""

from __future__ import annotations

import csv
import json
import uuid

import pytest
from openpyxl import load_workbook
from rdflib import Literal

from kik_graph.cli import main
from kik_graph.directory.model import services_in
from kik_graph.export import hsds, rdf
from kik_graph.export.bundle import export_all
from kik_graph.export.privacy import public_graph
from kik_graph.export.tables import WORKBOOK, write_tables
from kik_graph.namespaces import KIK, KIKD, RDF, SKOS
from tests.fixtures.export import BASE, DOWNLOAD

#: Required fields of the HSDS 3.0 object schemas (schema/*.json "required").
REQUIRED = {
    "organizations": {"id", "name", "description"}, "services": {"id", "name", "status"},
    "locations": {"id", "location_type"}, "languages": {"id"}, "taxonomy_terms": {"id", "name", "description"},
    "attributes": {"id"}, "phones": {"id", "number"}, "schedules": {"id"}, "service_at_locations": {"id"},
    "taxonomies": {"id", "name", "description"},
    "addresses": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
}
#: The services whose status the office changed in the ``status_store`` fixture, their HSDS status and check date;
#: every other seed service stays "active" as of the KIK 2021 (no check date), and one has no status at all.
CHECKED = {"agentur-fuer-arbeit": ("active", "2026-11-02"), "amt-fuer-integration": ("active", "2026-11-02"),
           "migrationsberatung-caritas": ("temporarily closed", "2026-11-03"),
           "kulturlieferdienst": ("defunct", "2026-11-04")}
WITHOUT_STATUS = "stadtbibliothek"


@pytest.fixture(scope="module")
def document(status_export) -> dict:
    return json.loads(status_export.files["hsds"].read_text(encoding="utf-8"))


def _sid(slug: str) -> str:
    return hsds.hsds_id("service", str(KIKD["angebot/" + slug]))


def test_hsds_document_has_every_table_with_required_fields_and_uuids(document, status_store):
    assert document["hsds_version"] == "3.0"
    assert len(document["services"]) == len(services_in(public_graph(status_store))) - 1
    for table, fields in REQUIRED.items():
        ids = [row["id"] for row in document[table]]
        assert len(ids) == len(set(ids)), table
        for row in document[table]:
            assert fields <= set(row), (table, row)
            uuid.UUID(row["id"])
    assert {s["status"] for s in document["services"]} <= {"active", "inactive", "defunct", "temporarily closed"}


def test_seed_export_writes_every_service_active_as_of_the_source_and_unchecked(kik_export, store):
    """The seed services are active as the KIK 2021 states them; no check date, so no ``assured_date``."""
    services = services_in(public_graph(store))
    assert len(services) >= 40 and all(s.status == "active" and s.last_verified is None for s in services)
    assert "Status „aktiv“: Stand des KIK 2021" in " ".join(services[0].notes)
    assert kik_export.services == len(services) and kik_export.hsds_without_status == 0
    document = json.loads(kik_export.files["hsds"].read_text(encoding="utf-8"))
    assert {s["id"] for s in document["services"]} == {_sid(s.slug) for s in services}
    assert all(s["status"] == "active" and "assured_date" not in s for s in document["services"])
    assert "hsds.json" in (kik_export.out_dir / "catalog.ttl").read_text(encoding="utf-8")


def test_a_service_without_a_status_is_left_out_and_counted(status_export, store):
    """HSDS has no status "unknown" and kik-graph invents none: such a service stays out of hsds.json."""
    total = len(services_in(public_graph(store)))
    document = json.loads(status_export.files["hsds"].read_text(encoding="utf-8"))
    assert _sid(WITHOUT_STATUS) not in {s["id"] for s in document["services"]}
    assert status_export.services == total - 1 and status_export.hsds_without_status == 1
    # … and the RDF export still carries every service
    exported = {str(s) for s in rdf.read_file(status_export.files["turtle"]).subjects(RDF.type, KIK.Service)}
    assert len(exported) == total


def test_no_hsds_file_when_no_service_has_a_status(fresh_store, tmp_path):
    """Without any status there is nothing HSDS can hold: no file, no HSDS distribution, and an older file goes."""
    out = tmp_path / "export"
    out.mkdir()
    (out / hsds.HSDS_FILE).write_text("{}", encoding="utf-8")
    fresh_store.update("PREFIX adms: <http://www.w3.org/ns/adms#> DELETE WHERE { GRAPH ?g { ?s adms:status ?o } }")
    result = export_all(fresh_store, out, base=BASE, download_url=DOWNLOAD, validate=False)
    assert result.services == 0 and result.hsds_without_status == len(services_in(public_graph(fresh_store)))
    assert "hsds" not in result.files and not (out / hsds.HSDS_FILE).exists()
    assert "hsds.json" not in (out / "catalog.ttl").read_text(encoding="utf-8")


def test_hsds_references_resolve(document):
    ids = {table: {row["id"] for row in rows} for table, rows in document.items() if isinstance(rows, list)}
    for service in document["services"]:
        if "organization_id" in service:
            assert service["organization_id"] in ids["organizations"]
    for org in document["organizations"]:
        if "parent_organization_id" in org:
            assert org["parent_organization_id"] in ids["organizations"]
    for attribute in document["attributes"]:
        assert attribute["link_id"] in ids["services"] and attribute["taxonomy_term_id"] in ids["taxonomy_terms"]
    for term in document["taxonomy_terms"]:
        assert term["taxonomy_id"] in ids["taxonomies"]
        assert term.get("parent_id") is None or term["parent_id"] in ids["taxonomy_terms"]
    for link in document["service_at_locations"]:
        assert link["service_id"] in ids["services"] and link["location_id"] in ids["locations"]
    for table in ("phones", "languages", "schedules"):
        for row in document[table]:
            assert row["service_id"] in ids["services"]


def test_hsds_content_follows_the_graph(document):
    by_name = {s["name"]: s for s in document["services"]}
    service = by_name["Agentur für Arbeit"]
    assert service["id"] == hsds.hsds_id("service", str(KIKD["angebot/agentur-fuer-arbeit"]))
    assert service["status"] == "active" and service["assured_date"] == "2026-11-02"
    org = next(o for o in document["organizations"] if o["id"] == service["organization_id"])
    assert org["name"] == "Agentur für Arbeit" and org["uri"] == BASE + "organisation/agentur-fuer-arbeit"
    categories = {t["name"] for t in document["taxonomy_terms"]}
    assert "Arbeit und Ausbildung" in categories
    by_id = {s["id"]: s for s in document["services"]}
    for slug, (status, checked) in CHECKED.items():
        assert (by_id[_sid(slug)]["status"], by_id[_sid(slug)]["assured_date"]) == (status, checked)
    unchecked = [s for sid, s in by_id.items() if sid not in {_sid(slug) for slug in CHECKED}]
    assert unchecked and all(s["status"] == "active" and "assured_date" not in s for s in unchecked)
    # nothing is invented: languages and opening hours only where the graph states them
    integration = hsds.hsds_id("service", str(KIKD["angebot/amt-fuer-integration"]))
    assert {(x["service_id"], x["code"]) for x in document["languages"]} == {(integration, "tr")}
    assert [x["service_id"] for x in document["schedules"]] == [integration]


def test_hsds_maps_every_field_a_service_has(store):
    graph = public_graph(store)
    s = KIKD["angebot/agentur-fuer-arbeit"]
    from kik_graph.directory.model import ADMS, KIK, SCHEMA

    graph.add((s, KIK.spokenLanguage, Literal("ar")))
    graph.add((s, SCHEMA.openingHours, Literal("Mo-Fr 08:00-12:30")))
    graph.add((s, ADMS.status, KIK.ServiceActive))
    graph.add((s, SCHEMA.telephone, Literal("+49 831 0000")))
    tables = hsds.build_hsds(graph, base=BASE)
    sid = hsds.hsds_id("service", str(s))
    service = next(x for x in tables["services"] if x["id"] == sid)
    assert service["status"] == "active"
    assert {"service_id": sid, "code": "ar", "name": "Arabisch"}.items() <= next(
        x for x in tables["languages"] if x["service_id"] == sid).items()
    schedule = next(x for x in tables["schedules"] if x["service_id"] == sid)
    assert schedule["byday"] == "MO,TU,WE,TH,FR" and schedule["opens_at"] == "08:00" and schedule["closes_at"] == "12:30"
    assert any(p["number"] == "+49 831 0000" for p in tables["phones"])


def test_hsds_ids_are_stable(store):
    graph = public_graph(store)
    first = hsds.build_hsds(graph, base=BASE)
    assert len(first["services"]) >= 40
    assert first == hsds.build_hsds(graph, base=BASE)


# ----------------------------------------------------------------------------------------------------- tables

def test_tables_as_csv_and_excel(store, tmp_path):
    paths = write_tables(store, tmp_path)
    names = {p.name for p in paths}
    assert {"massnahmen.csv", "ziele.csv", "akteure.csv", "zustaendigkeiten.csv", "angebote.csv",
            "stadtbezirke.csv", "kennzahlen.csv", WORKBOOK} <= names
    raw = (tmp_path / "massnahmen.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader((tmp_path / "massnahmen.csv").read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:5] == ["Nummer", "Handlungsfeld", "Handlungsfeld (Name)", "Ziel", "Text"]
    assert len(rows) == 145
    sb72 = next(r for r in rows if r[0] == "SB-7.2")
    assert sb72[6] == "Runder Tisch der Bildungsträger Kempten & Oberallgäu"
    assert "IO-6.4" not in {r[0] for r in rows}
    workbook = load_workbook(tmp_path / WORKBOOK, read_only=True)
    assert "Maßnahmen" in workbook.sheetnames
    sheet_rows = list(workbook["Maßnahmen"].iter_rows(values_only=True))
    assert len(sheet_rows) == 145 and sheet_rows[0][0] == "Nummer"


def test_tables_neutralise_spreadsheet_formulas(fresh_store, tmp_path):
    vhs = "<https://w3id.org/kik-graph/id/organisation/vhs-kempten>"
    fresh_store.update(f'PREFIX skos: <http://www.w3.org/2004/02/skos/core#> '
                       f'DELETE {{ GRAPH kikg:kik {{ {vhs} skos:prefLabel ?l }} }} '
                       f'INSERT {{ GRAPH kikg:kik {{ {vhs} skos:prefLabel "=HYPERLINK(\\"http://evil\\")"@de }} }} '
                       f'WHERE {{ GRAPH kikg:kik {{ {vhs} skos:prefLabel ?l }} }}')
    write_tables(fresh_store, tmp_path)
    text = (tmp_path / "akteure.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    workbook = load_workbook(tmp_path / WORKBOOK)
    values = [c.value for row in workbook["Akteurinnen"].iter_rows() for c in row if c.value]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert not any(getattr(c, "data_type", "") == "f" for row in workbook["Akteurinnen"].iter_rows() for c in row)


def test_cli_tables(closed_store_path, tmp_path, capsys):
    assert main(["--store", str(closed_store_path), "tables", "--out", str(tmp_path)]) == 0
    assert (tmp_path / WORKBOOK).is_file()
    assert "massnahmen.csv" in capsys.readouterr().out


def test_skos_labels_are_german(store):
    graph = public_graph(store)
    tables = hsds.build_hsds(graph)
    terms = {t["term_uri"]: t for t in tables["taxonomy_terms"]}
    assert len(terms) >= 10
    for uri, term in terms.items():
        labels = {str(o) for o in graph.objects(__import__("rdflib").URIRef(uri), SKOS.prefLabel)
                  if getattr(o, "language", None) == "de"}
        assert term["name"] in labels
