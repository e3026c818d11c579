"""Feedback „Angabe falsch / fehlt“ and the failed-search log: anonymous, internal graph only, bad input refused."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import URIRef

from kik_graph.directory import feedback, searchlog
from kik_graph.namespaces import GRAPH_KIK, GRAPH_OFFICE
from kik_graph.terms import InvalidInput

TAFF = "https://w3id.org/kik-graph/id/angebot/taff"


def test_feedback_is_stored_in_the_office_graph_and_listed(fresh_store) -> None:
    before = fresh_store.triple_count(str(GRAPH_KIK))
    iri = feedback.submit(fresh_store, TAFF, "telephone", "Die Nummer fehlt <b>bitte</b>", day=date(2025, 3, 1))
    assert fresh_store.triple_count(str(GRAPH_KIK)) == before, "public data unchanged"
    office = fresh_store.graph(str(GRAPH_OFFICE))
    assert (URIRef(iri), None, None) in office
    [item] = feedback.list_feedback(fresh_store)
    assert (item.service, item.service_label, item.field, item.text, item.day) == (
        TAFF, "TAFF – Therapeutische Angebote für Flüchtlinge", "telephone", "Die Nummer fehlt <b>bitte</b>", date(2025, 3, 1))
    stored = {str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in office.predicates(URIRef(iri), None)}
    assert stored == {"type", "aboutService", "feedbackField", "date", "feedbackText"}, "no personal data fields"
    feedback.delete(fresh_store, iri)
    assert feedback.list_feedback(fresh_store) == []


@pytest.mark.parametrize("service,field,text,message", [
    ("https://example.org/x", "telephone", "x", "kein Angebot"),
    (TAFF + "x", "telephone", "x", "gibt es im Verzeichnis nicht"),
    (TAFF, "passwort", "x", "Feld"),
    (TAFF, "other", "   ", "Bitte kurz beschreiben"),
    (TAFF, "other", "x" * 5000, "zu lang"),
])
def test_bad_feedback_is_refused_and_nothing_is_stored(fresh_store, service, field, text, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        feedback.submit(fresh_store, service, field, text, known_services={TAFF})
    assert feedback.list_feedback(fresh_store) == []
    with pytest.raises(InvalidInput):
        feedback.delete(fresh_store, "https://w3id.org/kik-graph/id/angebot/taff")


def test_failed_searches_are_counted_per_text_language_and_day(fresh_store) -> None:
    day1, day2 = date(2025, 1, 1), date(2025, 1, 2)
    for _ in range(3):
        searchlog.record_failed(fresh_store, "Zahnarzt  ", "de", day=day1)
    searchlog.record_failed(fresh_store, "ZAHNARZT", "de", day=day2)
    searchlog.record_failed(fresh_store, "dentist", "en", day=day2)
    rows = searchlog.failed_searches(fresh_store)
    assert [(r.text, r.lang, r.count, r.days, r.first_day, r.last_day) for r in rows] == [
        ("zahnarzt", "de", 4, 2, day1, day2), ("dentist", "en", 1, 1, day2, day2)]
    assert [r.text for r in searchlog.failed_searches(fresh_store, since=day2)] == ["dentist", "zahnarzt"]
    office = fresh_store.graph(str(GRAPH_OFFICE))
    assert len(office) == 5 * 3, "five facts per (text, language, day), nothing else"


def test_logged_text_is_anonymised_and_capped(fresh_store) -> None:
    assert searchlog.anonymise("Termin für Frau X, Tel. 0831/123 45 67, x.y@example.org") == "termin fur frau x tel #"
    assert searchlog.anonymise("Geburtsdatum 01.02.1990") == "geburtsdatum #"
    assert len(searchlog.anonymise("wort " * 100)) <= searchlog.MAX_LOGGED_LENGTH
    assert searchlog.record_failed(fresh_store, "   ") is None
    stored = searchlog.record_failed(fresh_store, '"} ; DROP ALL ; #', "xx")
    [row] = searchlog.failed_searches(fresh_store)
    assert row.text == stored == "drop all" and row.lang == "de"
    assert fresh_store.triple_count(str(GRAPH_KIK)) > 1000, "injection attempt changed nothing"
