"""Edits as validated transactions.

An edit is built as the complete new state of every resource it touches (:class:`ResourceChange`). :func:`commit`
then

1. validates the new states with SHACL (``ontology/shapes.ttl``) – an invalid edit raises
   :class:`~kik_graph.editing.errors.ValidationFailed` listing every problem and changes nothing;
2. under the store's write lock, compares each resource's current version (ETag) with the version the editor
   saw – a difference raises :class:`~kik_graph.editing.errors.EditConflict` naming the other change;
3. writes the difference, the PROV-O history and the "not yet written back" marker as ONE SPARQL update
   (one store transaction), built from N-Triples of validated RDF terms – never from pasted user text.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef

from kik_graph.editing.errors import EditConflict, EditProblem, OtherChange, ValidationFailed
from kik_graph.editing.history import (
    Revision,
    history_graph,
    latest_change,
    new_change_iri,
    pending_graph,
    utc_now,
)
from kik_graph.editing.state import Triple, canonical, resource_state, term_nt, triple_lines, version_of
from kik_graph.editing.validation import short, validate_states
from kik_graph.editing.vocab import check_account
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_KIK, GRAPH_OFFICE
from kik_graph.store.base import GraphStore

_LOCKS: dict[int, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def store_lock(store: GraphStore) -> threading.RLock:
    """The process-wide write lock of ``store`` (the embedded store is used by one process at a time)."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(id(store), threading.RLock())


@dataclass
class ResourceChange:
    """The intended new state of one resource.

    ``old`` is the state the edit was built from; ``expected_version`` is the version the editor saw (e.g. when
    a form was opened) – when None, the version of ``old`` is used.
    """

    resource: URIRef
    old: Graph
    new: Graph
    expected_version: str | None = None
    #: for imports: (row number, {property → column name}) to name row and column in problems
    origin: tuple[int | None, Mapping[URIRef, str]] | None = None

    def _bnode_parts_differ(self) -> bool:
        return version_of(_with_bnodes(self.old)) != version_of(_with_bnodes(self.new))

    @property
    def removed(self) -> set[Triple]:
        """Statements that the change removes (all blank-node statements when their structure changes)."""
        out = set(_ground(self.old)) - set(_ground(self.new))
        if self._bnode_parts_differ():
            out |= set(_with_bnodes(self.old))
        return out

    @property
    def added(self) -> set[Triple]:
        """Statements that the change adds (all blank-node statements when their structure changes)."""
        out = set(_ground(self.new)) - set(_ground(self.old))
        if self._bnode_parts_differ():
            out |= set(_with_bnodes(self.new))
        return out

    @property
    def is_noop(self) -> bool:
        """True when the change changes nothing."""
        return not self.removed and not self.added


@dataclass
class Transaction:
    """One edit: a kind (``assign``, ``status`` …), a readable summary and the changes."""

    kind: str
    summary: str
    changes: list[ResourceChange] = field(default_factory=list)
    problems: list[EditProblem] = field(default_factory=list)
    reverts: URIRef | None = None

    def change_for(self, resource: URIRef) -> ResourceChange | None:
        """The change of ``resource`` in this transaction, if any."""
        return next((c for c in self.changes if c.resource == resource), None)

    def add(self, change: ResourceChange) -> ResourceChange:
        """Add a change (merging with an existing change of the same resource)."""
        existing = self.change_for(change.resource)
        if existing is None:
            self.changes.append(change)
            return change
        existing.new = change.new
        return existing


@dataclass
class CommitResult:
    """What a commit did."""

    change: URIRef | None
    resources: list[URIRef]
    versions: dict[URIRef, str]

    @property
    def changed(self) -> bool:
        """False when the edit changed nothing (no history entry is written then)."""
        return self.change is not None


def begin_change(store: GraphStore, resource: URIRef, *, expected_version: str | None = None) -> ResourceChange:
    """Read ``resource`` and start a change whose new state is a copy of the current one."""
    old = resource_state(store, resource)
    new = Graph()
    for t in old:
        new.add(t)
    return ResourceChange(resource=resource, old=old, new=new, expected_version=expected_version)


def validate_transaction(store: GraphStore, tx: Transaction) -> list[EditProblem]:
    """Every problem of the transaction: those found while building it plus SHACL violations of the new states."""
    states = {c.resource: c.new for c in tx.changes if not c.is_noop}
    origins = {c.resource: c.origin for c in tx.changes if c.origin is not None}
    return [*tx.problems, *validate_states(store, states, origins)]


def commit(store: GraphStore, tx: Transaction, account: str, *, now: dt.datetime | None = None) -> CommitResult:
    """Validate and apply ``tx`` atomically with its history; see the module docstring."""
    account = check_account(account)
    for change in tx.changes:
        change.new = canonical(change.new)
    problems = validate_transaction(store, tx)
    if problems:
        raise ValidationFailed(f"Die Änderung ist ungültig und wurde nicht gespeichert ({len(problems)} Problem(e)).",
                               problems)
    effective = [c for c in tx.changes if not c.is_noop]
    if not effective:
        return CommitResult(change=None, resources=[], versions={})
    with store_lock(store):
        for change in effective:
            _check_version(store, change)
        moment = now or utc_now()
        change_iri = new_change_iri(moment)
        revisions = [Revision(resource=c.resource, removed=triple_lines(c.removed), added=triple_lines(c.added),
                              previous_version=version_of(c.old), version=version_of(c.new)) for c in effective]
        history = history_graph(change_iri, account=account, moment=moment, kind=tx.kind, summary=tx.summary,
                                revisions=revisions, reverts=tx.reverts)
        store.update(build_update(effective, history, pending_graph(change_iri)))
    return CommitResult(change=change_iri, resources=[c.resource for c in effective],
                        versions={c.resource: version_of(c.new) for c in effective})


def _check_version(store: GraphStore, change: ResourceChange) -> None:
    current = version_of(resource_state(store, change.resource))
    expected = change.expected_version or version_of(change.old)
    if current == expected:
        return
    other = latest_change(store, change.resource)
    info = None
    if other is not None:
        rev = next((r for r in other.revisions if r.resource == change.resource), None)
        info = OtherChange(change=str(other.change), account=other.account, time=other.when, summary=other.summary,
                           removed=rev.removed if rev else [], added=rev.added if rev else [])
    who = f" von {info.account} am {info.time} ({info.summary})" if info else ""
    raise EditConflict(
        f"Konflikt: {short(change.resource)} wurde inzwischen{who} geändert. Ihre Änderung wurde nicht gespeichert; "
        "bitte den aktuellen Stand ansehen und die Änderung erneut vornehmen.",
        resource=str(change.resource), other=info)


def _ground(triples: Iterable[Triple]) -> list[Triple]:
    return [t for t in triples if not any(isinstance(x, BNode) for x in t)]


def _with_bnodes(triples: Iterable[Triple]) -> list[Triple]:
    return [t for t in triples if any(isinstance(x, BNode) for x in t)]


def _pattern(triples: Iterable[Triple]) -> str:
    """Triples as a SPARQL pattern in which blank nodes become variables (to delete stored blank nodes)."""
    def term(x):
        return "?" + term_nt(x)[2:] if isinstance(x, BNode) else term_nt(x)
    return "\n".join(sorted(f"{term(s)} {term(p)} {term(o)} ." for s, p, o in triples))


def build_update(changes: list[ResourceChange], history: Graph, pending: Graph) -> str:
    """The single SPARQL update of a commit (deletions, insertions, history and pending marker)."""
    removed = [t for c in changes for t in c.removed]
    added = [t for c in changes for t in c.added]
    parts = []
    if _ground(removed):
        parts.append(f"DELETE DATA {{ GRAPH <{GRAPH_KIK}> {{\n" + "\n".join(triple_lines(_ground(removed))) + "\n} }")
    for c in changes:
        bnode_triples = _with_bnodes(c.removed)
        if bnode_triples:  # all of the resource's stored blank-node statements, anchored at its IRI
            pattern = _pattern(bnode_triples)
            parts.append(f"DELETE {{ GRAPH <{GRAPH_KIK}> {{\n{pattern}\n}} }} WHERE {{ GRAPH <{GRAPH_KIK}> {{\n{pattern}\n}} }}")
    inserts = [f"GRAPH <{GRAPH_HISTORY}> {{\n" + "\n".join(triple_lines(history)) + "\n}",
               f"GRAPH <{GRAPH_OFFICE}> {{\n" + "\n".join(triple_lines(pending)) + "\n}"]
    if added:
        inserts.insert(0, f"GRAPH <{GRAPH_KIK}> {{\n" + "\n".join(triple_lines(added)) + "\n}")
    parts.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
    return " ;\n".join(parts)
