"""Hostile text in the data (as the office could enter it through the editing pages) stays harmless on every
office page: Markdown/HTML is escaped, nothing can load a remote resource."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kik_graph.store import build_store
from tests.fixtures.office import no_exceptions

HOSTILE = '![x](https://evil.example/t.png) <script>alert(1)</script> <img src=x onerror=alert(2)> [klick](javascript:x) :red[rot]'
ORG = "https://w3id.org/kik-graph/id/organisation/boese-einrichtung"


@pytest.fixture()
def hostile_app(tmp_path: Path):
    """The app on a private store with a hostile note on SB-1.1 and a hostile institution leading it."""
    from kik_graph.ui.common import get_store

    path = tmp_path / "store"
    store = build_store(path)
    literal = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    store.update(f"""
      PREFIX kik: <https://w3id.org/kik-graph/vocab#>
      PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
      INSERT DATA {{ GRAPH <https://w3id.org/kik-graph/graph/kik> {{
        <https://w3id.org/kik-graph/id/massnahme/SB-1.1> kik:note "{literal}"@de .
        <{ORG}> a kik:Organisation ; skos:prefLabel "{literal}"@de .
        <https://w3id.org/kik-graph/id/zustaendigkeit/SB-1.1-boese> a kik:Responsibility ;
          kik:measure <https://w3id.org/kik-graph/id/massnahme/SB-1.1> ; kik:actor <{ORG}> ; kik:role kik:Lead ;
          kik:provenanceNote "{literal}"@de .
      }} }}""")
    store.close()
    del store
    previous = os.environ.get("KIK_GRAPH_STORE")
    os.environ["KIK_GRAPH_STORE"] = str(path)
    get_store.clear()

    def open_page(module: str, **query: str) -> AppTest:
        from kik_graph.auth.sessions import Session
        from kik_graph.ui.auth_ui import SESSION_KEY

        at = AppTest.from_string(f"from kik_graph.ui.pages.{module} import render\nrender()\n", default_timeout=60)
        at.session_state[SESSION_KEY] = Session("vera", "viewer", "local", time.time(), time.time())
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    yield open_page
    get_store.clear()
    if previous is None:
        os.environ.pop("KIK_GRAPH_STORE", None)
    else:
        os.environ["KIK_GRAPH_STORE"] = previous


def _markdown_texts(at: AppTest) -> list[str]:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(e.label) for e in at.expander)
    return parts


def _assert_inert(texts: list[str]) -> None:
    for text in texts:
        if text.startswith("<svg"):  # our own charts: all text inside is HTML-escaped
            assert "<script" not in text and "<img" not in text
            continue
        assert not re.search(r"(?<!\\)!(?<!\\)\[", text), text  # no live Markdown image
        assert not re.search(r"(?<!\\)<(script|img)", text), text  # no raw HTML
        assert not re.search(r"(?<!\\):red(?<!\\)\[", text), text  # no Streamlit colour directive


def test_hostile_text_is_inert_on_the_office_pages(hostile_app) -> None:
    at = hostile_app("office_who", measure="SB-1.1")
    no_exceptions(at)
    texts = _markdown_texts(at)
    assert any("evil" in t for t in at.info.values) and any("alert" in t for t in texts)
    _assert_inert(texts)
    table = at.dataframe[0].value  # tables show the text as text
    assert HOSTILE in set(table["Akteur*in"])

    at = hostile_app("office_who", view="actor", actor="organisation/boese-einrichtung")
    no_exceptions(at)
    _assert_inert(_markdown_texts(at))

    for module, query in (("office_overview", {}), ("office_gaps", {"gap": "measures_single_actor"}),
                          ("office_who", {"view": "matrix"})):
        at = hostile_app(module, **query)
        no_exceptions(at)
        _assert_inert(_markdown_texts(at))

    at = hostile_app("office_network", view="focus", focus="massnahme/SB-1.1")
    no_exceptions(at)
    page = at.get("iframe")[0].proto.srcdoc
    body = page[page.index('<div id="kik-legend"'):]
    assert "<script>alert" not in body and "<img src=x" not in body and "https://evil.example" in body
    assert "\\u0026lt;script\\u0026gt;" in body  # escaped twice: as HTML, then as JSON
