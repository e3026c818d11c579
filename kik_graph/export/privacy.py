"""The privacy filter: the only way data leaves the system.

Every public output (RDF dump, catalogue, HSDS JSON, office tables, publishing to a SPARQL endpoint) takes its
triples from :func:`public_graph`, which applies the rules below. Nothing else in kik-graph reads the store for
publication.

What is **never** published

1. Anything outside the public graphs (:data:`PUBLIC_GRAPHS`): the change history (``GRAPH_HISTORY``), the office
   records (``GRAPH_OFFICE``: feedback, search statistics, …), the store's bookkeeping and the vocabulary graph.
2. Every resource flagged ``kik:nonPublic true`` (in any graph of the store), every resource typed with a class in
   :data:`INTERNAL_CLASSES` or with a class the vocabulary flags ``kik:nonPublic true`` (and their subclasses), and
   every blank node hanging off such a resource. Links from public resources to them are dropped too.
3. Every triple whose predicate is in :data:`INTERNAL_PREDICATES` (internal notes, editor accounts, PROV history,
   personal-name properties) or is flagged ``kik:nonPublic true`` in the vocabulary (and its subproperties).

Personal names: the seed data holds none (posts are modelled without their holders). Names can only enter through
persons (``foaf:Person``, ``schema:Person``, ``prov:Person``), name properties (``foaf:name`` …), editor accounts or
internal notes — all of which rule 2 or 3 removes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_KIK, GRAPH_OFFICE, GRAPH_ONTOLOGY, KIK, SCHEMA
from kik_graph.store.base import GraphStore

#: The graphs whose content may be published (after filtering).
PUBLIC_GRAPHS: tuple[URIRef, ...] = (GRAPH_KIK,)
#: Graphs that are never read for publication (listed for documentation; everything not public is excluded).
INTERNAL_GRAPHS: tuple[URIRef, ...] = (GRAPH_HISTORY, GRAPH_OFFICE)

#: Predicates that never leave the system.
INTERNAL_PREDICATES: frozenset[URIRef] = frozenset({
    # office-internal bookkeeping and notes (the editing feature, issue 6)
    KIK.nonPublic, KIK.internalNote, KIK.accountId, KIK.pendingChange, KIK.changeKind, KIK.changeSummary,
    KIK.revision, KIK.reverts, KIK.removedStatements, KIK.addedStatements, KIK.previousVersion, KIK.version,
    KIK.reportSince, KIK.editedBy, KIK.editor,
    # PROV history: who changed what when
    PROV.wasGeneratedBy, PROV.wasAssociatedWith, PROV.wasAttributedTo, PROV.qualifiedAssociation,
    PROV.qualifiedAttribution, PROV.qualifiedGeneration, PROV.wasInvalidatedBy, PROV.invalidatedAtTime,
    PROV.generatedAtTime, PROV.startedAtTime, PROV.endedAtTime, PROV.used, PROV.wasInformedBy, PROV.wasRevisionOf,
    PROV.specializationOf, PROV.actedOnBehalfOf,
    # names of people
    FOAF.name, FOAF.givenName, FOAF.familyName, FOAF.firstName, FOAF.lastName, FOAF.surname, FOAF.nick,
    FOAF.mbox, FOAF.mbox_sha1sum, FOAF.account, FOAF.holdsAccount,
    SCHEMA.givenName, SCHEMA.familyName, SCHEMA.additionalName, SCHEMA.alternateName,
})

#: Classes whose instances never leave the system.
INTERNAL_CLASSES: frozenset[URIRef] = frozenset({
    FOAF.Person, SCHEMA.Person, PROV.Person, PROV.Activity, PROV.SoftwareAgent,
    KIK.ChangeActivity, KIK.ResourceRevision, KIK.Account,
    KIK.Feedback, KIK.SearchLogEntry, KIK.SearchEvent,
})

_TRUE = {Literal(True), Literal("true", datatype=XSD.boolean), Literal("1", datatype=XSD.boolean)}


@dataclass
class PrivacyReport:
    """What the filter removed (counts only, never the removed content)."""

    input_triples: int = 0
    output_triples: int = 0
    removed_resources: int = 0
    removed_by_predicate: int = 0
    flagged_classes: list[str] = field(default_factory=list)
    flagged_predicates: list[str] = field(default_factory=list)

    @property
    def removed_triples(self) -> int:
        """Number of triples the filter withheld."""
        return self.input_triples - self.output_triples


def _closure(vocabulary: Graph, roots: Iterable[URIRef], link: URIRef) -> set[URIRef]:
    """``roots`` plus everything that is transitively ``link`` (subClassOf / subPropertyOf) of them."""
    found = set(roots)
    frontier = list(found)
    while frontier:
        current = frontier.pop()
        for sub in vocabulary.subjects(link, current):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def _is_class(vocabulary: Graph, term: URIRef) -> bool:
    types = set(vocabulary.objects(term, RDF.type))
    return bool(types & {RDFS.Class, OWL.Class}) or (term, RDFS.subClassOf, None) in vocabulary


def internal_terms(vocabulary: Graph | None) -> tuple[set[URIRef], set[URIRef]]:
    """The internal classes and predicates: the fixed lists plus terms the vocabulary flags ``kik:nonPublic``."""
    vocabulary = vocabulary if vocabulary is not None else Graph()
    flagged = {s for s, o in vocabulary.subject_objects(KIK.nonPublic) if o in _TRUE and isinstance(s, URIRef)}
    flagged_classes = {t for t in flagged if _is_class(vocabulary, t)}
    classes = _closure(vocabulary, INTERNAL_CLASSES | flagged_classes, RDFS.subClassOf)
    predicates = _closure(vocabulary, INTERNAL_PREDICATES | (flagged - flagged_classes), RDFS.subPropertyOf)
    return classes, predicates


def _blank_closure(graph: Graph, roots: set[Node]) -> set[Node]:
    """``roots`` plus every blank node reachable from them."""
    found = set(roots)
    frontier = list(roots)
    while frontier:
        node = frontier.pop()
        for obj in graph.objects(node, None):
            if isinstance(obj, BNode) and obj not in found:
                found.add(obj)
                frontier.append(obj)
    return found


def filter_graph(data: Graph, *, vocabulary: Graph | None = None, flagged: Iterable[Node] = (),
                 report: PrivacyReport | None = None, in_place: bool = False) -> Graph:
    """Return the publishable part of ``data``.

    ``vocabulary`` supplies class/property hierarchies and ``kik:nonPublic`` flags on terms; ``flagged`` are extra
    resources marked non-public elsewhere (e.g. by a ``kik:nonPublic`` triple in the office graph). By default a new
    graph is returned and ``data`` is left alone; ``in_place=True`` removes the withheld triples from ``data``
    itself (no copy – for large graphs that the caller owns).
    """
    report = report if report is not None else PrivacyReport()
    report.input_triples = len(data)
    classes, predicates = internal_terms(vocabulary)
    report.flagged_classes = sorted(str(c) for c in classes - INTERNAL_CLASSES)
    report.flagged_predicates = sorted(str(p) for p in predicates - INTERNAL_PREDICATES)

    hidden: set[Node] = set(flagged)
    hidden |= {s for s, o in data.subject_objects(KIK.nonPublic) if o in _TRUE}
    for cls in classes:
        hidden |= set(data.subjects(RDF.type, cls))
    hidden = _blank_closure(data, hidden)
    report.removed_resources = len({h for h in hidden if (h, None, None) in data})

    withheld: set[tuple[Node, Node, Node]] = set()
    dropped_objects: set[BNode] = set()
    for node in hidden:
        withheld.update(data.triples((node, None, None)))
        withheld.update(data.triples((None, None, node)))
    for predicate in predicates:
        for triple in data.triples((None, predicate, None)):
            if triple not in withheld:
                report.removed_by_predicate += 1
                withheld.add(triple)
            if isinstance(triple[2], BNode):
                dropped_objects.add(triple[2])

    if in_place:
        out = data
        for triple in withheld:
            out.remove(triple)
    else:
        out = Graph()
        for prefix, namespace in data.namespaces():
            out.bind(prefix, namespace, override=True)
        for triple in data:
            if triple not in withheld:
                out.add(triple)
    # Blank nodes that only hung off a withheld statement (e.g. a structured internal note) go too.
    candidates = _blank_closure(out, dropped_objects)
    changed = True
    while changed:
        changed = False
        for node in list(candidates):
            if not any(out.subjects(None, node)):
                out.remove((node, None, None))
                candidates.discard(node)
                changed = True
    report.output_triples = len(out)
    return out


def public_graph(store: GraphStore, report: PrivacyReport | None = None) -> Graph:
    """The publishable dataset: the public graphs of ``store`` passed through :func:`filter_graph`."""
    data = store.graph(str(PUBLIC_GRAPHS[0]))
    for graph_iri in PUBLIC_GRAPHS[1:]:
        data += store.graph(str(graph_iri))
    vocabulary = store.graph(str(GRAPH_ONTOLOGY))
    flags = store.select("SELECT DISTINCT ?s WHERE { ?s kik:nonPublic ?flag . FILTER(?flag = true) }")
    flagged = {row["s"] for row in flags.rows if row["s"] is not None}
    return filter_graph(data, vocabulary=vocabulary, flagged=flagged, report=report, in_place=True)
