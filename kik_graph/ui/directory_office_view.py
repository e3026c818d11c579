"""The office view of the directory: what people searched for in vain, what they reported, what is missing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kik_graph.directory import feedback, searchlog
from kik_graph.directory.model import missing_fields
from kik_graph.directory.search import get_index
from kik_graph.i18n import t
from kik_graph.store.base import StoreError
from kik_graph.ui.common import get_store
from kik_graph.ui.office_base import md_escape, page_setup


def feedback_heading(report: feedback.Feedback, lang: str) -> str:
    """Markdown heading of a report: the service name escaped (it is office-entered text, no markup)."""
    return (f"**{md_escape(report.service_label or report.service)}** – {t('directory.office.col.field', lang)}: "
            f"`{report.field.replace('`', chr(39))}` – {report.day.isoformat() if report.day else ''}")


def render_office() -> None:
    """Three sections: failed searches, reports, completeness."""
    lang = page_setup("directory.office.title", "directory.office.caption")
    try:
        store = get_store()
        failed = searchlog.failed_searches(store)
        reports = feedback.list_feedback(store)
        directory = get_index(store, public=False).directory  # the office also sees non-public services
    except StoreError as exc:
        st.error(t("common.error", lang, message=str(exc)))
        return

    st.header(t("directory.office.failed", lang))
    st.caption(t("directory.office.failed_hint", lang))
    if failed:
        st.dataframe(pd.DataFrame([{
            t("directory.office.col.text", lang): f.text, t("directory.office.col.lang", lang): f.lang,
            t("directory.office.col.count", lang): f.count, t("directory.office.col.days", lang): f.days,
            t("directory.office.col.last", lang): f.last_day.isoformat() if f.last_day else ""} for f in failed]),
            hide_index=True, width="stretch")
    else:
        st.info(t("directory.office.none", lang))

    st.header(t("directory.office.feedback", lang))
    if reports:
        for report in reports:
            with st.container(border=True):
                st.markdown(feedback_heading(report, lang))
                if report.text:
                    st.text(report.text)
                if st.button(t("directory.office.delete", lang), key=f"dir_fb_delete_{report.iri.rsplit('/', 1)[-1]}"):
                    feedback.delete(store, report.iri)
                    st.toast(t("directory.office.deleted", lang))
                    st.rerun()
    else:
        st.info(t("directory.office.none", lang))

    st.header(t("directory.office.completeness", lang))
    st.caption(t("directory.office.completeness_hint", lang))
    rows = []
    for service in directory.services:
        missing = missing_fields(service)
        rows.append({t("directory.office.col.service", lang): service.name,
                     t("directory.office.col.number", lang): len(missing),
                     t("directory.office.col.missing", lang): ", ".join(t(f"directory.field.{_field_key(m)}", lang)
                                                                       for m in missing)})
    rows.sort(key=lambda r: -r[t("directory.office.col.number", lang)])
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _field_key(name: str) -> str:
    return {"access_modes": "access"}.get(name, name)
