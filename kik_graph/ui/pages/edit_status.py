"""Edit page: the implementation status of a measure (status, date, internal note)."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_status_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-umsetzungsstand", title_key="edit.status.title", render=render,
                  section_key="edit.section", icon="📈", public=False, order=310)]
