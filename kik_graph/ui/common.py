"""Shared UI helpers: the cached store, the current language, safe text."""

from __future__ import annotations

import html

import streamlit as st

from kik_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES
from kik_graph.store import GraphStore, open_store


@st.cache_resource(show_spinner=False)
def get_store() -> GraphStore:
    """The store, opened once per process (embedded or remote, from the environment)."""
    return open_store()


def current_language() -> str:
    """The UI language from the ``lang`` query parameter (shareable URLs), default German."""
    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def esc(text: object) -> str:
    """HTML-escape any value for use in st.markdown(..., unsafe_allow_html=True) or HTML components."""
    return html.escape("" if text is None else str(text), quote=True)
