"""The edits of the office: responsibilities, measure status, indicators, and the undo of a recorded change.

Each ``build_*`` function reads the current state, builds a :class:`~kik_graph.editing.transaction.Transaction`
with the complete new state of every touched resource and returns it without writing; the matching short
function (``assign`` …) builds and commits it. Input is checked and turned into RDF terms here; SHACL then
checks the result in :func:`~kik_graph.editing.transaction.commit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kik_graph.editing.errors import EditConflict, EditProblem, EditRejected
from kik_graph.editing.history import get_change
from kik_graph.editing.state import parse_lines, resource_state, version_of
from kik_graph.editing.transaction import CommitResult, ResourceChange, Transaction, begin_change, commit
from kik_graph.editing.validation import short
from kik_graph.editing.vocab import (
    OFFICE_PROVENANCE,
    OFFICE_SOURCE,
    ROLE_LABELS,
    STATUS_LABELS,
    decimal_literal,
    indicator_iri,
    local_id,
    note_literal,
    office_source_graph,
    parse_date,
    parse_decimal,
    parse_role,
    parse_status,
    responsibility_iri,
    status_iri,
)
from kik_graph.namespaces import KIK, KIKD
from kik_graph.params import resolve
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput, clean_text, shorten

MeasureRef = URIRef | str


# --------------------------------------------------------------------------- resolving references

def _resolve_numbered(store: GraphStore, value: URIRef | str, kind: str, cls: URIRef, field: str) -> URIRef:
    """A resource of class ``cls`` by its KIK number (parameter kind ``kind``) or IRI; it must exist in the graph."""
    if isinstance(value, URIRef):
        term = value
    else:
        is_iri = str(value).startswith(("http://", "https://"))
        term = resolve("iri" if is_iri else kind, str(value), store, name=field)
    if not store.ask("ASK { ?r a ?class }", {"r": term, "class": cls}):
        raise InvalidInput(f"{field}: {shorten(local_id(term))!r} gibt es im KIK nicht.")
    return URIRef(term)


def resolve_measure(store: GraphStore, value: MeasureRef, *, field: str = "Maßnahme") -> URIRef:
    """A measure by number (``SB-1.1``) or IRI; it must exist in the graph."""
    return _resolve_numbered(store, value, "measure", KIK.Measure, field)


def resolve_goal(store: GraphStore, value: URIRef | str, *, field: str = "Ziel") -> URIRef:
    """A goal by number (``SB-Z7``) or IRI; it must exist in the graph."""
    return _resolve_numbered(store, value, "goal", KIK.Goal, field)


def resolve_actor(store: GraphStore, value: URIRef | str, *, field: str = "Akteur*in") -> URIRef:
    """An actor by IRI or exact label (also alternative label or annex entry); it must be a kik:Actor."""
    actor = value if isinstance(value, URIRef) else resolve("actor", str(value), store, name=field)
    if not store.ask("ASK { ?a a ?t . ?t rdfs:subClassOf* kik:Actor }", {"a": actor}):
        raise InvalidInput(f"{field}: {shorten(str(value))!r} ist keine bekannte Akteur*in.")
    return URIRef(actor)


def label(store: GraphStore, resource: URIRef) -> str:
    """German label of a resource (or its last IRI segment)."""
    rows = store.select("SELECT ?l WHERE { ?r skos:prefLabel ?l FILTER(LANG(?l) = 'de') }", {"r": resource}).rows
    return str(rows[0]["l"]) if rows else local_id(resource)


def notation(store: GraphStore, resource: URIRef) -> str:
    """``SB-1.1`` / ``SB-Z7`` for measures and goals (or the last IRI segment)."""
    rows = store.select("SELECT ?n WHERE { ?r skos:notation ?n }", {"r": resource}).rows
    return str(rows[0]["n"]) if rows else local_id(resource)


def ensure_office_source(store: GraphStore, tx: Transaction) -> None:
    """Add the office's source document to the KIK graph if it is not there yet (first edit)."""
    if tx.change_for(OFFICE_SOURCE) or store.ask("ASK { ?s a kik:SourceDocument }", {"s": OFFICE_SOURCE}):
        return
    tx.add(ResourceChange(resource=OFFICE_SOURCE, old=Graph(), new=office_source_graph()))


def _set(graph: Graph, s: URIRef, p: URIRef, value) -> None:
    graph.remove((s, p, None))
    if value is not None:
        graph.add((s, p, value))


# --------------------------------------------------------------------------- responsibilities

def build_assign(store: GraphStore, measure: MeasureRef, actor: URIRef | str, role: URIRef | str,
                 note: str | None = None, *, today: dt.date | None = None,
                 expected_version: str | None = None) -> Transaction:
    """Assign ``actor`` to ``measure`` as lead or partner (or change the role/note of an existing assignment).

    ``note`` None keeps an existing internal note, "" removes it.
    """
    m = resolve_measure(store, measure)
    a = resolve_actor(store, actor)
    r = role if isinstance(role, URIRef) and role in ROLE_LABELS else parse_role(str(role))
    today = today or dt.date.today()
    code = notation(store, m)
    tx = Transaction(kind="assign", summary=f"{code}: {label(store, a)} {ROLE_LABELS[r]} zugeordnet")
    change = begin_change(store, responsibility_iri(m, a), expected_version=expected_version)
    node, g = change.resource, change.new
    existed = (node, RDF.type, KIK.Responsibility) in change.old
    role_changed = g.value(node, KIK.role) != r
    if not existed or role_changed:
        g.set((node, RDF.type, KIK.Responsibility))
        g.set((node, KIK.measure, m))
        g.set((node, KIK.actor, a))
        g.set((node, KIK.role, r))
        g.set((node, SKOS.prefLabel, Literal(f"{code}: {ROLE_LABELS[r]}", lang="de")))
        g.set((node, KIK.provenanceNote, Literal(OFFICE_PROVENANCE, lang="de")))
        g.set((node, DCTERMS.source, OFFICE_SOURCE))
        g.set((node, DCTERMS.date, Literal(today.isoformat(), datatype=XSD.date)))
        g.remove((node, KIK.sourceLocator, None))
        ensure_office_source(store, tx)
    if existed and not role_changed:
        tx.summary = f"{code}: Notiz zu {label(store, a)} ({ROLE_LABELS[r]}) geändert"
    if note is not None:
        _set(g, node, KIK.internalNote, note_literal(note))
    tx.add(change)
    return tx


def build_unassign(store: GraphStore, measure: MeasureRef, actor: URIRef | str, role: URIRef | str | None = None, *,
                   expected_version: str | None = None) -> Transaction:
    """Remove the assignment of ``actor`` to ``measure`` (optionally only if it has ``role``)."""
    m = resolve_measure(store, measure)
    a = resolve_actor(store, actor)
    change = begin_change(store, responsibility_iri(m, a), expected_version=expected_version)
    current_role = change.old.value(change.resource, KIK.role)
    code = notation(store, m)
    if current_role is None:
        raise EditRejected(f"{code}: {label(store, a)} ist der Maßnahme nicht zugeordnet – nichts zu entfernen.")
    if role is not None:
        wanted = role if isinstance(role, URIRef) else parse_role(str(role))
        if wanted != current_role:
            raise EditRejected(f"{code}: {label(store, a)} ist {ROLE_LABELS.get(current_role, '?')}, "
                               f"nicht {ROLE_LABELS[wanted]} – nichts entfernt.")
    change.new = Graph()
    return Transaction(kind="unassign", summary=f"{code}: Zuordnung von {label(store, a)} "
                                                f"({ROLE_LABELS.get(current_role, '?')}) entfernt", changes=[change])


def assign(store: GraphStore, account: str, measure: MeasureRef, actor: URIRef | str, role: URIRef | str,
           note: str | None = None, **kwargs) -> CommitResult:
    """Build and commit :func:`build_assign`."""
    now = kwargs.pop("now", None)
    return commit(store, build_assign(store, measure, actor, role, note, **kwargs), account, now=now)


def unassign(store: GraphStore, account: str, measure: MeasureRef, actor: URIRef | str,
             role: URIRef | str | None = None, **kwargs) -> CommitResult:
    """Build and commit :func:`build_unassign`."""
    now = kwargs.pop("now", None)
    return commit(store, build_unassign(store, measure, actor, role, **kwargs), account, now=now)


# --------------------------------------------------------------------------- measure status

def build_status(store: GraphStore, measure: MeasureRef, status: URIRef | str, date: dt.date | str | None = None,
                 note: str | None = None, *, today: dt.date | None = None,
                 expected_version: str | None = None) -> Transaction:
    """Set the implementation status of ``measure`` as of ``date`` (default today), with an optional note."""
    m = resolve_measure(store, measure)
    s = status if isinstance(status, URIRef) and status in STATUS_LABELS else parse_status(str(status))
    day = parse_date(date, default=today or dt.date.today())
    code = notation(store, m)
    tx = Transaction(kind="status", summary=f"{code}: Umsetzungsstand „{STATUS_LABELS[s]}“ ({day.isoformat()})")
    change = begin_change(store, status_iri(m), expected_version=expected_version)
    node, g = change.resource, change.new
    g.remove((node, None, None))
    g.add((node, RDF.type, KIK.StatusRecord))
    g.add((node, SKOS.prefLabel, Literal(f"{code}: {STATUS_LABELS[s]}", lang="de")))
    g.add((node, KIK.statusOf, m))
    g.add((node, KIK.status, s))
    g.add((node, DCTERMS.date, Literal(day.isoformat(), datatype=XSD.date)))
    g.add((node, DCTERMS.source, OFFICE_SOURCE))
    noted = note_literal(note)
    if noted is not None:
        g.add((node, KIK.internalNote, noted))
    ensure_office_source(store, tx)
    tx.add(change)
    return tx


def set_status(store: GraphStore, account: str, measure: MeasureRef, status: URIRef | str,
               date: dt.date | str | None = None, note: str | None = None, **kwargs) -> CommitResult:
    """Build and commit :func:`build_status`."""
    now = kwargs.pop("now", None)
    return commit(store, build_status(store, measure, status, date, note, **kwargs), account, now=now)


# --------------------------------------------------------------------------- indicators

@dataclass
class IndicatorInput:
    """The fields of an indicator as entered (strings or numbers; empty = not known)."""

    goal: str | URIRef
    name: str
    unit: str
    baseline: object = None
    target: object = None
    current: object = None
    date: object = None
    source: str = ""


def find_indicator(store: GraphStore, goal: URIRef, name: str) -> URIRef | None:
    """The indicator of ``goal`` whose German name is ``name`` (case-insensitive), if any."""
    rows = store.select("SELECT ?i WHERE { ?i a kik:Indicator ; kik:indicatorFor ?goal ; skos:prefLabel ?l "
                        "FILTER(LCASE(STR(?l)) = LCASE(STR(?name))) }", {"goal": goal, "name": Literal(name)}).rows
    return URIRef(rows[0]["i"]) if rows else None


def build_indicator(store: GraphStore, data: IndicatorInput, *, indicator: URIRef | str | None = None,
                    expected_version: str | None = None, problems: list[EditProblem] | None = None,
                    columns: dict[str, str] | None = None, row: int | None = None) -> Transaction:
    """Create or update an indicator of a goal.

    Without ``indicator`` the goal's indicator with the same name is updated, or a new one is created.
    ``problems``/``columns``/``row`` let imports collect every field problem (with row and column) instead of
    stopping at the first.
    """
    collected: list[EditProblem] = [] if problems is None else problems
    cols = columns or {}

    def field(key: str, fn, label_: str):
        try:
            return fn()
        except InvalidInput as exc:
            collected.append(EditProblem(message=str(exc), row=row, column=cols.get(key, "")))
            return None

    goal = field("goal", lambda: resolve_goal(store, data.goal), "Ziel")
    name = field("name", lambda: clean_text(data.name or "", field="Name", max_length=200), "Name")
    if name == "":
        collected.append(EditProblem(message="Name: fehlt.", row=row, column=cols.get("name", "")))
    unit = field("unit", lambda: clean_text(data.unit or "", field="Einheit", max_length=100), "Einheit")
    baseline = field("baseline", lambda: parse_decimal(data.baseline, field="Ausgangswert"), "Ausgangswert")
    target = field("target", lambda: parse_decimal(data.target, field="Zielwert"), "Zielwert")
    current = field("current", lambda: parse_decimal(data.current, field="Aktueller Wert"), "Aktueller Wert")
    day = field("date", lambda: parse_date(data.date, field="Datum") if str(data.date or "").strip() else None, "Datum")
    source = field("source", lambda: clean_text(data.source or "", field="Quelle", max_length=500), "Quelle")
    tx = Transaction(kind="indicator", summary="")
    if goal is None or not name:
        tx.problems.extend(collected if problems is None else [])
        return tx
    if indicator is not None:
        node = indicator if isinstance(indicator, URIRef) else resolve("iri", str(indicator), store, name="Kenngröße")
        if not store.ask("ASK { ?i a kik:Indicator }", {"i": node}):
            raise InvalidInput(f"Kenngröße {shorten(str(indicator))!r} gibt es nicht.")
    else:
        node = find_indicator(store, goal, name) or _free_indicator_iri(store, goal, name)
    change = begin_change(store, node, expected_version=expected_version)
    g = change.new
    created = not len(change.old)
    for p in (KIK.indicatorFor, SKOS.prefLabel, KIK.measurementUnit, KIK.baselineValue, KIK.targetValue,
              KIK.currentValue, DCTERMS.date, KIK.dataSource):
        g.remove((node, p, None))
    g.set((node, RDF.type, KIK.Indicator))
    g.set((node, DCTERMS.source, OFFICE_SOURCE))
    g.add((node, KIK.indicatorFor, goal))
    g.add((node, SKOS.prefLabel, Literal(name, lang="de")))
    if unit:
        g.add((node, KIK.measurementUnit, Literal(unit)))
    for value, p in ((baseline, KIK.baselineValue), (target, KIK.targetValue), (current, KIK.currentValue)):
        if value is not None:
            g.add((node, p, decimal_literal(value)))
    if day is not None:
        g.add((node, DCTERMS.date, Literal(day.isoformat(), datatype=XSD.date)))
    if source:
        g.add((node, KIK.dataSource, Literal(source)))
    ensure_office_source(store, tx)
    tx.summary = f"{notation(store, goal)}: Kenngröße „{name}“ {'angelegt' if created else 'geändert'}"
    tx.add(change)
    if problems is None:
        tx.problems.extend(collected)
    if row is not None:
        change.origin = (row, {KIK.indicatorFor: cols.get("goal", ""), SKOS.prefLabel: cols.get("name", ""),
                               KIK.measurementUnit: cols.get("unit", ""), KIK.baselineValue: cols.get("baseline", ""),
                               KIK.targetValue: cols.get("target", ""), KIK.currentValue: cols.get("current", ""),
                               DCTERMS.date: cols.get("date", ""), KIK.dataSource: cols.get("source", "")})
    return tx


def _free_indicator_iri(store: GraphStore, goal: URIRef, name: str) -> URIRef:
    base = indicator_iri(goal, name)
    candidate, n = base, 1
    while store.ask("ASK { ?i ?p ?o }", {"i": candidate}):
        n += 1
        candidate = URIRef(f"{base}-{n}")
    return candidate


def save_indicator(store: GraphStore, account: str, data: IndicatorInput, **kwargs) -> CommitResult:
    """Build and commit :func:`build_indicator`."""
    now = kwargs.pop("now", None)
    return commit(store, build_indicator(store, data, **kwargs), account, now=now)


def build_delete_indicator(store: GraphStore, indicator: URIRef | str, *,
                           expected_version: str | None = None) -> Transaction:
    """Remove an indicator."""
    node = indicator if isinstance(indicator, URIRef) else resolve("iri", str(indicator), store, name="Kenngröße")
    change = begin_change(store, node, expected_version=expected_version)
    if (node, RDF.type, KIK.Indicator) not in change.old:
        raise EditRejected(f"Kenngröße {short(node)} gibt es nicht – nichts zu entfernen.")
    name = change.old.value(node, SKOS.prefLabel)
    change.new = Graph()
    return Transaction(kind="indicator-delete", summary=f"Kenngröße „{name}“ entfernt", changes=[change])


# --------------------------------------------------------------------------- revert

def build_revert(store: GraphStore, change: URIRef | str) -> Transaction:
    """Undo a recorded change: its added statements are removed and its removed ones restored.

    Refused with a conflict when a resource was changed again afterwards (undo the later change first).
    """
    iri = change if isinstance(change, URIRef) else resolve("iri", str(change), store, name="Änderung")
    record = get_change(store, URIRef(iri))
    if record is None:
        raise InvalidInput(f"Änderung {shorten(str(change))!r} ist nicht im Änderungsverlauf.")
    if record.reverted_by:
        raise EditRejected(f"Die Änderung „{record.summary}“ wurde bereits rückgängig gemacht.")
    tx = Transaction(kind="revert", summary=f"Rückgängig: {record.summary}", reverts=record.change)
    for rev in record.revisions:
        current = resource_state(store, rev.resource)
        if version_of(current) != rev.version:
            raise EditConflict(
                f"{short(rev.resource)} wurde nach der Änderung „{record.summary}“ erneut geändert; "
                "bitte zuerst die spätere Änderung rückgängig machen.", resource=str(rev.resource), other=None)
        new = Graph()
        for t in current:
            new.add(t)
        for t in parse_lines("\n".join(rev.added)):
            new.remove(t)
        for t in parse_lines("\n".join(rev.removed)):
            new.add(t)
        tx.add(ResourceChange(resource=rev.resource, old=current, new=new))
    return tx


def revert(store: GraphStore, account: str, change: URIRef | str, **kwargs) -> CommitResult:
    """Build and commit :func:`build_revert`."""
    return commit(store, build_revert(store, change), account, **kwargs)


__all__ = ["IndicatorInput", "assign", "build_assign", "build_delete_indicator", "build_indicator", "build_revert",
           "build_status", "build_unassign", "ensure_office_source", "find_indicator", "label", "notation",
           "resolve_actor", "resolve_goal", "resolve_measure", "revert", "save_indicator", "set_status", "unassign",
           "KIKD"]
