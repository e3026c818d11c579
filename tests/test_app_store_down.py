"""Every page of the app copes with a store that cannot answer (issue 5): a clear German message that names the
store, never a traceback.

The app is pointed at a SPARQL endpoint nobody listens on (``KIK_GRAPH_ENDPOINT=http://127.0.0.1:1/sparql``). Each
page is run the way the app runs it (:func:`kik_graph.ui.navigation.run_page`, and once through ``app.py`` itself),
logged in with the role each page requires (the edit pages as editor).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kik_graph.ui.navigation import discover_pages
from tests.fixtures.office import APP, app_on_store, texts

DEAD_ENDPOINT = "http://127.0.0.1:1/sparql"
#: Pages that do not read the KIK store when opened (the accounts page works on the accounts file only; the
#: SPARQL page asks the store only when a query is run and reports failures itself).
NO_STORE_PAGES = {"verwaltung-konten", "sparql"}
#: Pages that catch the store's failure themselves and show the store's own message (which names the endpoint).
OWN_MESSAGE_PAGES = {"verzeichnis-amt"}
PAGES = discover_pages()


@pytest.fixture()
def store_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The app's store is an unreachable endpoint."""
    yield from app_on_store(monkeypatch, tmp_path, {"KIK_GRAPH_ENDPOINT": DEAD_ENDPOINT})


def _logged_in(at: AppTest, role: str = "admin") -> AppTest:
    from kik_graph.auth.sessions import Session
    from kik_graph.ui.auth_ui import SESSION_KEY

    now = time.time()
    at.session_state[SESSION_KEY] = Session("ada", role, "local", now, now)
    return at


def _run_page(key: str, lang: str = "de") -> AppTest:
    script = ("from kik_graph.ui.navigation import discover_pages, run_page\n"
              f"spec = next(s for s in discover_pages() if s.key == {key!r})\n"
              "run_page(spec.render, public=spec.public)\n")
    from kik_graph.ui.auth_ui import required_role

    # logged in with exactly the role the page asks for (viewer, editor for the edit pages, admin for accounts)
    role = required_role(next(p for p in PAGES if p.key == key)) or "viewer"
    at = _logged_in(AppTest.from_string(script, default_timeout=120), role)
    if lang != "de":
        at.query_params["lang"] = lang
    return at.run()


def _no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("key", [p.key for p in PAGES if not p.public], ids=lambda k: k)
def test_every_office_and_edit_page_names_the_unreachable_store(store_down, key: str) -> None:
    at = _run_page(key)
    _no_traceback(at)
    shown = texts(at)
    if key in NO_STORE_PAGES:
        assert "Datenspeicher" not in shown
        return
    errors = [e.value for e in at.error]
    expected = "nicht erreichbar" if key in OWN_MESSAGE_PAGES else "Der Datenspeicher ist nicht erreichbar"
    assert any(expected in e and DEAD_ENDPOINT in e for e in errors), errors
    assert "Traceback" not in shown


@pytest.mark.parametrize("key", [p.key for p in PAGES if p.public], ids=lambda k: k)
def test_public_pages_say_the_search_is_unavailable_without_internals(store_down, key: str) -> None:
    at = _run_page(key)
    _no_traceback(at)
    errors = " ".join(e.value for e in at.error)
    assert "nicht verfügbar" in errors
    assert "127.0.0.1" not in texts(at)


def test_the_office_message_follows_the_language(store_down) -> None:
    at = _run_page("ueberblick", lang="en")
    _no_traceback(at)
    assert any("The data store cannot be reached" in e.value and DEAD_ENDPOINT in e.value for e in at.error)


def test_the_app_entry_shows_the_message_instead_of_a_traceback(store_down) -> None:
    """Through app.py and st.navigation: office staff land on the overview, which needs the store."""
    at = _logged_in(AppTest.from_file(str(APP), default_timeout=120)).run()
    _no_traceback(at)
    assert any("Der Datenspeicher ist nicht erreichbar" in e.value for e in at.error), [e.value for e in at.error]


def test_credentials_in_the_endpoint_address_are_not_shown(store_down, monkeypatch) -> None:
    monkeypatch.setenv("KIK_GRAPH_ENDPOINT", "http://kik:geheim@127.0.0.1:1/sparql?token=xyz")
    at = _run_page("wer-macht-was")
    _no_traceback(at)
    errors = " ".join(e.value for e in at.error)
    assert "http://127.0.0.1:1/sparql" in errors
    assert "geheim" not in texts(at) and "xyz" not in texts(at)
