"""The embedded, persistent store: Oxigraph on disk (or in memory for tests and benchmarks)."""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kik_graph.namespaces import PREFIXES
from kik_graph.store.base import Bindings, QueryTimeout, SelectResult, StoreError
from kik_graph.store.binding import bind
from kik_graph.terms import iri

_XSD_STRING = str(XSD.string)


@lru_cache(maxsize=65536)
def _convert(term: object) -> Node:
    return _to_rdflib(term)


def to_rdflib(term: object) -> Node | None:
    """Convert a pyoxigraph term to its rdflib equivalent (cached: conversion costs more than many queries)."""
    return None if term is None else _convert(term)


def _to_rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to its pyoxigraph equivalent."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


class OxigraphStore:
    """:class:`~kik_graph.store.base.GraphStore` over a pyoxigraph ``Store``.

    Queries see the union of all named graphs; bindings are bound with :func:`kik_graph.store.binding.bind`. Reads are thread-safe; writes are serialised by a lock and each
    write is one Oxigraph transaction.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self._write_lock = threading.RLock()
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except (OSError, RuntimeError) as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"Der Speicher {path} wird gerade von einem anderen Prozess benutzt (z.B. der laufenden App). "
                    "Bitte diesen beenden oder mit --store einen anderen Speicher wählen."
                ) from exc
            if "no space left" in str(exc).lower() or "file too large" in str(exc).lower():
                raise StoreError(f"Der Speicher {path} kann nicht geöffnet werden: "
                                 "Datenträger voll (kein freier Speicherplatz oder Dateigrößen-Limit erreicht). Bitte Platz schaffen.") from exc
            raise StoreError(f"Der Speicher {path} kann nicht geöffnet werden: {exc}") from exc
        self.description = f"Oxigraph ({path})" if path else "Oxigraph (im Arbeitsspeicher)"

    # ------------------------------------------------------------------ queries
    def _query(self, query: str, bindings: Bindings | None):
        try:
            return self._store.query(bind(query, bindings), prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL-Syntaxfehler: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"Der Speicher konnte die Abfrage nicht ausführen: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None, *, limit: int | None = None,
               timeout: float | None = None) -> SelectResult:
        """Run a SELECT query; stop after ``limit`` rows or ``timeout`` seconds (QueryTimeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        solutions = self._query(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("Die Abfrage ist keine SELECT-Abfrage.")
        names = [v.value for v in solutions.variables]
        result = SelectResult(variables=names)
        try:
            for solution in solutions:
                if limit is not None and len(result.rows) >= limit:
                    result.truncated = True
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise QueryTimeout(f"Die Abfrage hat das Zeitlimit von {timeout:g} s überschritten.")
                result.rows.append({name: to_rdflib(solution[name]) for name in names})
        except QueryTimeout:
            raise
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"Die Abfrage ist fehlgeschlagen: {exc}") from exc
        return result

    def ask(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> bool:
        """Run an ASK query."""
        answer = self._query(query, bindings)
        if not isinstance(answer, ox.QueryBoolean):
            raise StoreError("Die Abfrage ist keine ASK-Abfrage.")
        return bool(answer)

    def construct(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query into an rdflib graph."""
        triples = self._query(query, bindings)
        if not isinstance(triples, ox.QueryTriples):
            raise StoreError("Die Abfrage ist keine CONSTRUCT- oder DESCRIBE-Abfrage.")
        graph = Graph()
        for t in triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph

    # ------------------------------------------------------------------ writes
    def update(self, update: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update in one transaction (all or nothing)."""
        if bindings:
            raise StoreError("Parameter-Bindung wird für Updates nicht unterstützt; Terme mit rdflib erzeugen.")
        with self._write_lock:
            try:
                self._store.update(update, prefixes=PREFIXES)
            except SyntaxError as exc:
                raise StoreError(f"SPARQL-Update-Syntaxfehler: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"Das Update konnte nicht geschrieben werden: {exc}") from exc

    def replace_graph(self, graph_iri: str, data: Graph) -> None:
        """Replace one named graph atomically (one transaction: clear and insert)."""
        target = iri(graph_iri, field="Graph")
        body = data.serialize(format="nt")
        self.update(f"DROP SILENT GRAPH <{target}> ;\nINSERT DATA {{ GRAPH <{target}> {{\n{body}\n}} }}")

    def bulk_load(self, graph_iri: str, data: bytes | str | Path, rdf_format: str = "nt") -> None:
        """Load a large N-Triples/Turtle file or text into one named graph fast (not transactional; for builds
        and benchmarks on a fresh store)."""
        formats = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}
        target = ox.NamedNode(str(iri(graph_iri, field="Graph")))
        with self._write_lock:
            try:
                if isinstance(data, Path):
                    self._store.bulk_load(path=str(data), format=formats[rdf_format], to_graph=target)
                else:
                    self._store.bulk_load(data, format=formats[rdf_format], to_graph=target)
            except (OSError, SyntaxError, RuntimeError) as exc:
                raise StoreError(f"Massenladen in {graph_iri} fehlgeschlagen: {exc}") from exc

    def graph(self, graph_iri: str) -> Graph:
        """Return a copy of one named graph as an rdflib graph."""
        graph = Graph()
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return graph

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph or in all graphs."""
        if graph_iri is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def flush(self) -> None:
        """Write buffered data to disk."""
        try:
            self._store.flush()
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"Der Speicher konnte nicht auf den Datenträger schreiben: {exc}") from exc

    def close(self) -> None:
        """Release the store (pyoxigraph closes when the object is dropped)."""
        self._store = None  # type: ignore[assignment]
