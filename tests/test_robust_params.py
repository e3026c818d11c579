"""Property: any text for any query parameter is refused with a message or bound as exactly one RDF term.

What a user of ``kik-graph query NAME --param key=value`` (and every page that runs a named query) relies on:
whatever the value, the answer is either :class:`InvalidInput` with a readable message, or the query runs with
its text exactly as in ``queries/NAME.rq`` and the value bound as one RDF term through a ``VALUES`` block
(:mod:`kik_graph.store.binding`) – never pasted into the query, never splitting into several terms.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.term import Node

from kik_graph.params import resolve, run_named
from kik_graph.queries import PARAM_KINDS, all_queries
from kik_graph.store import OxigraphStore
from kik_graph.store.binding import bind, serialise_term
from kik_graph.terms import MAX_TEXT_LENGTH, InvalidInput, clean_text

#: Every declared parameter of every named query: (query name, parameter name, kind).
DECLARED = sorted((q.name, p.name, p.kind) for q in all_queries().values() for p in q.params)

#: Values near the valid ones, so that many examples get past validation and are really bound.
NEAR_VALID = ("SB", "sb", " GP ", "SB-7.2", "sb-7.2", "AA-Z3", "III", "5", "0", "6", "Eltern", "(Neu-)Zugewanderte",
              "Runder Tisch der Bildungsträger Kempten & Oberallgäu", "https://w3id.org/kik-graph/id/massnahme/SB-7.2",
              "urn:x:y", "42", "-7", "1234567890")
#: Fragments that would change a query if pasted into it.
HOSTILE = ('"', "'", ">", "<", "}", "{", ") (", " } ; DROP ALL ; SELECT * WHERE { ", "\\", "\\u0022", "#", "\n",
           "\r", "\u202e", "\ud800", "\x00", "?x", "$x", "VALUES", "^^<urn:x>", "@de", "%zz", "[", "]")

TEXTS = st.one_of(
    st.text(max_size=80),
    st.text(max_size=2500),
    st.sampled_from(NEAR_VALID),
    st.lists(st.one_of(st.sampled_from(NEAR_VALID), st.sampled_from(HOSTILE), st.text(max_size=6)),
             min_size=1, max_size=8).map("".join),
)


class RecordingStore:
    """The read-only session store, recording every ``select`` it is asked (query text and bindings)."""

    def __init__(self, store: OxigraphStore) -> None:
        self._store = store
        self.calls: list[tuple[str, dict[str, Node]]] = []

    def select(self, query: str, bindings: Mapping[str, Node] | None = None, **options: object):
        """Record and delegate."""
        self.calls.append((query, dict(bindings or {})))
        return self._store.select(query, bindings, **options)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


_PROBE = OxigraphStore(None)


def assert_one_term(term: Node) -> None:
    """``term`` serialises to text that a SPARQL engine reads back as exactly this one term."""
    assert isinstance(term, (URIRef, Literal)), term
    rows = _PROBE.select("SELECT * WHERE { VALUES (?v) { (" + serialise_term(term) + ") } }").rows
    assert len(rows) == 1 and list(rows[0]) == ["v"], rows
    assert rows[0]["v"] == term or (isinstance(term, Literal) and str(rows[0]["v"]) == str(term)
                                    and rows[0]["v"].language == term.language), (rows[0]["v"], term)


def assert_bound_unchanged(query: str, bindings: dict[str, Node]) -> None:
    """Binding only inserts one VALUES block with one term per variable; the rest of the text is unchanged."""
    bound = bind(query, bindings)
    names = " ".join(f"?{n}" for n in bindings)
    block = f" VALUES ({names}) {{ ({' '.join(serialise_term(t) for t in bindings.values())}) }} "
    assert bound.count(block) >= 1
    at = bound.index(block)
    assert bound[:at] + bound[at + len(block):] == query
    for term in bindings.values():
        assert_one_term(term)


def assert_clear_refusal(exc: InvalidInput) -> None:
    """A refusal is a short readable message (user text in it is shortened)."""
    message = str(exc)
    assert message.strip(), "leere Fehlermeldung"
    assert len(message) <= 1200, f"Meldung zu lang ({len(message)} Zeichen)"


@pytest.mark.parametrize("name,param,kind", DECLARED, ids=[f"{q}-{p}" for q, p, _ in DECLARED])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=TEXTS)
def test_any_value_of_a_named_query_parameter_is_refused_or_bound_as_one_term(store, name: str, param: str, kind: str,
                                                                             value: str) -> None:
    recorder = RecordingStore(store)
    queries = {q.sparql for q in all_queries().values()}
    try:
        run_named(recorder, name, {param: value}, limit=5)
    except InvalidInput as exc:
        assert_clear_refusal(exc)
        return
    assert recorder.calls, "die Abfrage wurde nicht ausgeführt"
    final_query, final_bindings = recorder.calls[-1]
    assert final_query == all_queries()[name].sparql, "Abfragetext verändert"
    declared = all_queries()[name].param(param)
    if not value.strip() and not declared.required:  # an empty optional parameter means "not given"
        assert final_bindings == {}
        return
    assert set(final_bindings) == {param}
    for query, bindings in recorder.calls:  # lookups of actors and groups included
        assert query in queries, "Abfragetext verändert"
        assert_bound_unchanged(query, bindings)
    term = final_bindings[param]
    if kind == "text":
        assert term == Literal(clean_text(value, field=param))
    elif kind in ("field", "measure", "goal", "phase"):
        assert isinstance(term, URIRef) and str(term).startswith("https://w3id.org/kik-graph/id/")


@pytest.mark.parametrize("kind", PARAM_KINDS)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=TEXTS)
def test_every_parameter_kind_resolves_any_text_to_one_term_or_a_message(store, kind: str, value: str) -> None:
    try:
        term = resolve(kind, value, store, name="wert")
    except InvalidInput as exc:
        assert_clear_refusal(exc)
        return
    assert len(str(term)) <= MAX_TEXT_LENGTH, "ungekürzter Text gebunden"
    assert_bound_unchanged("SELECT ?wert WHERE { ?s ?p ?wert }", {"wert": term})
