"""Admin page: local accounts (add, role, password, remove). Only password hashes are stored."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.edit_users_view import render as render_view

    render_view()


PAGES = [PageSpec(key="verwaltung-konten", title_key="edit.users.title", render=render,
                  section_key="edit.section", icon="👥", public=False, order=390)]
