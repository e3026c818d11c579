"""Publishing the public dataset to a SPARQL 1.1 endpoint (``kik-graph publish``).

The data passes the privacy filter (:mod:`kik_graph.export.privacy`) and replaces the dataset's named graph on the
endpoint with :meth:`SparqlEndpointStore.replace_graph`: upload into a staging graph (progress on stderr), verify
its triple count, swap in one SPARQL operation (marked as a switch, so that kik-graph readers never see a mixture,
see :mod:`kik_graph.store.sparql_fence`), verify again. The vocabulary goes into its own graph the same way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph

from kik_graph.export.privacy import PrivacyReport, public_graph
from kik_graph.export.rdf import INTERNAL_BASE, normalise_base, rebase
from kik_graph.namespaces import GRAPH_KIK, GRAPH_ONTOLOGY
from kik_graph.store.base import GraphStore, StoreError
from kik_graph.store.sparql_store import SparqlEndpointStore
from kik_graph.terms import iri


@dataclass
class PublishedGraph:
    """One graph written to the endpoint."""

    graph: str
    triples: int
    seconds: float


@dataclass
class PublishResult:
    """What ``publish`` wrote."""

    graphs: list[PublishedGraph] = field(default_factory=list)
    privacy: PrivacyReport = field(default_factory=PrivacyReport)

    @property
    def seconds(self) -> float:
        """Total upload time."""
        return sum(g.seconds for g in self.graphs)


class Progress:
    """Progress of an upload on stderr: one updating line on a terminal, a line every 10 % otherwise."""

    def __init__(self, label: str, stream=None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_step = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else int(done * 100 / total)
        text = f"{self.label}: {done:,}/{total:,} Tripel hochgeladen ({percent} %)".replace(",", ".")
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done >= total else ""))
            self.stream.flush()
        elif percent // 10 != self._last_step or done >= total:
            self._last_step = percent // 10
            print(text, file=self.stream, flush=True)


def publish_graph(target: SparqlEndpointStore, graph_iri: str, data: Graph,
                  progress: Callable[[int, int], None] | None = None) -> PublishedGraph:
    """Replace ``graph_iri`` on the endpoint with ``data`` atomically and verify the triple count."""
    started = time.perf_counter()
    target.replace_graph(graph_iri, data, progress=progress)
    count = target.triple_count(graph_iri)
    if count != len(data):
        raise StoreError(f"Prüfung fehlgeschlagen: <{graph_iri}> enthält {count} statt {len(data)} Tripel.")
    return PublishedGraph(graph_iri, count, time.perf_counter() - started)


def publish(source: GraphStore, target: SparqlEndpointStore, *, graph: str | None = None, base: str | None = None,
            vocabulary: bool = True, say: Callable[[str], None] | None = None,
            progress_stream=None) -> PublishResult:
    """Publish the public data of ``source`` (and the vocabulary) to ``target``.

    ``graph`` is the target graph of the data (default: the dataset graph ``GRAPH_KIK``, which the app uses when it
    runs on the endpoint); ``base`` rebases resource IRIs (default: unchanged, as the app expects).
    """
    say = say or (lambda _msg: None)
    graph_iri = str(iri(graph, field="--graph")) if graph else str(GRAPH_KIK)
    result = PublishResult()
    say("Öffentliche Daten auslesen (Datenschutzfilter) …")
    data = public_graph(source, result.privacy)
    if base:
        data = rebase(data, normalise_base(base), INTERNAL_BASE)
    say(f"Veröffentlichen nach <{graph_iri}> auf {target.description} ({len(data)} Tripel) …")
    result.graphs.append(publish_graph(target, graph_iri, data,
                                       Progress("Daten", progress_stream)))
    if vocabulary:
        vocab = source.graph(str(GRAPH_ONTOLOGY))
        if len(vocab):
            say(f"Vokabular nach <{GRAPH_ONTOLOGY}> ({len(vocab)} Tripel) …")
            result.graphs.append(publish_graph(target, str(GRAPH_ONTOLOGY), vocab,
                                               Progress("Vokabular", progress_stream)))
    return result
