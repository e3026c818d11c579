"""Edit page: import services, responsibilities, statuses or indicators from CSV/XLSX (all or nothing)."""

from __future__ import annotations

import streamlit as st

from kik_graph import imports
from kik_graph.editing.errors import EditRejected
from kik_graph.i18n import t
from kik_graph.imports.kinds import KINDS
from kik_graph.ui import edit_common as ec

_MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render() -> None:
    """Render the import page."""
    lang, account, store = ec.setup("edit.import.title", "edit.import.caption", "editor")
    kind = st.selectbox(t("edit.import.kind", lang), list(KINDS), format_func=lambda k: KINDS[k].title, key="imp_kind")
    cols = st.columns(4)
    for n, fmt in enumerate(("xlsx", "csv")):
        cols[n].download_button(f"{t('edit.import.template', lang)} ({fmt.upper()})", imports.template(kind, fmt),
                                file_name=f"vorlage-{kind}.{fmt}", mime=_MIME[fmt], key=f"imp_tpl_{fmt}")
    cols[2].download_button(f"{t('edit.import.template_data', lang)} (XLSX)", imports.template(kind, "xlsx", store=store),
                            file_name=f"{kind}.xlsx", mime=_MIME["xlsx"], key="imp_data")
    upload = st.file_uploader(t("edit.import.file", lang), type=["csv", "xlsx"], key="imp_file")
    if upload is None:
        return
    data = upload.getvalue()
    check, run = st.columns(2)
    if check.button(t("edit.import.check", lang), key="imp_check"):
        try:
            tx, _ = imports.run_import(store, account, kind, data, upload.name, dry_run=True)
        except EditRejected as exc:
            ec.show_refusal(exc, lang)
        else:
            st.success(t("edit.import.ok", lang, n=sum(1 for c in tx.changes if not c.is_noop)))
    if run.button(t("edit.import.run", lang), key="imp_run", type="primary"):
        def do_import():
            tx, result = imports.run_import(store, account, kind, data, upload.name)
            return result, tx.summary
        ec.run_edit(do_import, lang)
