"""Office page 3 – Verantwortungslücken: every gap list counted, explained in one sentence and downloadable."""

from __future__ import annotations

import io

import streamlit as st

from kik_graph import gaps as gaps_module
from kik_graph.i18n import t
from kik_graph.ui import office_data
from kik_graph.ui.office_base import field_label, md_escape, page_setup, select, slider, type_label
from kik_graph.ui.office_tables import column_label, downloads, labelled, neutralised, table

GAP_KEYS = tuple(gaps_module.SPECS)


def _display_rows(gap: gaps_module.Gap, lang: str):
    rows = gap.rows
    if "actorType" in rows.columns:
        rows = rows.assign(actorType=rows["actorType"].map(lambda v: type_label(v, lang)))
    return rows


def workbook(gaps: list[gaps_module.Gap], lang: str) -> bytes:
    """All gap lists in one Excel workbook, one sheet per gap (formulas neutralised), plus a summary sheet."""
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        summary = gaps_module.summary(gaps, lang)[["title", "count", "explanation"]]
        neutralised(summary.rename(columns={c: column_label(c, lang) for c in summary.columns})).to_excel(
            writer, index=False, sheet_name="Übersicht" if lang == "de" else "Summary")
        for number, gap in enumerate(gaps, start=1):
            neutralised(labelled(_display_rows(gap, lang), lang)).to_excel(
                writer, index=False, sheet_name=f"{number} {gap.title(lang)}"[:31].replace("*", "").replace("/", "-"))
    return buffer.getvalue()


def render() -> None:
    """Render the responsibility-gaps page."""
    lang = page_setup("office.gaps.title", "office.gaps.caption")
    version = office_data.version()
    labels = office_data.field_labels(version, lang)
    c1, c2, c3 = st.columns(3)
    chosen = select(t("office.gaps.choose", lang), "gap", list(GAP_KEYS),
                    format_func=lambda k: t(f"office.gap.{k}.title", lang), container=c1)
    field = select(t("office.filter.field", lang), "field", [""] + list(labels),
                   format_func=lambda c: field_label(c, labels, lang), container=c2)
    min_leads = slider(t("office.gaps.min_leads", lang), "min_leads", 1, 10, gaps_module.DEFAULT_MIN_LEADS,
                       container=c3, help=t("office.gaps.min_leads_help", lang))
    gaps = office_data.all_gaps(version, min_leads)
    if field:
        gaps = [gaps_module.Gap(g.key, g.rows[g.rows["fieldCode"] == field].reset_index(drop=True))
                if "fieldCode" in g.rows.columns else g for g in gaps]
        st.caption(t("office.gaps.field_note", lang))

    st.subheader(t("office.gaps.summary", lang))
    table(gaps_module.summary(gaps, lang), lang, name="luecken-uebersicht", key="gaps_summary",
          columns=["title", "count", "explanation"])

    gap = next(g for g in gaps if g.key == chosen)
    st.subheader(f"{gap.title(lang)} ({gap.count})", anchor=gap.key.replace("_", "-"))
    st.markdown(md_escape(gap.explanation(lang)))
    if gap.count == 0:
        st.success(t("office.gaps.none", lang))
    table(_display_rows(gap, lang), lang, name=gap.key.replace("_", "-"), key=f"gap_{gap.key}",
          height=None if gap.count < 12 else 420, empty_key="office.gaps.empty")

    st.subheader(t("office.gaps.all_downloads", lang))
    snapshot = list(gaps)
    st.download_button(t("office.gaps.workbook", lang), data=lambda: workbook(snapshot, lang),
                       file_name="kik-verantwortungsluecken.xlsx", key="gaps_workbook", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
    for other in gaps:
        st.markdown(f"**{md_escape(other.title(lang))}** ({other.count})")
        downloads(labelled(_display_rows(other, lang), lang), other.key.replace("_", "-"), lang,
                  key=f"gaps_download_{other.key}")
