"""Imports: every kind from CSV and XLSX, all-or-nothing, every problem with row and column, templates."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from kik_graph import imports
from kik_graph.editing import history
from kik_graph.editing.directory import load_service
from kik_graph.editing.errors import EditRejected
from kik_graph.editing.state import resource_state
from kik_graph.imports.kinds import KINDS
from kik_graph.namespaces import KIKD
from kik_graph.params import run_named
from tests.fixtures.editing import dump


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(exc: EditRejected) -> set[tuple[int | None, str]]:
    return {(p.row, p.column) for p in exc.problems}


def test_responsibilities_import_is_one_transaction(edit_store):
    data = csv("Maßnahme;Akteur;Rolle;Notiz", "SB-1.1;vhs Kempten;federführend;aus der AG", "SB-1.2;vhs Kempten;beteiligt;")
    tx, result = imports.run_import(edit_store, "alice", "responsibilities", data, "zust.csv")
    leads = {r["notation"] for r in run_named(edit_store, "report-measures").as_strings() if "vhs Kempten" in r["leads"]}
    assert leads == {"SB-1.1"}
    (change,) = history.changes_since(edit_store)
    assert change.kind == "import-responsibilities" and len(change.revisions) == 3
    assert change.summary == "Import Zuständigkeiten: 2 Zeile(n)"


def test_statuses_and_indicators_from_xlsx(edit_store):
    import datetime as dt

    imports.run_import(edit_store, "alice", "statuses", xlsx([
        ["massnahme", "status", "datum", "notiz"], ["SB-1.1", "umgesetzt", dt.datetime(2024, 2, 1), None],
        ["GP-1.1", "zurückgestellt", "15.03.2024", "Personalmangel"]]), "stand.xlsx")
    rows = {r["notation"]: r for r in run_named(edit_store, "report-measures").as_strings()}
    assert (rows["SB-1.1"]["statusDate"], rows["GP-1.1"]["statusDate"]) == ("2024-02-01", "2024-03-15")
    imports.run_import(edit_store, "alice", "indicators", xlsx([
        ["ziel", "name", "einheit", "ausgangswert", "zielwert", "aktueller_wert", "datum", "quelle"],
        ["SB-Z7", "Sprachkursplätze", "Plätze", 100, 150.5, 120, "2024-01-31", "Runder Tisch"]]), "k.xlsx")
    (row,) = run_named(edit_store, "indicators").as_strings()
    assert (row["baseline"], row["target"], row["current"]) == ("100", "150.5", "120")


def test_one_bad_row_changes_nothing_and_every_problem_is_reported(edit_store):
    imports.run_import(edit_store, "alice", "statuses", csv("massnahme;status", "SB-2.1;geplant"))
    before = dump(edit_store)
    data = csv("massnahme;status;datum;notiz",
               "SB-1.1;geplant;2024-01-01;ok",
               "SB-99.9;fertig;31.02.2024;",
               "SB-1.2;in Umsetzung;;",
               "SB-1.1;umgesetzt;;doppelt")
    with pytest.raises(EditRejected) as info:
        imports.run_import(edit_store, "alice", "statuses", data, "s.csv")
    assert problems(info.value) == {(3, "massnahme"), (3, "status"), (3, "datum"), (5, "")}
    assert "Zeile 5" in str(info.value.problems[-1]) and "Zeile 2" in info.value.problems[-1].message
    assert dump(edit_store) == before


def test_shacl_problems_name_row_and_column(edit_store):
    before = dump(edit_store)
    data = csv("ziel;name;einheit;aktueller_wert;datum", "SB-Z1;Quote;%;;", "SB-Z2;Anteil;%;5;")
    with pytest.raises(EditRejected) as info:
        imports.run_import(edit_store, "alice", "indicators", data)
    assert problems(info.value) == {(3, "datum")}
    assert dump(edit_store) == before


def test_unknown_and_missing_columns_are_reported(edit_store):
    with pytest.raises(EditRejected) as info:
        imports.run_import(edit_store, "alice", "responsibilities", csv("massnahme;wer;rolle", "SB-1.1;vhs;lead"))
    assert problems(info.value) == {(1, "wer"), (1, "akteur")}


def test_services_import_creates_and_updates_with_all_fields(edit_store):
    data = csv(
        "kennung;name;beschreibung;anbieter;kategorien;sprachen;telefon;email;website;strasse;plz;ort;stadtbezirk;"
        "oeffnungszeiten;kosten;zugang;status;zuletzt_geprueft;massnahmen;fundstelle",
        "sprachcafe;Sprachcafé;Deutsch üben im Gespräch.;vhs Kempten;sprache;\"de; ar\";0831 123456;cafe@example.org;"
        "https://example.org;Beispielweg 1;87435;Kempten (Allgäu);10;\"Mo-Fr 09:00-12:00; We 14:00-16:00\";kostenlos;"
        "offene Sprechstunde;aktiv;2024-05-01;SB-7.1;Flyer der vhs 2024")
    imports.run_import(edit_store, "alice", "services", data, "angebote.csv")
    service, _ = load_service(edit_store, "sprachcafe")
    assert (service.name, service.languages, service.cost, service.access_modes) == ("Sprachcafé", ["ar", "de"], "free",
                                                                                    ["walk-in"])
    assert service.opening_hours == ["Mo-Fr 09:00-12:00", "We 14:00-16:00"]
    assert service.addresses[0].street == "Beispielweg 1" and service.district.endswith("stadtbezirk/10")
    assert service.measures == ["https://w3id.org/kik-graph/id/massnahme/SB-7.1"]
    before, _ = load_service(edit_store, "amt-fuer-integration")
    imports.run_import(edit_store, "alice", "services", csv("kennung;telefon", "amt-fuer-integration;0831 2525-0"))
    after, _ = load_service(edit_store, "amt-fuer-integration")
    assert after.telephone == "0831 2525-0"  # columns that are not in the file keep their values
    assert (after.email, after.description, after.providers) == (before.email, before.description, before.providers)
    with pytest.raises(EditRejected) as info:  # an empty cell in a present column clears; a required field cannot
        imports.run_import(edit_store, "alice", "services", csv("kennung;name", "amt-fuer-integration;"))
    assert problems(info.value) == {(2, "name")}


def test_services_import_problems(edit_store):
    before = dump(edit_store)
    data = csv("kennung;name;beschreibung;anbieter;kategorien;email;oeffnungszeiten;fundstelle",
               "neu;Neu;Text;Gibt es nicht;sprache;kein-mail;Montag früh;x",
               "Böse Kennung;X;Y;vhs Kempten;sprache;;;x")
    with pytest.raises(EditRejected) as info:
        imports.run_import(edit_store, "alice", "services", data)
    found = problems(info.value)
    assert (2, "anbieter") in found and (3, "kennung") in found
    assert dump(edit_store) == before


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_with_current_data_round_trips_without_change(edit_store, kind, fmt):
    imports.run_import(edit_store, "alice", "statuses", csv("massnahme;status;notiz", "SB-1.1;geplant;=SUMME(A1)"))
    imports.run_import(edit_store, "alice", "indicators", csv("ziel;name;einheit;ausgangswert", "SB-Z1;Quote;%;-5"))
    before = dump(edit_store)
    data = imports.template(kind, fmt, store=edit_store)
    tx, result = imports.run_import(edit_store, "alice", kind, data, f"t.{fmt}")
    assert result.change is None and not [c for c in tx.changes if not c.is_noop]
    assert dump(edit_store) == before


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_empty_templates_have_the_documented_columns(kind):
    text = imports.template(kind, "csv").decode("utf-8-sig")
    assert text.strip().split(";") == KINDS[kind].column_names
    book = load_workbook(io.BytesIO(imports.template(kind, "xlsx")))
    assert [c.value for c in book.worksheets[0][1]] == KINDS[kind].column_names
    assert book.worksheets[1].title == "Hinweise"


def test_filled_csv_template_imports(edit_store):
    header = imports.template("responsibilities", "csv").decode("utf-8-sig").strip()
    data = (header + "\nSB-2.1;vhs Kempten;partner;;;\n").encode("utf-8-sig")
    imports.run_import(edit_store, "alice", "responsibilities", data, "vorlage.csv")
    assert len(resource_state(edit_store, KIKD["zustaendigkeit/SB-2.1-vhs-kempten"]))
    assert any("vhs Kempten" in r["partners"] for r in run_named(edit_store, "report-measures").as_strings())


def test_spreadsheet_formulas_are_neutralised_in_templates(edit_store):
    imports.run_import(edit_store, "alice", "statuses", csv("massnahme;status;notiz", "SB-1.1;geplant;=HYPERLINK(1)"))
    text = imports.template("statuses", "csv", store=edit_store).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_broken_files_are_refused_cleanly(edit_store):
    with pytest.raises(EditRejected, match="keine lesbare Excel"):
        imports.run_import(edit_store, "alice", "statuses", b"PK\x03\x04kaputt", "x.xlsx")
    with pytest.raises(EditRejected, match="keine Datenzeilen"):
        imports.run_import(edit_store, "alice", "statuses", csv("massnahme;status"))
    with pytest.raises(EditRejected, match="zu groß"):
        imports.run_import(edit_store, "alice", "statuses", b"a" * (6 * 1024 * 1024), "gross.csv")
