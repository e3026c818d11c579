"""Read-only SPARQL for the office: checking a query before it runs, running it with a row and a time limit.

Only SELECT, ASK, CONSTRUCT and DESCRIBE are accepted. Updates (INSERT, DELETE, LOAD, CLEAR, …) are refused,
and so are SERVICE (federated queries to remote endpoints) and FROM / FROM NAMED with any IRI outside the
kik-graph graph namespace. Queries run in a small worker pool: the page waits at most the time limit.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from pyparsing import ParseException
from rdflib import URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kik_graph.namespaces import KIKG, PREFIXES
from kik_graph.store.base import GraphStore, QueryTimeout, StoreError

MAX_QUERY_LENGTH = 20_000
DEFAULT_LIMIT = 1_000
MAX_LIMIT = 10_000
DEFAULT_TIMEOUT = 10.0
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: at most two queries of the SPARQL page run at the same time (per process)
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="kik-sparql")


class QueryRefused(ValueError):
    """The query is not allowed or not valid; the message says why (German)."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`check_query`; ``text`` may have a LIMIT appended (CONSTRUCT/DESCRIBE)."""

    form: str
    text: str


@dataclass
class QueryOutcome:
    """The result of :func:`run_query`: a table (SELECT, CONSTRUCT, DESCRIBE) or a boolean (ASK)."""

    form: str
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    boolean: bool | None = None
    truncated: bool = False
    seconds: float = 0.0


def _walk(node: object):
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def _field(value: CompValue, key: str) -> object:
    """``value[key]`` or None (CompValue.get returns the key itself when it is missing)."""
    return value[key] if key in value else None


def _resolve(term: object, prefixes: Mapping[str, str]) -> str:
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, CompValue) and term.name == "pname":
        return prefixes.get(_field(term, "prefix") or "", "") + (_field(term, "localname") or "")
    return str(term)


def check_query(text: str, *, limit: int = DEFAULT_LIMIT) -> CheckedQuery:
    """Check that ``text`` is a read-only query without remote access; raise :class:`QueryRefused` otherwise.

    Results of accepted queries are remembered (parsing takes tens of milliseconds; people re-run queries)."""
    return _check_query(text, int(limit))


@lru_cache(maxsize=128)
def _check_query(text: str, limit: int) -> CheckedQuery:
    if not isinstance(text, str) or not text.strip():
        raise QueryRefused("Die Abfrage ist leer.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryRefused(f"Die Abfrage ist zu lang ({len(text)} Zeichen, erlaubt sind {MAX_QUERY_LENGTH}).")
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryRefused(f"SPARQL-Syntaxfehler in Zeile {exc.lineno}, Spalte {exc.col}: {exc.msg}") from exc
        raise QueryRefused("Änderungen (INSERT, DELETE, LOAD, CLEAR, …) sind hier nicht erlaubt – "
                           "nur SELECT, ASK, CONSTRUCT und DESCRIBE.") from exc
    except Exception as exc:  # rdflib raises assorted errors for odd input
        raise QueryRefused(f"Die Abfrage kann nicht gelesen werden: {exc}") from exc
    prologue, query = parsed[0], parsed[1]
    form = FORMS.get(query.name)
    if form is None:
        raise QueryRefused("Nur SELECT, ASK, CONSTRUCT und DESCRIBE sind erlaubt.")
    prefixes = dict(PREFIXES)
    for decl in _walk(prologue):
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl":
            prefixes[_field(decl, "prefix") or ""] = str(_field(decl, "iri"))
    for node in _walk(query):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise QueryRefused("SERVICE (Abfragen an entfernte Endpunkte) ist nicht erlaubt.")
    for clause in _field(query, "datasetClause") or []:
        target = _field(clause, "default")
        iri = _resolve(target if target is not None else _field(clause, "named"), prefixes)
        if not iri.startswith(str(KIKG)):
            raise QueryRefused(f"FROM/FROM NAMED ist nur mit Graphen dieses Speichers ({KIKG}…) erlaubt, "
                               f"nicht mit {iri[:80]!r}.")
    if form in ("CONSTRUCT", "DESCRIBE") and _field(query, "limitoffset") is None:
        if _field(query, "valuesClause") is not None:
            raise QueryRefused("Bitte bei CONSTRUCT/DESCRIBE mit VALUES am Ende ein LIMIT angeben.")
        text = f"{text}\nLIMIT {int(limit) + 1}"
    return CheckedQuery(form=form, text=text)


def _cell(term: Node | None) -> str:
    return "" if term is None else str(term)


def _execute(store: GraphStore, checked: CheckedQuery, bindings: Mapping[str, Node] | None, limit: int,
             timeout: float) -> QueryOutcome:
    if checked.form == "SELECT":
        result = store.select(checked.text, bindings, limit=limit, timeout=timeout)
        frame = pd.DataFrame([{v: _cell(row.get(v)) for v in result.variables} for row in result.rows],
                             columns=result.variables)
        return QueryOutcome("SELECT", frame=frame, truncated=result.truncated)
    if checked.form == "ASK":
        return QueryOutcome("ASK", boolean=store.ask(checked.text, bindings, timeout=timeout))
    graph = store.construct(checked.text, bindings, timeout=timeout)
    triples = sorted(graph, key=lambda triple: tuple(str(x) for x in triple))
    frame = pd.DataFrame([{"subject": str(s), "predicate": str(p), "object": str(o)} for s, p, o in triples[:limit]],
                         columns=["subject", "predicate", "object"])
    return QueryOutcome(checked.form, frame=frame, truncated=len(triples) > limit)


def run_query(store: GraphStore, text: str, bindings: Mapping[str, Node] | None = None, *,
              limit: int = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT,
              checked: CheckedQuery | None = None) -> QueryOutcome:
    """Check and run ``text`` read-only with at most ``limit`` rows and ``timeout`` seconds.

    ``checked`` is the result of :func:`check_query` for ``text`` with the same limit, if already at hand.
    Raises :class:`QueryRefused` (not allowed / invalid), :class:`QueryTimeout` or :class:`StoreError`.
    """
    import time

    limit = max(1, min(int(limit), MAX_LIMIT))
    if checked is None:
        checked = check_query(text, limit=limit)
    started = time.monotonic()
    future = _POOL.submit(_execute, store, checked, bindings, limit, timeout)
    try:
        outcome = future.result(timeout=timeout + 0.5)
    except concurrent.futures.TimeoutError as exc:
        future.cancel()
        raise QueryTimeout(f"Die Abfrage hat das Zeitlimit von {timeout:g} s überschritten.") from exc
    except StoreError as exc:
        if isinstance(exc.__cause__, QueryTimeout):  # the store wraps its own time-out in a StoreError
            raise exc.__cause__ from None
        raise
    outcome.seconds = time.monotonic() - started
    return outcome
