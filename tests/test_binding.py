"""Binding values as RDF terms: safe serialisation and placement at the top of the WHERE group."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kik_graph.store import OxigraphStore
from kik_graph.store.base import StoreError
from kik_graph.store.binding import bind, serialise_term


def test_values_block_goes_into_the_where_group():
    q = "PREFIX a: <http://x/> # { comment\nSELECT ?s WHERE { ?s a:p \"{\" }"
    bound = bind(q, {"s": URIRef("http://x/1")})
    assert bound.index("VALUES") > bound.index("WHERE {")
    assert "VALUES (?s) { (<http://x/1>) }" in bound


def test_construct_binds_into_where_not_template():
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = bind(q, {"s": URIRef("http://x/1")})
    assert bound.startswith("CONSTRUCT { ?s ?p ?o } WHERE { VALUES")


@pytest.mark.parametrize("bad", ["http://x/> } DROP ALL {", "http://x/ y", "not an iri", "http://x/\"", "http://x/{"])
def test_unsafe_iris_are_refused(bad):
    with pytest.raises(StoreError):
        serialise_term(URIRef(bad))


def test_literals_are_escaped():
    assert serialise_term(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert serialise_term(Literal("x", lang="de")) == '"x"@de'
    assert serialise_term(Literal("5", datatype=XSD.integer)) == f'"5"^^<{XSD.integer}>'


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_round_trips_through_a_bound_literal(text):
    store = OxigraphStore(None)
    result = store.select('SELECT ?v WHERE { BIND(STR(?x) AS ?v) }', {"x": Literal(text)})
    assert str(result.rows[0]["v"]) == text


@pytest.mark.parametrize("value", ["https://example.org/a%zz", "https://example.org/a%2", "https://example.org/[x]",
                                   "https://example.org/a]b"])
def test_iris_the_store_would_refuse_are_invalid_input_not_store_errors(value, store):
    from kik_graph.params import run_named
    from kik_graph.terms import InvalidInput, is_iri

    assert not is_iri(value)
    with pytest.raises(InvalidInput):
        run_named(store, "measures-for-actor", {"actor": value})


def test_percent_escapes_stay_valid():
    from kik_graph.terms import is_iri

    assert is_iri("https://example.org/stra%C3%9Fe") and is_iri("https://example.org/a%20b")
