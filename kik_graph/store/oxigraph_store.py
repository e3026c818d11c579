"""The embedded, persistent store: Oxigraph on disk (or in memory for tests and benchmarks)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kik_graph.config import memory_mirror
from kik_graph.namespaces import PREFIXES
from kik_graph.store.base import Bindings, QueryTimeout, SelectResult, StoreError
from kik_graph.store.binding import bind
from kik_graph.terms import iri

_XSD_STRING = str(XSD.string)
log = logging.getLogger("kik_graph.store")


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


_UNION: dict[str, object] = {"use_default_graph_as_union": True}


class OxigraphStore:
    """:class:`~kik_graph.store.base.GraphStore` over a pyoxigraph ``Store``.

    Queries see the union of all named graphs – or, with ``graphs``, the union of exactly these named graphs (the
    dataset of one municipality in a store that holds several; the same scoping as the ``graphs`` of
    :class:`~kik_graph.store.sparql_store.SparqlEndpointStore`). Bindings are bound with
    :func:`kik_graph.store.binding.bind`. Reads are thread-safe; writes are serialised by a lock and each write is
    one Oxigraph transaction.

    A store on disk answers reads from a mirror in memory (``mirror``, default :func:`kik_graph.config.memory_mirror`):
    Oxigraph's in-memory store answers the named queries 3.6 times faster (median; 1.3–8.6×) than its on-disk
    store. The disk stays the only truth: the mirror is copied from it on the first read, every write goes to the
    disk first and only then to the mirror, and a mirror that fails to follow is dropped and copied afresh. A
    read-only store has no mirror (another process may write to the disk). A scoped store (``graphs``) mirrors only
    its graphs: the disk may hold a hundred municipalities while memory holds the one its queries see, so queries
    cost what they cost on that municipality's data alone. Reads of other graphs (``graph``, ``triple_count``,
    ``named_graphs``) go to the disk, and a write makes it copy its graphs afresh (an update may read graphs that
    the mirror lacks).
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False,
                 graphs: Sequence[str] | None = None, mirror: bool | None = None) -> None:
        self.path = path
        self.graphs: list[str] | None = None if graphs is None else [str(iri(g, field="Graph")) for g in graphs]
        if self.graphs is None:
            self._scope: dict[str, object] = _UNION
        else:
            scope = [ox.NamedNode(g) for g in self.graphs]
            self._scope = {"default_graph": scope, "named_graphs": scope}
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
        self._mirrored = path is not None and not read_only and (memory_mirror() if mirror is None else mirror)
        self._reader: ox.Store | None = None if self._mirrored else self._store

    # ------------------------------------------------------------------ the in-memory mirror
    def _read_store(self) -> ox.Store:
        """The store that answers reads: the mirror (copied from disk on first use) or the store itself."""
        reader = self._reader
        if reader is None:
            with self._write_lock:
                if self._reader is None:
                    copy = ox.Store()
                    try:
                        graphs = [None] if self.graphs is None else [ox.NamedNode(g) for g in self.graphs]
                        for graph in graphs:
                            copy.extend(self._store.quads_for_pattern(None, None, None, graph))
                    except (OSError, RuntimeError) as exc:
                        raise StoreError(f"Der Speicher {self.path} konnte nicht gelesen werden: {exc}") from exc
                    self._reader = copy
                reader = self._reader
        return reader

    def _reader_of(self, graph_iri: str | None) -> ox.Store:
        """The store that holds ``graph_iri`` (None: every graph) completely: the mirror, unless it holds only the
        scoped graphs and ``graph_iri`` is not one of them."""
        if self.graphs is None or not self._mirrored or (graph_iri is not None and graph_iri in self.graphs):
            return self._read_store()
        return self._store

    def _follow(self, update: str) -> None:
        """Apply a write that the disk has committed to the mirror as well (or drop the mirror)."""
        if not self._mirrored or self._reader is None:
            return
        if self.graphs is not None:  # an update may read graphs the mirror lacks: copy the scope afresh instead
            self._reader = None
            return
        try:
            self._reader.update(update, prefixes=PREFIXES)
        except (OSError, RuntimeError, SyntaxError, ValueError) as exc:  # never expected: same update, same state
            log.warning("Speicherkopie im Arbeitsspeicher verworfen (%s); sie wird neu vom Datenträger geladen.", exc)
            self._reader = None

    # ------------------------------------------------------------------ queries
    def _query(self, query: str, bindings: Bindings | None):
        try:
            reader = self._read_store()
            # the mirror of a scoped store holds exactly its graphs: their union is the default graph, which Oxigraph
            # answers faster than a list of default graphs (each pattern looked up once, not once per graph)
            scope = _UNION if reader is not self._store else self._scope
            return reader.query(bind(query, bindings), prefixes=PREFIXES, **scope)
        except SyntaxError as exc:
            raise StoreError(f"SPARQL-Syntaxfehler: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"Der Speicher konnte die Abfrage nicht ausführen: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None, *, limit: int | None = None,
               timeout: float | None = None) -> SelectResult:
        """Run a SELECT query; stop after ``limit`` rows or ``timeout`` seconds (QueryTimeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        solutions = self._query(query, bindings)
        try:
            if not isinstance(solutions, ox.QuerySolutions):
                raise StoreError("Die Abfrage ist keine SELECT-Abfrage.")
            names = [v.value for v in solutions.variables]
            result = SelectResult(variables=names)
            for solution in solutions:
                if limit is not None and len(result.rows) >= limit:
                    result.truncated = True
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise QueryTimeout(f"Die Abfrage hat das Zeitlimit von {timeout:g} s überschritten.")
                result.rows.append({name: to_rdflib(solution[name]) for name in names})
        except StoreError:  # a RuntimeError itself: not a failure of the engine
            raise
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"Die Abfrage ist fehlgeschlagen: {exc}") from exc
        finally:
            # pyoxigraph's result iterator may only be dropped on the thread that made it; an exception's traceback
            # would otherwise keep it alive until the garbage collector drops it on some other thread
            del solutions
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

    def query_results(self, query: str, bindings: Bindings | None = None) -> bytes:
        """The complete answer as a SPARQL endpoint would send it, serialised by Oxigraph itself: SPARQL 1.1 JSON
        results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE (no conversion to Python terms)."""
        answer = self._query(query, bindings)
        try:
            if isinstance(answer, ox.QueryTriples):
                return answer.serialize(format=ox.RdfFormat.N_TRIPLES)
            return answer.serialize(format=ox.QueryResultsFormat.JSON)
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"Die Abfrage ist fehlgeschlagen: {exc}") from exc

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
            self._follow(update)

    def replace_graph(self, graph_iri: str, data: Graph) -> None:
        """Replace one named graph atomically (one transaction: clear and insert)."""
        target = iri(graph_iri, field="Graph")
        body = data.serialize(format="nt")
        self.update(f"DROP SILENT GRAPH <{target}> ;\nINSERT DATA {{ GRAPH <{target}> {{\n{body}\n}} }}")

    def bulk_load(self, graph_iri: str | None, data: bytes | str | Path, rdf_format: str = "nt") -> None:
        """Load a large N-Triples/Turtle file or text into one named graph – or N-Quads (``rdf_format="nq"``,
        ``graph_iri`` None) into the graphs it names – fast (not transactional; for builds and benchmarks on a
        fresh store)."""
        formats = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE, "nq": ox.RdfFormat.N_QUADS}
        target = None if graph_iri is None else ox.NamedNode(str(iri(graph_iri, field="Graph")))
        with self._write_lock:
            try:
                if isinstance(data, Path):
                    self._store.bulk_load(path=str(data), format=formats[rdf_format], to_graph=target)
                else:
                    self._store.bulk_load(data, format=formats[rdf_format], to_graph=target)
            except (OSError, SyntaxError, RuntimeError) as exc:
                raise StoreError(f"Massenladen in {graph_iri or 'die benannten Graphen'} fehlgeschlagen: {exc}") from exc
            finally:
                if self._mirrored:
                    self._reader = None  # copied afresh on the next read

    def graph(self, graph_iri: str) -> Graph:
        """Return a copy of one named graph as an rdflib graph."""
        graph = Graph()
        for q in self._reader_of(str(graph_iri)).quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return graph

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph or in all graphs."""
        reader = self._reader_of(None if graph_iri is None else str(graph_iri))
        if graph_iri is None:
            return len(reader)
        return sum(1 for _ in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)))

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs in the store."""
        return sorted(g.value for g in self._reader_of(None).named_graphs() if isinstance(g, ox.NamedNode))

    def flush(self) -> None:
        """Write buffered data to disk."""
        try:
            self._store.flush()
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"Der Speicher konnte nicht auf den Datenträger schreiben: {exc}") from exc

    def close(self) -> None:
        """Release the store (pyoxigraph closes when the object is dropped)."""
        self._store = None  # type: ignore[assignment]
        self._reader = None
