"""Edit page: import services, responsibilities, statuses or indicators from CSV/XLSX (all or nothing)."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_import_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-import", title_key="edit.import.title", render=render,
                  section_key="edit.section", icon="📥", public=False, order=340)]
