"""Office page – directory: failed searches, „Angabe falsch / fehlt“ reports and the data-completeness list.

Internal (``public=False``): never shown in directory mode.
"""

from __future__ import annotations

from kik_graph.ui.navigation import PageSpec


def render() -> None:
    """Render the page (the implementation is loaded on first use)."""
    from kik_graph.ui.directory_office_view import render_office

    render_office()


PAGES = [PageSpec(key="verzeichnis-amt", title_key="directory.office.title", render=render,
                  section_key="office.section", public=False, order=60)]
