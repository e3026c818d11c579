"""End-to-end: the public directory in a headless Chromium (Debian chromium driven by Playwright).

Starts ``streamlit run app.py`` with ``KIK_GRAPH_MODE=directory`` on a free port and a private store, then:
search (typed and submitted), a filter, the detail page, the print view (print media and PDF), the Arabic
right-to-left layout and the Farsi detail page. Screenshots go to tests/artifacts/directory-*.png.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kik_graph.store import build_store
from kik_graph.ui.office_e2e import CHROMIUM, CHROMIUM_ARGS, outbound, running_app
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def directory_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app running in directory mode."""
    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} fehlt (Debian-Paket chromium)")
    require_or_skip(shutil.which("streamlit", path=str(Path(sys.executable).parent)) is not None,
                    "streamlit ist nicht installiert")
    tmp = tmp_path_factory.mktemp("directory-e2e")
    build_store(tmp / "store").close()
    with running_app(tmp, "directory-streamlit.log", {"KIK_GRAPH_MODE": "directory"}, ARTIFACTS) as base:
        yield base


@pytest.fixture(scope="module")
def context(directory_url: str, tmp_path_factory: pytest.TempPathFactory):
    """A fresh Chromium profile recording every request."""
    require_or_skip(importlib.util.find_spec("playwright") is not None, "Playwright für Python fehlt")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        ctx = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-directory")), executable_path=CHROMIUM, headless=True,
            args=list(CHROMIUM_ARGS), viewport={"width": 1280, "height": 1000}, locale="de-DE")
        requests: list[str] = []
        ctx.on("request", lambda request: requests.append(request.url))
        ctx.requests = requests
        try:
            yield ctx
        finally:
            ctx.close()


def open_page(context, url: str, heading: str):
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{heading}")', timeout=90_000)
    page.wait_for_timeout(600)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"directory-{name}.png"), full_page=True)
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def test_search_filter_detail_and_print(directory_url: str, context) -> None:
    page = open_page(context, f"{directory_url}/", "Angebote finden")
    # directory mode: no office pages in the navigation
    assert page.get_by_text("Überblick", exact=True).count() == 0
    page.get_by_label("Wonach suchen Sie?").fill("Deutschkurz")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_text("7 Angebote gefunden").wait_for(timeout=60_000)
    assert "q=Deutschkurz" in page.url
    assert page.locator(".kik-card h3").first.inner_text().startswith(("Sprachkurse", "Deutsch lernen"))
    page.get_by_role("button", name="Details ansehen").nth(6).wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    shot(page, "search")

    # filter: free of charge – no seed service states its cost, so nothing is found, and the office is offered
    page.get_by_text("Filter", exact=True).click()
    page.get_by_text("nur kostenlos").click()
    page.get_by_role("button", name="Suchen").click()
    page.get_by_text("Mit diesen Filtern haben wir nichts gefunden").wait_for(timeout=60_000)
    assert "free=1" in page.url
    assert page.get_by_text("0831 2525-5311").count() >= 1
    shot(page, "filter-free")

    # a share link with a category filter reopens the same search
    page = open_page(context, f"{directory_url}/?q=Beratung&cat=schwangerschaft", "Angebote finden")
    page.get_by_text("2 Angebote gefunden").wait_for(timeout=60_000)

    # detail page
    page.get_by_role("button", name="Details ansehen").first.click()
    page.wait_for_selector('h1:has-text("Schwangerenberatung")', timeout=60_000)
    assert "service=" in page.url
    unknown = page.get_by_text("nicht bekannt – bitte beim Amt für Integration erfragen")
    unknown.first.wait_for(timeout=60_000)
    assert unknown.count() >= 5
    assert page.get_by_text("Angabe falsch / fehlt melden").count() == 1
    shot(page, "detail")

    # print view: the app chrome is gone on screen and in print media; a PDF can be produced
    page.get_by_role("button", name="Druckansicht").click()
    page.wait_for_selector(".kik-print", timeout=60_000)
    assert "print=1" in page.url
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Zurück zur Suche").is_visible()
    shot(page, "print")
    page.pdf(path=str(ARTIFACTS / "directory-print.pdf"))
    page.emulate_media(media="screen")
    assert outbound(context.requests) == [], outbound(context.requests)


def test_arabic_right_to_left(directory_url: str, context) -> None:
    page = open_page(context, f"{directory_url}/?lang=ar&q={quote('دورة لغة ألمانية')}", "البحث عن الخدمات")
    page.get_by_text("تم العثور على 7 خدمة").wait_for(timeout=60_000)
    main = page.locator('[data-testid="stMainBlockContainer"]')
    assert main.evaluate("el => getComputedStyle(el).direction") == "rtl"
    card = page.locator(".kik-card").first
    assert card.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # the German service name keeps left-to-right inside the right-to-left card
    name = card.locator('h3 span[lang="de"]')
    assert name.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # right alignment: the card title ends near the right edge of the card
    card_box, title_box = card.bounding_box(), card.locator("h3").bounding_box()
    assert card_box["x"] + card_box["width"] - (title_box["x"] + title_box["width"]) < 40
    assert page.get_by_text("هذا النص متوفر باللغة الألمانية فقط.").count() >= 1
    description = card.locator(".kik-ltr").first
    assert description.evaluate("el => getComputedStyle(el).textAlign") == "left", "German text block stays LTR"
    page.get_by_role("button", name="عرض التفاصيل").nth(6).wait_for(timeout=60_000)
    shot(page, "ar")

    page = open_page(context, f"{directory_url}/?lang=fa&service=amt-fuer-integration", "Amt für Integration")
    assert page.locator('[data-testid="stMainBlockContainer"]').evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.get_by_text("0831 2525-5311").count() >= 1
    shot(page, "fa-detail")
    assert outbound(context.requests) == [], outbound(context.requests)
