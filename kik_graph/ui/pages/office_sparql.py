"""Office page 5 – SPARQL: an editor pre-filled with the named queries of queries/, read-only, limited."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.office_sparql_view import render as render_view

    render_view()

PAGES = [PageSpec(key="sparql", title_key="office.sparql.title", render=render, section_key="office.section",
                  public=False, order=50)]
