"""Edit page: the change history (who, when, what, previous value), undo, and write-back to graph_data/."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_history_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-verlauf", title_key="edit.hist.title", render=render,
                  section_key="edit.section", icon="🕘", public=False, order=350)]
