"""Report page: the KIK status report (preview, downloads as Markdown/HTML/PDF, mark as issued)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from kik_graph.auth.accounts import has_role
from kik_graph.editing.history import display_time
from kik_graph.i18n import t
from kik_graph.report import MEDIA_TYPES, collect, last_report_time, record_report
from kik_graph.report import render as render_report
from kik_graph.report.data import share_done
from kik_graph.ui import edit_common as ec


def render() -> None:
    """Render the status report page."""
    lang, _account, store = ec.setup("report.title", "report.caption", "viewer")
    last = last_report_time(store)
    st.caption(t("report.last", lang, date=display_time(last.isoformat())) if last else t("report.never", lang))
    default = last.astimezone(ZoneInfo("Europe/Berlin")).date() if last else dt.date(2021, 11, 18)
    since_day = st.date_input(t("report.since", lang), value=default, format="DD.MM.YYYY", key="report_since")
    notes = st.checkbox(t("report.notes", lang), key="report_notes")
    since = dt.datetime.combine(since_day, dt.time.min, tzinfo=ZoneInfo("Europe/Berlin"))
    data = collect(store, since=since, include_notes=notes)
    done, total, percent = share_done(data.counts)
    cols = st.columns(3)
    cols[0].metric(t("report.done_share", lang), f"{done} / {total}", f"{percent:.0f} %", delta_color="off")
    downloads = st.columns(3)
    for n, fmt in enumerate(("pdf", "html", "md")):
        downloads[n].download_button(t("report.download", lang, fmt=fmt.upper()), lambda f=fmt: render_report(data, f),
                                     file_name=f"sachstandsbericht-{data.generated.isoformat()}.{fmt}",
                                     mime=MEDIA_TYPES[fmt], key=f"report_dl_{fmt}")
    if has_role(ec.auth_ui.current_role(), "editor") and st.button(t("report.issue", lang), key="report_issue"):
        record_report(store, since=since)
        st.success(t("report.issued", lang))
    st.html(render_report(data, "html").decode("utf-8").split("<body>", 1)[-1].rsplit("</body>", 1)[0])
