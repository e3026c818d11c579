"""The public dataset as Turtle, JSON-LD (compact, with a published ``@context``), N-Triples and RDF/XML.

Resource IRIs are rebased from the internal base ``https://w3id.org/kik-graph/id/`` to a configurable base; the
path after the base never changes, so ``…/massnahme/SB-7.2`` keeps its IRI across exports.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.serializers.turtle import _GEN_QNAME_FOR_DT, TurtleSerializer
from rdflib.term import Node

from kik_graph.export.files import write_atomic
from kik_graph.namespaces import KIKD, PREFIXES
from kik_graph.terms import InvalidInput, is_iri, shorten

#: The internal base of resource IRIs (what the store holds).
INTERNAL_BASE = str(KIKD)
#: Where the export files are published unless ``--download-url`` says otherwise.
DEFAULT_DOWNLOAD_URL = "https://w3id.org/kik-graph/data/"
#: File name of the JSON-LD context, published next to the data files.
CONTEXT_FILE = "context.jsonld"
#: File name stem of the dataset files.
STEM = "kik-graph"


@dataclass(frozen=True)
class RdfFormat:
    """One serialisation of the dataset."""

    key: str
    filename: str
    rdflib_format: str
    media_type: str
    #: EU Publications Office file type (controlled vocabulary for dct:format)
    file_type: str
    label: str


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", f"{STEM}.ttl", "turtle", "text/turtle", "RDF_TURTLE", "Turtle"),
    RdfFormat("jsonld", f"{STEM}.jsonld", "json-ld", "application/ld+json", "JSON_LD", "JSON-LD"),
    RdfFormat("ntriples", f"{STEM}.nt", "nt", "application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
    RdfFormat("rdfxml", f"{STEM}.rdf", "xml", "application/rdf+xml", "RDF_XML", "RDF/XML"),
)


def normalise_base(base: str | None, *, field: str = "--base") -> str:
    """Check a base IRI (absolute http(s), no spaces) and make it end in ``/`` or ``#``."""
    if base is None or not str(base).strip():
        return INTERNAL_BASE
    value = str(base).strip()
    if not is_iri(value) or not value.lower().startswith(("http://", "https://")) or "?" in value:
        raise InvalidInput(f"{field}: {shorten(value)!r} ist keine gültige Basis-IRI (erwartet z.B. "
                           "https://daten.kempten.de/kik/id/).")
    return value if value.endswith(("/", "#")) else value + "/"


def rebase_term(term: Node, old: str, new: str) -> Node:
    """``term`` with the IRI prefix ``old`` replaced by ``new`` (also inside xsd:anyURI literals)."""
    if isinstance(term, URIRef) and str(term).startswith(old):
        return URIRef(new + str(term)[len(old):])
    if isinstance(term, Literal) and term.datatype == XSD.anyURI and str(term).startswith(old):
        return Literal(new + str(term)[len(old):], datatype=XSD.anyURI)
    return term


def rebase(graph: Graph, new: str, old: str = INTERNAL_BASE) -> Graph:
    """A copy of ``graph`` with every IRI under ``old`` moved under ``new``; prefixes are bound for Turtle."""
    out = Graph()
    bind_prefixes(out, new)
    if new == old:
        for triple in graph:
            out.add(triple)
        return out
    for s, p, o in graph:
        out.add((rebase_term(s, old, new), rebase_term(p, old, new), rebase_term(o, old, new)))
    return out


#: Prefixes beyond kik_graph.namespaces.PREFIXES used in the export files.
EXTRA_PREFIXES = {"cv": "http://data.europa.eu/m8g/", "vcard": "http://www.w3.org/2006/vcard/ns#",
                  "locn": "http://www.w3.org/ns/locn#", "adms": "http://www.w3.org/ns/adms#"}


def prefixes_for(base: str) -> dict[str, str]:
    """The prefixes written into the export files, with ``kikd:`` pointing at ``base``."""
    prefixes = {p: (base if p == "kikd" else ns) for p, ns in PREFIXES.items() if p != "kikg"}
    prefixes.update(EXTRA_PREFIXES)
    return prefixes


def bind_prefixes(graph: Graph, base: str) -> None:
    """Bind the export prefixes on ``graph``, with ``kikd:`` pointing at ``base``."""
    for prefix, namespace in prefixes_for(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)


@lru_cache(maxsize=1)
def _context_text() -> str:
    return resources.files("kik_graph").joinpath("static", CONTEXT_FILE).read_text(encoding="utf-8")


def jsonld_context() -> dict:
    """The published JSON-LD context document (``{"@context": {...}}``)."""
    return json.loads(_context_text())


def context_url(download_url: str) -> str:
    """The public address of the JSON-LD context for exports published at ``download_url``."""
    return download_url + CONTEXT_FILE


def serialise_jsonld(graph: Graph, context_ref: str) -> str:
    """Compact JSON-LD against the published context; the document refers to it by ``context_ref``."""
    context = jsonld_context()["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])
    for node in nodes:
        node.pop("@context", None)
    nodes.sort(key=lambda n: str(n.get("@id", "")))
    return json.dumps({"@context": context_ref, "@graph": nodes}, ensure_ascii=False, indent=2) + "\n"


class _ExactTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle serialiser, but a literal keeps its exact lexical form (``11689``^^xsd:decimal would
    otherwise be written as the shorthand ``11689.0``, which re-imports as a different term)."""

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal):
            def qname(dt: str) -> str | None:
                return self.get_pname(dt, _GEN_QNAME_FOR_DT)

            plain = node._literal_n3(use_plain=True, qname_callback=qname)
            if not plain.startswith(('"', "'")) and plain != str(node):
                return node._literal_n3(use_plain=False, qname_callback=qname)
            return plain
        return super().label(node, position)


def serialise_turtle(graph: Graph) -> str:
    """Turtle that re-imports to exactly the same terms."""
    stream = io.BytesIO()
    _ExactTurtleSerializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")


def _to_ox(term: Node, old: str, new: str, blanks: dict[Node, ox.BlankNode]):
    if isinstance(term, URIRef):
        text = str(term)
        return ox.NamedNode(new + text[len(old):] if old != new and text.startswith(old) else text)
    if isinstance(term, Literal):
        text = str(term)
        if term.language:
            return ox.Literal(text, language=term.language)
        if term.datatype is None:
            return ox.Literal(text)
        if term.datatype == XSD.anyURI and old != new and text.startswith(old):
            text = new + text[len(old):]
        return ox.Literal(text, datatype=ox.NamedNode(str(term.datatype)))
    if term not in blanks:
        blanks[term] = ox.BlankNode(f"b{len(blanks)}")
    return blanks[term]


def sorted_triples(graph: Graph, new: str, old: str = INTERNAL_BASE) -> list:
    """The triples of ``graph`` as pyoxigraph triples, rebased from ``old`` to ``new``, in a stable order."""
    blanks: dict[Node, ox.BlankNode] = {}
    triples = [ox.Triple(_to_ox(s, old, new, blanks), _to_ox(p, old, new, blanks), _to_ox(o, old, new, blanks))
               for s, p, o in graph]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


def serialise(graph: Graph, fmt: RdfFormat, *, context_ref: str, base: str | None = None,
              triples: list | None = None) -> str:
    """``graph`` in one format, deterministic. ``graph`` holds internal IRIs; ``base`` rebases them.

    Turtle, N-Triples and RDF/XML are written by Oxigraph (exact lexical forms, fast); JSON-LD by rdflib (compaction
    against the published context).
    """
    base = base or INTERNAL_BASE
    if fmt.key == "jsonld":
        return serialise_jsonld(rebase(graph, base) if base != INTERNAL_BASE else graph, context_ref)
    triples = triples if triples is not None else sorted_triples(graph, base)
    return ox.serialize(triples, format=_OX_FORMATS[fmt.key], prefixes=prefixes_for(base)).decode("utf-8")


def parse_jsonld(text: str, context_ref: str | None = None) -> Graph:
    """Parse a JSON-LD export; a reference to the published context is resolved locally (works offline)."""
    doc = json.loads(text)
    local = jsonld_context()["@context"]

    def resolve(ctx: object) -> object:
        if isinstance(ctx, str) and (ctx == context_ref or ctx.endswith("/" + CONTEXT_FILE) or ctx == CONTEXT_FILE):
            return local
        if isinstance(ctx, list):
            return [resolve(c) for c in ctx]
        return ctx

    if "@context" in doc:
        doc["@context"] = resolve(doc["@context"])
    return Graph().parse(data=json.dumps(doc), format="json-ld")


def read_file(path: Path) -> Graph:
    """Parse one exported RDF file (format from its extension)."""
    text = path.read_text(encoding="utf-8")
    for fmt in RDF_FORMATS:
        if path.name.endswith(Path(fmt.filename).suffix):
            if fmt.key == "jsonld":
                return parse_jsonld(text)
            return Graph().parse(data=text, format=fmt.rdflib_format)
    raise InvalidInput(f"{path}: unbekanntes RDF-Format.")


def write_dataset(graph: Graph, out_dir: Path, *, base: str, download_url: str) -> dict[str, Path]:
    """Write ``graph`` (already filtered, internal IRIs) rebased to ``base`` in every format, plus the context."""
    out_dir.mkdir(parents=True, exist_ok=True)
    triples = sorted_triples(graph, base)
    written: dict[str, Path] = {}
    for fmt in RDF_FORMATS:
        path = out_dir / fmt.filename
        write_atomic(path, serialise(graph, fmt, context_ref=context_url(download_url), base=base, triples=triples))
        written[fmt.key] = path
    context_path = out_dir / CONTEXT_FILE
    write_atomic(context_path, _context_text())
    written["context"] = context_path
    return written
