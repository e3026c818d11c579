"""End-to-end OIDC login against a real OpenID Connect provider on loopback.

The provider is the certified ``oidc-provider`` npm package (tests/idp/server.js, installed with
``scripts/install-test-idp.sh``). The fixture starts it with two users, writes Streamlit secrets with an ``[auth]``
section for a temporary app instance (``STREAMLIT_SECRETS_FILES``), starts the real app, and a headless Chromium
logs in on the provider's own login form. The app maps the IdP user to the role of the account with the same
e-mail in the accounts file (``kik_graph.auth.oidc_session``); a user the accounts file does not know gets no
office pages.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kik_graph.store import build_store
from kik_graph.ui.office_e2e import CHROMIUM, CHROMIUM_ARGS, free_port, outbound, start_app, stop_app, wait_until_up
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[1]
IDP = ROOT / "tests" / "idp"
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"olga": {"password": "olga-idp-passwort-1", "email": "olga.editor@kempten.example", "name": "Olga"},
         "fritz": {"password": "fritz-idp-passwort-1", "email": "fritz@elsewhere.example", "name": "Fritz"}}
CLIENT_SECRET = "kik-graph-test-client-secret-0123456789"


def start_idp(workdir: Path, redirect_uri: str) -> tuple[subprocess.Popen, str]:
    """Start tests/idp/server.js; returns the process and its issuer URL."""
    config = workdir / "idp.json"
    config.write_text(json.dumps({"client_id": "kik-graph", "client_secret": CLIENT_SECRET,
                                  "redirect_uri": redirect_uri, "users": USERS}))
    log = (workdir / "idp.log").open("w")
    process = subprocess.Popen([shutil.which("node") or "node", str(IDP / "server.js"), str(config)], cwd=IDP,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()  # "READY http://127.0.0.1:PORT" (or EOF when it failed)
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"IdP startete nicht: {line!r} {(workdir / 'idp.log').read_text()}")
    return process, line.split()[1]


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The IdP and the app configured for it; yields their URLs."""
    from kik_graph.auth import accounts

    require_or_skip(Path(CHROMIUM).exists(), f"{CHROMIUM} fehlt (Debian-Paket chromium)")
    require_or_skip(shutil.which("node") is not None, "node fehlt (Node.js ≥ 20)")
    require_or_skip((IDP / "node_modules" / "oidc-provider").is_dir(),
                    "tests/idp/node_modules fehlt (bash scripts/install-test-idp.sh)")
    require_or_skip(importlib.util.find_spec("playwright") is not None, "Playwright für Python fehlt")
    tmp = tmp_path_factory.mktemp("oidc-e2e")
    build_store(tmp / "store").close()
    users = tmp / "users.toml"
    accounts.add_user("olga", "editor", None, email=USERS["olga"]["email"].upper(), path=users)  # case-insensitive
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    idp, issuer = start_idp(tmp, f"{base}/oauth2callback")
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        'cookie_secret = "kik-graph-oidc-e2e-cookie-secret"\n'
        'client_id = "kik-graph"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n')
    log_path = tmp / "streamlit.log"
    app = None
    try:
        app = start_app(tmp / "store", port, log_path, {"KIK_GRAPH_USERS": str(users),
                                                        "STREAMLIT_SECRETS_FILES": str(secrets)})
        wait_until_up(base, app)
        yield {"base": base, "issuer": issuer}
    finally:
        if app is not None:
            stop_app(app)
        stop_app(idp)  # the provider is a subprocess like the app: terminate, kill if it hangs
        server_log = log_path.read_text(errors="replace") if log_path.exists() else ""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "oidc-streamlit.log").write_text(server_log)
        (ARTIFACTS / "oidc-idp.log").write_text((tmp / "idp.log").read_text(errors="replace"))
    assert "Traceback" not in server_log, server_log[-3000:]


@pytest.fixture(scope="module")
def browser(oidc_app):
    """One headless Chromium for the module; each test uses its own context (own cookies)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield instance
        finally:
            instance.close()


def nav_titles(page) -> list[str]:
    """The page titles in the sidebar navigation (expanded when Streamlit shortens it)."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and any(word in more.first.inner_text().lower() for word in ("more", "mehr")):
        more.first.click()
        page.wait_for_timeout(300)
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.strip().splitlines()[-1].strip() for text in texts if text.strip()]  # without the icon


def login_through_idp(browser, oidc_app: dict, user: str, password: str):
    """Open the login page, press the city-account button, log in on the IdP's form; returns the page."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1300, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.requests = requests
    page.goto(oidc_app["base"])
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.click(timeout=180_000)
    page.get_by_role("button", name="Mit dem Konto der Stadt anmelden").click(timeout=120_000)
    page.wait_for_url(f"{oidc_app['issuer']}/interaction/**", timeout=60_000)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_wrong_idp_password_is_refused_by_the_provider(browser, oidc_app) -> None:
    page = login_through_idp(browser, oidc_app, "olga", "falsches-passwort")
    page.get_by_role("alert").filter(has_text="Wrong username or password").wait_for(timeout=30_000)
    assert page.url.startswith(oidc_app["issuer"])  # still at the provider: the app was never told anything
    page.context.close()


def test_idp_user_with_an_account_gets_its_role_and_the_office_pages(browser, oidc_app) -> None:
    page = login_through_idp(browser, oidc_app, "olga", USERS["olga"]["password"])
    page.wait_for_url(f"{oidc_app['base']}/**", timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Überblick").first.wait_for(timeout=90_000)
    titles = nav_titles(page)
    assert "Überblick" in titles and "Import aus CSV/Excel" in titles, "|".join(titles)  # office and editor pages
    assert "Konten" not in " ".join(titles)  # olga is an editor, not an admin
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.click()
    page.get_by_text("Angemeldet als olga (Rolle: Bearbeiten)").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "oidc-olga.png"))
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Import aus CSV/Excel").first.click()
    page.wait_for_selector('h1:has-text("Import aus CSV/Excel")', timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert outbound(page.requests) == [], outbound(page.requests)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.click()
    page.get_by_role("button", name="Abmelden").click(timeout=60_000)  # st.logout: also at the provider
    page.wait_for_url(f"{oidc_app['issuer']}/session/end**", timeout=60_000)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{oidc_app['base']}/**", timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.click(timeout=90_000)
    page.get_by_role("button", name="Mit dem Konto der Stadt anmelden").wait_for(timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "oidc-logged-out.png"))
    assert "Überblick" not in nav_titles(page)  # logged out: the office pages are gone again
    page.context.close()


def test_unknown_idp_user_gets_no_office_pages(browser, oidc_app) -> None:
    page = login_through_idp(browser, oidc_app, "fritz", USERS["fritz"]["password"])
    page.wait_for_url(f"{oidc_app['base']}/**", timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.wait_for(timeout=90_000)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Anmelden").first.click()
    page.get_by_text("haben aber noch keine Rolle in kik-graph").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    titles = nav_titles(page)
    assert "Überblick" not in titles and "Import aus CSV/Excel" not in titles, titles
    page.screenshot(path=str(ARTIFACTS / "oidc-fritz.png"))
    page.context.close()
