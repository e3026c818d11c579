"""End-to-end: the import page with its real file upload, in the real app and a headless Chromium.

Streamlit's AppTest cannot drive ``st.file_uploader``, so this starts ``streamlit run app.py`` with a private
store, logs in as an editor, downloads the templates, fills them in and uploads them with Playwright's
``set_input_files``: a valid CSV and a valid XLSX are applied (seen in the store and in the change history);
an invalid file shows every problem with row and column and leaves the store unchanged, quad for quad.
One Chromium for the whole module.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kik_graph.store import OxigraphStore, build_store
from kik_graph.ui.office_e2e import CHROMIUM, CHROMIUM_ARGS, outbound, running_app
from tests.conftest import require_or_skip
from tests.fixtures.editing import dump

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORD = "import-e2e-passwort-1"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The running app (private store, one editor ``eddi``); yields its URL and store path."""
    from kik_graph.auth import accounts

    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} fehlt (Debian-Paket chromium)")
    require_or_skip(shutil.which("streamlit", path=str(Path(sys.executable).parent)) is not None,
                    "streamlit ist nicht installiert")
    require_or_skip(importlib.util.find_spec("playwright") is not None, "Playwright für Python fehlt")
    tmp = tmp_path_factory.mktemp("import-e2e")
    build_store(tmp / "store").close()
    accounts.add_user("eddi", "editor", PASSWORD, path=tmp / "users.toml")
    with running_app(tmp, "import-streamlit.log", {"KIK_GRAPH_USERS": str(tmp / "users.toml")}, ARTIFACTS) as base:
        yield {"base": base, "store": tmp / "store", "files": tmp}


@pytest.fixture(scope="module")
def page(app: dict, tmp_path_factory: pytest.TempPathFactory):
    """One Chromium, logged in as the editor, on the import page (pages are switched with the sidebar)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
        context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        # As in browsers without the File System Access API (Firefox, Safari): the table's "Download as CSV" then
        # saves through an ordinary download, which Playwright can read (no native save dialog).
        context.add_init_script("delete window.showSaveFilePicker; window.showSaveFilePicker = undefined;")
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        tab = context.new_page()
        tab.requests = requests
        tab.goto(app["base"])
        sidebar(tab, "Anmelden").click(timeout=180_000)
        # the first render can take long on a loaded machine (the form stays inert until the app is ready)
        tab.get_by_label("Kennung").fill("eddi", timeout=180_000)
        tab.get_by_label("Passwort").fill(PASSWORD, timeout=60_000)
        tab.get_by_role("button", name="Anmelden").click(timeout=60_000)
        sidebar(tab, "Import aus CSV/Excel").wait_for(timeout=90_000)
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def sidebar(page, title: str):
    """The navigation entry of a page in the sidebar (expanding the list when Streamlit shortened it)."""
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if link.count() == 0 and more.count() and any(w in more.first.inner_text().lower() for w in ("more", "mehr")):
        more.first.click()
    return link


def open_import(page, kind_title: str) -> None:
    """Go to the import page and choose the import kind."""
    sidebar(page, "Import aus CSV/Excel").click()
    page.wait_for_selector('h1:has-text("Import aus CSV/Excel")', timeout=90_000)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Was wird importiert?").first
    box.locator("input").click()
    page.keyboard.type(kind_title)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)


def download(page, button: str, file_name: str) -> bytes:
    """Click a download button; the downloaded file's bytes (its name must be ``file_name``)."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button, exact=True).click()
    assert info.value.suggested_filename == file_name
    return Path(info.value.path()).read_bytes()


def upload(page, path: Path) -> None:
    """Choose ``path`` in the file uploader (as a user's file dialog would)."""
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.locator('[data-testid="stFileUploader"]').get_by_text(path.name).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Importieren").wait_for(timeout=60_000)


def store_dump(app: dict) -> list[str]:
    """Every quad of the app's store, read through a read-only handle while the app runs."""
    store = OxigraphStore(app["store"], read_only=True)
    try:
        return dump(store)
    finally:
        store.close()


def named_rows(app: dict, query: str) -> list[dict[str, str]]:
    """The rows of a named query over the app's store."""
    from kik_graph.params import run_named

    store = OxigraphStore(app["store"], read_only=True)
    try:
        return run_named(store, query).as_strings()
    finally:
        store.close()


def measure_status(app: dict, notation: str) -> tuple[str, str]:
    """(status label, date) of a measure in the app's store."""
    from rdflib import URIRef

    from kik_graph.editing.vocab import STATUS_LABELS

    rows = {r["notation"]: r for r in named_rows(app, "report-measures")}
    status = rows[notation]["status"]
    return (STATUS_LABELS[URIRef(status)] if status else ""), rows[notation]["statusDate"]


def problem_table(page) -> list[list[str]]:
    """The rows of the problem table (Zeile, Spalte, Wo, Problem), taken with the table's own "Download as CSV"
    (the grid is drawn on a canvas, so its cells are not in the page's text)."""
    import csv

    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(timeout=60_000)
    grid.hover()
    with page.expect_download(timeout=60_000) as info:
        grid.get_by_role("button", name="Download as CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:2] == ["Zeile", "Spalte"], header
    return rows


def wait_text(page, text: str, timeout: float = 60_000) -> None:
    """Wait until ``text`` is shown; on timeout fail with what the page shows instead."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    except PlaywrightTimeout:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "import-failure.png"), full_page=True)
        shown = page.locator('[data-testid="stMain"]').first.inner_text()
        raise AssertionError(f"{text!r} nicht angezeigt; die Seite zeigt:\n{shown[-2500:]}") from None


def assert_no_exception(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"import-{name}.png"), full_page=True)
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def test_csv_template_filled_in_and_uploaded_is_applied(app, page) -> None:
    open_import(page, "Umsetzungsstand")
    template = download(page, "Vorlage herunterladen (CSV)", "vorlage-statuses.csv")
    assert template.decode("utf-8-sig").strip() == "massnahme;status;datum;notiz"
    assert measure_status(app, "SB-7.2")[0] != "umgesetzt"
    filled = app["files"] / "umsetzungsstand.csv"
    filled.write_bytes(template + b"SB-7.2;umgesetzt;01.02.2024;im Browser importiert\n")
    upload(page, filled)
    page.get_by_role("button", name="Prüfen").click()
    wait_text(page, "Die Datei ist in Ordnung:", 60_000)  # (the status record and, on first use, the office source)
    assert measure_status(app, "SB-7.2")[0] != "umgesetzt"  # checking changes nothing
    page.get_by_role("button", name="Importieren").click()
    wait_text(page, "Gespeichert: Import Umsetzungsstand: 1 Zeile(n)", 60_000)
    assert_no_exception(page, "csv-saved")
    assert measure_status(app, "SB-7.2") == ("umgesetzt", "2024-02-01")
    sidebar(page, "Änderungsverlauf").click()  # visible to every office user in the change history
    page.wait_for_selector('h1:has-text("Änderungsverlauf")', timeout=90_000)
    wait_text(page, "Import Umsetzungsstand: 1 Zeile(n)", 60_000)
    assert_no_exception(page, "csv-history")


def test_xlsx_template_filled_in_and_uploaded_is_applied(app, page) -> None:
    from openpyxl import load_workbook

    open_import(page, "Kenngrößen")
    book = load_workbook(io.BytesIO(download(page, "Vorlage herunterladen (XLSX)", "vorlage-indicators.xlsx")))
    sheet = book.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["ziel", "name", "einheit"]
    values = {"ziel": "SB-Z7", "name": "Sprachkursplätze (Browser)", "einheit": "Plätze", "ausgangswert": 100,
              "zielwert": 150, "aktueller_wert": 120, "datum": "2024-01-31", "quelle": "Runder Tisch"}
    sheet.append([values.get(h, None) for h in header])
    filled = app["files"] / "kenngroessen.xlsx"
    book.save(filled)
    upload(page, filled)
    page.get_by_role("button", name="Importieren").click()
    wait_text(page, "Gespeichert: Import Kenngrößen: 1 Zeile(n)", 60_000)
    assert_no_exception(page, "xlsx-saved")
    indicators = [r for r in named_rows(app, "indicators") if r["name"] == "Sprachkursplätze (Browser)"]
    assert [(r["baseline"], r["target"], r["current"]) for r in indicators] == [("100", "150", "120")]
    data = download(page, "Aktuelle Daten als Vorlage herunterladen (XLSX)", "indicators.xlsx")  # the current data, as a user sees it
    rows = [[c for c in r] for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    assert any("Sprachkursplätze (Browser)" in [str(c) for c in r] for r in rows)


def test_invalid_upload_shows_every_problem_and_changes_nothing(app, page) -> None:
    open_import(page, "Umsetzungsstand")
    before = store_dump(app)
    bad = app["files"] / "fehlerhaft.csv"
    bad.write_text("massnahme;status;datum;notiz\nXX-9.9;umgesetzt;2024-01-01;\nSB-1.2;halbfertig;2024-01-01;\n"
                   "SB-1.1;geplant;31.02.2024;\n", encoding="utf-8")
    upload(page, bad)
    page.get_by_role("button", name="Importieren").click()
    wait_text(page, "Nicht gespeichert – bitte korrigieren:", 60_000)
    wait_text(page, "3 Problem(e); es wurde nichts geändert", 30_000)
    table = problem_table(page)
    assert_no_exception(page, "invalid")
    assert {(row[0], row[1]) for row in table} == {("2", "massnahme"), ("3", "status"), ("4", "datum")}, table
    messages = " ".join(row[-1] for row in table)
    assert "XX-9.9" in messages and "halbfertig" in messages and "31.02.2024" in messages
    assert store_dump(app) == before  # all or nothing: not one quad changed
    assert measure_status(app, "SB-1.1")[0] != "geplant"
    assert outbound(page.requests) == [], outbound(page.requests)
