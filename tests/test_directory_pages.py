"""AppTest of the directory pages: search, filters, cards, detail, print view, languages/RTL, feedback, office view."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kik_graph.directory import feedback, searchlog
from tests.fixtures.directory import page_text

UNKNOWN_DE = "nicht bekannt – bitte beim Amt für Integration erfragen"
APP = Path(__file__).resolve().parents[1] / "app.py"


def qp(at: AppTest, name: str) -> str:
    """A query parameter of the app under test as one string."""
    value = at.query_params.get(name, "")
    return value[0] if isinstance(value, list) else value


def cards(at: AppTest) -> list[str]:
    """The result cards (not the fallback contact box)."""
    return [m.value for m in at.markdown if 'class="kik-card"' in m.value and "<h3>" in m.value]


def test_search_shows_ranked_cards_with_reasons(directory_page) -> None:
    at = directory_page(q="Deutschkurz")
    assert not at.exception
    assert at.title[0].value == "Angebote finden"
    assert at.subheader[0].value == "7 Angebote gefunden"
    found = cards(at)
    assert len(found) == 7 and all("Sprachkurse" in c or "Deutsch lernen" in c for c in found)
    assert "Warum dieser Treffer?" in found[0] and "Deutschkurs" in found[0]


def test_typing_a_search_and_submitting_updates_the_url(directory_page) -> None:
    at = directory_page()
    assert not cards(at)
    at.text_input(key="dir_q").input("Schwangerschaftsberatung")
    at.button[0].click().run()
    assert qp(at, "q") == "Schwangerschaftsberatung"
    names = [c.split("<h3>")[1].split("</h3>")[0] for c in cards(at)]
    assert "Pro familia Schwangerenberatung" in names[:2]
    assert "Schwangerenberatung des Sozialdienstes katholischer Frauen" in names[:2]


def test_filters_from_the_url_restrict_results(directory_page) -> None:
    at = directory_page(q="Beratung", cat="wohnen")
    assert at.subheader[0].value == "1 Angebote gefunden"
    assert "Wohnungsnothilfe der Diakonie" in cards(at)[0]
    at = directory_page(cat="schwangerschaft")
    assert at.subheader[0].value == "2 Angebote gefunden"
    at = directory_page(q="Beratung", free="1")
    assert "Mit diesen Filtern haben wir nichts gefunden" in page_text(at)


def test_empty_and_hostile_input_are_answered_harmlessly(directory_page) -> None:
    at = directory_page(q="   ")
    assert not at.exception and not cards(at)
    at = directory_page(q="<script>alert(1)</script> Deutschkurs")
    assert not at.exception
    html = "\n".join(m.value for m in at.markdown)
    assert "<script>alert" not in html
    at = directory_page(q="x" * 600)
    assert not at.exception and ("zu lang" in page_text(at) or not cards(at))


def test_failed_search_is_counted_once_and_offers_the_office(directory_page, directory_app_store) -> None:
    at = directory_page(q="Blorptaxi")
    text = page_text(at)
    assert "Dazu haben wir kein Angebot gefunden" in text
    assert "0831 2525-5311" in text, "fallback contact of the Amt für Integration (from the data)"
    at.run()  # a rerun of the same session does not count again
    rows = [r for r in searchlog.failed_searches(directory_app_store) if r.text == "blorptaxi"]
    assert rows and rows[0].count == 1


def test_details_button_opens_the_detail_view_and_back_returns(directory_page) -> None:
    at = directory_page(q="TAFF")
    at.button(key="dir_details_taff").click().run()
    assert qp(at, "service") == "taff" and qp(at, "q") == "TAFF"
    text = page_text(at)
    assert "TAFF – Therapeutische Angebote für Flüchtlinge" in text and UNKNOWN_DE in text
    assert "GP-2.2" in text and "redaktionelle Zuordnung" in text
    assert "aktiv (vom Amt noch nicht geprüft)" in text, "status of the KIK 2021, never checked"
    at.button(key="dir_back").click().run()
    assert "service" not in at.query_params and qp(at, "q") == "TAFF"
    assert cards(at)


def test_detail_shows_contact_actions_and_publisher_address(directory_page) -> None:
    at = directory_page(service="amt-fuer-integration")
    links = {el.proto.label: el.proto.url for el in at.get("link_button")}
    assert links["☎ Anrufen"] == "tel:083125255311"
    assert links["✉ E-Mail schreiben"] == "mailto:integration@kempten.de"
    assert links["↗ Website öffnen"] == "https://www.kempten.de"
    text = page_text(at)
    assert "0831 2525-5311" in text and "integration@kempten.de" in text
    assert "Rathausplatz 22, 87435 Kempten (Allgäu)" in text and "keine Besuchsadresse" in text
    assert "Link zum Teilen" in text and "?service=amt-fuer-integration" in text


def test_print_view_is_clean(directory_page) -> None:
    at = directory_page(service="taff", print="1")
    html = "\n".join(m.value for m in at.markdown)
    assert 'class="kik-print"' in html and "@media print" in html
    assert not at.selectbox, "no language switch and no form in the print view"
    assert "TAFF – Therapeutische Angebote für Flüchtlinge" in html and UNKNOWN_DE in html


def test_arabic_is_right_to_left_with_honest_german_fallback(directory_page) -> None:
    at = directory_page(q="دورة لغة ألمانية", lang="ar")
    html = "\n".join(m.value for m in at.markdown)
    assert "direction: rtl" in html
    assert at.title[0].value == "البحث عن الخدمات"
    first = cards(at)[0]
    assert 'dir="rtl"' in first and 'lang="de" dir="ltr"' in first
    assert "هذا النص متوفر باللغة الألمانية فقط." in first
    at = directory_page(service="taff", lang="fa")
    assert "معلوم نیست" in page_text(at)


@pytest.mark.parametrize("lang,title", [("en", "Find services"), ("tr", "Hizmet bul"), ("uk", "Знайти послуги"),
                                        ("ru", "Найти услуги"), ("de-x-ls", "Hilfe finden")])
def test_ui_languages(directory_page, lang: str, title: str) -> None:
    at = directory_page(lang=lang)
    assert at.title[0].value == title
    assert "direction: rtl" not in "\n".join(m.value for m in at.markdown)


def test_language_switch_changes_the_url(directory_page) -> None:
    at = directory_page(q="Wohnung")
    at.selectbox(key="directory_language").select("en").run()
    assert qp(at, "lang") == "en" and at.title[0].value == "Find services"
    assert qp(at, "q") == "Wohnung"


def test_feedback_form_stores_a_report(directory_page, directory_app_store) -> None:
    at = directory_page(service="wofa")
    at.selectbox(key="dir_fb_field").select("telephone")
    at.text_area(key="dir_fb_text").input("Telefonnummer fehlt")
    form_buttons = [b for b in at.button if b.label == "Meldung senden"]
    form_buttons[0].click().run()
    assert "Danke!" in page_text(at)
    reports = [r for r in feedback.list_feedback(directory_app_store) if r.service.endswith("/wofa")]
    assert reports and reports[0].field == "telephone" and reports[0].text == "Telefonnummer fehlt"


def test_unknown_service_says_so(directory_page) -> None:
    at = directory_page(service="gibt-es-nicht")
    assert "gibt es im Verzeichnis nicht" in page_text(at)


def test_office_page_lists_failed_searches_feedback_and_completeness(directory_page, directory_app_store) -> None:
    searchlog.record_failed(directory_app_store, "Wohnberechtigungsschein", "de")
    feedback.submit(directory_app_store, "https://w3id.org/kik-graph/id/angebot/kasa", "opening_hours", "Mo bis Fr vormittags")
    anonymous = directory_page("directory_office")
    assert "Wohnberechtigungsschein".lower() not in page_text(anonymous).lower(), "office data only after login"
    assert not anonymous.dataframe
    at = directory_page("directory_office", role="viewer")
    assert not at.exception
    text = page_text(at)
    assert "Erfolglose Suchen" in text and "Vollständigkeit der Angaben" in text
    frames = [df.value for df in at.dataframe]
    assert any("wohnberechtigungsschein" in df.to_string() for df in frames)
    assert "Mo bis Fr vormittags" in text
    completeness = frames[-1]
    assert len(completeness) >= 40


def test_directory_mode_shows_only_public_pages(directory_store_path) -> None:
    previous = os.environ.get("KIK_GRAPH_MODE")
    os.environ["KIK_GRAPH_MODE"] = "directory"
    try:
        at = AppTest.from_file(str(APP), default_timeout=90).run()
        assert not at.exception
        assert at.title[0].value == "Angebote finden"
        from kik_graph.ui.navigation import directory_mode, discover_pages

        assert directory_mode()
        public = [p for p in discover_pages() if p.public]
        assert public and all(p.section_key == "directory.section" for p in public)
        assert "Verzeichnis: Suchen, Meldungen, Lücken" not in page_text(at)
    finally:
        if previous is None:
            os.environ.pop("KIK_GRAPH_MODE", None)
        else:
            os.environ["KIK_GRAPH_MODE"] = previous


def test_start_page_offers_topics_with_services(directory_page) -> None:
    at = directory_page()
    topics = {b.key: b.label for b in at.button if b.key and b.key.startswith("dir_topic_")}
    assert "dir_topic_sprache" in topics and topics["dir_topic_sprache"].endswith("(7)")
    assert "dir_topic_anerkennung" not in topics, "no empty topics"
    at.button(key="dir_topic_wohnen").click().run()
    assert qp(at, "cat") == "wohnen" and at.subheader[0].value == "2 Angebote gefunden"


def test_detail_status_checked_by_the_office_drops_the_source_caveat(store) -> None:
    from dataclasses import replace
    from datetime import date

    from kik_graph.directory.model import load_directory
    from kik_graph.ui.directory_detail import field_rows

    directory = load_directory(store)
    taff = next(s for s in directory.services if s.slug == "taff")
    status = dict(field_rows(directory, taff, "en"))["Status"]
    assert status == "active (not yet verified by the office)"
    checked = dict(field_rows(directory, replace(taff, last_verified=date(2026, 11, 2)), "en"))
    assert (checked["Status"], checked["Last verified"]) == ("active", "02.11.2026")
    assert "nicht bekannt" in dict(field_rows(directory, replace(taff, status=None), "de"))["Status"]
