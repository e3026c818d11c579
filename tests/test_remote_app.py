"""The app runs unchanged against a remote SPARQL endpoint (issue 5): every office page and every public page,
pointed at a real Virtuoso with the published KIK (``KIK_GRAPH_ENDPOINT``), shows the same content as on the
embedded store – no error, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kik_graph.ui.navigation import discover_pages
from tests.fixtures.office import app_on_store, texts
from tests.test_app_store_down import _run_page

#: Read-only pages (the edit pages write; editing on an endpoint is tested in tests/test_remote_atomic_edit.py).
PAGES = [p for p in discover_pages() if not p.key.startswith(("bearbeiten", "verwaltung"))]
#: What a page must show, on the endpoint as on the embedded store.
EXPECTED = {"ueberblick": "Sprache und Bildung", "wer-macht-was": "Handlungsfeld",
            "verantwortungsluecken": "Maßnahmen", "angebote": "Angebot"}


@pytest.fixture(scope="module")
def published_kik(virtuoso, store):
    """The session's KIK store published to Virtuoso (data + vocabulary)."""
    from kik_graph.publish import publish

    publish(store, virtuoso.store())
    return virtuoso


@pytest.fixture()
def on_endpoint(published_kik, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    yield from app_on_store(monkeypatch, tmp_path, published_kik.environment())


@pytest.mark.virtuoso
@pytest.mark.parametrize("key", [p.key for p in PAGES], ids=lambda k: k)
def test_every_read_page_runs_unchanged_on_the_endpoint(on_endpoint, key: str) -> None:
    at = _run_page(key)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Traceback" not in shown
    if key in EXPECTED:
        assert EXPECTED[key] in shown, shown[:500]
