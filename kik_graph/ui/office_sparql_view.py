"""Office page 5 – SPARQL: an editor pre-filled with the named queries of queries/, read-only, limited."""

from __future__ import annotations

import hashlib

import streamlit as st

from kik_graph.i18n import t
from kik_graph.params import bind_params
from kik_graph.queries import all_queries
from kik_graph.store.base import QueryTimeout, StoreError
from kik_graph.terms import InvalidInput
from kik_graph.ui.common import get_store
from kik_graph.ui.office_base import md_escape, page_setup, param, select, write_param
from kik_graph.ui.office_query import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    MAX_LIMIT,
    QueryRefused,
    check_query,
    run_query,
)
from kik_graph.ui.office_tables import table

EDITOR_KEY = "office_sparql_text"
LOADED_KEY = "office_sparql_loaded"
RESULT_KEY = "office_sparql_result"
DEFAULT_QUERY = "fields"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:16]


def render() -> None:
    """Render the SPARQL page."""
    lang = page_setup("office.sparql.title", "office.sparql.caption")
    queries = all_queries()
    names = sorted(queries)
    name = select(t("office.sparql.named", lang), "q", names, default=DEFAULT_QUERY if DEFAULT_QUERY in names
                  else names[0], format_func=lambda n: f"{n} – {queries[n].title}")
    query = queries[name]
    if query.description:
        st.caption(md_escape(query.description))
    if st.session_state.get(LOADED_KEY) != name or EDITOR_KEY not in st.session_state:
        st.session_state[EDITOR_KEY] = query.sparql
        st.session_state[LOADED_KEY] = name

    raw_params: dict[str, str] = {}
    if query.params:
        columns = st.columns(len(query.params))
        for column, declared in zip(columns, query.params, strict=True):
            key = f"office_param_{name}_{declared.name}"
            if key not in st.session_state:
                st.session_state[key] = param(f"p_{declared.name}")
            label = f"{declared.name}{'' if declared.required else ' ' + t('office.sparql.optional', lang)}"
            value = column.text_input(label, key=key, help=declared.description, max_chars=500)
            write_param(f"p_{declared.name}", value.strip())
            if value.strip():
                raw_params[declared.name] = value.strip()

    st.text_area(t("office.sparql.editor", lang), key=EDITOR_KEY, height=320, max_chars=20_000)
    c1, c2, c3 = st.columns([2, 2, 3])
    limit = c1.number_input(t("office.sparql.limit", lang), min_value=1, max_value=MAX_LIMIT, value=DEFAULT_LIMIT,
                            step=100, key="office_sparql_limit")
    c2.markdown(t("office.sparql.timeout", lang, seconds=f"{DEFAULT_TIMEOUT:g}"))
    c3.caption(t("office.sparql.readonly", lang))
    text = st.session_state[EDITOR_KEY]
    if st.button(t("office.sparql.run", lang), type="primary", key="office_sparql_run"):
        st.session_state[RESULT_KEY] = _run(text, query, raw_params, int(limit), lang)
    result = st.session_state.get(RESULT_KEY)
    if result and result["digest"] == _digest(text, sorted(raw_params.items()), int(limit)):
        _show(result, lang)


def _run(text: str, query, raw_params: dict[str, str], limit: int, lang: str) -> dict:
    """Run the editor text; returns what _show displays (kept in the session so downloads survive reruns)."""
    digest = _digest(text, sorted(raw_params.items()), limit)
    try:
        checked = check_query(text, limit=limit)  # refuse updates and remote access before looking at parameters
        bindings = bind_params(query, raw_params, get_store()) if raw_params or any(p.required for p in query.params) \
            else {}
        outcome = run_query(get_store(), text, bindings, limit=limit, timeout=DEFAULT_TIMEOUT, checked=checked)
    except (QueryRefused, InvalidInput) as exc:
        return {"digest": digest, "error": str(exc), "kind": "refused"}
    except QueryTimeout as exc:
        return {"digest": digest, "error": str(exc), "kind": "timeout"}
    except StoreError as exc:
        return {"digest": digest, "error": str(exc), "kind": "error"}
    return {"digest": digest, "outcome": outcome}


def _number(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "de" else text


def _show(result: dict, lang: str) -> None:
    if "error" in result:
        message = t(f"office.sparql.error_{result['kind']}", lang, message=result["error"])
        (st.warning if result["kind"] == "refused" else st.error)(message)
        return
    outcome = result["outcome"]
    if outcome.form == "ASK":
        st.success(t("office.sparql.ask_true" if outcome.boolean else "office.sparql.ask_false", lang))
        return
    st.caption(t("office.sparql.rows", lang, rows=len(outcome.frame), seconds=_number(outcome.seconds, lang)))
    if outcome.truncated:
        st.warning(t("office.sparql.truncated", lang, rows=len(outcome.frame)))
    table(outcome.frame, lang, name="sparql-ergebnis", key="office_sparql_table", translate=False)
