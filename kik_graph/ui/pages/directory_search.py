"""Public page – Angebotsverzeichnis: search, filters, result cards, detail, print view and feedback form.

In directory mode (``KIK_GRAPH_MODE=directory``) it is the app's start page and the only page shown.
"""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec, directory_mode


def render() -> None:
    """Render the page (the implementation and its imports are loaded on first use)."""
    from kik_graph.ui.directory_view import render_page

    render_page()


PAGES = [PageSpec(key="angebote", title_key="directory.search.title", render=render, section_key="directory.section",
                  icon="🔎", public=True, order=70, default=directory_mode())]
