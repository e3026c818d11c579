"""Edit pages in the app (AppTest): every edit path, conflicts shown with the other change, history and undo."""

from __future__ import annotations

from kik_graph.editing import history
from kik_graph.editing import operations as op
from kik_graph.editing.directory import load_service
from kik_graph.namespaces import KIKD
from kik_graph.params import run_named
from tests.fixtures.editing import all_text, dump


def no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_assign_and_remove_on_the_page(page_as, app_store):
    at = page_as("edit_responsibilities", "editor", measure="SB-1.1").run()
    no_exception(at)
    at.selectbox(key="resp_actor").set_value(str(KIKD["organisation/vhs-kempten"]))
    at.text_area(key="resp_note").input("aus der Sitzung")
    at.button[0].click().run()
    no_exception(at)
    assert "Gespeichert: SB-1.1: vhs Kempten federführend zugeordnet" in all_text(at)
    assert "aus der Sitzung" in all_text(at)
    (change,) = history.changes_since(app_store)
    assert change.account == "eddi"
    at.selectbox(key="resp_remove_actor").set_value(str(KIKD["organisation/vhs-kempten"]))
    at.button[1].click().run()
    assert "Zuordnung von vhs Kempten (federführend) entfernt" in all_text(at)
    assert not run_named(app_store, "actors-for-measure", {"measure": "SB-1.1"}).rows


def test_second_editor_sees_a_conflict_with_the_other_change(page_as, app_store):
    at = page_as("edit_responsibilities", "editor", measure="SB-1.1").run()
    op.assign(app_store, "bob", "SB-1.1", "vhs Kempten", "partner", "bob war schneller")  # meanwhile, elsewhere
    before = dump(app_store)
    at.selectbox(key="resp_actor").set_value(str(KIKD["organisation/vhs-kempten"]))
    at.radio(key="resp_role").set_value("lead")
    at.button[0].click().run()
    no_exception(at)
    text = all_text(at)
    assert "Konflikt" in text and "bob" in text and "SB-1.1: vhs Kempten beteiligt zugeordnet" in text
    assert "bob war schneller" in text
    assert dump(app_store) == before
    at.button[0].click().run()  # now the page knows the current state: saving works
    assert "Gespeichert" in all_text(at)


def test_status_page_saves_and_shows_validation_problems(page_as, app_store):
    at = page_as("edit_status", "editor", measure="GP-1.1").run()
    no_exception(at)
    assert "offen (nicht erfasst)" in all_text(at)
    at.selectbox(key="status_value").set_value("zurueckgestellt")
    at.text_area(key="status_note").input("Personalmangel")
    at.button[0].click().run()
    no_exception(at)
    assert "Gespeichert: GP-1.1: Umsetzungsstand „zurückgestellt“" in all_text(at)
    assert "Aktueller Stand: zurückgestellt" in all_text(at)


def test_indicator_page_rejects_current_value_without_date(page_as, app_store):
    at = page_as("edit_indicators", "editor").run()
    no_exception(at)
    fields = {ti.label: ti for ti in at.text_input}
    fields["Name"].input("Teilnehmende")
    fields["Einheit"].input("Personen")
    fields["Aktueller Wert"].input("12")
    at.button[0].click().run()
    text = all_text(at)
    assert "Nicht gespeichert" in text and "dcterms:date" in text
    assert not run_named(app_store, "indicators").rows
    fields = {ti.label: ti for ti in at.text_input}
    fields["Stichtag des aktuellen Werts (JJJJ-MM-TT)"].input("2024-01-31")
    at.button[0].click().run()
    assert "Kenngröße „Teilnehmende“ angelegt" in all_text(at)


def test_directory_page_marks_a_service_verified_and_edits_fields(page_as, app_store):
    at = page_as("edit_directory", "editor").run()
    no_exception(at)
    at.selectbox(key="dir_service").set_value("amt-fuer-integration")
    at.run()
    assert "Noch nie als geprüft markiert" in all_text(at)
    at.button(key="dir_verify").click().run()
    no_exception(at)
    service, _ = load_service(app_store, "amt-fuer-integration")
    assert service.last_verified is not None
    fields = {ti.label: ti for ti in at.text_input}
    fields["telefon"].input("keine nummer")
    at.button[1].click().run()
    assert "Nicht gespeichert" in all_text(at) and "telefon" in all_text(at)
    assert load_service(app_store, "amt-fuer-integration")[0].telephone == service.telephone


def test_history_page_shows_previous_value_and_undoes(page_as, app_store):
    op.set_status(app_store, "alice", "SB-1.1", "geplant", "2024-01-01")
    op.set_status(app_store, "bob", "SB-1.1", "umgesetzt", "2024-02-01")
    at = page_as("edit_history", "editor").run()
    no_exception(at)
    text = all_text(at)
    assert "kik:status: kik:StatusPlanned" in text and "kik:status: kik:StatusImplemented" in text
    at.button[0].click().run()  # undo the newest change
    no_exception(at)
    assert "Rückgängig: SB-1.1: Umsetzungsstand „umgesetzt“" in all_text(at)
    state = run_named(app_store, "report-measures").as_strings()[0]
    assert state["status"].endswith("StatusPlanned")
    assert "noch nicht nach graph_data/ zurückgeschrieben" in all_text(at)


def test_import_page_offers_templates(page_as):
    at = page_as("edit_import", "editor").run()
    no_exception(at)
    assert "Import aus CSV/Excel" in all_text(at)


def test_report_page_renders_for_viewers(page_as, app_store):
    op.set_status(app_store, "alice", "SB-1.1", "umgesetzt")
    at = page_as("report_status", "viewer", account="vera").run()
    no_exception(at)
    assert at.metric[0].value == "1 / 144"
    assert not [b for b in at.button if "herausgegeben" in b.label]  # issuing needs an editor


def test_user_page_for_admins(page_as, users_file):
    at = page_as("edit_users", "admin", account="ada").run()
    no_exception(at)
    assert "vera" in all_text(at) and "eddi" in all_text(at)
