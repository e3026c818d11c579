"""Office page 4 – Netzwerk: structure, collaboration, focus and governance views (networkx + pyvis, offline)."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.office_network_view import render as render_view

    render_view()

PAGES = [PageSpec(key="netzwerk", title_key="office.network.title", render=render, section_key="office.section",
                  public=False, order=40)]
