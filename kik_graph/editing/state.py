"""Reading the current state of a resource and its version (ETag), and serialising triples safely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store.base import GraphStore, StoreError
from kik_graph.store.binding import serialise_term
from kik_graph.terms import is_iri

Triple = tuple[Node, Node, Node]

# The resource, plus the blank nodes hanging off it (two levels) and the sub-resources it points to whose IRI is
# its own IRI with a fragment (e.g. a service's addresses ``…/angebot/x#anschrift-besuch-1``).
_STATE_QUERY = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_KIK}> {{
  {{ ?r ?p ?o BIND(?r AS ?s) }}
  UNION {{ ?r ?p1 ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ ?r ?p1 ?b . FILTER(isBlank(?b)) ?b ?p2 ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
  UNION {{ ?r ?p1 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?r), "#"))) ?s ?p ?o }}
}} }}
"""


def resource_state(store: GraphStore, resource: URIRef) -> Graph:
    """The triples of ``resource`` in the KIK graph (its own statements and those of its blank nodes)."""
    graph = Graph()
    for row in store.select(_STATE_QUERY, {"r": resource}).rows:
        graph.add((row["s"], row["p"], row["o"]))
    return graph


def term_nt(term: Node) -> str:
    """One term in N-Triples syntax (IRIs checked, literals escaped; blank nodes as ``_:label``)."""
    if isinstance(term, BNode):
        return f"_:{_bnode_label(term)}"
    if isinstance(term, URIRef) and not is_iri(str(term)):
        raise StoreError(f"Ungültige IRI: {str(term)[:80]!r}")
    return serialise_term(term)


def _bnode_label(node: BNode) -> str:
    label = "".join(ch for ch in str(node) if ch.isalnum())
    return "b" + (label or hashlib.sha1(str(node).encode()).hexdigest()[:12])


def triple_lines(triples: Iterable[Triple]) -> list[str]:
    """Sorted N-Triples lines (each ending in `` .``) for the given triples."""
    return sorted(f"{term_nt(s)} {term_nt(p)} {term_nt(o)} ." for s, p, o in triples)


def version_of(triples: Iterable[Triple]) -> str:
    """The version (ETag) of a resource state: a hash over its sorted N-Triples (blank node labels ignored)."""
    lines = sorted(
        " ".join("_:" if isinstance(t, BNode) else term_nt(t) for t in triple) for triple in triples
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def resource_version(store: GraphStore, resource: URIRef) -> str:
    """The current version (ETag) of ``resource`` in the store."""
    return version_of(resource_state(store, resource))


def parse_lines(text: str) -> Graph:
    """Parse N-Triples text written by :func:`triple_lines`."""
    graph = Graph()
    if text.strip():
        graph.parse(data=text, format="nt")
    return graph


def literal_text(node: Node | None) -> str:
    """A literal's text or '' (for display)."""
    return str(node) if isinstance(node, Literal) else ("" if node is None else str(node))


def canonical_literals(literals: Iterable[Literal]) -> dict[Literal, Literal]:
    """Each literal mapped to the canonical form the store keeps (``"2.0"^^xsd:decimal`` → ``"2"``)."""
    import pyoxigraph as ox

    from kik_graph.store.oxigraph_store import to_oxigraph, to_rdflib

    originals = list(dict.fromkeys(literals))
    scratch = ox.Store()
    subject, context = ox.NamedNode("urn:kik-graph:s"), ox.NamedNode("urn:kik-graph:canonical")
    for n, lit in enumerate(originals):
        scratch.add(ox.Quad(subject, ox.NamedNode(f"urn:kik-graph:p{n}"), to_oxigraph(lit), context))
    out: dict[Literal, Literal] = {}
    for q in scratch:
        out[originals[int(q.predicate.value.rsplit("p", 1)[-1])]] = to_rdflib(q.object)
    return out


def canonical(graph: Graph) -> Graph:
    """``graph`` with every literal in the canonical form the store keeps.

    Versions and differences are computed on this form, so that what is written equals what is read back.
    """
    mapping = canonical_literals(o for o in graph.objects() if isinstance(o, Literal))
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, mapping.get(o, o) if isinstance(o, Literal) else o))
    return out
