"""Network views (kik_graph.network): graphs, metrics, layout and safe offline rendering."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from kik_graph import network
from kik_graph.namespaces import KIKD

SB72 = str(KIKD["massnahme/SB-7.2"])
RUNDER_TISCH = str(KIKD["gremium/runder-tisch-der-bildungstraeger"])
STEUERUNGSGRUPPE = str(KIKD["gremium/steuerungsgruppe-kik"])


@pytest.fixture(scope="module")
def tables(store) -> network.KikTables:
    return network.load_tables(store)


def test_structure_view_has_all_fields_goals_measures_and_actors(tables) -> None:
    graph = network.structure_graph(tables)
    kinds = nx.get_node_attributes(graph, "kind")
    counts = {k: sum(1 for v in kinds.values() if v == k) for k in network.NODE_KINDS}
    assert counts["field"] == 6 and counts["goal"] == 43 and counts["measure"] == 144
    assert 340 <= graph.number_of_nodes() <= 370
    assert graph.edges[RUNDER_TISCH, SB72]["relation"] == "Lead"
    assert graph.has_edge(str(KIKD["ziel/SB-Z7"]), SB72)


def test_structure_view_filters(tables) -> None:
    graph = network.structure_graph(tables, fields=["SB"], actor_types=["GovernanceBody"])
    kinds = nx.get_node_attributes(graph, "kind")
    assert {graph.nodes[n]["label"] for n, k in kinds.items() if k == "field"} == {"SB"}
    assert all(graph.nodes[n]["label"].startswith("SB-") for n, k in kinds.items() if k in ("goal", "measure"))
    assert {k for k in kinds.values() if k in network.ACTOR_KINDS} == {"GovernanceBody"}
    assert RUNDER_TISCH in graph


def test_collaboration_view_links_actors_by_shared_contexts(tables) -> None:
    graph = network.collaboration_graph(tables)
    assert all(d["kind"] in network.ACTOR_KINDS for _, d in graph.nodes(data=True))
    # both are represented in the Steuerungsgruppe des KIK
    a, b = str(KIKD["organisation/jobcenter-kempten"]), str(KIKD["organisation/agentur-fuer-arbeit"])
    assert graph.has_edge(a, b)
    assert "Steuerungsgruppe des KIK" in graph.edges[a, b]["bodies"]
    assert all(d["weight"] == len(d["fields"]) + len(d["measures"]) + len(d["bodies"])
               for _, _, d in graph.edges(data=True))


def test_collaboration_field_filter_restricts_shared_fields(tables) -> None:
    graph = network.collaboration_graph(tables, fields=["GP"])
    assert all(set(d["fields"]) <= {"GP"} for _, _, d in graph.edges(data=True))


def test_governance_view(tables) -> None:
    graph = network.governance_graph(tables)
    represented = [s for s, t, d in graph.edges(data=True) if t == STEUERUNGSGRUPPE and d["relation"] == "represented"]
    assert len(represented) == 16
    assert any(d["relation"] == "subject" for _, _, d in graph.edges(data=True))


def test_focus_view_depth(tables) -> None:
    one = network.focus_graph(tables, SB72, depth=1)
    assert RUNDER_TISCH in one and str(KIKD["ziel/SB-Z7"]) in one
    assert one.graph["center"] == SB72
    two = network.focus_graph(tables, SB72, depth=2)
    assert set(one) < set(two)
    with pytest.raises(KeyError):
        network.focus_graph(tables, "https://example.org/nothing", depth=1)
    with pytest.raises(ValueError):
        network.build_view(tables, "focus")


def test_metrics_and_communities_are_deterministic(tables) -> None:
    graph = network.collaboration_graph(tables)
    first, second = network.metrics(graph), network.metrics(graph)
    assert first.equals(second)
    assert list(first.columns) == ["node", "label", "kind", "degree", "betweenness", "eigenvector", "community"]
    assert first["community"].min() >= 1  # everybody in the collaboration view has a link
    eig = first["eigenvector"]
    assert abs(sum(v * v for v in eig) - 1.0) < 1e-3
    assert list(first["betweenness"]) == sorted(first["betweenness"], reverse=True)


def test_isolated_nodes_have_community_zero() -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b")
    graph.add_node("c")
    assert network.communities(graph) == {"a": 1, "b": 1, "c": 0}


def test_bridge_actors_are_actors_with_betweenness(tables) -> None:
    frame = network.metrics(network.governance_graph(tables))
    bridges = network.bridge_actors(frame, 5)
    assert len(bridges) == 5
    assert bridges["kind"].isin(network.ACTOR_KINDS).all()
    assert (bridges["betweenness"] > 0).all()
    assert "Steuerungsgruppe des KIK" in set(bridges["label"])


def test_layout_is_deterministic_and_complete(tables) -> None:
    for graph in (network.structure_graph(tables), network.governance_graph(tables)):
        first, second = network.layout(graph), network.layout(graph)
        assert first == second
        assert set(first) == set(graph.nodes)
    structure = network.structure_graph(tables)
    pos = network.layout(structure)
    radius = {n: (x * x + y * y) ** 0.5 for n, (x, y) in pos.items()}
    field = str(KIKD["handlungsfeld/SB"])
    assert radius[field] < radius[str(KIKD["ziel/SB-Z7"])] < radius[SB72] < radius[RUNDER_TISCH]


def _render(graph: nx.Graph, **kwargs) -> str:
    frame = network.metrics(graph)
    net, legend, _ = network.to_pyvis(graph, network.layout(graph), frame, **kwargs)
    return network.render_html(net, legend, title="Test <b>", lang="de")


def test_rendering_is_offline_and_inline(tables) -> None:
    graph = network.structure_graph(tables)
    page = _render(graph, size_by="betweenness")
    assert "vis.Network" in page and "new vis.DataSet" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"cdnjs|jsdelivr|unpkg|googleapis|@import", page, re.I)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert '"physics": {"enabled": false}' in page  # large view: physics off, server positions
    nodes = json.loads(re.search(r"var nodes = (\[.*?\]);\n", page).group(1))
    assert len(nodes) == graph.number_of_nodes() > 300
    assert all("x" in n and "y" in n for n in nodes)


def test_small_views_keep_physics(tables) -> None:
    page = _render(network.focus_graph(tables, SB72, depth=1))
    assert '"physics": {"enabled": true' in page


def test_hostile_labels_and_tooltips_are_escaped() -> None:
    graph = nx.DiGraph(view="governance")
    hostile = '<img src=x onerror=alert(1)> </script><script>alert(2)</script> <a href="javascript:x">&'
    graph.add_node("a", kind="Organisation", label=hostile, title=hostile, detail=hostile)
    graph.add_node("b", kind="GovernanceBody", label="B", title="B", detail="")
    graph.add_edge("a", "b", relation="memberOf")
    page = _render(graph, colour_by="community", labels={"community_item": "{n} {size} {examples}"})
    body = page[page.index("<div id=\"kik-legend\""):]
    assert "<img" not in body and "<script>alert" not in body and "</script><script>" not in body
    assert 'href="javascript' not in body
    nodes = json.loads(re.search(r"var nodes = (\[.*?\]);\n", page).group(1))
    node = next(n for n in nodes if "alert(1)" in n["label"])
    assert node["label"].startswith("&lt;img")  # decoded to text by vis-network's html label mode
    assert "&lt;img src=x onerror=alert(1)&gt;" in node["title"]
    assert "<a " not in node["title"] and "<img" not in node["title"]
    assert network.escape_label("a & <b>") == "a &amp; &lt;b>"


def test_unknown_metric_is_rejected(tables) -> None:
    graph = network.governance_graph(tables)
    with pytest.raises(ValueError, match="Kennzahl"):
        network.to_pyvis(graph, network.layout(graph), network.metrics(graph), size_by="pagerank")


def test_focus_layout_puts_rings_by_distance(tables) -> None:
    graph = network.focus_graph(tables, SB72, depth=2)
    pos = network.layout(graph)
    assert pos[SB72] == (0.0, 0.0) and set(pos) == set(graph)
    radius = {n: (x * x + y * y) ** 0.5 for n, (x, y) in pos.items()}
    distance = nx.single_source_shortest_path_length(graph, SB72)
    for a in graph:
        for b in graph:
            if distance[a] < distance[b]:
                assert radius[a] < radius[b]


def test_sampled_betweenness_is_reproducible_and_close(tables) -> None:
    graph = network.structure_graph(tables)
    exact = network.metrics(graph)
    sampled = network.metrics(graph, betweenness_samples=150)
    assert sampled.equals(network.metrics(graph, betweenness_samples=150))
    top_exact = set(network.bridge_actors(exact, 5)["label"])
    top_sampled = set(network.bridge_actors(sampled, 10)["label"])
    assert len(top_exact & top_sampled) >= 3
