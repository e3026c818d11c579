"""Shared building blocks of the office pages: page header with language switch, URL state, labels.

Every view of the office pages has a shareable URL: widget values are initialised from query parameters
(validated against the allowed values, unknown values ignored) and written back after each change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from kik_graph.i18n import t
from kik_graph.ui.common import current_language, language_switch

#: Longest query-parameter value read from a URL (everything longer is ignored).
MAX_PARAM_LENGTH = 300
#: Office UI languages (German first).
OFFICE_LANGUAGES = ("de", "en")


def require_viewer() -> None:
    """Stop the page unless the visitor is logged in as office staff (defence in depth behind the page filter of
    kik_graph.ui.auth_ui; without the login module every visitor is office staff)."""
    try:
        from kik_graph.ui.auth_ui import require_role
    except ImportError:  # pragma: no cover - the login module is part of the app
        return
    require_role("viewer")


def page_setup(title_key: str, caption_key: str | None = None) -> str:
    """Login check, language switch in the sidebar, page title and optional caption; returns the language."""
    require_viewer()
    language_switch(OFFICE_LANGUAGES, key="office_language")
    lang = current_language()
    st.title(t(title_key, lang))
    if caption_key:
        st.caption(t(caption_key, lang))
    return lang


def param(name: str, allowed: Sequence[str] | None = None, default: str = "") -> str:
    """The query parameter ``name`` if present, short enough and (when given) one of ``allowed``."""
    raw = st.query_params.get(name)
    if not isinstance(raw, str) or len(raw) > MAX_PARAM_LENGTH:
        return default
    if allowed is not None and raw not in allowed:
        return default
    return raw


def param_list(name: str, allowed: Sequence[str]) -> list[str]:
    """A comma-separated query parameter as a list, keeping only allowed values (order of ``allowed``)."""
    raw = st.query_params.get(name)
    if not isinstance(raw, str) or len(raw) > MAX_PARAM_LENGTH * 4:
        return []
    wanted = {part.strip() for part in raw.split(",")}
    return [value for value in allowed if value in wanted]


def write_param(name: str, value: object, default: object = "") -> None:
    """Store ``value`` in the URL as ``name`` (removed when it equals the default or is empty)."""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
        default = ",".join(str(v) for v in default) if isinstance(default, (list, tuple)) else default
    if value is None or value == "" or value == default:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(value):
        st.query_params[name] = str(value)


def _state_key(name: str) -> str:
    return f"office_{name}"


def _bound_key(name: str, options: list[str], default: str | None) -> str:
    """The session-state key of the widget bound to query parameter ``name``, set from the URL (or ``default``)
    when the widget has no valid value yet."""
    key = _state_key(name)
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = param(name, options, default)
    return key


def select(label: str, name: str, options: Sequence[str], *, format_func: Callable[[str], str] = str,
           default: str | None = None, container=None, help: str | None = None) -> str:
    """A selectbox bound to the query parameter ``name``; returns the selected option."""
    options = list(options)
    default = options[0] if default is None and options else default
    key = _bound_key(name, options, default)
    value = (container or st).selectbox(label, options, key=key, format_func=format_func, help=help)
    write_param(name, value, default)
    return value


def radio(label: str, name: str, options: Sequence[str], *, format_func: Callable[[str], str] = str,
          default: str | None = None, container=None, horizontal: bool = True) -> str:
    """A radio group bound to the query parameter ``name``."""
    options = list(options)
    default = options[0] if default is None else default
    key = _bound_key(name, options, default)
    value = (container or st).radio(label, options, key=key, format_func=format_func, horizontal=horizontal)
    write_param(name, value, default)
    return value


def multiselect(label: str, name: str, options: Sequence[str], *, format_func: Callable[[str], str] = str,
                container=None, placeholder: str | None = None) -> list[str]:
    """A multiselect bound to the comma-separated query parameter ``name`` (empty = no filter)."""
    options = list(options)
    key = _state_key(name)
    if key not in st.session_state:
        st.session_state[key] = param_list(name, options)
    else:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    where = container or st
    values = where.multiselect(label, options, key=key, format_func=format_func,
                               placeholder=placeholder or t("office.filter.no_filter", current_language()))
    write_param(name, values, [])
    return list(values)


def slider(label: str, name: str, minimum: int, maximum: int, default: int, *, container=None,
           help: str | None = None) -> int:
    """An integer slider bound to the query parameter ``name``."""
    key = _state_key(name)
    if key not in st.session_state:
        raw = param(name, [str(i) for i in range(minimum, maximum + 1)], str(default))
        st.session_state[key] = int(raw)
    where = container or st
    value = where.slider(label, minimum, maximum, key=key, help=help)
    write_param(name, value, default)
    return int(value)


def resource_key(iri: str) -> str:
    """The short, URL-friendly id of a KIK resource IRI (the part after ``/id/``), e.g. ``gremium/integrationsbeirat``."""
    marker = "/id/"
    return iri.split(marker, 1)[1] if marker in iri else iri


def field_label(code: str, labels: dict[str, str], lang: str) -> str:
    """``SB – Sprache und Bildung``; the empty code means 'all fields'."""
    if not code:
        return t("office.filter.all_fields", lang)
    return f"{code} – {labels.get(code, code)}"


def shorten(text: str, limit: int = 90) -> str:
    """Shorten text for a select option."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md_escape(text: object) -> str:
    """Text safe for st.markdown: Markdown, HTML and Streamlit directive characters escaped."""
    out = str(text)
    for ch in "\\`*_{}[]<>()#+-.!|~$:":
        out = out.replace(ch, "\\" + ch)
    return out


def md_inline_escape(text: object) -> str:
    """Text inside a one-line Markdown message (labels, notices): every character that can start a link, image,
    HTML, maths, code or emphasis escaped; ``- . : ( )`` stay as they are, so ``SB-1.1: …`` reads unchanged."""
    out = str(text)
    for ch in "\\`*_[]<>|~$&":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def type_label(actor_type: str, lang: str) -> str:
    """Translated name of an actor type key (Organisation, GovernanceBody, ActorCategory, Post)."""
    return t(f"office.actor_type.{actor_type}", lang) if actor_type else ""
