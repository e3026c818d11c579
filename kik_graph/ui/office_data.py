"""Derived tables of the office pages, computed from the store and cached.

Every cached function takes the data ``version`` (fingerprint of graph_data/ plus the number of triples in the
KIK graph), so edits to the store invalidate the caches; everything else is computed once per process.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from rdflib import Literal

from kik_graph import gaps as gaps_module
from kik_graph.ui import office_light
from kik_graph.ui.common import get_store

#: Actor classes in display order (short keys as in gaps.actor_type_key).
ACTOR_TYPES = ("Organisation", "GovernanceBody", "ActorCategory", "Post")
_TTL = 600


def version() -> str:
    """The data version token (see office_light.version)."""
    return office_light.version()


def _frame(name: str, params: dict[str, str] | None = None) -> pd.DataFrame:
    return gaps_module.query_frame(get_store(), name, params)


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def fields(version: str) -> pd.DataFrame:
    """The six fields with counts (code, label, goals, measures, measuresWithLead)."""
    return _frame("fields").drop(columns=["introduction"])


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def field_labels(version: str, lang: str = "de") -> dict[str, str]:
    """Field code → label in ``lang`` (English where the data has it, else German)."""
    frame = fields(version)
    return {code: office_light.localised(version, iri, label, lang)
            for code, iri, label in zip(frame["code"], frame["field"], frame["label"], strict=True)}


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def phases(version: str) -> pd.DataFrame:
    """The five NAP-I phases with fields and measure counts (phase I with 0)."""
    return _frame("phases")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def goals(version: str) -> pd.DataFrame:
    """All goals with counts."""
    return _frame("goals")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def responsibilities(version: str) -> pd.DataFrame:
    """All measures, one row per (measure, actor); measures without actor once with empty actor columns."""
    frame = _frame("responsibility-table")
    frame["actorType"] = frame["actorType"].map(gaps_module.actor_type_key)
    return frame


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def measures(version: str) -> pd.DataFrame:
    """One row per measure (notation, text, goal, field) in KIK order."""
    frame = responsibilities(version)
    return frame.drop_duplicates("measure")[["measure", "notation", "text", "goal", "goalNotation", "goalText",
                                             "field", "fieldCode", "fieldLabel"]].reset_index(drop=True)


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def facets(version: str) -> pd.DataFrame:
    """measure, kind ('group' / 'phase'), value (IRI), valueLabel, evidenceType."""
    return _frame("measure-facets")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def target_groups(version: str) -> pd.DataFrame:
    """All target groups with measure counts."""
    return _frame("target-groups")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def actors(version: str) -> pd.DataFrame:
    """All actors with type, parent, annex entry and counts of leads, partner roles and listings."""
    frame = _frame("all-actors")
    frame["actorType"] = frame["actorType"].map(gaps_module.actor_type_key)
    return frame.drop_duplicates("actor").reset_index(drop=True)


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def links(version: str) -> pd.DataFrame:
    """All actor/body/field relations (source, relation, target) used by the network and actor views."""
    return _frame("actor-links")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def themes(version: str) -> pd.DataFrame:
    """The four cross-cutting themes with their verbatim description."""
    return _frame("cross-cutting-themes")


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def measure_notes(version: str) -> dict[str, list[str]]:
    """Editorial notes on measures (e.g. why no responsibility is recorded): measure IRI → notes."""
    result = get_store().select("SELECT ?m ?note WHERE { ?m a kik:Measure ; kik:note ?note }")
    notes: dict[str, list[str]] = {}
    for row in result.rows:
        notes.setdefault(str(row["m"]), []).append(str(row["note"]) if isinstance(row["note"], Literal) else "")
    return notes


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def field_actors(version: str, field: str) -> pd.DataFrame:
    """The actors listed for one field."""
    frame = _frame("actors-by-field", {"field": field})
    frame["actorType"] = frame["actorType"].map(gaps_module.actor_type_key)
    return frame


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=64)
def gap(version: str, key: str, min_leads: int = gaps_module.DEFAULT_MIN_LEADS) -> gaps_module.Gap:
    """One responsibility gap (see kik_graph.gaps); only "actors_with_many_leads" depends on ``min_leads``."""
    return gaps_module.gap(get_store(), key, min_leads=min_leads)


def all_gaps(version: str, min_leads: int = gaps_module.DEFAULT_MIN_LEADS) -> list[gaps_module.Gap]:
    """Every responsibility gap, each cached on its own (changing the threshold recomputes one list only)."""
    return [gap(version, key, min_leads if key == "actors_with_many_leads" else gaps_module.DEFAULT_MIN_LEADS)
            for key in gaps_module.SPECS]


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def actor_index(version: str) -> dict[str, dict]:
    """Actor IRI → its row of :func:`actors` as a dict (label, actorType, typeLabel, parentLabel, annexLabel, …)."""
    return {row["actor"]: row for row in actors(version).to_dict("records")}


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def categories_of(version: str) -> dict[str, list[str]]:
    """Actor IRI → IRIs of the actor categories it belongs to (kik:inCategory)."""
    frame = links(version)
    result: dict[str, list[str]] = {}
    for source, target in zip(frame[frame["relation"] == "inCategory"]["source"],
                              frame[frame["relation"] == "inCategory"]["target"], strict=True):
        result.setdefault(source, []).append(target)
    return result


def actor_measures(version: str, actor: str) -> pd.DataFrame:
    """Measures of one actor, directly or via an actor category it belongs to (column ``viaLabel``) – the same
    answer as queries/measures-for-actor.rq, computed from the cached responsibility table."""
    rows = responsibilities(version)
    labels = {iri: row["label"] for iri, row in actor_index(version).items()}
    direct = rows[rows["actor"] == actor].assign(via="", viaLabel="")
    parts = [direct]
    for category in categories_of(version).get(actor, []):
        parts.append(rows[rows["actor"] == category].assign(via=category, viaLabel=labels.get(category, "")))
    frame = pd.concat(parts, ignore_index=True)
    columns = ["measure", "notation", "text", "role", "roleLabel", "goal", "goalNotation", "fieldCode", "via",
               "viaLabel"]
    order = {m: i for i, m in enumerate(measures(version)["measure"])}
    frame = frame.assign(_order=frame["measure"].map(order)).sort_values(["_order", "viaLabel"], kind="stable")
    return frame[columns].drop_duplicates().reset_index(drop=True)


def measures_with_facets(version: str, group: str = "", phase: str = "") -> set[str] | None:
    """IRIs of measures matching a target group (IRI) and a NAP-I phase (IRI); None when no filter is set."""
    if not group and not phase:
        return None
    frame = facets(version)
    selected: set[str] | None = None
    for kind, value in (("group", group), ("phase", phase)):
        if value:
            hits = set(frame[(frame["kind"] == kind) & (frame["value"] == value)]["measure"])
            selected = hits if selected is None else selected & hits
    return selected or set()
