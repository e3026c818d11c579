"""Office page 2 – Wer macht was: actors of a field, goal or measure; measures, goals and fields of an actor;
filters by target group and NAP-I phase; actor × field matrix as a heatmap. All state lives in the URL."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.office_who_view import render as render_view

    render_view()

PAGES = [PageSpec(key="wer-macht-was", title_key="office.who.title", render=render, section_key="office.section",
                  public=False, order=20)]
