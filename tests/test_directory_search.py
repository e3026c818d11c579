"""The directory search: forgiving, multilingual, filtered, explained, and harmless for any input."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kik_graph.directory import hours, search
from kik_graph.directory.model import Service
from kik_graph.directory.search import Filters, SearchIndex, run
from kik_graph.terms import MAX_TEXT_LENGTH, InvalidInput

ID = "https://w3id.org/kik-graph/id/"
LANGUAGE_COURSES = {"sprachkurse-vhs-kempten", "sprachkurse-inlingua-kempten", "sprachkurse-bfz-kempten",
                    "sprachkurse-bildung-und-beruf", "sprachkurse-daa", "sprachkurse-kolping-akademie",
                    "deutsch-lernen-im-haus-international"}


def slugs(result: search.SearchResult, n: int = 5) -> list[str]:
    return [h.service.slug for h in result.hits[:n]]


@pytest.mark.parametrize("query,lang", [
    ("Deutschkurz", "de"),                       # typo
    ("Wo kann ich Deutsch lernen?", "de"),       # whole question
    ("Sprachkurse fur Erwachsene", "de"),        # missing umlaut
    ("Deutschkursen", "de"),                     # inflection
    ("german course", "en"),
    ("Almanca kursu", "tr"),
    ("دورة لغة ألمانية", "ar"),
    ("курс німецької", "uk"),
    ("курсы немецкого языка", "ru"),
    ("کلاس زبان آلمانی", "fa"),
])
def test_language_courses_are_found_in_every_language(directory_index: SearchIndex, query: str, lang: str) -> None:
    result = run(directory_index, query, lang=lang)
    assert result.hits, query
    assert set(slugs(result)) <= LANGUAGE_COURSES, (query, slugs(result))


def test_typos_umlauts_and_compounds(directory_index: SearchIndex) -> None:
    assert "migrationsberatung-caritas" in slugs(run(directory_index, "Migrationsberatng"))
    assert "migrationsberatung-caritas" in slugs(run(directory_index, "Beratung fuer Gefluechtete"))
    assert slugs(run(directory_index, "Wohnungssuche"))[:2] and set(slugs(run(directory_index, "Wohnungssuche"))[:2]) == {"wofa", "wohnungsnothilfe"}
    assert slugs(run(directory_index, "Jobcentr"))[0] == "jobcenter-kempten"
    assert "taff" in slugs(run(directory_index, "Trauma Therapie für Flüchtlinge"), 1)


def test_matched_explains_why(directory_index: SearchIndex, directory) -> None:
    result = run(directory_index, "german course", lang="en")
    match = result.hits[0].matches[0]
    assert match.field == "category" and match.lang == "en" and match.text == "German course"
    text = search.explanations(result.hits[0], directory)[0]
    assert "Deutsch lernen und Sprachkurse" in text and "German course" in text
    typo = run(directory_index, "Jobcemter").hits[0].matches[0]
    assert typo.kind == "typo" and typo.field == "name"


def test_name_outranks_category_outranks_description(make_index) -> None:
    extra = [Service(slug="a-name", name="Fahrradwerkstatt", description="Reparatur.", providers=[ID + "organisation/caritas"],
                     categories=[ID + "angebotskategorie/begegnung"], source_locator="x"),
             Service(slug="b-desc", name="Treff", description="Hier gibt es eine Fahrradwerkstatt.",
                     providers=[ID + "organisation/caritas"], categories=[ID + "angebotskategorie/begegnung"],
                     source_locator="x")]
    index = make_index(extra=extra)
    assert slugs(run(index, "Fahrradwerkstatt"), 2) == ["a-name", "b-desc"]


def test_filters(make_index, directory_index: SearchIndex) -> None:
    d = directory_index.directory
    assert {h.service.slug for h in run(directory_index, "Beratung", filters=Filters(category=ID + "angebotskategorie/wohnen")).hits} == {"wohnungsnothilfe"}
    only_parents = run(directory_index, "Beratung", filters=Filters.resolve(d, target_group="eltern"))
    assert only_parents.hits and all(ID + "zielgruppe/eltern" in h.service.target_groups for h in only_parents.hits)
    # free / language / district / open now only match where the data say so – none of the seed services
    assert run(directory_index, "Beratung", filters=Filters(free=True)).total == 0
    index = make_index(changes={
        "kasa": {"cost": "free", "languages": ["ar"], "district": ID + "stadtbezirk/40",
                 "opening_hours": ["Mo-Fr 09:00-12:00"]},
        "taff": {"cost": "fee", "opening_hours": ["Sa 09:00-12:00"]}})
    monday = datetime(2025, 1, 6, 10, 0, tzinfo=hours.TIMEZONE)
    assert slugs(run(index, "Beratung", filters=Filters(free=True))) == ["kasa"]
    assert slugs(run(index, "Beratung", filters=Filters.resolve(index.directory, language="ar"))) == ["kasa"]
    assert slugs(run(index, "Beratung", filters=Filters.resolve(index.directory, district="40"))) == ["kasa"]
    open_now = run(index, "", filters=Filters(open_now=True), now=monday)
    assert slugs(open_now) == ["kasa"] and open_now.unknown_hours == len(index.services) - 2
    # filters alone browse all matching services
    browse = run(directory_index, "", filters=Filters(category=ID + "angebotskategorie/schwangerschaft"))
    assert {h.service.slug for h in browse.hits} == {"schwangerenberatung-pro-familia", "schwangerenberatung-skf"}


def test_unknown_filter_values_are_named(directory_index: SearchIndex) -> None:
    d = directory_index.directory
    with pytest.raises(InvalidInput, match="Kategorie: 'gibtsnicht'.*sprache"):
        Filters.resolve(d, category="gibtsnicht")
    with pytest.raises(InvalidInput, match="ISO-639"):
        Filters.resolve(d, language="Arabisch")
    with pytest.raises(InvalidInput, match="Stadtbezirk"):
        Filters.resolve(d, district="Mond")
    assert Filters.resolve(d, category="Housing").category == ID + "angebotskategorie/wohnen"
    assert Filters.resolve(d, category="السكن").category == ID + "angebotskategorie/wohnen"


def test_ended_services_are_hidden_unless_asked_for(make_index) -> None:
    index = make_index(changes={"wofa": {"status": "ended"}})
    assert "wofa" not in slugs(run(index, "Wohnraum"), 10)
    assert "wofa" in slugs(run(index, "Wohnraum", filters=Filters(include_ended=True)), 10)


def test_empty_blank_and_filler_input_get_a_clear_answer(directory_index: SearchIndex) -> None:
    for text in ("", "   ", None, "\u200b\u200e"):
        result = run(directory_index, text)
        assert result.message == "directory.search.empty" and not result.hits and not result.failed
    result = run(directory_index, "Wo kann ich?")
    assert result.message == "directory.search.only_stopwords" and not result.failed


def test_no_result_is_marked_failed(directory_index: SearchIndex) -> None:
    result = run(directory_index, "Quxzyplorb")
    assert result.failed and result.message == "directory.search.no_results" and result.total == 0


def test_no_result_only_because_of_filters_is_not_an_unmet_need(directory_index: SearchIndex) -> None:
    result = run(directory_index, "Deutschkurs", filters=Filters(free=True))
    assert result.total == 0 and not result.failed and result.message == "directory.search.no_results_filtered"
    assert run(directory_index, "Quxzyplorb", filters=Filters(free=True)).failed


def test_too_long_input_is_refused_with_a_reason(directory_index: SearchIndex) -> None:
    with pytest.raises(InvalidInput, match="zu lang"):
        run(directory_index, "Deutsch " * 200)
    long_question = ("Ich suche " + "wirklich " * 40 + "einen Deutschkurs")[:MAX_TEXT_LENGTH]
    assert run(directory_index, long_question).terms  # long but allowed: answered


@pytest.mark.parametrize("hostile", [
    '"; DROP GRAPH <urn:x> ; SELECT * WHERE { ?s ?p ?o }', "<script>alert(1)</script>", "' OR 1=1 --",
    "\u202eevil\u202c", "Deutsch\x00kurs", "{{7*7}} ${jndi:ldap://x}", "*" * 400, "🙂🙂🙂", "\\u0000",
])
def test_hostile_input_is_harmless(directory_index: SearchIndex, hostile: str) -> None:
    result = run(directory_index, hostile)
    assert isinstance(result.hits, list)


#: Words that find services, mixed into the random text so that many examples have hits to check.
_SEARCH_WORDS = ("Beratung", "Deutschkurs", "kita", "Wohnung", "Arbeit", "german", "курс", "Frauen", "und", "?")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300),
                      st.lists(st.one_of(st.sampled_from(_SEARCH_WORDS), st.text(max_size=12)), max_size=40)
                      .map(" ".join),
                      st.text(min_size=400, max_size=2500)),
       limit=st.integers(min_value=1, max_value=search.MAX_LIMIT))
def test_any_text_gives_an_answer_never_an_exception(directory_index: SearchIndex, text: str, limit: int) -> None:
    try:
        result = run(directory_index, text, limit=limit)
    except InvalidInput as exc:  # the only refusal: over-long text, with a message naming the field
        assert len(text) > MAX_TEXT_LENGTH, (text, exc)
        assert str(exc).startswith("Suchtext:") and "zu lang" in str(exc)
        return
    assert len(result.hits) <= limit
    assert result.total >= len(result.hits)
    services = {id(s) for s in directory_index.directory.services}
    assert all(id(hit.service) in services for hit in result.hits), "Treffer, der kein Angebot des Verzeichnisses ist"
    assert len({hit.service.slug for hit in result.hits}) == len(result.hits), "ein Angebot doppelt in der Liste"
    assert len(result.query) <= MAX_TEXT_LENGTH
    assert len(result.terms) <= search.MAX_QUERY_TOKENS


def test_bad_language_and_limit_are_refused(directory_index: SearchIndex) -> None:
    with pytest.raises(InvalidInput, match="Sprache"):
        run(directory_index, "Beratung", lang="xx")
    with pytest.raises(InvalidInput, match="Anzahl"):
        run(directory_index, "Beratung", limit=0)
    assert len(run(directory_index, "Beratung", limit=3).hits) == 3


def test_index_is_cached_per_store_and_rebuilt_after_invalidate(store) -> None:
    first = search.get_index(store)
    assert search.get_index(store) is first
    search.invalidate()
    assert search.get_index(store) is not first
