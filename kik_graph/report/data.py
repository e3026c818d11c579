"""Collecting the content of the KIK status report (Sachstandsbericht) from the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kik_graph.editing.history import ChangeRecord, changes_since, datetime_literal, parse_datetime
from kik_graph.editing.state import triple_lines
from kik_graph.editing.vocab import NOT_RECORDED_LABEL, STATUSES
from kik_graph.namespaces import GRAPH_OFFICE, KIK, KIKD
from kik_graph.params import run_named
from kik_graph.store.base import GraphStore

#: Status categories in report order: key, label. "nicht-erfasst" = no status recorded (counted as open).
CATEGORIES: list[tuple[str, str]] = [("nicht-erfasst", NOT_RECORDED_LABEL)] + [(slug, label) for _, label, slug in STATUSES]
STATUS_KEY = {iri: slug for iri, _, slug in STATUSES}
DONE = ("umgesetzt", "dauerhaft")


@dataclass
class MeasureRow:
    """One measure in the report."""

    notation: str
    text: str
    status: str  # category key
    status_date: str
    leads: list[str]
    partners: list[str]
    note: str = ""

    @property
    def status_label(self) -> str:
        """The German label of the status category."""
        return dict(CATEGORIES)[self.status]


@dataclass
class IndicatorRow:
    """One indicator (Kenngröße) of a goal."""

    name: str
    unit: str
    baseline: str
    target: str
    current: str
    date: str
    source: str

    def progress(self) -> float | None:
        """Share of the way from baseline to target reached by the current value (None when not computable)."""
        try:
            b, t, c = float(self.baseline), float(self.target), float(self.current)
        except ValueError:
            return None
        return None if t == b else (c - b) / (t - b)


def counts_of(measures: list[MeasureRow]) -> dict[str, int]:
    """Number of measures per status category (every category present, 0 when none)."""
    out = {key: 0 for key, _ in CATEGORIES}
    for m in measures:
        out[m.status] += 1
    return out


@dataclass
class GoalSection:
    """A goal with its measures and indicators."""

    notation: str
    text: str
    measures: list[MeasureRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Measures per status category."""
        return counts_of(self.measures)


@dataclass
class FieldSection:
    """A field of action with its goals."""

    code: str
    label: str
    goals: list[GoalSection] = field(default_factory=list)

    @property
    def measures(self) -> list[MeasureRow]:
        """All measures of the field."""
        return [m for g in self.goals for m in g.measures]

    @property
    def counts(self) -> dict[str, int]:
        """Measures per status category."""
        return counts_of(self.measures)


@dataclass
class Gap:
    """A measure without lead (with the number of partners)."""

    notation: str
    text: str
    partners: int


@dataclass
class ReportData:
    """Everything the report shows."""

    generated: dt.date
    since: dt.datetime | None
    fields: list[FieldSection]
    gaps: list[Gap]
    changes: list[ChangeRecord]
    include_notes: bool = False

    @property
    def measures(self) -> list[MeasureRow]:
        """All measures."""
        return [m for f in self.fields for m in f.measures]

    @property
    def counts(self) -> dict[str, int]:
        """All measures per status category."""
        return counts_of(self.measures)

    @property
    def indicators(self) -> list[tuple[str, IndicatorRow]]:
        """All indicators with their goal notation."""
        return [(g.notation, i) for f in self.fields for g in f.goals for i in g.indicators]


def share_done(counts: dict[str, int]) -> tuple[int, int, float]:
    """(implemented or ongoing, total, percent)."""
    total = sum(counts.values())
    done = sum(counts[k] for k in DONE)
    return done, total, (100.0 * done / total if total else 0.0)


_NOTES = """
SELECT ?measure ?note WHERE { ?r a kik:StatusRecord ; kik:statusOf ?measure ; kik:internalNote ?note }
"""


def _split(value: object) -> list[str]:
    return sorted(v for v in str(value or "").split(" | ") if v)


def measure_gaps(store: GraphStore) -> list[Gap]:
    """Measures without lead: from kik_graph.gaps when available, else the named query measures-without-lead."""
    try:
        from kik_graph.gaps import measures_without_lead

        frame = measures_without_lead(store)
        return [Gap(str(r["notation"]), str(r["text"]), int(r["partners"])) for _, r in frame.iterrows()]
    except ImportError:  # pragma: no cover - the gaps module is part of the office pages
        result = run_named(store, "measures-without-lead")
        return [Gap(str(r["notation"]), str(r["text"]), int(str(r["partners"] or 0))) for r in result.rows]


def collect(store: GraphStore, *, since: dt.datetime | None = None, include_notes: bool = False,
            today: dt.date | None = None) -> ReportData:
    """Read everything the report needs."""
    notes = {}
    if include_notes:
        notes = {str(r["measure"]): str(r["note"]) for r in store.select(_NOTES).rows}
    indicators: dict[str, list[IndicatorRow]] = {}
    for r in run_named(store, "indicators").rows:
        indicators.setdefault(str(r["goal"]), []).append(IndicatorRow(
            name=str(r["name"]), unit=str(r["unit"] or ""), baseline=str(r["baseline"] or ""),
            target=str(r["target"] or ""), current=str(r["current"] or ""), date=str(r["date"] or ""),
            source=str(r["dataSource"] or "")))
    fields: dict[str, FieldSection] = {}
    goals: dict[str, GoalSection] = {}
    for r in run_named(store, "report-measures").rows:
        code = str(r["fieldCode"])
        section = fields.setdefault(code, FieldSection(code=code, label=str(r["fieldLabel"])))
        goal_iri = str(r["goal"])
        if goal_iri not in goals:
            goals[goal_iri] = GoalSection(notation=str(r["goalNotation"]), text=str(r["goalText"]),
                                          indicators=indicators.get(goal_iri, []))
            section.goals.append(goals[goal_iri])
        status = STATUS_KEY.get(r["status"], "nicht-erfasst") if r["status"] is not None else "nicht-erfasst"
        goals[goal_iri].measures.append(MeasureRow(
            notation=str(r["notation"]), text=str(r["text"]), status=status, status_date=str(r["statusDate"] or ""),
            leads=_split(r["leads"]), partners=_split(r["partners"]), note=notes.get(str(r["measure"]), "")))
    return ReportData(generated=today or dt.date.today(), since=since, fields=list(fields.values()),
                      gaps=measure_gaps(store), changes=changes_since(store, since), include_notes=include_notes)


# --------------------------------------------------------------------------- issued reports

_LAST = f"""
SELECT ?issued WHERE {{ GRAPH <{GRAPH_OFFICE}> {{ ?r a kik:StatusReport ; dcterms:issued ?issued }} }}
ORDER BY DESC(?issued) LIMIT 1
"""


def last_report_time(store: GraphStore) -> dt.datetime | None:
    """When the last report was issued (``kik-graph report --issue`` or the report page), if ever."""
    rows = store.select(_LAST).rows
    return parse_datetime(rows[0]["issued"]) if rows else None


def record_report(store: GraphStore, *, since: dt.datetime | None, now: dt.datetime | None = None) -> URIRef:
    """Record that a report was issued now (the next report lists changes from here)."""
    from kik_graph.editing.history import utc_now

    moment = now or utc_now()
    node = KIKD[f"bericht/{moment.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%S%f')}"]
    triples = [(node, RDF.type, KIK.StatusReport), (node, DCTERMS.issued, datetime_literal(moment))]
    if since is not None:
        triples.append((node, KIK.reportSince, datetime_literal(since)))
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH_OFFICE}> {{\n" + "\n".join(triple_lines(triples)) + "\n} }")
    return node


__all__ = ["CATEGORIES", "FieldSection", "GoalSection", "IndicatorRow", "MeasureRow", "ReportData", "Literal",
           "collect", "counts_of", "last_report_time", "record_report", "share_done"]
