"""Office page 4 – Netzwerk: structure, collaboration, focus and governance views (networkx + pyvis, offline)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from kik_graph import network
from kik_graph.i18n import t
from kik_graph.namespaces import KIKD
from kik_graph.ui import office_data
from kik_graph.ui.common import get_store
from kik_graph.ui.office_base import (
    field_label,
    multiselect,
    page_setup,
    radio,
    resource_key,
    select,
    shorten,
    slider,
    type_label,
)
from kik_graph.ui.office_tables import downloads, labelled, table

COLOUR_MODES = ("type", "community")
DEFAULT_FOCUS = "organisation/amt-fuer-integration"
HEIGHT = 680


@st.cache_resource(show_spinner=False, max_entries=4)
def tables(version: str) -> network.KikTables:
    """The query results the network views are built from (once per data version)."""
    return network.load_tables(get_store())


@st.cache_resource(show_spinner=False, max_entries=4)
def full_graph(version: str) -> nx.Graph:
    """The union of all relations (basis of the focus view), built once per data version."""
    return network.full_graph(tables(version))


@st.cache_resource(show_spinner=False, max_entries=4)
def full_metrics(version: str) -> pd.DataFrame:
    """Degree, betweenness, eigenvector and community of every node in the whole network (exact, once)."""
    return network.metrics(full_graph(version))


@st.cache_resource(show_spinner=False, max_entries=48)
def view_data(version: str, view: str, fields: tuple[str, ...], types: tuple[str, ...], center: str,
              depth: int) -> tuple[nx.Graph, pd.DataFrame, dict]:
    """Graph, metrics and server-side positions of one view (cached; treat as read-only)."""
    graph = network.build_view(tables(version), view, fields=fields, actor_types=types, center=center or None,
                               depth=depth, base=full_graph(version) if view == "focus" else None)
    if view == "focus":  # the metrics of the whole network: comparable between focus views, and no recomputation
        whole = full_metrics(version)
        return graph, whole[whole["node"].isin(set(graph.nodes))].reset_index(drop=True), network.layout(graph)
    return graph, network.metrics(graph), network.layout(graph)


def labels(lang: str) -> dict[str, str]:
    """Translated names used inside the network (tooltips and legend)."""
    names = {"kind": t("office.col.kind", lang), "relation": t("office.network.relation", lang),
             "community": t("office.col.community", lang),
             "community_item": t("office.network.community_item", lang),
             "community_rest": t("office.network.community_rest", lang),
             "community_isolated": t("office.network.community_isolated", lang)}
    for kind in network.NODE_KINDS:
        names[f"kind.{kind}"] = t(f"office.network.kind.{kind}", lang)
    for metric in network.METRICS:
        names[f"metric.{metric}"] = t(f"office.col.{metric}", lang)
    for relation in ("goal", "measure", "Lead", "Partner", "listed", "inCategory", "shared",
                     *network.GOVERNANCE_RELATIONS):
        names[f"relation.{relation}"] = t(f"office.network.rel.{relation}", lang)
    for kind in ("fields", "measures", "bodies"):
        names[f"shared.{kind}"] = t(f"office.network.shared.{kind}", lang)
    return names


@st.cache_resource(show_spinner=False, max_entries=48)
def view_html(version: str, view: str, fields: tuple[str, ...], types: tuple[str, ...], center: str, depth: int,
              size_by: str, colour_by: str, lang: str) -> str:
    """The self-contained HTML of one view (cached)."""
    graph, metric_frame, positions = view_data(version, view, fields, types, center, depth)
    net, legend, _ids = network.to_pyvis(graph, positions, metric_frame, size_by=size_by, colour_by=colour_by,
                                         labels=labels(lang), height=HEIGHT)
    return network.render_html(net, legend, title=t(f"office.network.view_{view}", lang),
                               legend_title=t("office.network.legend", lang), lang=lang, height=HEIGHT)


def _focus_options(version: str, lang: str) -> tuple[list[str], dict[str, str]]:
    actors = office_data.actors(version)
    measures = office_data.measures(version)
    names = {resource_key(a): f"{label} ({type_label(kind, lang)})"
             for a, label, kind in zip(actors["actor"], actors["label"], actors["actorType"], strict=True)}
    ordered = sorted(names, key=lambda k: names[k].casefold())
    measure_names = {resource_key(m): f"{n} – {shorten(text, 60)}"
                     for m, n, text in zip(measures["measure"], measures["notation"], measures["text"], strict=True)}
    names.update(measure_names)
    return ordered + list(measure_names), names


def render() -> None:
    """Render the network page."""
    lang = page_setup("office.network.title", "office.network.caption")
    version = office_data.version()
    view = radio(t("office.network.view", lang), "view", network.VIEWS,
                 format_func=lambda v: t(f"office.network.view_{v}", lang))
    st.caption(t(f"office.network.about_{view}", lang))
    field_names = office_data.field_labels(version, lang)
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    fields = multiselect(t("office.filter.fields", lang), "fields", list(field_names),
                         format_func=lambda c: field_label(c, field_names, lang), container=c1)
    types = multiselect(t("office.filter.actor_types", lang), "types", list(network.ACTOR_KINDS),
                        format_func=lambda v: type_label(v, lang), container=c2)
    size_by = select(t("office.network.size_by", lang), "size", list(network.METRICS),
                     format_func=lambda m: t(f"office.col.{m}", lang), container=c3)
    colour_by = select(t("office.network.colour_by", lang), "colour", list(COLOUR_MODES),
                       format_func=lambda m: t(f"office.network.colour_{m}", lang), container=c4)
    center, depth = "", 1
    if view == "focus":
        options, names = _focus_options(version, lang)
        f1, f2 = st.columns([3, 1])
        key = select(t("office.network.focus", lang), "focus", options,
                     default=DEFAULT_FOCUS if DEFAULT_FOCUS in names else options[0],
                     format_func=lambda k: names.get(k, k), container=f1)
        depth = slider(t("office.network.depth", lang), "depth", 1, 3, 1, container=f2,
                       help=t("office.network.depth_help", lang))
        center = str(KIKD[key])

    key_args = (version, view, tuple(fields), tuple(types), center, depth)
    graph, metric_frame, _positions = view_data(*key_args)
    if graph.number_of_nodes() == 0:
        st.info(t("office.network.empty", lang))
        return
    physics = graph.number_of_nodes() <= network.PHYSICS_LIMIT
    st.caption(t("office.network.stats", lang, nodes=graph.number_of_nodes(), edges=graph.number_of_edges(),
                 communities=int(metric_frame["community"].max()), isolated=int((metric_frame["community"] == 0).sum()),
                 physics=t("office.network.physics_on" if physics else "office.network.physics_off", lang)))
    st.iframe(view_html(*key_args, size_by, colour_by, lang), height="content",
              alt=t("office.network.alt", lang, view=t(f"office.network.view_{view}", lang)))

    st.subheader(t("office.network.bridges", lang))
    st.caption(t("office.network.bridges_caption", lang))
    bridges = network.bridge_actors(metric_frame, 10).assign(
        kind=lambda f: f["kind"].map(lambda k: type_label(k, lang)))
    table(bridges, lang, name=f"brueckenakteure-{view}", key="network_bridges",
          columns=["label", "kind", "betweenness", "degree", "eigenvector", "community"])
    st.markdown(f"**{t('office.network.all_metrics', lang)}**")
    everything = metric_frame.assign(kind=lambda f: f["kind"].map(lambda k: t(f"office.network.kind.{k}", lang)
                                                                  if k else ""))
    downloads(labelled(everything, lang, ["label", "kind", "degree", "betweenness", "eigenvector", "community"]),
              f"kennzahlen-{view}", lang, key="network_metrics")
