"""Office page 1 – Überblick: key figures, measures per field and per NAP-I phase, cross-cutting themes.

The first page people see: computed from plain SPARQL rows (no pandas/altair/networkx), so it is quick right
after the server started; afterwards the other pages are warmed up in the background.
"""

from __future__ import annotations

import streamlit as st

from kik_graph.i18n import t
from kik_graph.ui import office_charts, office_light
from kik_graph.ui.navigation import PageSpec
from kik_graph.ui.office_base import md_escape, page_setup


def _percent(value: float, lang: str) -> str:
    text = f"{value * 100:.1f} %"
    return text.replace(".", ",") if lang == "de" else text


def render() -> None:
    """Render the overview page."""
    lang = page_setup("office.overview.title", "office.overview.caption")
    version = office_light.version()
    figures = office_light.key_figures(version)
    columns = st.columns(6)
    columns[0].metric(t("office.overview.fields", lang), figures["fields"])
    columns[1].metric(t("office.overview.goals", lang), figures["goals"])
    columns[2].metric(t("office.overview.measures", lang), figures["measures"])
    columns[3].metric(t("office.overview.actors", lang), figures["actors"], help=t("office.overview.actors_help", lang))
    columns[4].metric(t("office.overview.lead_share", lang), _percent(figures["lead_share"], lang),
                      help=t("office.overview.lead_share_help", lang, with_lead=figures["with_lead"],
                             measures=figures["measures"]))
    columns[5].metric(t("office.overview.open_gaps", lang), figures["open_gaps"],
                      help=t("office.overview.open_gaps_help", lang, kinds=figures["gap_kinds"],
                             total=figures["gap_kinds_total"]))

    left, right = st.columns(2)
    with left:
        st.subheader(t("office.overview.per_field", lang))
        fields = [{**row, "label": office_light.localised(version, row["field"], row["label"], lang)}
                  for row in office_light.rows(version, "fields")]
        st.markdown(office_charts.svg_measures_per_field(fields, lang), unsafe_allow_html=True)
    with right:
        st.subheader(t("office.overview.per_phase", lang))
        phases = [{**row, "label": office_light.localised(version, row["phase"], row["label"], lang)}
                  for row in office_light.rows(version, "phases")]
        st.markdown(office_charts.svg_measures_per_phase(phases, lang), unsafe_allow_html=True)
        for row in phases:
            if int(row["measures"]) == 0:
                st.warning(t("office.overview.phase_gap", lang, phase=md_escape(row["notation"]),
                             label=md_escape(row["label"])))

    st.subheader(t("office.overview.themes", lang))
    st.caption(t("office.overview.themes_caption", lang))
    for theme in office_light.rows(version, "cross-cutting-themes"):
        title = theme["label"] if lang == "de" or not theme["labelEn"] else f"{theme['labelEn']} ({theme['label']})"
        with st.expander(md_escape(title)):
            st.text(theme["definition"])
            if lang != "de":
                st.caption(t("common.german_only", lang))
            st.caption(md_escape(theme["locator"]))
    office_light.warm_up_in_background(version, lang)


# The pages are imported in the first script run of the server: start filling the office caches right away.
office_light.schedule_warm_up()

PAGES = [PageSpec(key="ueberblick", title_key="office.overview.title", render=render, section_key="office.section",
                  public=False, order=10, default=True)]
