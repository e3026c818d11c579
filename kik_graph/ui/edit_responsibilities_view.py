"""Edit page: assign or remove actors of a measure (lead/partner, optional internal note)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from rdflib import URIRef

from kik_graph.editing import operations as op
from kik_graph.editing.state import resource_version
from kik_graph.editing.transaction import commit
from kik_graph.editing.vocab import responsibility_iri
from kik_graph.i18n import t
from kik_graph.namespaces import KIK
from kik_graph.ui import edit_common as ec

_CURRENT = """
SELECT ?r ?actor ?label ?role ?provenance ?note WHERE {
  ?r a kik:Responsibility ; kik:measure ?m ; kik:actor ?actor ; kik:role ?role .
  OPTIONAL { ?actor skos:prefLabel ?label FILTER(LANG(?label) = "de") }
  OPTIONAL { ?r kik:provenanceNote ?provenance } OPTIONAL { ?r kik:internalNote ?note }
} ORDER BY ?role ?label
"""


def render() -> None:
    """Render the responsibilities editor."""
    lang, account, store = ec.setup("edit.resp.title", "edit.resp.caption", "editor")
    measures = ec.options(store, "measure")
    preset = st.query_params.get("measure", "")
    index = next((n for n, (v, text) in enumerate(measures) if text.startswith(f"{preset}:")), 0) if preset else 0
    measure = URIRef(ec.pick(t("edit.measure", lang), measures, "resp_measure", index=index))
    rows = store.select(_CURRENT, {"m": measure}).rows
    st.subheader(t("edit.resp.current", lang))
    if rows:
        st.dataframe(pd.DataFrame([{
            t("edit.actor", lang): str(r["label"] or r["actor"]),
            t("edit.role", lang): t("edit.role_lead" if r["role"] == KIK.Lead else "edit.role_partner", lang),
            t("edit.resp.provenance", lang): str(r["provenance"] or ""), t("edit.note", lang): str(r["note"] or "")}
            for r in rows]), hide_index=True, width="stretch")
    else:
        st.info(t("edit.resp.none", lang))

    actors = ec.options(store, "actor")
    with st.form("resp_assign"):
        actor = ec.pick(t("edit.actor", lang), actors, "resp_actor")
        role = st.radio(t("edit.role", lang), ["lead", "partner"], horizontal=True, key="resp_role",
                        format_func=lambda r: t(f"edit.role_{r}", lang))
        note = st.text_area(t("edit.note", lang), max_chars=2000, key="resp_note")
        if st.form_submit_button(t("edit.resp.assign", lang), type="primary") and actor:
            resource = responsibility_iri(measure, URIRef(actor))

            def assign():
                tx = op.build_assign(store, measure, URIRef(actor), role, note, expected_version=ec.seen(str(measure), resource))
                return commit(store, tx, account), tx.summary
            ec.run_edit(assign, lang)

    if rows:
        with st.form("resp_remove"):
            labels = {str(r["actor"]): str(r["label"] or r["actor"]) for r in rows}
            which = st.selectbox(t("edit.resp.remove_which", lang), list(labels), format_func=lambda a: labels[a],
                                 key="resp_remove_actor")
            if st.form_submit_button(t("edit.resp.remove", lang)):
                resource = responsibility_iri(measure, URIRef(which))

                def remove():
                    tx = op.build_unassign(store, measure, URIRef(which), expected_version=ec.seen(str(measure), resource))
                    return commit(store, tx, account), tx.summary
                ec.run_edit(remove, lang)
    ec.remember(str(measure), {URIRef(str(r["r"])): resource_version(store, URIRef(str(r["r"]))) for r in rows})
