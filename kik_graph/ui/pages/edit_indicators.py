"""Edit page: indicators (Kenngrößen) of a goal."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_indicators_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-kenngroessen", title_key="edit.ind.title", render=render,
                  section_key="edit.section", icon="🎯", public=False, order=320)]
