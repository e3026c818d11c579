"""Issue 7: no stored or rendered script runs – checked in a real, headless Chromium on every page of the app.

A private store is seeded through the office's editing API with script payloads in every text a page shows
(institution names and notes, service texts and addresses, responsibility and status notes, indicators, feedback,
and therefore the change history). Each payload would record a marker (``self.__kikXss``) and open a dialog if it
ever ran; the Markdown/HTML image payloads would fetch from ``evil.example`` if they were ever rendered as markup.
After every page: no dialog, no marker in any frame, no request beyond loopback, no exception box, and (for a
sample) the payload is visible as text – escaped, not dropped. Screenshots go to tests/artifacts/robust-*.png.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from kik_graph.ui.office_e2e import CHROMIUM, CHROMIUM_ARGS, outbound, running_app
from tests.conftest import require_or_skip
from tests.fixtures.robust_browser import TEMPLATES, TOKEN, Seeded, payload, seed

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORD = "robust-browser-passwort-7"
#: Every marker a payload can set (to report which payloads were seen as text on a page, with KIK_DEBUG_XSS=1).
FIELDS = ("url", "orgname", "orgname_en", "orgalt", "orgnote", "orgloc", "respnote", "respnote2", "statusnote", "indname",
          "indunit", "indsource") + tuple(f"{f}{n}" for n in (1, 2, 3) for f in (
              "svcname", "svcdesc", "svcelig", "svcdocs", "svcfee", "svchours", "svclink", "svcloc", "svcnote",
              "svcstreet", "svcplace", "svcaddr", "svcname_en", "svcdesc_en", "feedback"))


def browser_test(fn):
    """Mark a test as a (slow) browser test."""
    return pytest.mark.browser(pytest.mark.slow(fn))


@dataclass
class Browser:
    """The one Chromium page of this module and what it did."""

    page: object
    base: str
    seeded: Seeded
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    logged_in: bool = False
    checked: int = 0  # requests up to here were checked already


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    """The app on a store full of script payloads, with the admin account ``ada``."""
    from kik_graph.auth import accounts

    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} fehlt (Debian-Paket chromium)")
    require_or_skip(shutil.which("streamlit", path=str(Path(sys.executable).parent)) is not None,
                    "streamlit ist nicht installiert")
    tmp = tmp_path_factory.mktemp("robust-e2e")
    seeded = seed(tmp / "store")
    accounts.add_user("ada", "admin", PASSWORD, path=tmp / "users.toml")
    with running_app(tmp, "robust-streamlit.log", {"KIK_GRAPH_USERS": str(tmp / "users.toml")}, ARTIFACTS) as base:
        yield base, seeded


@pytest.fixture(scope="module")
def browser(hostile_app, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium session for the whole module; dialogs are recorded and dismissed."""
    require_or_skip(importlib.util.find_spec("playwright") is not None, "Playwright für Python fehlt")
    from playwright.sync_api import sync_playwright

    base, seeded = hostile_app
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-robust")), executable_path=CHROMIUM, headless=True,
            args=list(CHROMIUM_ARGS), viewport={"width": 1400, "height": 1000}, locale="de-DE")
        page = context.pages[0] if context.pages else context.new_page()
        state = Browser(page=page, base=base, seeded=seeded)
        context.on("request", lambda request: state.requests.append(request.url))

        def on_dialog(dialog) -> None:
            state.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        try:
            yield state
        finally:
            context.close()


# ------------------------------------------------------------------------------------------------ checks

def _frames_eval(page, script: str) -> list:
    from playwright.sync_api import Error as PlaywrightError

    out = []
    for frame in page.frames:
        try:
            out.append(frame.evaluate(script))
        except PlaywrightError:  # a frame Streamlit is just replacing
            continue
    return out


_TEXT = """() => {
  const parts = [document.body ? document.body.innerText : ''];
  for (const el of document.querySelectorAll('input, textarea')) { parts.push(el.value || ''); }
  return parts.join('\\n');
}"""


def page_text(page) -> str:
    """Visible text of the page and every frame, plus the values of all inputs."""
    return "\n".join(_frames_eval(page, _TEXT))


def shown(text: str) -> set[str]:
    """Markers whose complete payload appears as text."""
    return {f"{f}.{k}" for f in FIELDS for k in TEMPLATES if payload(f, k) in text}


def check(b: Browser, name: str, visible: tuple[tuple[str, str], ...] = ()) -> None:
    """Nothing ran, nothing left loopback, no exception box; the ``visible`` payloads are shown as text."""
    page = b.page
    page.wait_for_timeout(400)  # let onload/onerror handlers of anything injected fire
    markers = [m for found in _frames_eval(
        page, "() => { try { return Array.from(self.__kikXss || []); } catch (e) { return []; } }") for m in found]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"robust-{name}.png"))
    dialogs, b.dialogs[:] = list(b.dialogs), []
    requests, b.checked = b.requests[b.checked:], len(b.requests)
    assert dialogs == [], f"{name}: Dialog geöffnet: {dialogs}"
    assert markers == [], f"{name}: Skript ausgeführt: {markers}"
    assert outbound(requests) == [], f"{name}: Anfrage nach außen: {outbound(requests)}"
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
    text = page_text(page)
    if os.environ.get("KIK_DEBUG_XSS"):
        print(name, sorted(shown(text)))
    missing = [f"{f}.{k}" for f, k in visible if payload(f, k) not in text]
    assert not missing, f"{name}: nicht als Text sichtbar: {missing}"


def wait_heading(page, text: str, timeout: int = 90_000) -> None:
    page.wait_for_selector(f'h1:has-text("{text}")', timeout=timeout)


def sidebar(b: Browser, title: str, heading: str | None = None) -> None:
    """Switch pages with the sidebar (a reload would start a new, logged-out session)."""
    link = b.page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
    more = b.page.locator('[data-testid="stSidebarNavViewButton"]')
    if not link.is_visible() and more.count() and "more" in more.first.inner_text().lower():
        more.first.click()  # the navigation shows only the first entries until "Mehr anzeigen"
    link.click()
    wait_heading(b.page, heading or title)
    b.page.wait_for_timeout(500)


def choose(page, label: str, text: str, nth: int = 0) -> None:
    """Pick an option of a selectbox by typing part of it."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).nth(nth)
    box.locator("input").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)


def login(b: Browser) -> None:
    if b.logged_in:
        return
    page = b.page
    page.goto(f"{b.base}/anmelden")
    page.get_by_label("Kennung").fill("ada")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Überblick").first.wait_for(timeout=60_000)
    b.logged_in = True


# ------------------------------------------------------------------------------------------------ public pages

@browser_test
def test_public_directory_pages_show_payloads_as_text(browser: Browser) -> None:
    b = browser
    page = b.page
    page.goto(f"{b.base}/angebote?q={TOKEN}")
    wait_heading(page, "Angebote finden")
    page.locator(".kik-card").nth(2).wait_for(timeout=60_000)
    # a shared link to the directory works for visitors who are not logged in (no "page not found")
    assert page.get_by_text("Page not found").count() == 0 and "/angebote" in page.url
    # "/" forwards visitors to the directory and keeps the search of the link
    page.goto(f"{b.base}/?q={TOKEN}")
    page.wait_for_url("**/angebote?q=*", timeout=60_000)
    page.locator(".kik-card").nth(2).wait_for(timeout=60_000)
    assert page.get_by_text("Page not found").count() == 0
    check(b, "suche", (("svcname1", "script"), ("svcname1", "mdimg"), ("svcname2", "svg"), ("svcname3", "tooltip")))

    page.goto(f"{b.base}/angebote?lang=en&q={TOKEN}")
    wait_heading(page, "Find services")
    page.locator(".kik-card").nth(2).wait_for(timeout=60_000)
    check(b, "suche-en", (("svcname_en1", "srcdoc"),))

    for n, slug in enumerate(b.seeded.service_slugs, start=1):
        page.goto(f"{b.base}/angebote?service={slug}")
        wait_heading(page, f"{TOKEN} Angebot {n}")
        for expander in page.locator('[data-testid="stExpander"] summary').all():
            expander.click()
        check(b, f"detail-{n}", ((f"svcname{n}", "mdimg"), ("orgname", "img"), (f"svcstreet{n}", "attr")))

    page.goto(f"{b.base}/angebote?service={b.seeded.service_slugs[0]}&print=1")
    page.wait_for_selector(".kik-print", timeout=60_000)
    check(b, "druck", (("svcname1", "mdimg"), ("svcdesc1", "mdlink")))

    # filter values from a (shared) link are echoed in the warning: as text, never as Markdown
    evil = {"cat": payload("url", "mdimg"), "spoken": payload("url", "mdlink"), "district": payload("url", "img"),
            "q": payload("url", "svg")}
    for name, value in evil.items():
        page.goto(f"{b.base}/angebote?{urlencode({'q': TOKEN, name: value})}")
        wait_heading(page, "Angebote finden")
        page.locator('.kik-card, [data-testid="stAlert"]').first.wait_for(timeout=60_000)
        check(b, f"filter-{name}")
    # the share link of a detail view repeats the search text
    page.goto(f"{b.base}/angebote?q={quote(payload('url', 'attr'))}&service={b.seeded.service_slugs[0]}")
    wait_heading(page, f"{TOKEN} Angebot 1")
    check(b, "detail-teilen")

    page.goto(f"{b.base}/angebote?service={b.seeded.service_slugs[0]}&lang=ar")
    page.wait_for_selector("h1", timeout=90_000)
    page.get_by_text(TOKEN).first.wait_for(timeout=60_000)
    check(b, "detail-ar", (("svcname1", "script"),))


# ------------------------------------------------------------------------------------------------ office pages

@browser_test
def test_office_pages_run_no_stored_script(browser: Browser) -> None:
    b = browser
    login(b)
    page = b.page
    sidebar(b, "Überblick")
    for expander in page.locator('[data-testid="stExpander"] summary').all()[:3]:
        expander.click()
    check(b, "ueberblick")

    sidebar(b, "Wer macht was")
    choose(page, "Maßnahme", b.seeded.measure)
    page.get_by_text(f"Maßnahme {b.seeded.measure}").first.wait_for(timeout=30_000)
    check(b, "wer-macht-was-massnahme")
    page.get_by_text("Nach Akteur*in", exact=True).first.click()
    choose(page, "Akteur*in", TOKEN)
    page.locator("h3").filter(has_text=TOKEN).first.wait_for(timeout=30_000)
    check(b, "wer-macht-was-akteur", (("orgname", "img"), ("orgname", "mdimg")))
    page.get_by_text("Matrix Akteur*in × Handlungsfeld", exact=True).first.click()
    page.wait_for_timeout(1500)
    check(b, "wer-macht-was-matrix")

    sidebar(b, "Verantwortungslücken")
    check(b, "luecken")

    sidebar(b, "Verzeichnis: Suchen, Meldungen, Lücken")
    for tab in page.get_by_role("tab").all():
        tab.click()
        page.wait_for_timeout(400)
        for expander in page.locator('[data-testid="stExpander"] summary').all()[:5]:
            expander.click()
    check(b, "verzeichnis-amt")

    sidebar(b, "Sachstandsbericht")
    page.get_by_text(TOKEN).first.wait_for(timeout=60_000)
    check(b, "bericht", (("indname", "script"), ("orgname", "mdimg")))
    page.get_by_text("Interne Notizen aufnehmen").first.click()
    page.get_by_text(payload("statusnote", "script")).first.wait_for(timeout=60_000)
    check(b, "bericht-notizen", (("statusnote", "script"), ("statusnote", "mdimg"), ("statusnote", "tooltip")))
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Herunterladen als HTML").click()
    report_html = Path(download.value.path()).read_text(encoding="utf-8")
    assert payload("statusnote", "img") not in report_html  # escaped in the file itself
    report = page.context.new_page()
    report.on("dialog", lambda dialog: (b.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    try:
        report.set_content(report_html, wait_until="load")
        b.page = report
        check(b, "bericht-html-datei", (("statusnote", "img"), ("orgname", "mdimg")))
    finally:
        b.page = page
        report.close()

    sidebar(b, "SPARQL")
    editor = page.get_by_label("Abfrage", exact=True)
    editor.fill("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                f'SELECT ?s ?label WHERE {{ ?s skos:prefLabel ?label FILTER(CONTAINS(STR(?label), "{TOKEN}")) }}')
    page.get_by_role("button", name="Ausführen").click()
    page.get_by_text("Zeilen in").first.wait_for(timeout=30_000)
    check(b, "sparql")


def _network_tooltip(frame_locator) -> dict:
    """The tooltip element of the seeded institution's node (built by the page) and where the node is."""
    return frame_locator.locator("body").evaluate(f"""() => {{
      const net = window.kikNetwork, nodes = net.body.data.nodes;
      for (const id of nodes.getIds()) {{
        const node = nodes.get(id);
        if (node.title && node.title.textContent && node.title.textContent.includes({TOKEN!r})) {{
          net.moveTo({{position: net.getPositions([id])[id], scale: 1.0}});
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          const box = document.getElementById('kik-network').getBoundingClientRect();
          return {{text: node.title.textContent, active: node.title.querySelectorAll(
            'img,svg,script,iframe,a,b[onmouseover],details,div[style]').length, x: box.left + p.x, y: box.top + p.y}};
        }}
      }}
      return null;
    }}""")


@browser_test
def test_network_tooltips_carry_the_payloads_as_text(browser: Browser) -> None:
    b = browser
    login(b)
    page = b.page
    sidebar(b, "Netzwerk")
    seen_views = 0
    for name, radio_label in (("struktur", None), ("zusammenarbeit", "Zusammenarbeit"),
                              ("steuerung", "Steuerung und Gremien"), ("fokus", "Fokus")):
        if radio_label:
            page.get_by_text(radio_label, exact=True).first.click()
            page.wait_for_timeout(1500)
        if name == "fokus":
            choose(page, "Mittelpunkt", TOKEN)
            page.wait_for_timeout(1500)
        frame = page.frame_locator('iframe[title^="Netzwerkgrafik"]').last
        frame.locator("body[data-drawn='1']").wait_for(timeout=60_000)
        tip = _network_tooltip(frame)
        if tip is not None:
            seen_views += 1
            assert payload("orgname", "img") in tip["text"], tip["text"][:300]
            assert tip["active"] == 0, f"{name}: Tooltip enthält aktive Elemente"
            iframe = page.locator('iframe[title^="Netzwerkgrafik"]').last
            iframe.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            tip = _network_tooltip(frame)
            box = iframe.bounding_box()
            page.mouse.move(box["x"] + tip["x"], box["y"] + tip["y"])
            frame.locator("div.vis-tooltip").filter(has_text=TOKEN).first.wait_for(state="visible", timeout=10_000)
            assert payload("orgname", "img") in frame.locator("div.vis-tooltip").first.inner_text()
            page.mouse.move(5, 5)
        check(b, f"netzwerk-{name}")
    assert seen_views >= 3, "die geimpfte Einrichtung fehlt in den Netzwerkansichten"


# ------------------------------------------------------------------------------------------------ editing pages

@browser_test
def test_editing_pages_run_no_stored_script(browser: Browser) -> None:
    b = browser
    login(b)
    page = b.page
    sidebar(b, "Zuständigkeiten bearbeiten")
    choose(page, "Maßnahme", b.seeded.measure)
    check(b, "edit-zustaendigkeiten")

    sidebar(b, "Umsetzungsstand bearbeiten")
    choose(page, "Maßnahme", b.seeded.measure)
    check(b, "edit-umsetzungsstand", (("statusnote", "textarea"),))

    sidebar(b, "Kenngrößen bearbeiten")
    choose(page, "Ziel", b.seeded.goal)
    choose(page, "Kenngröße", TOKEN)
    check(b, "edit-kenngroessen", (("indname", "script"), ("indunit", "img")))

    sidebar(b, "Verzeichnis bearbeiten")
    choose(page, "Angebot", f"{TOKEN} Angebot 1")
    check(b, "edit-angebot", (("svcname1", "script"), ("svcfee1", "textarea")))
    page.get_by_role("tab", name="Einrichtungen").click()
    choose(page, "Einrichtung", f"{TOKEN} Verein")
    check(b, "edit-einrichtung", (("orgname", "img"), ("orgnote", "textarea")))

    sidebar(b, "Import aus CSV/Excel")
    check(b, "edit-import")

    sidebar(b, "Änderungsverlauf")
    for expander in page.locator('[data-testid="stExpander"] summary').all()[:12]:
        expander.click()
        page.wait_for_timeout(150)
    check(b, "edit-verlauf", (("orgname", "img"),))

    sidebar(b, "Konten verwalten")
    check(b, "edit-konten")


# ------------------------------------------------------------------------------------------------ unit tests
# One per escaping bug the browser test found: office-entered text reached Markdown (and Markdown images load).

HOSTILE_MD = "![x](http://evil.example/t.png) [klick](javascript:alert(1)) <img src=x onerror=alert(1)> :red[rot]"


def live_markup(markdown: str) -> list[str]:
    """Characters that could start a Markdown link or image, HTML, maths or code and are not backslash-escaped."""
    live, escaped = [], False
    for ch in markdown:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "<[]$`&":
            live.append(ch)
    return live


def test_live_markup_detects_unescaped_markdown() -> None:
    from kik_graph.ui.office_base import md_escape, md_inline_escape

    assert live_markup(HOSTILE_MD)
    assert live_markup(md_escape(HOSTILE_MD)) == []
    assert live_markup(md_inline_escape(HOSTILE_MD + " $x$ `c` &lt;b&gt;")) == []
    assert md_inline_escape("SB-1.1: vhs Kempten (federführend)") == "SB-1.1: vhs Kempten (federführend)"


def test_feedback_heading_escapes_the_service_name() -> None:
    import datetime as dt

    from kik_graph.directory.feedback import Feedback
    from kik_graph.ui.directory_office_view import feedback_heading

    report = Feedback(iri="urn:x", service="https://w3id.org/kik-graph/id/angebot/x", service_label=HOSTILE_MD,
                      field="opening_hours", text="", day=dt.date(2026, 11, 22))
    heading = feedback_heading(report, "de")
    name = heading.split("**")[1]
    assert live_markup(name) == [] and name.replace("\\", "") == HOSTILE_MD.replace("\\", "")
    assert "`opening_hours`" in heading and heading.endswith("2026-11-22")


def test_history_label_escapes_the_summary() -> None:
    from rdflib import URIRef

    from kik_graph.editing.history import ChangeRecord
    from kik_graph.ui.edit_history_view import expander_label

    record = ChangeRecord(change=URIRef("urn:change"), time="2026-11-22T05:00:00+00:00", account="ada",
                          kind="institution", summary=f"Einrichtung „{HOSTILE_MD}“ angelegt")
    label = expander_label(record, "de")
    assert live_markup(label.split("·")[-1]) == []
    assert "ada" in label and "angelegt" in label


_MESSAGES_SCRIPT = """
import streamlit as st
from types import SimpleNamespace
from kik_graph.editing.errors import EditConflict, EditRejected, OtherChange
from kik_graph.terms import InvalidInput
from kik_graph.ui import edit_common as ec

HOSTILE = {hostile!r}

def invalid():
    raise InvalidInput(HOSTILE)

def rejected():
    raise EditRejected(HOSTILE)

def conflict():
    raise EditConflict(HOSTILE, "urn:x", OtherChange("urn:c", "ada", "2026-11-22", HOSTILE))

if "_kik_edit_flash" in st.session_state:
    st.success(st.session_state.pop("_kik_edit_flash"))
elif st.session_state.get("phase"):
    ec.run_edit(lambda: (SimpleNamespace(change=1), HOSTILE), "de")  # saved: flash message and rerun
else:
    st.session_state["phase"] = 1
    for fn in (invalid, rejected, conflict):
        ec.run_edit(fn, "de")
"""


def test_edit_messages_escape_entered_text() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(_MESSAGES_SCRIPT.format(hostile=HOSTILE_MD), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [e.value for e in at.error] + [e.value for e in at.markdown]
    hostile = [text for text in texts if "evil" in text]
    assert len(hostile) >= 3, texts  # invalid input, refusal, and the summary of the conflicting change
    for text in hostile:
        assert live_markup(_from_hostile(text)) == [], text
    at.run()  # after the save: the flash message
    (success,) = at.success
    assert live_markup(_from_hostile(success.value)) == [], success.value


def _from_hostile(text: str) -> str:
    """``text`` from where HOSTILE_MD starts (escaped or not); the fixed text before it may hold markup."""
    start = min((text.find(form) for form in ("\\!\\[x", "!\\[x", "![x") if form in text), default=-1)
    assert start >= 0, text
    return text[start:]


@pytest.fixture(scope="module")
def hostile_store_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store with a hostile status note on SB-1.1, set as the app's store (``KIK_GRAPH_STORE``)."""
    from kik_graph.editing import operations as op
    from kik_graph.store import build_store
    from kik_graph.ui.common import get_store

    path = tmp_path_factory.mktemp("robust-unit") / "store"
    store = build_store(path)
    op.set_status(store, "ada", "SB-1.1", "geplant", "2026-01-01", HOSTILE_MD)
    store.close()
    previous = os.environ.get("KIK_GRAPH_STORE")
    os.environ["KIK_GRAPH_STORE"] = str(path)
    get_store.clear()
    yield path
    get_store.clear()
    if previous is None:
        os.environ.pop("KIK_GRAPH_STORE", None)
    else:
        os.environ["KIK_GRAPH_STORE"] = previous


def _page(module: str, role: str | None = None, **query: str):
    import time

    from streamlit.testing.v1 import AppTest

    from kik_graph.auth.sessions import Session
    from kik_graph.ui.auth_ui import SESSION_KEY

    at = AppTest.from_string(f"from kik_graph.ui.pages.{module} import render\nrender()\n", default_timeout=60)
    if role:
        at.session_state[SESSION_KEY] = Session("ada", role, "local", time.time(), time.time())
    for key, value in query.items():
        at.query_params[key] = value
    return at


def test_status_note_is_shown_escaped(hostile_store_env: Path) -> None:
    at = _page("edit_status", "editor").run()
    assert not at.exception, [e.value for e in at.exception]
    (caption,) = [c.value for c in at.caption if "evil" in c.value]
    assert live_markup(caption) == []


def test_directory_filter_warning_escapes_the_link_value(hostile_store_env: Path) -> None:
    at = _page("directory_search", q="Beratung", cat=HOSTILE_MD).run()
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = at.warning
    assert "evil" in warning.value
    assert live_markup(warning.value.split("Kategorie", 1)[1].split(" Erlaubt")[0]) == [], warning.value


def test_account_errors_escape_the_entered_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kik_graph.auth import accounts

    monkeypatch.setenv("KIK_GRAPH_USERS", str(tmp_path / "users.toml"))
    accounts.add_user("ada", "admin", PASSWORD, path=tmp_path / "users.toml")
    at = _page("edit_users", "admin").run()
    at.text_input[0].input(HOSTILE_MD[:50])
    at.text_input[2].input("ein-sehr-langes-passwort-42")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert "evil" in error.value and live_markup(error.value) == [], error.value
