"""The KIK status report (Sachstandsbericht): ``kik-graph report`` and the report page.

Per field and goal: the Umsetzungsgrad (share of measures by status; a measure without status counts as
„offen (nicht erfasst)“), the responsible actors, the indicators with baseline/target/current, the open
responsibility gaps and the changes since the last issued report – with charts. Account ids (personal data) are
never part of a report; internal notes only on request (``include_notes``).
"""

from __future__ import annotations

import datetime as dt

from kik_graph.report.data import ReportData, collect, last_report_time, record_report
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput

FORMATS = ("md", "html", "pdf")
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}


def render(data: ReportData, fmt: str) -> bytes:
    """The report in ``fmt`` (md, html, pdf) as bytes."""
    from kik_graph.report import renderers as r

    if fmt == "md":
        return r.to_markdown(data).encode("utf-8")
    if fmt == "html":
        return r.to_html(data).encode("utf-8")
    if fmt == "pdf":
        return r.to_pdf(data)
    raise InvalidInput(f"Format {fmt!r}: erlaubt sind {', '.join(FORMATS)}.")


def build_report(store: GraphStore, fmt: str = "md", *, since: dt.datetime | None = None, use_last: bool = True,
                 include_notes: bool = False, today: dt.date | None = None) -> bytes:
    """Collect and render the report. Without ``since`` the changes since the last issued report are listed."""
    if since is None and use_last:
        since = last_report_time(store)
    return render(collect(store, since=since, include_notes=include_notes, today=today), fmt)


__all__ = ["FORMATS", "MEDIA_TYPES", "ReportData", "build_report", "collect", "last_report_time", "record_report",
           "render"]
