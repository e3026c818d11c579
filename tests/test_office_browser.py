"""End-to-end: the real app in a headless Chromium (Debian chromium driven by Playwright).

Starts ``streamlit run app.py`` on a free port with a private store, visits every office page, fails on any
exception box, checks that the network view draws a canvas, that no request leaves the loopback interface, and
saves screenshots to tests/artifacts/.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kik_graph.store import build_store
from kik_graph.ui.office_e2e import CHROMIUM, CHROMIUM_ARGS, outbound, running_app
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


PASSWORD = "office-e2e-passwort-1"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The running app's base URL (private store, one viewer account ``vera``)."""
    from kik_graph.auth import accounts

    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} fehlt (Debian-Paket chromium)")
    require_or_skip(shutil.which("streamlit", path=str(Path(sys.executable).parent)) is not None,
                    "streamlit ist nicht installiert")
    tmp = tmp_path_factory.mktemp("e2e")
    build_store(tmp / "store").close()
    accounts.add_user("vera", "viewer", PASSWORD, path=tmp / "users.toml")
    with running_app(tmp, "office-streamlit.log", {"KIK_GRAPH_USERS": str(tmp / "users.toml")}, ARTIFACTS) as base:
        yield base


@pytest.fixture(scope="module")
def browser_context(app_url: str, tmp_path_factory: pytest.TempPathFactory):
    """A fresh Chromium profile, logged in as the viewer; every request of every page and frame is recorded in
    ``context.requests``. Pages are switched with the sidebar (a reload would start a new, logged-out session)."""
    require_or_skip(importlib.util.find_spec("playwright") is not None, "Playwright für Python fehlt (pip install playwright)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=list(CHROMIUM_ARGS), viewport={"width": 1400, "height": 1000}, locale="de-DE")
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        context.requests = requests
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{app_url}/anmelden")
        page.get_by_label("Kennung").fill("vera")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        sidebar_link(page, "Überblick").wait_for(timeout=60_000)
        try:
            yield context
        finally:
            context.close()


def sidebar_link(page, title: str):
    """The navigation entry of a page in the sidebar."""
    return page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first


def show(context, title: str, heading: str | None = None, *, wait_text: str | None = None):
    """Switch to a page with the sidebar and wait for its heading (and optionally a text)."""
    page = context.pages[0]
    sidebar_link(page, title).click()
    page.wait_for_selector(f'h1:has-text("{heading or title}")', timeout=90_000)
    if wait_text:
        page.get_by_text(wait_text, exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    return page


def choose(page, label: str, text: str) -> None:
    """Pick an option of a selectbox by typing it."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def assert_no_exception(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"office-{name}.png"))
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def test_every_office_page_renders_offline(app_url: str, browser_context) -> None:
    context = browser_context
    page = show(context, "Überblick", wait_text="Maßnahmen je NAP-I-Phase")
    page.wait_for_function("document.querySelectorAll('svg rect').length >= 10", timeout=30_000)
    assert page.get_by_text("144", exact=True).count() >= 1
    assert_no_exception(page, "ueberblick")

    choose(page, "Sprache", "English")
    page.wait_for_selector('h1:has-text("Overview")', timeout=60_000)
    page.get_by_text("Measures per NAP-I phase").first.wait_for(timeout=30_000)
    assert_no_exception(page, "overview-en")
    choose(page, "Language", "Deutsch")
    page.wait_for_selector('h1:has-text("Überblick")', timeout=60_000)

    page = show(context, "Wer macht was", wait_text="Maßnahmen und Zuständigkeiten")
    choose(page, "Maßnahme", "SB-7.2")
    page.get_by_text("Maßnahme SB-7.2").first.wait_for(timeout=30_000)
    page.get_by_text("Der Runde Tisch der Bildungsträger stimmt regelmäßig").first.wait_for(timeout=30_000)
    assert "measure=SB-7.2" in page.url  # the view has a shareable address
    assert_no_exception(page, "wer-macht-was")

    page.get_by_text("Matrix Akteur*in × Handlungsfeld").click()
    page.get_by_text("Akteur*innen. Farbe").first.wait_for(timeout=30_000)
    assert_no_exception(page, "wer-macht-was-matrix")

    page = show(context, "Verantwortungslücken", wait_text="Maßnahmen ohne Federführung (129)")
    assert_no_exception(page, "verantwortungsluecken")

    page = show(context, "SPARQL")
    choose(page, "Benannte Abfrage", "phases")
    page.get_by_text("Die fünf Phasen des Nationalen Aktionsplans").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Ausführen").click()
    page.get_by_text("5 Zeilen in").wait_for(timeout=30_000)
    assert_no_exception(page, "sparql")
    assert outbound(context.requests) == [], outbound(context.requests)


def _drawn_network(page, caption_before: str | None):
    """Wait for the network iframe of the current view to be drawn; returns (frame, caption)."""
    stats = page.get_by_text("Knoten,", exact=False).first
    if caption_before is not None:
        page.wait_for_function("(before) => { const el = Array.from(document.querySelectorAll('p'))"
                               ".find(p => p.textContent.includes('Knoten,'));"
                               " return el && el.textContent !== before; }", arg=caption_before, timeout=60_000)
    caption = stats.inner_text()
    # While Streamlit swaps views the outgoing iframe can linger next to the new one (added last) and an
    # element handle may point at a frame that is already gone, so the frame is located afresh on each use.
    frame = page.frame_locator('iframe[title^="Netzwerkgrafik"]').last
    frame.locator("body[data-drawn='1']").wait_for(timeout=60_000)
    return frame, caption


def test_network_views_draw_a_canvas_without_network_access(app_url: str, browser_context) -> None:
    context = browser_context
    before = len(context.requests)
    page = show(context, "Netzwerk", wait_text="Brückenakteure")
    frame, caption = _drawn_network(page, None)
    views = [("struktur", None), ("zusammenarbeit", "Zusammenarbeit"), ("fokus", "Fokus"),
             ("steuerung", "Steuerung und Gremien")]
    for name, radio_label in views:
        if radio_label:
            page.get_by_text(radio_label, exact=True).first.click()
            frame, caption = _drawn_network(page, caption)
        canvas = frame.locator("#kik-network canvas")
        assert canvas.count() == 1
        box = canvas.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300
        assert frame.locator("body").evaluate("() => window.kikDrawMs") > 0
        page.locator('iframe[title^="Netzwerkgrafik"]').last.scroll_into_view_if_needed()
        assert_no_exception(page, f"netzwerk-{name}")
    assert "Knoten" in caption
    assert outbound(context.requests[before:]) == [], outbound(context.requests[before:])
