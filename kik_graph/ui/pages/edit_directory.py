"""Edit page: services (all directory fields, "verified today") and institutions."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_directory_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-verzeichnis", title_key="edit.dir.title", render=render,
                  section_key="edit.section", icon="🏢", public=False, order=330)]
