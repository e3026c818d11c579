"""The change history (PROV-O) in the internal history graph: who changed what when, and what was there before.

Each transaction is one ``kik:ChangeActivity`` (a ``prov:Activity``) associated with the editor's
``kik:Account``; for every resource it touched there is a ``kik:ResourceRevision`` (a ``prov:Entity``,
``prov:specializationOf`` the resource) with the removed statements (the previous value) and the added ones as
N-Triples, and the versions before and after. Account ids are personal data: they appear only here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from kik_graph.editing.vocab import account_iri, check_account
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_OFFICE, KIK, KIKD, KIKG
from kik_graph.store.base import GraphStore

#: Subject of the bookkeeping statements in the office graph (pending write-back, issued reports).
META = KIKG["meta"]
BERLIN = dt.timezone(dt.timedelta(hours=1))


def utc_now() -> dt.datetime:
    """The current time in UTC (the history's clock)."""
    return dt.datetime.now(dt.UTC)


def datetime_literal(moment: dt.datetime) -> Literal:
    """A UTC xsd:dateTime literal with microseconds (sortable as text)."""
    moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return Literal(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), datatype=XSD.dateTime)


def parse_datetime(value: object) -> dt.datetime:
    """Parse an xsd:dateTime literal written by :func:`datetime_literal` (or any ISO form)."""
    text = str(value).replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def display_time(value: object) -> str:
    """A history time for people: local (Europe/Berlin) date and time."""
    try:
        from zoneinfo import ZoneInfo

        zone: dt.tzinfo = ZoneInfo("Europe/Berlin")
    except Exception:  # pragma: no cover - tzdata missing
        zone = BERLIN
    return parse_datetime(value).astimezone(zone).strftime("%d.%m.%Y %H:%M")


@dataclass
class Revision:
    """One resource's part of a change."""

    resource: URIRef
    removed: list[str]
    added: list[str]
    previous_version: str
    version: str


@dataclass
class ChangeRecord:
    """A recorded change (one transaction)."""

    change: URIRef
    time: str
    account: str
    kind: str
    summary: str
    revisions: list[Revision] = field(default_factory=list)
    reverts: URIRef | None = None
    reverted_by: list[URIRef] = field(default_factory=list)

    @property
    def when(self) -> str:
        """Local time for display."""
        return display_time(self.time)

    @property
    def resources(self) -> list[URIRef]:
        """The resources the change touched."""
        return [r.resource for r in self.revisions]


def new_change_iri(moment: dt.datetime) -> URIRef:
    """A fresh, time-ordered change IRI."""
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return KIKD[f"aenderung/{stamp}-{uuid.uuid4().hex[:8]}"]


def history_graph(change: URIRef, *, account: str, moment: dt.datetime, kind: str, summary: str,
                  revisions: list[Revision], reverts: URIRef | None = None) -> Graph:
    """The PROV-O statements of one change (for the history graph)."""
    g = Graph()
    who = account_iri(account)
    time = datetime_literal(moment)
    g.add((who, RDF.type, KIK.Account))
    g.add((who, RDF.type, PROV.Agent))
    g.add((who, KIK.accountId, Literal(check_account(account))))
    g.add((change, RDF.type, KIK.ChangeActivity))
    g.add((change, RDF.type, PROV.Activity))
    g.add((change, PROV.startedAtTime, time))
    g.add((change, PROV.endedAtTime, time))
    g.add((change, PROV.wasAssociatedWith, who))
    g.add((change, KIK.changeKind, Literal(kind)))
    g.add((change, KIK.changeSummary, Literal(summary, lang="de")))
    if reverts is not None:
        g.add((change, KIK.reverts, reverts))
    for n, rev in enumerate(revisions, start=1):
        node = URIRef(f"{change}-r{n}")
        g.add((change, KIK.revision, node))
        g.add((node, RDF.type, KIK.ResourceRevision))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, PROV.specializationOf, rev.resource))
        g.add((node, PROV.wasGeneratedBy, change))
        g.add((node, PROV.generatedAtTime, time))
        g.add((node, KIK.previousVersion, Literal(rev.previous_version)))
        g.add((node, KIK.version, Literal(rev.version)))
        g.add((node, KIK.removedStatements, Literal("\n".join(rev.removed))))
        g.add((node, KIK.addedStatements, Literal("\n".join(rev.added))))
        if not rev.removed:  # the resource was created by this change
            g.add((rev.resource, PROV.wasAttributedTo, who))
    return g


def pending_graph(change: URIRef) -> Graph:
    """The office-graph marker 'change not yet written back to graph_data/'."""
    g = Graph()
    g.add((META, KIK.pendingChange, change))
    return g


# --------------------------------------------------------------------------- reading

_CHANGE_QUERY = f"""
SELECT ?change ?time ?account ?kind ?summary ?reverts ?rev ?resource ?removed ?added ?pv ?v WHERE {{
  GRAPH <{GRAPH_HISTORY}> {{
    ?change a kik:ChangeActivity ; prov:endedAtTime ?time ; prov:wasAssociatedWith/kik:accountId ?account ;
            kik:changeKind ?kind ; kik:changeSummary ?summary ; kik:revision ?rev .
    ?rev prov:specializationOf ?resource ; kik:removedStatements ?removed ; kik:addedStatements ?added ;
         kik:previousVersion ?pv ; kik:version ?v .
    OPTIONAL {{ ?change kik:reverts ?reverts }}
  }}
  FILTER_PLACEHOLDER
}}
"""

_REVERTED_BY = f"""
SELECT ?other ?target WHERE {{ GRAPH <{GRAPH_HISTORY}> {{ ?other kik:reverts ?target }} }}
"""


def _query_changes(store: GraphStore, filter_: str, bindings: dict[str, Node]) -> list[ChangeRecord]:
    text = _CHANGE_QUERY.replace("FILTER_PLACEHOLDER", filter_)
    records: dict[URIRef, ChangeRecord] = {}
    for row in store.select(text, bindings).rows:
        change = row["change"]
        rec = records.get(change)
        if rec is None:
            rec = records[change] = ChangeRecord(
                change=change, time=str(row["time"]), account=str(row["account"]), kind=str(row["kind"]),
                summary=str(row["summary"]), reverts=row.get("reverts"))
        if all(r.resource != row["resource"] or r.previous_version != str(row["pv"]) for r in rec.revisions):
            rec.revisions.append(Revision(
                resource=row["resource"], removed=_lines(row["removed"]), added=_lines(row["added"]),
                previous_version=str(row["pv"]), version=str(row["v"])))
    reverted: dict[URIRef, list[URIRef]] = {}
    for row in store.select(_REVERTED_BY).rows:
        reverted.setdefault(row["target"], []).append(row["other"])
    for rec in records.values():
        rec.reverted_by = sorted(reverted.get(rec.change, []))
        rec.revisions.sort(key=lambda r: str(r.resource))
    return sorted(records.values(), key=lambda r: (parse_datetime(r.time), str(r.change)), reverse=True)


def _lines(value: object) -> list[str]:
    return [line for line in str(value or "").splitlines() if line.strip()]


def resource_history(store: GraphStore, resource: URIRef) -> list[ChangeRecord]:
    """All changes of ``resource``, newest first (each with all of its revisions)."""
    return _query_changes(store, f"FILTER EXISTS {{ GRAPH <{GRAPH_HISTORY}> {{ ?change kik:revision ?r . "
                                 "?r prov:specializationOf ?target } }", {"target": resource})


def get_change(store: GraphStore, change: URIRef) -> ChangeRecord | None:
    """One recorded change, or None."""
    found = _query_changes(store, "", {"change": change})
    return found[0] if found else None


def changes_since(store: GraphStore, since: dt.datetime | None = None) -> list[ChangeRecord]:
    """All changes after ``since`` (all when None), newest first."""
    if since is None:
        return _query_changes(store, "", {})
    return _query_changes(store, "FILTER(?time > ?since)", {"since": datetime_literal(since)})


def latest_change(store: GraphStore, resource: URIRef) -> ChangeRecord | None:
    """The most recent change of ``resource``."""
    found = resource_history(store, resource)
    return found[0] if found else None


_PENDING = f"SELECT ?change WHERE {{ GRAPH <{GRAPH_OFFICE}> {{ ?meta kik:pendingChange ?change }} }}"


def pending_changes(store: GraphStore) -> list[URIRef]:
    """Changes made in the store since the last write-back to graph_data/ (oldest first)."""
    rows = store.select(_PENDING, {"meta": META}).rows
    return sorted((r["change"] for r in rows), key=str)
