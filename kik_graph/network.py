"""Network views of the KIK: networkx graphs built from store queries, metrics, and offline pyvis rendering.

Views
- structure: field → goal → measure ← actor (plus "listed in the actor list of a field" and "belongs to category")
- collaboration: actors linked when they share a field, a measure or a body
- governance: bodies, posts and institutions linked by membership, representation, organisation and hierarchy
- focus: the neighbourhood of one actor or measure up to a given depth in the union of all relations

Metrics: degree, betweenness, eigenvector centrality and Louvain communities (fixed seed). Rendering uses pyvis
for the node/edge data and a template of our own with the vis-network JavaScript/CSS shipped inside the pyvis
package inlined: no CDN, no remote font, a Content-Security-Policy that forbids every network request, every
label and tooltip HTML-escaped, positions computed here (fixed seed) and physics switched off for large views.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from kik_graph.gaps import actor_type_key, query_frame
from kik_graph.store.base import GraphStore

VIEWS = ("structure", "collaboration", "focus", "governance")
METRICS = ("degree", "betweenness", "eigenvector")
ACTOR_KINDS = ("Organisation", "GovernanceBody", "ActorCategory", "Post")
NODE_KINDS = ("field", "goal", "measure", *ACTOR_KINDS)
SEED = 42
#: Views with more nodes than this are drawn with physics switched off (positions from the server only).
PHYSICS_LIMIT = 120

KIND_COLOURS = {
    "field": "#1f4e79",
    "goal": "#2e86ab",
    "measure": "#9ecae1",
    "Organisation": "#e07a1f",
    "GovernanceBody": "#8e44ad",
    "ActorCategory": "#f2c14e",
    "Post": "#c0392b",
}
KIND_SHAPES = {"field": "hexagon", "goal": "diamond", "measure": "dot", "Organisation": "dot",
               "GovernanceBody": "square", "ActorCategory": "triangle", "Post": "star"}
COMMUNITY_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                     "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6")
OTHER_COLOUR = "#bdbdbd"
ISOLATED_COLOUR = "#e0e0e0"
RELATION_STYLES = {
    "goal": {"color": "#7f9fb5"},
    "measure": {"color": "#9ecae1"},
    "Lead": {"color": "#1f6f8b", "width": 3},
    "Partner": {"color": "#1f6f8b", "dashes": True},
    "listed": {"color": "#cccccc"},
    "inCategory": {"color": "#f2c14e", "dashes": [2, 4]},
}
_VIS_DIR = Path(__file__).resolve().parent / "static" / "vis-network"


# ---------------------------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class KikTables:
    """The query results all network views are built from (see queries/*.rq)."""

    responsibilities: pd.DataFrame  # responsibility-table: one row per measure × actor
    actors: pd.DataFrame  # all-actors
    links: pd.DataFrame  # actor-links: source, relation, target
    goals: pd.DataFrame  # goals
    fields: pd.DataFrame  # fields


def load_tables(store: GraphStore) -> KikTables:
    """Run the named queries the network views need."""
    responsibilities = query_frame(store, "responsibility-table")
    responsibilities["actorType"] = responsibilities["actorType"].map(actor_type_key)
    actors = query_frame(store, "all-actors").drop_duplicates("actor").reset_index(drop=True)
    actors["actorType"] = actors["actorType"].map(actor_type_key)
    return KikTables(responsibilities=responsibilities, actors=actors, links=query_frame(store, "actor-links"),
                     goals=query_frame(store, "goals"), fields=query_frame(store, "fields"))


def _short(text: str, limit: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _add_actor(graph: nx.Graph, row: Mapping) -> None:
    graph.add_node(row["actor"], kind=row["actorType"], label=row["label"], title=row["label"],
                   detail=row.get("typeLabel") or "")


def _actor_rows(tables: KikTables, actor_types: Iterable[str] | None) -> dict[str, Mapping]:
    allowed = set(actor_types or ACTOR_KINDS)
    return {row["actor"]: row for row in tables.actors.to_dict("records") if row["actorType"] in allowed}


def structure_graph(tables: KikTables, fields: Iterable[str] | None = None,
                    actor_types: Iterable[str] | None = None) -> nx.DiGraph:
    """field → goal → measure ← actor, with actor → field (listed) and institution → category (inCategory).

    ``fields`` (codes) keeps only those fields with their goals and measures and the actors connected to them;
    ``actor_types`` keeps only actors of those kinds.
    """
    wanted = set(fields or [])
    actors = _actor_rows(tables, actor_types)
    graph = nx.DiGraph(view="structure")
    field_rows = tables.fields[tables.fields["code"].isin(wanted)] if wanted else tables.fields
    for row in field_rows.to_dict("records"):
        graph.add_node(row["field"], kind="field", label=row["code"], title=f"{row['code']} – {row['label']}",
                       detail="")
    field_of_code = dict(zip(field_rows["code"], field_rows["field"], strict=True))
    for row in tables.goals.to_dict("records"):
        if row["fieldCode"] in field_of_code:
            field = field_of_code[row["fieldCode"]]
            graph.add_node(row["goal"], kind="goal", label=row["notation"], title=row["notation"], detail=row["text"])
            graph.add_edge(field, row["goal"], relation="goal")
    for row in tables.responsibilities.drop_duplicates("measure").to_dict("records"):
        if row["goal"] in graph:
            graph.add_node(row["measure"], kind="measure", label=row["notation"], title=row["notation"],
                           detail=row["text"])
            graph.add_edge(row["goal"], row["measure"], relation="measure")
    for row in tables.responsibilities[tables.responsibilities["actor"] != ""].to_dict("records"):
        if row["measure"] in graph and row["actor"] in actors:
            _add_actor(graph, actors[row["actor"]])
            graph.add_edge(row["actor"], row["measure"], relation=actor_type_key(row["role"]) or "Partner",
                           role=row["roleLabel"])
    links = tables.links
    for row in links[links["relation"] == "listed"].to_dict("records"):
        if row["target"] in graph and row["source"] in actors:
            _add_actor(graph, actors[row["source"]])
            graph.add_edge(row["source"], row["target"], relation="listed")
    for row in links[links["relation"] == "inCategory"].to_dict("records"):
        if row["source"] in actors and row["target"] in actors and (not wanted or row["target"] in graph):
            _add_actor(graph, actors[row["source"]])
            _add_actor(graph, actors[row["target"]])
            graph.add_edge(row["source"], row["target"], relation="inCategory")
    if not wanted:
        for iri, row in actors.items():  # the full view shows every actor, connected or not
            if iri not in graph:
                _add_actor(graph, row)
    return graph


def collaboration_graph(tables: KikTables, fields: Iterable[str] | None = None,
                        actor_types: Iterable[str] | None = None) -> nx.Graph:
    """Actors linked when they share a field (listed or responsible there), a measure or a body.

    Edge attributes: ``weight`` (number of shared contexts) and ``fields`` / ``measures`` / ``bodies`` (labels).
    """
    wanted = set(fields or [])
    actors = _actor_rows(tables, actor_types)
    code_of = dict(zip(tables.fields["field"], tables.fields["code"], strict=True))
    contexts: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, label) → actors
    rows = tables.responsibilities[tables.responsibilities["actor"] != ""]
    for row in rows.to_dict("records"):
        if row["actor"] in actors and (not wanted or row["fieldCode"] in wanted):
            contexts[("measures", row["notation"])].add(row["actor"])
            contexts[("fields", row["fieldCode"])].add(row["actor"])
    links = tables.links
    for row in links[links["relation"] == "listed"].to_dict("records"):
        code = code_of.get(row["target"], "")
        if row["source"] in actors and (not wanted or code in wanted):
            contexts[("fields", code)].add(row["source"])
    labels = dict(zip(tables.actors["actor"], tables.actors["label"], strict=True))
    for row in links[links["relation"].isin(["memberOf", "represented"])].to_dict("records"):
        body = row["target"]
        members = contexts[("bodies", labels.get(body, body))]
        if row["source"] in actors:
            members.add(row["source"])
        if body in actors:
            members.add(body)
    graph = nx.Graph(view="collaboration")
    for (kind, label), members in sorted(contexts.items()):
        for a, b in combinations(sorted(members), 2):
            if not graph.has_edge(a, b):
                graph.add_edge(a, b, weight=0, fields=[], measures=[], bodies=[])
            data = graph.edges[a, b]
            data["weight"] += 1
            data[kind].append(label)
    for iri in list(graph.nodes):
        row = actors[iri]
        graph.nodes[iri].update(kind=row["actorType"], label=row["label"], title=row["label"],
                                detail=row.get("typeLabel") or "")
    for _a, _b, data in graph.edges(data=True):
        data["relation"] = "shared"
    return graph


GOVERNANCE_RELATIONS = ("memberOf", "represented", "organizer", "linkedTo", "unitOf", "postIn", "subject")


def governance_graph(tables: KikTables, actor_types: Iterable[str] | None = None,
                     fields: Iterable[str] | None = None) -> nx.DiGraph:
    """Bodies, posts and institutions linked by membership, representation, organisation, hierarchy and topic."""
    actors = _actor_rows(tables, actor_types)
    field_rows = {row["field"]: row for row in tables.fields.to_dict("records")}
    wanted = set(fields or [])
    graph = nx.DiGraph(view="governance")
    links = tables.links
    for row in links[links["relation"].isin(GOVERNANCE_RELATIONS)].to_dict("records"):
        source, target, relation = row["source"], row["target"], row["relation"]
        if source not in actors:
            continue
        if relation == "subject":
            field = field_rows.get(target)
            if field is None or (wanted and field["code"] not in wanted):
                continue
            graph.add_node(target, kind="field", label=field["code"], title=f"{field['code']} – {field['label']}",
                           detail="")
        elif target not in actors:
            continue
        else:
            _add_actor(graph, actors[target])
        _add_actor(graph, actors[source])
        graph.add_edge(source, target, relation=relation)
    return graph


def full_graph(tables: KikTables) -> nx.Graph:
    """The union of structure and governance relations (undirected), the basis of the focus view."""
    return nx.compose(structure_graph(tables).to_undirected(), governance_graph(tables).to_undirected())


def focus_graph(tables: KikTables, center: str, depth: int = 1, actor_types: Iterable[str] | None = None,
                base: nx.Graph | None = None) -> nx.Graph:
    """Everything within ``depth`` steps of ``center`` (an actor or measure IRI); ``base`` is a precomputed
    :func:`full_graph` (it is built when not given)."""
    graph = base if base is not None else full_graph(tables)
    if center not in graph:
        raise KeyError(f"{center!r} ist nicht im Graphen.")
    allowed = set(actor_types or ACTOR_KINDS)
    keep = [n for n, d in graph.nodes(data=True) if n == center or d["kind"] not in ACTOR_KINDS or d["kind"] in allowed]
    ego = nx.ego_graph(graph.subgraph(keep), center, radius=max(1, min(int(depth), 4)))
    ego = nx.Graph(ego)
    ego.graph["view"] = "focus"
    ego.graph["center"] = center
    return ego


def build_view(tables: KikTables, view: str, *, fields: Iterable[str] | None = None,
               actor_types: Iterable[str] | None = None, center: str | None = None, depth: int = 1,
               base: nx.Graph | None = None) -> nx.Graph:
    """The graph of one of :data:`VIEWS`."""
    if view == "structure":
        return structure_graph(tables, fields, actor_types)
    if view == "collaboration":
        return collaboration_graph(tables, fields, actor_types)
    if view == "governance":
        return governance_graph(tables, actor_types, fields)
    if view == "focus":
        if not center:
            raise ValueError("Die Fokusansicht braucht eine Akteur*in oder Maßnahme als Mittelpunkt.")
        return focus_graph(tables, center, depth, actor_types, base=base)
    raise ValueError(f"Unbekannte Ansicht {view!r}. Erlaubt: {', '.join(VIEWS)}")


# ---------------------------------------------------------------------------------------------------- metrics
def eigenvector(graph: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality (unit Euclidean norm): networkx power iteration, falling back to a dense symmetric
    eigen-decomposition when it does not converge (possible on disconnected graphs)."""
    nodes = list(graph.nodes)
    if not nodes:
        return {}
    if graph.number_of_edges() == 0:
        return dict.fromkeys(nodes, 0.0)
    try:
        return nx.eigenvector_centrality(graph, max_iter=5000, tol=1e-9)
    except nx.PowerIterationFailedConvergence:
        pass
    matrix = nx.to_numpy_array(graph, nodelist=nodes, weight=None)
    values, vectors = np.linalg.eigh(matrix)
    vector = np.abs(vectors[:, int(np.argmax(values))])
    norm = float(np.linalg.norm(vector)) or 1.0
    return {n: float(v / norm) for n, v in zip(nodes, vector, strict=True)}


def communities(graph: nx.Graph, seed: int = SEED) -> dict[str, int]:
    """Louvain communities (networkx, fixed seed), numbered 1… by size (largest first); nodes without any link
    get 0 (Louvain would make each of them a community of its own)."""
    undirected = graph.to_undirected() if graph.is_directed() else graph
    if undirected.number_of_nodes() == 0:
        return {}
    linked = undirected.subgraph([n for n in undirected if undirected.degree(n) > 0])
    found = nx.community.louvain_communities(linked, weight="weight", seed=seed) if linked.number_of_nodes() else []
    ordered = sorted(found, key=lambda c: (-len(c), min(str(n) for n in c)))
    numbered = {node: index + 1 for index, members in enumerate(ordered) for node in members}
    return {node: numbered.get(node, 0) for node in undirected}


def metrics(graph: nx.Graph, seed: int = SEED, *, betweenness_samples: int | None = None) -> pd.DataFrame:
    """One row per node: node, label, kind, degree, betweenness, eigenvector, community (sorted by betweenness).

    Betweenness is exact unless ``betweenness_samples`` is given and smaller than the number of nodes: then it is
    estimated from that many source nodes chosen with the fixed seed (deterministic; used for large focus views).
    """
    undirected = nx.Graph(graph.to_undirected() if graph.is_directed() else graph)
    n = undirected.number_of_nodes()
    if n <= 2:
        betweenness = dict.fromkeys(undirected.nodes, 0.0)
    elif betweenness_samples and betweenness_samples < n:
        betweenness = nx.betweenness_centrality(undirected, k=betweenness_samples, seed=seed)
    else:
        betweenness = nx.betweenness_centrality(undirected)
    eigen = eigenvector(undirected)
    community = communities(undirected, seed)
    rows = [{"node": n, "label": d.get("label", str(n)), "kind": d.get("kind", ""),
             "degree": int(undirected.degree(n)), "betweenness": round(float(betweenness.get(n, 0.0)), 6),
             "eigenvector": round(float(eigen.get(n, 0.0)), 6), "community": int(community.get(n, 0))}
            for n, d in graph.nodes(data=True)]
    frame = pd.DataFrame(rows, columns=["node", "label", "kind", "degree", "betweenness", "eigenvector", "community"])
    return frame.sort_values(["betweenness", "degree", "label"], ascending=[False, False, True]).reset_index(drop=True)


def bridge_actors(metric_frame: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The actors with the highest betweenness ("Brückenakteure") – only actors with betweenness > 0."""
    actors = metric_frame[metric_frame["kind"].isin(ACTOR_KINDS) & (metric_frame["betweenness"] > 0)]
    return actors.sort_values(["betweenness", "label"], ascending=[False, True]).head(top).reset_index(drop=True)


def layout(graph: nx.Graph, seed: int = SEED, scale: float | None = None) -> dict[str, tuple[float, float]]:
    """Node positions in pixels, computed server-side and deterministic: a radial layout for the structure view
    (fields inside, then goals, measures, actors outside), a spring layout with a fixed seed otherwise."""
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    if graph.graph.get("view") == "structure":
        return radial_layout(graph)
    if graph.graph.get("view") == "focus" and graph.graph.get("center") in graph:
        return focus_layout(graph, graph.graph["center"])
    undirected = graph.to_undirected() if graph.is_directed() else graph
    scale = scale or max(250.0, 55.0 * math.sqrt(n))
    k = 1.6 / math.sqrt(n) if n > 1 else None
    positions = nx.spring_layout(undirected, seed=seed, k=k, iterations=60, weight=None)
    return {node: (float(x) * scale, float(y) * scale) for node, (x, y) in positions.items()}


def radial_layout(graph: nx.Graph, ring: float = 230.0) -> dict[str, tuple[float, float]]:
    """Rings by kind: fields (inner), goals, measures (each under its parent, in KIK order) and actors outside,
    each actor at the mean angle of what it is connected to (unconnected actors fill the gaps)."""
    kinds = nx.get_node_attributes(graph, "kind")
    measures = [n for n in graph if kinds.get(n) == "measure"]
    angle: dict[str, float] = {}
    step = 2 * math.pi / max(1, len(measures))
    for index, node in enumerate(measures):  # graph insertion order = KIK order
        angle[node] = index * step
    for kind, child_kind in (("goal", "measure"), ("field", "goal")):
        for node in (n for n in graph if kinds.get(n) == kind):
            children = [c for c in graph.successors(node) if kinds.get(c) == child_kind] if graph.is_directed() else []
            angle[node] = _circular_mean([angle[c] for c in children if c in angle]) if children else 0.0
    actors = [n for n in graph if kinds.get(n) in ACTOR_KINDS]
    wanted: list[tuple[float, str]] = []
    loose: list[str] = []
    for node in actors:
        around = [angle[m] for m in nx.all_neighbors(graph, node) if m in angle]
        if around:
            wanted.append((_circular_mean(around), node))
        else:
            loose.append(node)
    wanted.sort()
    slots = len(wanted) + len(loose)
    order = [node for _, node in wanted]
    # spread loose actors evenly between the anchored ones
    for i, node in enumerate(sorted(loose, key=lambda x: str(graph.nodes[x].get("label", x)))):
        order.insert(min(len(order), round((i + 0.5) * len(order) / max(1, len(loose))) + i), node)
    offset = wanted[0][0] if wanted else 0.0
    for i, node in enumerate(order):
        angle[node] = offset + i * 2 * math.pi / max(1, slots)
    radius = {"field": 0.55, "goal": 1.5, "measure": 2.6}
    positions = {}
    for node in graph:
        kind = kinds.get(node, "")
        r = radius.get(kind, 3.6 + (0.35 if order.index(node) % 2 else 0.0) if node in order else 3.6) * ring
        a = angle.get(node, 0.0)
        positions[node] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    return positions


def focus_layout(graph: nx.Graph, center: str, ring: float = 170.0) -> dict[str, tuple[float, float]]:
    """The centre in the middle, everything at distance d on ring d, each node near the node it was reached from
    (breadth-first), so neighbourhoods stay together. Linear time, deterministic."""
    undirected = graph.to_undirected() if graph.is_directed() else graph
    parents = dict(nx.bfs_predecessors(undirected, center))
    levels: dict[int, list[str]] = {}
    distance = nx.single_source_shortest_path_length(undirected, center)
    for node, d in distance.items():
        levels.setdefault(d, []).append(node)
    angle: dict[str, float] = {center: 0.0}
    positions: dict[str, tuple[float, float]] = {center: (0.0, 0.0)}
    radius = 0.0
    for d in sorted(k for k in levels if k > 0):
        nodes = sorted(levels[d], key=lambda n: (angle.get(parents.get(n), 0.0),
                                                 str(undirected.nodes[n].get("label", n))))
        radius = max(radius + ring, len(nodes) * 26.0 / (2 * math.pi))
        for index, node in enumerate(nodes):
            angle[node] = 2 * math.pi * index / len(nodes)
            positions[node] = (round(radius * math.cos(angle[node]), 1), round(radius * math.sin(angle[node]), 1))
    for node in undirected:  # not reachable (cannot happen in an ego graph): outside
        positions.setdefault(node, (round(radius + ring, 1), 0.0))
    return positions


def _circular_mean(angles: list[float]) -> float:
    if not angles:
        return 0.0
    x = sum(math.cos(a) for a in angles)
    y = sum(math.sin(a) for a in angles)
    return math.atan2(y, x) % (2 * math.pi) if (x or y) else angles[0]


# ---------------------------------------------------------------------------------------------------- rendering
def escape_label(text: object) -> str:
    """A canvas label for vis-network's ``font.multi = "html"`` mode: ``&`` and ``<`` escaped (vis-network decodes
    exactly these two entities), so text can neither open a tag nor inject markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def tooltip_html(title: str, lines: Iterable[tuple[str, str]]) -> str:
    """Tooltip markup: every piece HTML-escaped, joined with our own ``<b>``/``<br>`` only."""
    parts = [f"<b>{html.escape(str(title))}</b>"]
    parts.extend(f"{html.escape(str(k))}: {html.escape(str(v))}" if k else html.escape(str(v))
                 for k, v in lines if str(v))
    return "<br>".join(parts)


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of vis-network, from kik_graph/static/vis-network/ if vendored there, else the copy
    shipped inside the pyvis package. Raises FileNotFoundError when neither exists (never falls back to a CDN)."""
    candidates = [_VIS_DIR]
    try:
        import pyvis

        candidates.append(Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2")
    except ImportError:  # pragma: no cover - pyvis is a dependency
        pass
    for directory in candidates:
        js, css = directory / "vis-network.min.js", directory / "vis-network.css"
        if js.is_file() and css.is_file():
            # the rules with embedded images belong to the editing UI we do not use (≈ 200 kB)
            css_text = re.sub(r"[^{}]*\{[^{}]*url\([^)]*\)[^{}]*\}", "", css.read_text(encoding="utf-8"))
            # neither text may end the <script>/<style> element it is inlined into
            return (js.read_text(encoding="utf-8").replace("</script", "<\\/script"),
                    css_text.replace("</style", "<\\/style"))
    raise FileNotFoundError("vis-network.min.js nicht gefunden (weder in kik_graph/static/vis-network noch in pyvis).")


def _json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element (no </script>, no HTML-significant characters)."""
    text = json.dumps(value, ensure_ascii=False)
    for ch, repl in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(ch, repl)
    return text


def _scaled(values: Mapping[str, float], low: float = 8.0, high: float = 38.0) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(values, low + 4)
    return {n: low + (high - low) * math.sqrt(max(v, 0.0) / top) for n, v in values.items()}


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: colour, shape and text."""

    colour: str
    shape: str
    text: str


def to_pyvis(graph: nx.Graph, positions: Mapping[str, tuple[float, float]], metric_frame: pd.DataFrame, *,
             size_by: str = "degree", colour_by: str = "type", labels: Mapping[str, str] | None = None,
             height: int = 680):
    """A pyvis Network with escaped labels/tooltips, server-side positions and colours by type or community.

    ``labels`` translates kinds/relations/metric names for tooltips (keys like ``kind.measure``).
    Returns (network, legend items, id map node → int).
    """
    from pyvis.network import Network

    labels = labels or {}
    if size_by not in METRICS:
        raise ValueError(f"Unbekannte Kennzahl {size_by!r}. Erlaubt: {', '.join(METRICS)}")
    by_node = {row["node"]: row for row in metric_frame.to_dict("records")}
    sizes = _scaled({n: float(by_node[n][size_by]) for n in graph.nodes})
    physics = graph.number_of_nodes() <= PHYSICS_LIMIT
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    ids = {node: index for index, node in enumerate(graph.nodes)}
    center = graph.graph.get("center")
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "")
        row = by_node[node]
        colour = KIND_COLOURS.get(kind, "#999999") if colour_by == "type" else community_colour(int(row["community"]))
        lines = [(labels.get("kind", "kind"), labels.get(f"kind.{kind}", kind))]
        if data.get("detail"):
            lines.append(("", _short(data["detail"], 300)))
        lines += [(labels.get("metric.degree", "degree"), str(int(row["degree"]))),
                  (labels.get("metric.betweenness", "betweenness"), f"{row['betweenness']:.3f}"),
                  (labels.get("metric.eigenvector", "eigenvector"), f"{row['eigenvector']:.3f}"),
                  (labels.get("community", "community"), str(int(row["community"])))]
        x, y = positions.get(node, (0.0, 0.0))
        net.add_node(ids[node], label=escape_label(_short(data.get("label", node))),
                     title=tooltip_html(data.get("title", data.get("label", node)), lines),
                     shape=KIND_SHAPES.get(kind, "dot"), color=colour, size=round(sizes[node], 1),
                     x=round(x, 1), y=round(y, 1), borderWidth=4 if node == center else 1,
                     font={"size": 14 if kind in ("field", "goal") or node == center else 11})
    directed = graph.is_directed()
    for source, target, data in graph.edges(data=True):
        relation = data.get("relation", "")
        style = dict(RELATION_STYLES.get(relation, {"color": "#bbbbbb"}))
        title_lines = [(labels.get("relation", "relation"), labels.get(f"relation.{relation}", relation))]
        for kind in ("fields", "measures", "bodies"):
            if data.get(kind):
                title_lines.append((labels.get(f"shared.{kind}", kind), ", ".join(map(str, data[kind]))))
        options = {"title": tooltip_html(f"{graph.nodes[source].get('label', source)} – "
                                         f"{graph.nodes[target].get('label', target)}", title_lines),
                   "arrows": "to" if directed else "", **style}
        if "weight" in data and not directed:
            options["value"] = int(data["weight"])
        net.add_edge(ids[source], ids[target], **options)
    net.options = {
        "physics": ({"enabled": True, "solver": "barnesHut", "stabilization": {"enabled": True, "iterations": 150},
                     "barnesHut": {"gravitationalConstant": -4000, "springLength": 120}}
                    if physics else {"enabled": False}),
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": graph.number_of_nodes() > 200,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"multi": "html", "face": "sans-serif"}, "borderWidth": 1},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 6}, "color": {"inherit": False}},
        "layout": {"improvedLayout": False, "randomSeed": SEED},
    }
    legend = _legend(graph, metric_frame, colour_by, labels)
    return net, legend, ids


def _legend(graph: nx.Graph, metric_frame: pd.DataFrame, colour_by: str, labels: Mapping[str, str]) -> list[LegendItem]:
    if colour_by == "type":
        kinds = {d.get("kind", "") for _, d in graph.nodes(data=True)}
        return [LegendItem(KIND_COLOURS[k], KIND_SHAPES[k], labels.get(f"kind.{k}", k)) for k in NODE_KINDS if k in kinds]
    items = []
    rest = 0
    for community, members in metric_frame.groupby("community"):
        community = int(community)
        if community == 0:
            continue
        if community > len(COMMUNITY_COLOURS):
            rest += len(members)
            continue
        top = members.sort_values(["degree", "label"], ascending=[False, True])["label"].head(2)
        text = labels.get("community_item", "{n}: {size} – {examples}").format(
            n=community, size=len(members), examples=", ".join(_short(x, 28) for x in top))
        items.append(LegendItem(community_colour(community), "dot", text))
    if rest:
        items.append(LegendItem(OTHER_COLOUR, "dot", labels.get("community_rest", "{size}").format(size=rest)))
    isolated = int((metric_frame["community"] == 0).sum())
    if isolated:
        items.append(LegendItem(ISOLATED_COLOUR, "dot",
                                labels.get("community_isolated", "{size}").format(size=isolated)))
    return items


def community_colour(community: int) -> str:
    """Colour of a community number (0 = no links, beyond the palette = 'other')."""
    if community <= 0:
        return ISOLATED_COLOUR
    return COMMUNITY_COLOURS[community - 1] if community <= len(COMMUNITY_COLOURS) else OTHER_COLOUR


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>{title}</title>
<style>{css}</style>
<style>
 html, body {{ margin: 0; padding: 0; font-family: "Source Sans Pro", "DejaVu Sans", sans-serif; color: #262730; }}
 #kik-network {{ box-sizing: border-box; width: 100%; height: {height}px; border: 1px solid #d6d6d6; border-radius: 6px; background: #fff; }}
 #kik-legend {{ display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 6px 2px; font-size: 13px; }}
 #kik-legend span.swatch {{ display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px;
   border-radius: 2px; }}
 div.vis-tooltip {{ max-width: 420px; white-space: normal; font-size: 13px; line-height: 1.35; }}
</style>
<script>{js}</script>
</head><body>
<div id="kik-legend" aria-label="{legend_title}">{legend}</div>
<div id="kik-network" role="img" aria-label="{title}"></div>
<script>
(function () {{
  "use strict";
  var nodes = {nodes};
  var edges = {edges};
  var options = {options};
  // tooltips arrive HTML-escaped from the server; turn them into elements (vis-network shows strings as text)
  function tip(escaped) {{ var d = document.createElement("div"); d.innerHTML = escaped; return d; }}
  nodes.forEach(function (n) {{ if (n.title) {{ n.title = tip(n.title); }} }});
  edges.forEach(function (e) {{ if (e.title) {{ e.title = tip(e.title); }} }});
  var started = performance.now();
  var container = document.getElementById("kik-network");
  var network = new vis.Network(container, {{ nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }}, options);
  network.once("afterDrawing", function () {{
    window.kikDrawMs = performance.now() - started;  // drawing only
    window.kikReadyMs = performance.now();  // since this document started loading (parse + script + draw)
    document.body.setAttribute("data-drawn", "1");
  }});
  window.kikNetwork = network;
}})();
</script>
</body></html>
"""


def render_html(net, legend: Iterable[LegendItem], *, title: str, legend_title: str = "", lang: str = "de",
                height: int = 680) -> str:
    """The complete, self-contained HTML page of a pyvis network (no external reference of any kind)."""
    js, css = vis_assets()
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    legend_html = "".join(
        f'<span><span class="swatch" style="background:{html.escape(item.colour)}"></span>{html.escape(item.text)}</span>'
        for item in legend)
    options_value = json.loads(options) if isinstance(options, str) else options
    return _TEMPLATE.format(lang=html.escape(lang), title=html.escape(title), legend_title=html.escape(legend_title),
                            css=css, js=js,
                            height=int(height), legend=legend_html, nodes=_json_for_script(nodes),
                            edges=_json_for_script(edges), options=_json_for_script(options_value))
