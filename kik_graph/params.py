"""Turning user-supplied parameter values into RDF terms (validated, resolved, never pasted into SPARQL)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kik_graph.namespaces import KIKD
from kik_graph.queries import NamedQuery, get_query
from kik_graph.store.base import GraphStore, SelectResult
from kik_graph.terms import InvalidInput, clean_text, is_iri, shorten

FIELD_CODES = ("SB", "AA", "GP", "BE", "GT", "IO")
_MEASURE = re.compile(r"^(SB|AA|GP|BE|GT|IO)-([1-9][0-9]?)\.([1-9][0-9]?)$")
_GOAL = re.compile(r"^(SB|AA|GP|BE|GT|IO)-Z([1-9][0-9]?)$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def _lookup(store: GraphStore, query: str, label: str, what: str) -> URIRef:
    found: set = set()
    if query == "lookup-actor":  # fast path: an exact German label is an index lookup, no scan of all labels
        exact = get_query("lookup-actor-exact").sparql
        found = {row["resource"] for row in store.select(exact, {"l": Literal(label, lang="de")}).rows}
    if not found:
        result = store.select(get_query(query).sparql, {"label": Literal(label)})
        found = {row["resource"] for row in result.rows}
    if not found:
        raise InvalidInput(f"{what} {shorten(label)!r} ist im Graphen nicht bekannt.")
    if len(found) > 1:
        raise InvalidInput(f"{what} {shorten(label)!r} ist nicht eindeutig ({len(found)} Treffer); bitte die IRI angeben.")
    return URIRef(next(iter(found)))


def resolve(kind: str, raw: str, store: GraphStore, *, name: str = "Parameter") -> Node:
    """Turn one raw parameter value of the given kind into an RDF term, or raise InvalidInput."""
    value = clean_text(raw, field=name)
    if not value:
        raise InvalidInput(f"{name}: Wert fehlt.")
    upper = value.upper()
    if kind == "field":
        if upper not in FIELD_CODES:
            raise InvalidInput(f"{name}: {shorten(value)!r} ist kein Handlungsfeld-Code. Erlaubt: {', '.join(FIELD_CODES)}.")
        return KIKD[f"handlungsfeld/{upper}"]
    if kind == "measure":
        m = _MEASURE.match(upper)
        if not m:
            raise InvalidInput(f"{name}: {shorten(value)!r} ist keine Maßnahmennummer (Format wie SB-7.2).")
        return KIKD[f"massnahme/{upper}"]
    if kind == "goal":
        m = _GOAL.match(upper)
        if not m:
            raise InvalidInput(f"{name}: {shorten(value)!r} ist keine Zielnummer (Format wie SB-Z7).")
        return KIKD[f"ziel/{upper}"]
    if kind == "phase":
        number = _ROMAN.get(upper) or (int(value) if value.isascii() and value.isdigit() else 0)
        if not 1 <= number <= 5:
            raise InvalidInput(f"{name}: {shorten(value)!r} ist keine NAP-I-Phase (1–5 oder I–V).")
        return KIKD[f"nap-phase/{number}"]
    if kind in ("actor", "group"):
        if is_iri(value) and value.startswith(("http://", "https://", "urn:")):
            return URIRef(value)
        query = "lookup-actor" if kind == "actor" else "lookup-target-group"
        return _lookup(store, query, value, "Akteur*in" if kind == "actor" else "Zielgruppe")
    if kind == "iri":
        if not is_iri(value):
            raise InvalidInput(f"{name}: {shorten(value)!r} ist keine gültige IRI.")
        return URIRef(value)
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,9}", value):
            raise InvalidInput(f"{name}: {shorten(value)!r} ist keine ganze Zahl.")
        return Literal(int(value), datatype=XSD.integer)
    if kind == "text":
        return Literal(value)
    raise InvalidInput(f"{name}: unbekannte Parameterart {kind!r}.")


def bind_params(query: NamedQuery, raw: Mapping[str, str], store: GraphStore) -> dict[str, Node]:
    """Validate ``raw`` against the query's declared parameters and resolve each value to an RDF term."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        allowed = ", ".join(p.name for p in query.params) or "keine"
        names = ", ".join(repr(shorten(name)) for name in unknown[:5])
        raise InvalidInput(f"Abfrage {query.name!r}: unbekannte(r) Parameter {names}. Erlaubt: {allowed}.")
    bindings: dict[str, Node] = {}
    for param in query.params:
        if param.name in raw and str(raw[param.name]).strip():
            bindings[param.name] = resolve(param.kind, str(raw[param.name]), store, name=param.name)
        elif param.required:
            raise InvalidInput(f"Abfrage {query.name!r}: Parameter {param.name!r} fehlt ({param.description}).")
    return bindings


def run_named(store: GraphStore, name: str, raw: Mapping[str, str] | None = None, *, limit: int | None = None,
              timeout: float | None = None) -> SelectResult:
    """Run the named query ``name`` with raw string parameters."""
    query = get_query(name)
    return store.select(query.sparql, bind_params(query, raw or {}, store), limit=limit, timeout=timeout)
