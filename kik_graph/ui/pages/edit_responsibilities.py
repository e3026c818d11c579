"""Edit page: assign or remove actors of a measure (lead/partner, optional internal note)."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_responsibilities_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bearbeiten-zustaendigkeiten", title_key="edit.resp.title", render=render,
                  section_key="edit.section", icon="✏️", public=False, order=300)]
