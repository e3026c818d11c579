"""Report page: the KIK status report (preview, downloads as Markdown/HTML/PDF, mark as issued)."""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation and its heavy imports are loaded on first use)."""
    from kik_graph.ui.report_status_view import render as render_view

    render_view()


PAGES = [PageSpec(key="bericht", title_key="report.title", render=render, section_key="report.section",
                  icon="📄", public=False, order=200)]
