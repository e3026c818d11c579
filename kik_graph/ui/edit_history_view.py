"""Edit page: the change history (who, when, what, previous value), undo, and write-back to graph_data/."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kik_graph.auth.accounts import has_role
from kik_graph.editing import history
from kik_graph.editing import operations as op
from kik_graph.editing.transaction import commit
from kik_graph.editing.validation import short
from kik_graph.i18n import t
from kik_graph.params import resolve
from kik_graph.terms import InvalidInput
from kik_graph.ui import edit_common as ec
from kik_graph.ui.office_base import md_inline_escape


def expander_label(record: history.ChangeRecord, lang: str) -> str:
    """The (Markdown) label of a change: when, who, what; the summary quotes entered names, so it is escaped."""
    done = f" ({t('edit.hist.reverted', lang)})" if record.reverted_by else ""
    return md_inline_escape(f"{record.when} · {record.account} · {record.summary}") + done


def _records(store, target: str) -> list[history.ChangeRecord]:
    if not target.strip():
        return history.changes_since(store)[:200]
    value = target.strip()
    kind = "iri" if value.startswith(("http://", "https://")) else "measure"
    node = resolve(kind, value, store, name="Ressource")
    if kind == "iri":
        return history.resource_history(store, node)
    prefix = str(node).replace("/massnahme/", "/zustaendigkeit/") + "-"
    status = str(node).replace("/massnahme/", "/umsetzungsstand/")
    return [r for r in history.changes_since(store)
            if any(str(x) == status or str(x).startswith(prefix) for x in r.resources)]


def render() -> None:
    """Render the history page."""
    lang, account, store = ec.setup("edit.hist.title", "edit.hist.caption", "editor")
    session_role = ec.auth_ui.current_role()
    pending = history.pending_changes(store)
    if pending:
        st.warning(t("edit.hist.pending", lang, n=len(pending)))
        if has_role(session_role, "admin") and st.button(t("edit.hist.writeback", lang), key="hist_writeback"):
            from kik_graph.writeback import writeback

            try:
                st.success(writeback(store).text())
            except Exception as exc:  # show the reason (e.g. data invalid after merging)
                st.error(t("common.error", lang, message=str(exc)))
    target = st.text_input(t("edit.hist.filter", lang), key="hist_filter", max_chars=300)
    try:
        records = _records(store, target)
    except InvalidInput as exc:
        st.error(md_inline_escape(exc))
        return
    if not records:
        st.info(t("edit.hist.none", lang))
        return
    for record in records[:100]:
        with st.expander(expander_label(record, lang)):
            rows = []
            for rev in record.revisions:
                rows += [{t("edit.resource", lang): short(rev.resource), t("edit.hist.before", lang): ec.readable(x),
                          t("edit.hist.after", lang): ""} for x in rev.removed]
                rows += [{t("edit.resource", lang): short(rev.resource), t("edit.hist.before", lang): "",
                          t("edit.hist.after", lang): ec.readable(x)} for x in rev.added]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            if not record.reverted_by and st.button(t("edit.hist.revert", lang), key=f"revert_{record.change}"):
                def undo(change=record.change):
                    tx = op.build_revert(store, change)
                    return commit(store, tx, account), tx.summary
                ec.run_edit(undo, lang)
