"""The store interface: the app and the CLI talk only to this, never to a concrete backend."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from rdflib import Graph
from rdflib.term import Node, Variable


class StoreError(RuntimeError):
    """A store could not answer: unreachable, timed out, locked or corrupt. The message is for people."""


class QueryTimeout(StoreError):
    """A query took longer than its time limit."""


@dataclass
class SelectResult:
    """Rows of a SELECT query: ``variables`` in query order, each row maps variable name → rdflib term or None."""

    variables: list[str]
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    truncated: bool = False

    def __iter__(self) -> Iterator[dict[str, Node | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def as_strings(self) -> list[dict[str, str]]:
        """Rows with every value as a plain string ('' for unbound)."""
        return [{v: ("" if row.get(v) is None else str(row[v])) for v in self.variables} for row in self.rows]


Bindings = Mapping[str, Node]


@runtime_checkable
class GraphStore(Protocol):
    """A SPARQL 1.1 dataset: the embedded Oxigraph store or a remote endpoint.

    ``bindings`` map variable names (without ``?``) to RDF terms; implementations bind them as terms
    (SEP-0007 substitution or an equivalent VALUES block), never by pasting text.
    """

    #: short human-readable description, e.g. "Oxigraph (var/store)"
    description: str

    def select(self, query: str, bindings: Bindings | None = None, *, limit: int | None = None,
               timeout: float | None = None) -> SelectResult:
        """Run a SELECT query."""

    def ask(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> bool:
        """Run an ASK query."""

    def construct(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""

    def update(self, update: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update atomically."""

    def graph(self, graph_iri: str) -> Graph:
        """Return a copy of one named graph."""

    def replace_graph(self, graph_iri: str, data: Graph) -> None:
        """Replace one named graph with ``data`` atomically."""

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph or in the whole dataset."""

    def close(self) -> None:
        """Release the store."""


def variables(bindings: Bindings | None) -> dict[Variable, Node]:
    """Binding names as SPARQL variables."""
    return {Variable(k.lstrip("?$")): v for k, v in (bindings or {}).items()}
