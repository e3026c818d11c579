"""Login in the app: page filter per role, local login, rate limit, expiry, and st.login with OIDC secrets."""

from __future__ import annotations

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kik_graph.auth.sessions import Session
from kik_graph.ui import auth_ui
from tests.fixtures.editing import PASSWORD, all_text

LIST_PAGES = """
import streamlit as st
from kik_graph.ui import auth_ui
from kik_graph.ui.navigation import discover_pages
st.text(" ".join(sorted(p.key for p in auth_ui.filter_pages(discover_pages()))))
st.text(" ".join(sorted(p.key for p in auth_ui.filter_pages(discover_pages()) if p.default)))
"""
LOGIN = "from kik_graph.ui.auth_ui import login_page\nlogin_page()\n"
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cr3t-for-tests",
        "client_id": "kik-graph", "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


@pytest.fixture(autouse=True)
def fresh_limiter():
    auth_ui.rate_limiter.clear()
    yield
    auth_ui.rate_limiter.clear()


def visible_pages(role: str | None) -> tuple[set[str], set[str]]:
    at = AppTest.from_string(LIST_PAGES, default_timeout=60)
    if role:
        at.session_state[auth_ui.SESSION_KEY] = Session("x", role, "local", time.time(), time.time())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    keys, defaults = (set(el.value.split()) for el in at.text)
    return keys, defaults


def test_visitors_see_only_public_pages_and_the_login(users_file):
    from kik_graph.ui.navigation import discover_pages

    public = {p.key for p in discover_pages() if p.public}
    keys, defaults = visible_pages(None)
    assert keys == public | {"anmelden"} and len(defaults) == 1
    assert not any(k.startswith(("bearbeiten", "verwaltung", "ueberblick", "bericht")) for k in keys)


def test_roles_unlock_pages_step_by_step(users_file):
    viewer, _ = visible_pages("viewer")
    editor, _ = visible_pages("editor")
    admin, defaults = visible_pages("admin")
    assert "bericht" in viewer and not any(k.startswith("bearbeiten") for k in viewer)
    assert {"bearbeiten-zustaendigkeiten", "bearbeiten-umsetzungsstand", "bearbeiten-import"} <= editor
    assert "verwaltung-konten" not in editor and "verwaltung-konten" in admin
    assert viewer < editor < admin and len(defaults) == 1


def test_local_login_success_and_failure(users_file):
    at = AppTest.from_string(LOGIN, default_timeout=60).run()
    at.text_input[0].input("eddi")
    at.text_input[1].input("falsch")
    at.button[0].click().run()
    assert "Kennung oder Passwort ist falsch" in all_text(at)
    assert auth_ui.SESSION_KEY not in at.session_state
    at.text_input[0].input("eddi")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state[auth_ui.SESSION_KEY].role == "editor"
    assert "Angemeldet als eddi" in all_text(at)
    at.button[0].click().run()  # log out
    assert auth_ui.SESSION_KEY not in at.session_state


def test_login_is_rate_limited_in_the_app(users_file):
    at = AppTest.from_string(LOGIN, default_timeout=60).run()
    for _ in range(5):
        at.text_input[0].input("vera")
        at.text_input[1].input("falsch")
        at.button[0].click().run()
    at.text_input[0].input("vera")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert "Zu viele Fehlversuche" in all_text(at) and auth_ui.SESSION_KEY not in at.session_state


def test_session_expires_when_idle(users_file, monkeypatch):
    start = time.time()
    monkeypatch.setattr(auth_ui, "CLOCK", lambda: start)
    at = AppTest.from_string(LOGIN, default_timeout=60).run()
    at.text_input[0].input("ada")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state[auth_ui.SESSION_KEY].role == "admin"
    monkeypatch.setattr(auth_ui, "CLOCK", lambda: start + 31 * 60)
    at.run()
    assert auth_ui.SESSION_KEY not in at.session_state
    assert "Sitzung ist abgelaufen" in all_text(at)


def test_oidc_login_uses_st_login_when_secrets_configure_auth(users_file, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    at = AppTest.from_string(LOGIN, default_timeout=60)
    at.secrets["auth"] = OIDC
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.text_input  # no password form when the city's identity provider is configured
    at.button[0].click().run()
    assert calls == [()]


def test_oidc_named_provider(users_file, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "login", lambda *args: calls.append(args))
    at = AppTest.from_string(LOGIN, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": OIDC["redirect_uri"], "cookie_secret": OIDC["cookie_secret"],
                          "stadt": {k: OIDC[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    at.run()
    at.button[0].click().run()
    assert calls == [("stadt",)]


def test_edit_pages_refuse_viewers_even_when_opened_directly(page_as):
    at = page_as("edit_responsibilities", "viewer").run()
    assert "nur für angemeldete Mitarbeitende" in all_text(at) and not at.button
    at = page_as("edit_users", "editor").run()
    assert "nur für angemeldete Mitarbeitende" in all_text(at)
    at = page_as("report_status", None).run()
    assert "nur für angemeldete Mitarbeitende" in all_text(at)


def test_app_entry_hides_office_pages_from_visitors_on_the_first_run(users_file, tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from kik_graph.store import build_store

    build_store(tmp_path / "store").close()
    app = Path(__file__).resolve().parents[1] / "app.py"
    script = ("import json\nfrom streamlit.testing.v1 import AppTest\n"
              f"at = AppTest.from_file({str(app)!r}, default_timeout=120).run()\n"
              "print(json.dumps([t.value for t in at.title] + [e.value for e in at.exception]))\n")
    env = {**os.environ, "KIK_GRAPH_STORE": str(tmp_path / "store")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    titles = json.loads(done.stdout.strip().splitlines()[-1])
    assert titles and "Überblick" not in titles  # a fresh process: the very first run is filtered too
