"""What the public directory may show: exactly what the privacy filter (:mod:`kik_graph.export.privacy`) lets through.

The directory reads its data with three parameter-free named queries (``queries/directory-*.rq``). Before the
search index or a page sees that data, :func:`withheld` asks the store once (``queries/directory-withheld.rq``)
which resources are withheld – every resource flagged ``kik:nonPublic true`` in any graph, services and linked
resources typed with an internal class (persons, change records, accounts, feedback, search log) – and whether the
vocabulary flags classes or properties as non-public. :class:`Withheld` then applies the privacy filter's own
:func:`~kik_graph.export.privacy.filter_graph` to the constructed graphs and the same rules to the label rows, so
non-public services, links to non-public organisations and internal properties (internal notes, editor accounts,
names of persons, PROV history …) never reach the search, a service page or a CLI answer of the directory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import ORG, SKOS
from rdflib.term import Node

from kik_graph.export.privacy import INTERNAL_CLASSES, INTERNAL_PREDICATES, filter_graph, internal_terms
from kik_graph.namespaces import GRAPH_ONTOLOGY, KIK
from kik_graph.queries import get_query
from kik_graph.store.base import GraphStore

#: Instances of one class (bound, never pasted) – only needed for classes the vocabulary flags as non-public.
_INSTANCES = "SELECT DISTINCT ?resource WHERE { ?resource a ?class }"

#: The predicate(s) behind each column of ``directory-labels.rq``.
LABEL_COLUMNS: dict[str, tuple[URIRef, ...]] = {
    "label": (SKOS.prefLabel,),
    "alt": (SKOS.altLabel, KIK.annexLabel),
    "parent": (ORG.unitOf,),
    "notation": (SKOS.notation,),
    "text": (KIK.text,),
}


@dataclass
class Withheld:
    """The resources and predicates the directory must never show."""

    resources: set[Node] = field(default_factory=set)
    vocabulary: Graph | None = None
    predicates: frozenset[URIRef] = INTERNAL_PREDICATES

    def filter(self, data: Graph) -> Graph:
        """``data`` without withheld resources, links to them and internal properties (changed in place)."""
        return filter_graph(data, vocabulary=self.vocabulary, flagged=self.resources, in_place=True)

    def label_rows(self, rows: Iterable[dict]) -> list[dict]:
        """The rows of ``directory-labels.rq`` without withheld resources, parents and internal properties."""
        dropped = {column for column, props in LABEL_COLUMNS.items() if set(props) & self.predicates}
        out = []
        for row in rows:
            if row.get("resource") in self.resources:
                continue
            row = dict(row)
            if row.get("parent") in self.resources:
                dropped_here = dropped | {"parent"}
            else:
                dropped_here = dropped
            if "parent" in dropped_here:
                row["parentLabel"] = None
            for column in dropped_here:
                row[column] = None
            out.append(row)
        return out


def withheld(store: GraphStore) -> Withheld:
    """Ask ``store`` what the directory must withhold (one query; the vocabulary is read only when it flags terms)."""
    rows = store.select(get_query("directory-withheld").sparql).rows
    resources = {row["resource"] for row in rows if row.get("resource") is not None}
    if not any(row.get("term") is not None for row in rows):
        return Withheld(resources)
    vocabulary = store.graph(str(GRAPH_ONTOLOGY))
    classes, predicates = internal_terms(vocabulary)
    for cls in classes - INTERNAL_CLASSES:
        found = store.select(_INSTANCES, {"class": cls}).rows
        resources |= {row["resource"] for row in found if row.get("resource") is not None}
    return Withheld(resources, vocabulary, frozenset(predicates))
