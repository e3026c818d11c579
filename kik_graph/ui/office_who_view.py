"""Office page 2 – Wer macht was: actors of a field, goal or measure; measures, goals and fields of an actor;
filters by target group and NAP-I phase; actor × field matrix as a heatmap. All state lives in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kik_graph.i18n import t
from kik_graph.namespaces import KIKD
from kik_graph.ui import office_charts, office_data, office_light
from kik_graph.ui.office_base import (
    field_label,
    multiselect,
    page_setup,
    radio,
    resource_key,
    select,
    shorten,
    type_label,
)
from kik_graph.ui.office_base import md_escape as _md
from kik_graph.ui.office_tables import table

VIEWS = ("measures", "actor", "matrix")
PHASES = ("1", "2", "3", "4", "5")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}


def _with_type_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    frame = frame.copy()
    if "actorType" in frame.columns:
        frame["actorTypeLabel"] = frame["actorType"].map(lambda v: type_label(v, lang))
    return frame


def _facet_filters(version: str, lang: str) -> tuple[str, str]:
    """Target-group and NAP-I-phase filters (URL parameters ``group`` and ``phase``); returns IRIs or ''."""
    groups = office_data.target_groups(version)
    group_labels = {resource_key(g): label for g, label in zip(groups["group"], groups["label"], strict=True)}
    phases = office_data.phases(version)
    phase_labels = {str(n): f"{notation} – {office_light.localised(version, iri, label, lang)}" for n, iri, notation, label
                    in zip(phases["number"], phases["phase"], phases["notation"], phases["label"], strict=True)}
    left, right = st.columns(2)
    group = select(t("office.filter.group", lang), "group", [""] + sorted(group_labels, key=group_labels.get),
                   format_func=lambda k: group_labels.get(k, "") or t("office.filter.all_groups", lang),
                   container=left)
    phase = select(t("office.filter.phase", lang), "phase", [""] + list(PHASES),
                   format_func=lambda k: phase_labels.get(k, "") or t("office.filter.all_phases", lang),
                   container=right)
    return (str(KIKD[group]) if group else "", str(KIKD[f"nap-phase/{phase}"]) if phase else "")


# ------------------------------------------------------------------------------------------------ measures view
def _measure_detail(version: str, rows: pd.DataFrame, lang: str) -> None:
    first = rows.iloc[0]
    st.subheader(t("office.who.measure_heading", lang, notation=_md(first["notation"])))
    st.markdown(f"**{t('office.col.text', lang)}:** {_md(first['text'])}")
    st.markdown(f"**{t('office.col.goalNotation', lang)} {_md(first['goalNotation'])}:** {_md(first['goalText'])}")
    st.markdown(f"**{t('office.col.fieldCode', lang)}:** {_md(first['fieldCode'])} – {_md(first['fieldLabel'])}")
    actors = rows[rows["actor"] != ""]
    if actors.empty:
        st.warning(t("office.who.no_actor", lang))
    else:
        table(_with_type_labels(actors, lang), lang, name=f"akteure-{first['notation']}", key="who_measure_actors",
              columns=["actorLabel", "actorTypeLabel", "roleLabel", "provenance", "source", "comment"])
    for note in office_data.measure_notes(version).get(first["measure"], []):
        st.info(_md(note))


def _measures_view(version: str, lang: str, group: str, phase: str) -> None:
    labels = office_data.field_labels(version, lang)
    measures = office_data.measures(version)
    goals = office_data.goals(version)
    c1, c2, c3 = st.columns(3)
    field = select(t("office.filter.field", lang), "field", [""] + list(labels),
                   format_func=lambda c: field_label(c, labels, lang), container=c1)
    goal_frame = goals if not field else goals[goals["fieldCode"] == field]
    goal_texts = dict(zip(goal_frame["notation"], goal_frame["text"], strict=True))
    goal = select(t("office.filter.goal", lang), "goal", [""] + list(goal_texts),
                  format_func=lambda g: f"{g} – {shorten(goal_texts[g], 70)}" if g else t("office.filter.all_goals", lang),
                  container=c2)
    measure_frame = measures
    if field:
        measure_frame = measure_frame[measure_frame["fieldCode"] == field]
    if goal:
        measure_frame = measure_frame[measure_frame["goalNotation"] == goal]
    measure_texts = dict(zip(measure_frame["notation"], measure_frame["text"], strict=True))
    measure = select(t("office.filter.measure", lang), "measure", [""] + list(measure_texts),
                     format_func=lambda m: f"{m} – {shorten(measure_texts[m], 70)}" if m
                     else t("office.filter.all_measures", lang), container=c3)

    rows = office_data.responsibilities(version)
    if measure:
        _measure_detail(version, rows[rows["notation"] == measure], lang)
    elif goal:
        st.subheader(t("office.who.goal_heading", lang, notation=_md(goal)))
        st.markdown(_md(goal_texts[goal]))
    elif field:
        st.subheader(t("office.who.field_actors", lang, field=_md(field_label(field, labels, lang))))
        st.caption(t("office.who.field_actors_caption", lang))
        listed = _with_type_labels(office_data.field_actors(version, field), lang)
        table(listed, lang, name=f"akteursliste-{field}", key="who_field_actors",
              columns=["actorLabel", "actorTypeLabel", "typeLabel", "parentLabel"])

    selected = rows
    if field:
        selected = selected[selected["fieldCode"] == field]
    if goal:
        selected = selected[selected["goalNotation"] == goal]
    if measure:
        selected = selected[selected["notation"] == measure]
    allowed = office_data.measures_with_facets(version, group, phase)
    if allowed is not None:
        selected = selected[selected["measure"].isin(allowed)]
    n_measures = selected["measure"].nunique()
    n_with_actor = selected[selected["actor"] != ""]["measure"].nunique()
    st.subheader(t("office.who.table_heading", lang))
    st.caption(t("office.who.table_caption", lang, measures=n_measures, with_actor=n_with_actor))
    table(_with_type_labels(selected, lang), lang, name="zustaendigkeiten", key="who_measures",
          columns=["notation", "text", "goalNotation", "fieldCode", "actorLabel", "actorTypeLabel", "roleLabel",
                   "provenance"])


# ------------------------------------------------------------------------------------------------ actor view
def _actor_view(version: str, lang: str, group: str, phase: str) -> None:
    index = office_data.actor_index(version)
    by_key = {resource_key(iri): row for iri, row in index.items()}
    ordered = _actor_order(version)

    def fmt(key: str) -> str:
        if not key:
            return t("office.filter.choose_actor", lang)
        row = by_key[key]
        return f"{row['label']} ({type_label(row['actorType'], lang)})"

    key = select(t("office.filter.actor", lang), "actor", [""] + ordered, format_func=fmt)
    if not key:
        st.info(t("office.who.actor_prompt", lang))
        return
    actor = by_key[key]
    iri = actor["actor"]
    st.subheader(_md(actor["label"]))
    facts = [f"**{t('office.col.actorTypeLabel', lang)}:** {_md(type_label(actor['actorType'], lang))}"]
    if actor["typeLabel"]:
        facts.append(f"**{t('office.col.typeLabel', lang)}:** {_md(actor['typeLabel'])}")
    if actor["parentLabel"]:
        facts.append(f"**{t('office.col.parentLabel', lang)}:** {_md(actor['parentLabel'])}")
    facts.append(f"**{t('office.col.annexLabel', lang)}:** "
                 + (_md(actor["annexLabel"]) if actor["annexLabel"] else t("office.who.not_in_annex", lang)))
    st.markdown("  \n".join(facts))

    links = office_data.links(version)
    labels = {a: row["label"] for a, row in index.items()}
    own = links[links["source"] == iri]
    memberships = own[own["relation"].isin(["memberOf", "represented", "inCategory", "unitOf", "postIn"])]
    if not memberships.empty:
        frame = pd.DataFrame({"relationLabel": [t(f"office.relation.{r}", lang) for r in memberships["relation"]],
                              "targetLabel": [labels.get(x, x) for x in memberships["target"]]})
        st.markdown(f"**{t('office.who.memberships', lang)}**")
        table(frame, lang, name=f"zugehoerigkeit-{key}", key="who_actor_memberships")

    measures = office_data.actor_measures(version, iri)
    allowed = office_data.measures_with_facets(version, group, phase)
    if allowed is not None:
        measures = measures[measures["measure"].isin(allowed)]
    st.markdown(f"**{t('office.who.actor_measures', lang, n=measures['measure'].nunique())}**")
    table(measures, lang, name=f"massnahmen-{key}", key="who_actor_measures", empty_key="office.who.no_measures",
          columns=["notation", "text", "roleLabel", "goalNotation", "fieldCode", "viaLabel"])

    goals = office_data.goals(version)
    goal_frame = goals[goals["goal"].isin(set(measures["goal"]))]
    st.markdown(f"**{t('office.who.actor_goals', lang, n=len(goal_frame))}**")
    table(goal_frame, lang, name=f"ziele-{key}", key="who_actor_goals", empty_key="office.who.no_goals",
          columns=["notation", "text", "fieldCode"])

    st.markdown(f"**{t('office.who.actor_fields', lang)}**")
    table(_actor_fields(version, iri, measures, lang), lang, name=f"handlungsfelder-{key}", key="who_actor_fields",
          empty_key="office.who.no_fields", columns=["fieldCode", "fieldLabel", "how"])


def _actor_fields(version: str, iri: str, measures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Fields of an actor and how it is connected: responsible for measures, listed, or listed via its category."""
    labels = office_data.field_labels(version, lang)
    links = office_data.links(version)
    actor_labels = {a: row["label"] for a, row in office_data.actor_index(version).items()}
    how: dict[str, list[str]] = {}
    for code, count in measures.groupby("fieldCode")["measure"].nunique().items():
        how.setdefault(code, []).append(t("office.who.how_responsible", lang, n=count))
    listed = links[links["relation"] == "listed"]
    for target in listed[listed["source"] == iri]["target"]:
        how.setdefault(target.rsplit("/", 1)[-1], []).append(t("office.who.how_listed", lang))
    categories = links[(links["relation"] == "inCategory") & (links["source"] == iri)]["target"]
    for category in categories:
        for target in listed[listed["source"] == category]["target"]:
            how.setdefault(target.rsplit("/", 1)[-1], []).append(
                t("office.who.how_via_category", lang, category=actor_labels.get(category, category)))
    order = list(labels)
    return pd.DataFrame([{"fieldCode": code, "fieldLabel": labels.get(code, code), "how": "; ".join(parts)}
                         for code, parts in sorted(how.items(), key=lambda kv: order.index(kv[0])
                                                   if kv[0] in order else 99)],
                        columns=["fieldCode", "fieldLabel", "how"])


@st.cache_data(show_spinner=False, ttl=600, max_entries=4)
def _actor_order(version: str) -> list[str]:
    """Actor keys sorted by label (the options of the actor selector)."""
    index = office_data.actor_index(version)
    return [resource_key(iri) for iri in sorted(index, key=lambda i: str(index[i]["label"]).casefold())]


# ------------------------------------------------------------------------------------------------ matrix view
@st.cache_data(show_spinner=False, ttl=600, max_entries=32)
def actor_field_matrix(version: str, group: str = "", phase: str = "") -> pd.DataFrame:
    """Long table actor × field: measures (responsibilities in that field) and listed (named in its actor list)."""
    rows = office_data.responsibilities(version)
    rows = rows[rows["actor"] != ""]
    allowed = office_data.measures_with_facets(version, group, phase)
    if allowed is not None:
        rows = rows[rows["measure"].isin(allowed)]
    counts = rows.groupby(["actor", "fieldCode"])["measure"].nunique().rename("measures").reset_index()
    links = office_data.links(version)
    listed = links[links["relation"] == "listed"][["source", "target"]].rename(columns={"source": "actor"})
    listed["fieldCode"] = listed["target"].str.rsplit("/", n=1).str[-1]
    listed = listed[["actor", "fieldCode"]].drop_duplicates().assign(listed=1)
    matrix = counts.merge(listed, on=["actor", "fieldCode"], how="outer")
    matrix["measures"] = matrix["measures"].fillna(0).astype(int)
    matrix["listed"] = matrix["listed"].fillna(0).astype(int)
    actors = office_data.actors(version)[["actor", "label", "actorType"]].rename(columns={"label": "actorLabel"})
    matrix = matrix.merge(actors, on="actor", how="left")
    return matrix.sort_values(["actorLabel", "fieldCode"]).reset_index(drop=True)


def _matrix_view(version: str, lang: str, group: str, phase: str) -> None:
    labels = office_data.field_labels(version, lang)
    left, right = st.columns(2)
    types = multiselect(t("office.filter.actor_types", lang), "types", list(office_data.ACTOR_TYPES),
                        format_func=lambda v: type_label(v, lang), container=left)
    fields = multiselect(t("office.filter.fields", lang), "fields", list(labels),
                         format_func=lambda c: field_label(c, labels, lang), container=right)
    matrix = actor_field_matrix(version, group, phase)
    if types:
        matrix = matrix[matrix["actorType"].isin(types)]
    if fields:
        matrix = matrix[matrix["fieldCode"].isin(fields)]
    if group or phase:
        # with a facet filter only responsibilities count; listings are not tied to measures
        matrix = matrix[matrix["measures"] > 0]
    st.caption(t("office.matrix.caption", lang, actors=matrix["actor"].nunique()))
    if matrix.empty:
        st.info(t("common.no_results", lang))
    else:
        st.vega_lite_chart(spec=office_charts.heatmap(matrix.to_dict("records"),
                                                      [c for c in labels if not fields or c in fields], lang),
                           width="stretch")
    pivot = matrix.assign(cell=[_cell(m, li, lang) for m, li in zip(matrix["measures"], matrix["listed"], strict=True)])
    if not pivot.empty:
        pivot = pivot.pivot_table(index="actorLabel", columns="fieldCode", values="cell", aggfunc="first",
                                  fill_value="").reset_index()
        pivot = pivot[["actorLabel"] + [c for c in labels if c in pivot.columns]]
    table(pivot, lang, name="matrix-akteure-handlungsfelder", key="who_matrix")


def _cell(measures: int, listed: int, lang: str) -> str:
    parts = []
    if listed:
        parts.append(t("office.matrix.listed_short", lang))
    if measures:
        parts.append(t("office.matrix.measures_short", lang, n=measures))
    return ", ".join(parts)


def render() -> None:
    """Render the 'Wer macht was' page."""
    lang = page_setup("office.who.title", "office.who.caption")
    version = office_data.version()
    view = radio(t("office.who.view", lang), "view", VIEWS, format_func=lambda v: t(f"office.who.view_{v}", lang))
    group, phase = _facet_filters(version, lang)
    if view == "actor":
        _actor_view(version, lang, group, phase)
    elif view == "matrix":
        _matrix_view(version, lang, group, phase)
    else:
        _measures_view(version, lang, group, phase)
