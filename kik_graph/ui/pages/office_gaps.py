"""Office page 3 – Verantwortungslücken: every gap list counted, explained in one sentence and downloadable."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.office_gaps_view import render as render_view

    render_view()

PAGES = [PageSpec(key="verantwortungsluecken", title_key="office.gaps.title", render=render,
                  section_key="office.section", public=False, order=30)]
