"""The public directory shows exactly what the privacy filter lets through (issue 5).

A service, organisation or person the office withholds (``kik:nonPublic true``, internal classes, internal
properties) must neither be found by the search nor appear on a service page – the same rules as the public export
(:func:`kik_graph.export.privacy.public_graph`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kik_graph.directory import search as search_mod
from kik_graph.directory.model import Directory, load_directory, to_graph
from kik_graph.export.privacy import INTERNAL_CLASSES, public_graph
from kik_graph.namespaces import GRAPH_KIK, GRAPH_OFFICE, GRAPH_ONTOLOGY, KIK
from kik_graph.queries import get_query
from kik_graph.store.binding import serialise_term

ID = "https://w3id.org/kik-graph/id/"
TAFF = URIRef(ID + "angebot/taff")
DIAKONIE_TAFF = URIRef(ID + "organisation/diakonie-taff")


def _insert(store, graph: URIRef, turtle_body: str) -> None:
    store.update(f"PREFIX kik: <{KIK}>\nPREFIX skos: <{SKOS}>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
                 f"PREFIX schema: <https://schema.org/>\n"
                 f"INSERT DATA {{ GRAPH {serialise_term(graph)} {{ {turtle_body} }} }}")


@pytest.fixture(autouse=True)
def _no_stale_index(monkeypatch):
    """Every test starts with an empty index cache and lets the index re-check the store on each call."""
    monkeypatch.setattr(search_mod, "RECHECK_SECONDS", 0.0)
    search_mod.invalidate()
    yield
    search_mod.invalidate()


def _slugs(store, text: str) -> set[str]:
    return {hit.service.slug for hit in search_mod.search(store, text).hits}


def assert_directory_within_public_graph(directory: Directory, public: Graph) -> None:
    """Every statement the directory shows about a service, and every label it uses, is in the public export."""
    for service in directory.services:
        # a service whose only provider is withheld has none left; to_graph needs one – a placeholder, not checked
        placeholder = URIRef(ID + "organisation/platzhalter")
        triples = to_graph(replace(service, providers=service.providers or [str(placeholder)]))
        missing = [t for t in triples if t not in public and t[2] != placeholder]
        assert not missing, f"{service.slug}: {missing[:3]}"
    for iri, labels in directory.labels.items():
        for lang, text in labels.items():
            assert (URIRef(iri), SKOS.prefLabel, Literal(text, lang=lang or None)) in public, (iri, text)
    for iri in directory.parents:
        assert (URIRef(iri), None, None) in public


@pytest.mark.parametrize("graph", [GRAPH_KIK, GRAPH_OFFICE], ids=["flag-in-data", "flag-in-office-graph"])
def test_a_non_public_service_is_neither_found_nor_loaded(fresh_store, graph) -> None:
    assert "taff" in _slugs(fresh_store, "taff")
    _insert(fresh_store, graph, f"{serialise_term(TAFF)} kik:nonPublic true .")
    assert (TAFF, None, None) not in public_graph(fresh_store)
    assert "taff" not in _slugs(fresh_store, "taff")
    assert "taff" not in _slugs(fresh_store, "Therapeutische Angebote für Flüchtlinge")
    directory = load_directory(fresh_store)
    assert directory.service("taff") is None
    assert_directory_within_public_graph(directory, public_graph(fresh_store))


def test_a_non_public_provider_is_dropped_from_the_service_page_and_the_search(fresh_store) -> None:
    before = search_mod.get_index(fresh_store).directory
    assert DIAKONIE_TAFF.toPython() in before.service("taff").providers
    assert any("Diakonie TAFF" in name for name in before.provider_names(before.service("taff")))
    _insert(fresh_store, GRAPH_OFFICE, f"{serialise_term(DIAKONIE_TAFF)} kik:nonPublic true .")
    public = public_graph(fresh_store)
    assert (TAFF, URIRef("https://schema.org/provider"), DIAKONIE_TAFF) not in public
    directory = search_mod.get_index(fresh_store).directory  # the index notices the new flag by itself
    taff = directory.service("taff")
    assert taff is not None and DIAKONIE_TAFF.toPython() not in taff.providers
    assert not any("Diakonie TAFF" in name for name in directory.provider_names(taff))
    assert DIAKONIE_TAFF.toPython() not in directory.labels
    assert_directory_within_public_graph(directory, public)
    # the provider's name no longer leads to the service (the verbatim KIK description still may)
    for hit in search_mod.search(fresh_store, "Diakonie TAFF").hits:
        assert all("Diakonie TAFF" not in m.text for m in hit.matches if m.field == "provider"), hit


def test_a_person_as_provider_never_shows_a_personal_name(fresh_store) -> None:
    person = URIRef(ID + "person/erika-mustermann")
    _insert(fresh_store, GRAPH_KIK, f"{serialise_term(person)} a foaf:Person ; skos:prefLabel \"Erika Mustermann\"@de ."
                                    f" {serialise_term(TAFF)} schema:provider {serialise_term(person)} .")
    directory = load_directory(fresh_store)
    taff = directory.service("taff")
    assert taff is not None and str(person) not in taff.providers
    assert "Erika Mustermann" not in repr(taff) + repr(directory.labels) + repr(directory.provider_names(taff))
    assert "taff" not in _slugs(fresh_store, "Mustermann")
    assert_directory_within_public_graph(directory, public_graph(fresh_store))


def test_internal_notes_and_properties_the_vocabulary_withholds_never_reach_the_directory(fresh_store) -> None:
    _insert(fresh_store, GRAPH_KIK, f"{serialise_term(TAFF)} kik:internalNote \"Intern: Rückruf Frau Beispiel\"@de ;"
                                    " kik:hoursNote \"Schlüssel beim Hausmeister Huber\"@de .")
    assert load_directory(fresh_store).service("taff").hours_note == "Schlüssel beim Hausmeister Huber"
    # the office declares a property internal in the vocabulary: the export and the directory both withhold it
    _insert(fresh_store, GRAPH_ONTOLOGY, f"{serialise_term(KIK.hoursNote)} kik:nonPublic true .")
    directory = load_directory(fresh_store)
    taff = directory.service("taff")
    assert taff is not None and taff.hours_note == ""
    assert "Huber" not in repr(taff) and "Beispiel" not in repr(taff)
    assert "taff" not in _slugs(fresh_store, "Hausmeister Huber")
    assert_directory_within_public_graph(directory, public_graph(fresh_store))


def test_the_seed_directory_is_unchanged_and_within_the_public_export(store) -> None:
    directory = load_directory(store)
    assert len(directory.services) == 45 and len(directory.categories) == 20
    assert_directory_within_public_graph(directory, public_graph(store))


def test_the_withheld_query_names_the_same_internal_classes_as_the_privacy_filter() -> None:
    text = get_query("directory-withheld").sparql
    prefixes = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", text))
    lists = re.findall(r"\?class IN \(([^)]*)\)", text)
    assert lists
    for listed in lists:
        names = {prefixes[p] + local for p, local in re.findall(r"(\w+):(\w+)", listed)}
        assert names == {str(c) for c in INTERNAL_CLASSES}


def test_the_office_completeness_list_still_shows_withheld_services(fresh_store, capsys, monkeypatch):
    """Withheld from the public, not from the office: the completeness list (page and CLI) keeps a non-public
    service, so the office can still complete or publish it."""
    _insert(fresh_store, GRAPH_KIK, f"{serialise_term(TAFF)} kik:nonPublic true .")
    assert "taff" not in {s.slug for s in search_mod.get_index(fresh_store).directory.services}
    assert "taff" in {s.slug for s in search_mod.get_index(fresh_store, public=False).directory.services}
    import kik_graph.commands.directory as directory_cli
    from kik_graph.cli import main

    monkeypatch.setattr(directory_cli, "_open", lambda args: fresh_store)
    assert main(["directory", "completeness", "--format", "json"]) == 0
    assert '"taff"' in capsys.readouterr().out
