"""Edit page: indicators (Kenngrößen) of a goal."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from rdflib import URIRef

from kik_graph.editing import operations as op
from kik_graph.editing.state import resource_version
from kik_graph.editing.transaction import commit
from kik_graph.i18n import t
from kik_graph.ui import edit_common as ec

_INDICATORS = """
SELECT ?i ?name ?unit ?baseline ?target ?current ?date ?source WHERE {
  ?i a kik:Indicator ; kik:indicatorFor ?g ; skos:prefLabel ?name .
  OPTIONAL { ?i kik:measurementUnit ?unit } OPTIONAL { ?i kik:baselineValue ?baseline }
  OPTIONAL { ?i kik:targetValue ?target } OPTIONAL { ?i kik:currentValue ?current }
  OPTIONAL { ?i dcterms:date ?date } OPTIONAL { ?i kik:dataSource ?source }
} ORDER BY ?name
"""
_FIELDS = ("name", "unit", "baseline", "target", "current", "date", "source")


def render() -> None:
    """Render the indicator editor."""
    lang, account, store = ec.setup("edit.ind.title", "edit.ind.caption", "editor")
    goal = URIRef(ec.pick(t("edit.goal", lang), ec.options(store, "goal"), "ind_goal"))
    rows = store.select(_INDICATORS, {"g": goal}).rows
    if rows:
        st.dataframe(pd.DataFrame([{t(f"edit.ind.{f}", lang): str(r[f] or "") for f in _FIELDS} for r in rows]),
                     hide_index=True, width="stretch")
    else:
        st.info(t("edit.ind.none", lang))
    choices = [("", t("edit.ind.new", lang))] + [(str(r["i"]), str(r["name"])) for r in rows]
    which = ec.pick(t("edit.ind.which", lang), choices, "ind_which")
    row = next((r for r in rows if str(r["i"]) == which), None)
    value = {f: ("" if row is None or row[f] is None else str(row[f])) for f in _FIELDS}
    with st.form(f"ind_form_{which or 'new'}"):
        name = st.text_input(t("edit.ind.name", lang), value=value["name"], max_chars=200)
        unit = st.text_input(t("edit.ind.unit", lang), value=value["unit"], max_chars=100)
        cols = st.columns(3)
        baseline = cols[0].text_input(t("edit.ind.baseline", lang), value=value["baseline"], max_chars=30)
        target = cols[1].text_input(t("edit.ind.target", lang), value=value["target"], max_chars=30)
        current = cols[2].text_input(t("edit.ind.current", lang), value=value["current"], max_chars=30)
        date = st.text_input(t("edit.ind.date", lang), value=value["date"], max_chars=10)
        source = st.text_input(t("edit.ind.source", lang), value=value["source"], max_chars=500)
        save = st.form_submit_button(t("edit.ind.save", lang), type="primary")
        delete = st.form_submit_button(t("edit.ind.delete", lang), disabled=row is None)
    versions = {URIRef(str(r["i"])): resource_version(store, URIRef(str(r["i"]))) for r in rows}
    if save:
        def do_save():
            data = op.IndicatorInput(goal=goal, name=name, unit=unit, baseline=baseline, target=target,
                                     current=current, date=date, source=source)
            node = URIRef(which) if which else None
            tx = op.build_indicator(store, data, indicator=node,
                                    expected_version=ec.seen(str(goal), node) if node else None)
            return commit(store, tx, account), tx.summary
        ec.run_edit(do_save, lang)
    if delete and row is not None:
        def do_delete():
            tx = op.build_delete_indicator(store, URIRef(which), expected_version=ec.seen(str(goal), URIRef(which)))
            return commit(store, tx, account), tx.summary
        ec.run_edit(do_delete, lang)
    ec.remember(str(goal), versions)
