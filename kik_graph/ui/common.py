"""Shared UI helpers: the cached store, the current language, safe text."""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st

from kik_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES
from kik_graph.store import GraphStore, open_store

#: Session-state key remembering the language when a page switch drops the ``lang`` query parameter.
LANGUAGE_STATE_KEY = "_kik_lang"


@st.cache_resource(show_spinner=False)
def get_store() -> GraphStore:
    """The store, opened once per process (embedded or remote, from the environment).

    The embedded Oxigraph store is safe for concurrent reads from several sessions (threads).
    """
    return open_store()


def current_language() -> str:
    """The UI language from the ``lang`` query parameter (shareable URLs), else the session's choice, else German."""
    lang = st.query_params.get("lang")
    if lang in LANGUAGES:
        return lang
    remembered = st.session_state.get(LANGUAGE_STATE_KEY)
    return remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Switch the UI language (kept in the URL as ``lang`` unless it is German, and in the session)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    st.session_state[LANGUAGE_STATE_KEY] = lang
    if lang == DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang


def language_switch(languages: Sequence[str] = ("de", "en"), *, key: str = "language_switch") -> str:
    """A language selector in the sidebar for ``languages`` (German first); returns the active language."""
    from kik_graph.i18n import t

    lang = current_language()
    if lang not in languages:
        lang = languages[0]
    # keep the URL shareable: restore ``lang`` after a page switch dropped it
    set_language(lang)
    st.session_state[key] = lang

    def _changed() -> None:
        set_language(st.session_state[key])

    st.sidebar.selectbox(t("common.language", lang), list(languages), key=key, on_change=_changed,
                         format_func=lambda code: LANGUAGES.get(code, code))
    return lang


def esc(text: object) -> str:
    """HTML-escape any value for use in st.markdown(..., unsafe_allow_html=True) or HTML components."""
    return html.escape("" if text is None else str(text), quote=True)
