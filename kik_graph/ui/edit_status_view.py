"""Edit page: the implementation status of a measure (status, date, internal note)."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from rdflib import URIRef

from kik_graph.editing import operations as op
from kik_graph.editing.state import resource_state, version_of
from kik_graph.editing.transaction import commit
from kik_graph.editing.vocab import STATUS_LABELS, STATUSES, status_iri
from kik_graph.i18n import t
from kik_graph.namespaces import DCTERMS, KIK
from kik_graph.ui import edit_common as ec
from kik_graph.ui.office_base import md_escape


def render() -> None:
    """Render the status editor."""
    lang, account, store = ec.setup("edit.status.title", "edit.status.caption", "editor")
    measures = ec.options(store, "measure")
    preset = st.query_params.get("measure", "")
    index = next((n for n, (_, text) in enumerate(measures) if text.startswith(f"{preset}:")), 0) if preset else 0
    measure = URIRef(ec.pick(t("edit.measure", lang), measures, "status_measure", index=index))
    node = status_iri(measure)
    state = resource_state(store, node)
    current = state.value(node, KIK.status)
    if current is not None:
        date = state.value(node, DCTERMS.date)
        st.info(t("edit.status.current", lang, status=f"{STATUS_LABELS.get(current, '?')} ({date})"))
        note = state.value(node, KIK.internalNote)
        if note:
            st.caption(md_escape(note))
    else:
        st.info(t("edit.status.none", lang))
    codes = [slug for _, _, slug in STATUSES]
    labels = {slug: label for _, label, slug in STATUSES}
    current_slug = next((slug for iri, _, slug in STATUSES if iri == current), codes[0])
    with st.form("status_form"):
        status = st.selectbox(t("edit.status.field", lang), codes, index=codes.index(current_slug),
                              format_func=lambda c: labels[c], key="status_value")
        day = st.date_input(t("edit.date", lang), value=dt.date.today(), key="status_date", format="DD.MM.YYYY")
        note = st.text_area(t("edit.note", lang), max_chars=2000, key="status_note")
        if st.form_submit_button(t("edit.status.save", lang), type="primary"):
            def save():
                tx = op.build_status(store, measure, status, day, note, expected_version=ec.seen(str(measure), node))
                return commit(store, tx, account), tx.summary
            ec.run_edit(save, lang)
    ec.remember(str(measure), {node: version_of(state)})
