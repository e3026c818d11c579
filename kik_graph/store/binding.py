"""Binding RDF terms to query variables in the same way for every backend.

The terms are serialised strictly (IRIs validated, literals escaped following the SPARQL grammar) into a
``VALUES`` block placed at the start of the query's WHERE group. This is equivalent to binding the variables
before evaluation, works on every SPARQL 1.1 endpoint, and never lets text change the shape of a query.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kik_graph.store.base import Bindings, StoreError
from kik_graph.terms import is_iri

_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def serialise_term(term: Node) -> str:
    """Serialise one RDF term for use in a VALUES block; raise StoreError for anything unsafe."""
    if isinstance(term, URIRef):
        if not is_iri(str(term)):
            raise StoreError(f"Ungültige IRI als Parameter: {str(term)[:80]!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        if _SURROGATE.search(str(term)):
            raise StoreError("Der Text enthält ungültige Unicode-Zeichen (einzelne Surrogate).")
        body = "".join(_ESCAPES.get(ch, ch if ord(ch) >= 0x20 else f"\\u{ord(ch):04X}") for ch in str(term))
        if term.language:
            if not _LANG.match(term.language):
                raise StoreError(f"Ungültiges Sprach-Tag: {term.language!r}")
            return f'"{body}"@{term.language}'
        if term.datatype is not None:
            return f'"{body}"^^{serialise_term(URIRef(term.datatype))}'
        return f'"{body}"'
    if isinstance(term, BNode):
        raise StoreError("Leere Knoten können nicht als Parameter gebunden werden.")
    raise StoreError(f"Nicht unterstützter Parameter-Typ: {type(term).__name__}")


@lru_cache(maxsize=512)
def _where_brace(query: str) -> int:
    """Index of the ``{`` that opens the query's WHERE group (skipping comments, strings and IRIs); cached, as the
    scan costs more than planning a small query and the named queries are bound again and again."""
    i, n = 0, len(query)
    saw_where = False
    needs_where = False
    depth = 0
    while i < n:
        ch = query[i]
        if ch == "#":
            while i < n and query[i] != "\n":
                i += 1
            continue
        if ch in "\"'":
            quote = query[i:i + 3] if query[i:i + 3] in ('"""', "'''") else ch
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
            continue
        if ch == "<":
            m = re.match(r"<[^<>\"{}|^`\\\s]*>", query[i:])
            if m:
                i += m.end()
                continue
        if ch.isalpha():
            m = re.match(r"[A-Za-z_]+", query[i:])
            word = m.group(0).upper()
            if depth == 0 and word in ("CONSTRUCT", "DESCRIBE"):
                needs_where = True
            if depth == 0 and word == "WHERE":
                saw_where = True
            i += m.end()
            continue
        if ch == "{":
            if depth == 0 and (saw_where or not needs_where):
                return i
            depth += 1
        elif ch == "}":
            depth -= 1
        i += 1
    raise StoreError("Die Abfrage hat keinen WHERE-Block, an den Parameter gebunden werden können.")


def bind(query: str, bindings: Bindings | None) -> str:
    """Return ``query`` with ``bindings`` (variable name → RDF term) bound via a leading VALUES block."""
    if not bindings:
        return query
    names, terms = [], []
    for name, term in bindings.items():
        name = name.lstrip("?$")
        if not _VARNAME.match(name):
            raise StoreError(f"Ungültiger Variablenname: {name!r}")
        names.append(f"?{name}")
        terms.append(serialise_term(term))
    at = _where_brace(query) + 1
    values = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "
    return query[:at] + values + query[at:]
