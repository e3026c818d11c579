"""Shared helpers of the edit pages (no pages here): choices, problem display, seen versions for conflicts."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from rdflib import Graph, URIRef

from kik_graph.editing.errors import EditConflict, EditRejected
from kik_graph.editing.state import parse_lines, version_of
from kik_graph.editing.validation import short
from kik_graph.i18n import t
from kik_graph.store.base import GraphStore
from kik_graph.ui import auth_ui
from kik_graph.ui.common import get_store
from kik_graph.ui.office_base import md_inline_escape, page_setup

#: Version of a resource that does not exist (yet).
EMPTY_VERSION = version_of(Graph())
_VERSIONS = "_kik_edit_versions"
_FLASH = "_kik_edit_flash"

_MEASURES = """
SELECT ?m ?notation ?text WHERE { ?m a kik:Measure ; skos:notation ?notation ; kik:text ?text ;
  kik:field/kik:number ?fn ; kik:goal/kik:number ?gn ; kik:number ?mn } ORDER BY ?fn ?gn ?mn
"""
_GOALS = """
SELECT ?g ?notation ?text WHERE { ?g a kik:Goal ; skos:notation ?notation ; kik:text ?text ;
  kik:field/kik:number ?fn ; kik:number ?gn } ORDER BY ?fn ?gn
"""
_ACTORS = """
SELECT DISTINCT ?a ?label WHERE { ?a a ?t ; skos:prefLabel ?label . FILTER(LANG(?label) = "de")
  FILTER(?t IN (kik:Organisation, kik:GovernanceBody, kik:ActorCategory, kik:Post)) } ORDER BY LCASE(?label)
"""


def setup(title_key: str, caption_key: str, role: str) -> tuple[str, str, GraphStore]:
    """Page header, role check; returns (language, account id, store)."""
    lang = page_setup(title_key, caption_key)
    session = auth_ui.require_role(role)
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    return lang, session.account, get_store()


def flash(message: str) -> None:
    """Show ``message`` after the next rerun."""
    st.session_state[_FLASH] = message


def options(store: GraphStore, kind: str) -> list[tuple[str, str]]:
    """(IRI, display text) of all measures, goals or actors."""
    if kind == "measure":
        return [(str(r["m"]), f"{r['notation']}: {_cut(r['text'])}") for r in store.select(_MEASURES).rows]
    if kind == "goal":
        return [(str(r["g"]), f"{r['notation']}: {_cut(r['text'])}") for r in store.select(_GOALS).rows]
    return [(str(r["a"]), str(r["label"])) for r in store.select(_ACTORS).rows]


def _cut(text: object, limit: int = 90) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def pick(label: str, choices: list[tuple[str, str]], key: str, *, index: int = 0) -> str:
    """A selectbox over (value, text) choices; returns the value."""
    values = [v for v, _ in choices]
    texts = dict(choices)
    if not values:
        return ""
    return st.selectbox(label, values, index=min(index, len(values) - 1), key=key, format_func=lambda v: texts[v])


def remember(scope: str, resources: dict[URIRef, str]) -> None:
    """Remember the versions of the resources the user is looking at in ``scope`` (checked when they save)."""
    st.session_state.setdefault(_VERSIONS, {})[scope] = {str(k): v for k, v in resources.items()}


def seen(scope: str, resource: URIRef) -> str:
    """The version of ``resource`` when the user last saw ``scope`` (empty version if it did not exist)."""
    return st.session_state.get(_VERSIONS, {}).get(scope, {}).get(str(resource), EMPTY_VERSION)


def readable(line: str) -> str:
    """One N-Triples statement for people: ``property: value``."""
    g = parse_lines(line)
    for _, p, o in g:
        return f"{short(p)}: {short(o) if isinstance(o, URIRef) else str(o)}"
    return line


def show_refusal(exc: EditRejected, lang: str) -> None:
    """Show why an edit was refused: every problem (with row and column), or the other change of a conflict."""
    if isinstance(exc, EditConflict):
        st.error(t("edit.conflict", lang))
        other = exc.other
        if other is not None:
            st.markdown(f"**{md_inline_escape(other.summary)}** – "
                        f"{md_inline_escape(other.account)}, {md_inline_escape(other.time)}")
            rows = [{t("edit.hist.before", lang): readable(x), t("edit.hist.after", lang): ""} for x in other.removed]
            rows += [{t("edit.hist.before", lang): "", t("edit.hist.after", lang): readable(x)} for x in other.added]
            if rows:
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        else:
            st.markdown(md_inline_escape(exc))
        st.info(t("edit.conflict_reload", lang))
        return
    st.error(t("edit.rejected", lang) + " " + md_inline_escape(exc.args[0]))
    if exc.problems:
        rows = [{t("edit.problem.row", lang): p.row if p.row is not None else "",
                 t("edit.problem.column", lang): p.column,
                 t("edit.problem.where", lang): (p.resource + (f" – {p.path}" if p.path else "")) if not p.column else "",
                 t("edit.problem.message", lang): p.message + (f" ({t('edit.value', lang)}: {p.value})" if p.value else "")}
                for p in exc.problems]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def run_edit(fn, lang: str) -> bool:
    """Run an edit; show success (after rerun) or the refusal. Returns True when something was saved."""
    try:
        result, summary = fn()
    except EditRejected as exc:
        show_refusal(exc, lang)
        return False
    except ValueError as exc:  # InvalidInput and friends
        st.error(t("edit.rejected", lang) + " " + md_inline_escape(exc))
        return False
    if result.change is None:
        st.info(t("edit.nochange", lang))
        return False
    flash(t("edit.saved", lang, summary=md_inline_escape(summary)))
    st.rerun()
    return True
