"""SHACL validation of the resources an edit touches, before anything is written.

The data graph holds the new state of the affected resources, the rdf:type statements of every IRI they point
to (so that ``sh:class`` and the SPARQL rules can check the targets) and the vocabulary (class hierarchy).
Only the results for the affected resources count, which keeps a single edit well under a second.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kik_graph.config import PATHS
from kik_graph.editing.errors import EditProblem
from kik_graph.graphdata import load_ontology, parse_turtle
from kik_graph.store.base import GraphStore

_TYPES_QUERY = "SELECT DISTINCT ?t WHERE { ?o a ?t }"


def _install_query_cache() -> None:
    """Let pyshacl's SPARQL constraints parse each query once instead of once per focus node.

    pyshacl hands rdflib the same query text (with different initial bindings) for every node a SPARQL-based
    constraint checks; parsing dominates the time of an import. The prepared query is cached by its text. If the
    pyshacl internals differ from what is expected, nothing is changed.
    """
    try:
        from pyshacl.constraints.sparql import sparql_based_constraints as sbc
        from rdflib.plugins.sparql import prepareQuery
    except ImportError:  # pragma: no cover
        return
    component = getattr(sbc, "SPARQLBasedConstraint", None)
    original = getattr(component, "_validate_sparql_query", None)
    if original is None or getattr(original, "_kik_cached", False):
        return
    prepared: dict[str, object] = {}

    def cached(self, query, init_binds, target_graph):
        if isinstance(query, str):
            try:
                if query not in prepared:
                    prepared[query] = prepareQuery(query)
                query = prepared[query]
            except Exception:  # anything unusual: let pyshacl handle the text as before
                pass
        return original(self, query, init_binds, target_graph)

    cached._kik_cached = True  # type: ignore[attr-defined]
    component._validate_sparql_query = cached


_install_query_cache()


@lru_cache(maxsize=2)
def _shapes(path: str, mtime: float) -> Graph:
    return parse_turtle(PATHS.shapes)


@lru_cache(maxsize=2)
def _ontology(path: str, mtime: float) -> Graph:
    return load_ontology()


def shapes_graph() -> Graph:
    """The SHACL shapes (cached until ontology/shapes.ttl changes)."""
    return _shapes(str(PATHS.shapes), PATHS.shapes.stat().st_mtime)


def ontology_graph() -> Graph:
    """The vocabulary (cached until ontology/kik.ttl changes)."""
    return _ontology(str(PATHS.ontology), PATHS.ontology.stat().st_mtime)


def short(term: object) -> str:
    """Compact form of an IRI for messages (kikd:…, kik:…)."""
    text = str(term)
    for prefix, name in (("https://w3id.org/kik-graph/id/", "kikd:"), ("https://w3id.org/kik-graph/vocab#", "kik:"),
                         ("http://purl.org/dc/terms/", "dcterms:"), ("http://www.w3.org/2004/02/skos/core#", "skos:"),
                         ("https://schema.org/", "schema:"), ("http://www.w3.org/ns/org#", "org:")):
        if text.startswith(prefix):
            return name + text[len(prefix):]
    return text


def build_data_graph(store: GraphStore | Graph, new_states: Mapping[URIRef, Graph]) -> Graph:
    """New states of the affected resources + types of everything they reference + the vocabulary.

    ``store`` is the store (or a whole rdflib graph) the types of referenced resources are read from.
    """
    data = _edit_triples(store, new_states)
    data += ontology_graph()
    return data


def _edit_triples(store: GraphStore | Graph, new_states: Mapping[URIRef, Graph]) -> Graph:
    """The data graph of :func:`build_data_graph` without the vocabulary."""
    data = Graph()
    for state in new_states.values():
        data += state
    referenced = {o for state in new_states.values() for o in state.objects() if isinstance(o, URIRef)}
    for target in sorted(referenced - set(new_states)):
        if isinstance(store, Graph):
            for t in store.objects(target, RDF.type):
                data.add((target, RDF.type, t))
            continue
        for row in store.select(_TYPES_QUERY, {"o": target}).rows:
            data.add((target, RDF.type, row["t"]))
    return data


@lru_cache(maxsize=1)
def _vocabulary_copy(ontology: Graph) -> Graph:
    copy = Graph()
    copy += ontology
    return copy


@contextlib.contextmanager
def _with_vocabulary(extra: Graph) -> Iterator[Graph]:
    """A graph of the vocabulary plus ``extra`` – the same triples as :func:`build_data_graph`, without copying the
    vocabulary for every edit: ``extra`` is added to a cached copy and removed again afterwards (hold
    ``_VALIDATE_LOCK``). Should anything else have changed the copy, it is dropped and never used again."""
    base = _vocabulary_copy(ontology_graph())
    size = len(base)
    added = [t for t in extra if t not in base]
    for t in added:
        base.add(t)
    try:
        yield base
    finally:
        for t in added:
            base.remove(t)
        if len(base) != size:
            _vocabulary_copy.cache_clear()


def states_in(graph: Graph, resources: Iterable[URIRef]) -> dict[URIRef, Graph]:
    """The state of each resource in ``graph`` (its statements and those of its ``#…`` sub-resources)."""
    out: dict[URIRef, Graph] = {}
    for resource in resources:
        state = Graph()
        prefix = str(resource) + "#"
        for s in {resource, *(o for o in graph.objects(resource, None) if str(o).startswith(prefix))}:
            for t in graph.triples((s, None, None)):
                state.add(t)
        out[resource] = state
    return out


_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
#: what pyshacl adds to every shapes graph it is given (added here once, so a cached graph is never changed)
_SYSTEM_TRIPLES = ((OWL.Class, RDFS.subClassOf, RDFS.Class), (OWL.DatatypeProperty, RDFS.subClassOf, RDF.Property))
#: pyshacl runs one validation at a time (the cached shapes graphs are shared between threads)
_VALIDATE_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _target_triples(shapes: Graph) -> tuple[tuple[Node, Node, Node], ...]:
    return tuple(t for p in _TARGETS for t in shapes.triples((None, p, None)))


@lru_cache(maxsize=64)
def _pruned_shapes(shapes: Graph, dropped: frozenset[tuple[Node, Node, Node]]) -> Graph:
    out = Graph()
    out += shapes
    for t in dropped:
        out.remove(t)
    for t in _SYSTEM_TRIPLES:
        out.add(t)
    return out


def relevant_shapes(data: Graph, focus: Iterable[URIRef]) -> Graph:
    """The shapes graph with the targets removed from every shape that cannot target one of ``focus``.

    The referenced neighbours are in the data graph with their types only; without their shapes' targets they are
    not validated at all (which also saves the SPARQL-based constraints of, e.g., every referenced measure).
    The result is cached by the set of removed targets (an edit of the same kind reuses it): do not change it.
    """
    shapes = shapes_graph()
    focus = set(focus)
    classes = set()
    for node in focus:
        for cls in data.objects(node, RDF.type):
            classes.add(cls)
            classes.update(data.transitive_objects(cls, RDFS.subClassOf))
    predicates = {p for node in focus for p in data.predicates(node, None)}
    objects_of = {p for node in focus for p in data.predicates(None, node)}
    dropped = frozenset(
        (shape, predicate, value) for shape, predicate, value in _target_triples(shapes)
        if not ((predicate == SH.targetClass and value in classes)
                or (predicate == SH.targetSubjectsOf and value in predicates)
                or (predicate == SH.targetObjectsOf and value in objects_of)
                or (predicate == SH.targetNode and value in focus)))
    # implicit class targets (a shape that is also an rdfs:Class) stay: none in ontology/shapes.ttl
    return _pruned_shapes(shapes, dropped)


def validate_states(store: GraphStore | Graph, new_states: Mapping[URIRef, Graph],
                    origins: Mapping[URIRef, tuple[int | None, Mapping[URIRef, str]]] | None = None) -> list[EditProblem]:
    """SHACL problems of the new states (empty list = valid).

    ``origins`` maps a resource to (row, {property → column}) so that import problems name row and column.
    """
    focus = sorted({s for state in new_states.values() for s in state.subjects() if isinstance(s, URIRef)})
    if not focus:
        return []
    extra = _edit_triples(store, new_states)
    # No ``focus_nodes``: pyshacl then skips nested value shapes for other nodes (qualified counts go wrong).
    # The neighbours are in the data graph with their types only; their results are dropped below.
    # In place: the data graph is this validation's own (see _with_vocabulary); the shapes graph is not changed.
    with _VALIDATE_LOCK, _with_vocabulary(extra) as data:
        conforms, results, _ = shacl_validate(data, shacl_graph=relevant_shapes(data, focus), inference="none",
                                              advanced=True, allow_warnings=True, inplace=True)
    if conforms:
        return []
    problems: list[EditProblem] = []
    focus_set = set(focus)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        if severity is not None and severity != SH.Violation:
            continue
        node = results.value(result, SH.focusNode)
        if node not in focus_set:  # a neighbour that is only present with its types: not part of this edit
            continue
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        row, columns = (origins or {}).get(node, (None, {}))
        problems.append(EditProblem(
            message=str(message) if message else "Verstoß gegen eine SHACL-Regel",
            resource=short(node), path=short(path) if isinstance(path, URIRef) else "",
            row=row, column=columns.get(path, "") if isinstance(path, URIRef) else "",
            value=_value_text(value, node)))
    problems.sort(key=lambda p: (p.row or 0, p.resource, p.path, p.message))
    return _dedupe(problems)


def _value_text(value: object, node: object) -> str:
    if value is None or value == node or isinstance(value, BNode):
        return ""
    text = str(value) if isinstance(value, Literal) else short(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _dedupe(problems: Iterable[EditProblem]) -> list[EditProblem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
