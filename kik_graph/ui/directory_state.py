"""URL state of the public directory: every view has a share link that reopens it.

Query parameters: ``q`` (search text), ``cat`` (category slug), ``group`` (target group slug), ``spoken`` (ISO code
of a language spoken), ``district`` (district number), ``free=1``, ``open=1``, ``service`` (service slug),
``print=1`` (print view of a service) and ``lang`` (UI language). Unknown or over-long values are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from kik_graph.i18n import DEFAULT_LANGUAGE
from kik_graph.terms import MAX_TEXT_LENGTH

#: The query parameters of the directory pages (``lang`` is shared with the whole app).
PARAMS = ("q", "cat", "group", "spoken", "district", "free", "open", "service", "print")


@dataclass
class DirectoryState:
    """What the URL says the visitor wants to see."""

    query: str = ""
    category: str = ""
    target_group: str = ""
    spoken: str = ""
    district: str = ""
    free: bool = False
    open_now: bool = False
    service: str = ""
    print_view: bool = False

    def search_params(self) -> dict[str, str]:
        """The parameters of the search (text and filters) without the service."""
        params = {"q": self.query, "cat": self.category, "group": self.target_group, "spoken": self.spoken,
                  "district": self.district, "free": "1" if self.free else "", "open": "1" if self.open_now else ""}
        return {k: v for k, v in params.items() if v}


def _param(name: str, max_length: int = 200) -> str:
    raw = st.query_params.get(name)
    if not isinstance(raw, str) or len(raw) > max_length:
        return ""
    return raw.strip()


def read_state() -> DirectoryState:
    """The state from the current URL (invalid values dropped)."""
    return DirectoryState(
        query=_param("q", MAX_TEXT_LENGTH * 2),
        category=_param("cat"), target_group=_param("group"), spoken=_param("spoken", 10),
        district=_param("district"), free=_param("free") == "1", open_now=_param("open") == "1",
        service=_param("service"), print_view=_param("print") == "1")


def write_params(params: dict[str, str]) -> None:
    """Replace the directory parameters in the URL by ``params`` (empty values removed; ``lang`` kept)."""
    for name in PARAMS:
        value = params.get(name, "")
        if value:
            if st.query_params.get(name) != value:
                st.query_params[name] = value
        elif name in st.query_params:
            del st.query_params[name]


def link(params: dict[str, str], lang: str) -> str:
    """A relative link (``?q=…&lang=…``) to a directory view."""
    items = {k: v for k, v in params.items() if v}
    if lang != DEFAULT_LANGUAGE:
        items["lang"] = lang
    return "?" + urlencode(items) if items else "?"


def share_url(params: dict[str, str], lang: str) -> str:
    """The absolute share link of a view (the app's URL from the browser plus the parameters)."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests, scripts)
        base = ""
    return f"{base}{link(params, lang)}"
