"""Hostile input through the public directory (issue 7): search function, search page, URL parameters, feedback.

What a visitor and the office rely on, for every string of tests/data/hostile_strings.py:
- the search answers (or refuses over-long text with a message); no traceback, no generic error box,
- results are sane (only real services, at most ``limit``, ``total`` ≥ shown) and the query is not altered beyond
  the documented clean_text normalisation,
- a search writes nothing but the anonymised failed-search counter (internal graph, no markup, no digits runs),
- no markup from the input reaches the page as HTML (no script, no event handler, no javascript: link),
- feedback text is stored exactly (after clean_text) in the internal graph only: it never reaches the public
  export, and the office view shows it as plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rdflib import Literal

from kik_graph.directory import feedback, searchlog
from kik_graph.directory.search import Filters, search
from kik_graph.i18n import t
from kik_graph.namespaces import GRAPH_KIK, GRAPH_OFFICE
from kik_graph.terms import MAX_TEXT_LENGTH, InvalidInput, clean_text
from tests.data.hostile_strings import CORPUS
from tests.fixtures.directory import page_text
from tests.test_robust_corpus import assert_corpus_harmless, unchanged

TAFF = "https://w3id.org/kik-graph/id/angebot/taff"
#: What a browser can send (URLs and the websocket protocol carry UTF-8: no lone surrogates).
APP_CORPUS = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "form", "input", "base", "meta", "link",
                   "img", "video", "audio", "source", "frame", "frameset", "textarea", "button", "template"}
_DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class _Markup(HTMLParser):
    """Collects what would be dangerous in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction", "xlink:href") and _DANGEROUS_URL.match(value or ""):
                self.found.append(f"{tag}[{name}={value[:30]}]")


def dangerous_html(at) -> list[str]:
    """Dangerous tags/attributes in the page's HTML-enabled markdown (``unsafe_allow_html``)."""
    parser = _Markup()
    for element in at.markdown:
        if element.proto.allow_html:
            parser.feed(element.value)
    parser.close()
    return parser.found


def page_problems(at, where: str) -> list[str]:
    """What a directory page must never show, whatever the input: an exception, the general error box (a hidden
    error) or dangerous HTML – each as a line naming ``where``."""
    problems = []
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
    if t("directory.search.error", "de") in page_text(at):
        problems.append(f"{where}: allgemeine Fehlermeldung (versteckter Fehler)")
    if found := dangerous_html(at):
        problems.append(f"{where}: gefährliches HTML {found[:3]}")
    return problems


def _office_counts(store) -> dict[str, int]:
    return {g: store.triple_count(g) for g in store.named_graphs() if g != str(GRAPH_OFFICE)}


def _logged_texts_are_anonymous(store) -> list[str]:
    bad = []
    for row in searchlog.failed_searches(store):
        if len(row.text) > searchlog.MAX_LOGGED_LENGTH or re.search(r"[<>\"'{}\\]|\d{3}", row.text):
            bad.append(row.text[:60])
    return bad


# ------------------------------------------------------------------------------------------------ search function
def test_search_function_survives_the_corpus(store) -> None:
    index_services = None

    def call(value: str):
        nonlocal index_services
        result = search(store, value, limit=10)
        from kik_graph.directory.search import get_index

        index_services = index_services or {s.iri for s in get_index(store).services}
        if result.query != clean_text(value, field="Suchtext"):
            return f"Suchtext verändert: {result.query[:40]!r}"
        if len(result.hits) > 10 or result.total < len(result.hits):
            return f"{len(result.hits)} Treffer bei total={result.total}"
        if any(hit.service.iri not in index_services for hit in result.hits):
            return "Treffer, der kein Angebot ist"
        return None

    with unchanged(store):
        rejected = assert_corpus_harmless(call)
    assert rejected == sum(1 for _, v in CORPUS if _too_long(v))  # only over-long text is refused


def _too_long(value: str) -> bool:
    try:
        clean_text(value)
    except InvalidInput:
        return True
    return False


@pytest.mark.parametrize("filter_name", ["category", "target_group", "language", "district"])
def test_search_filters_survive_the_corpus(store, directory, filter_name: str) -> None:
    """Filter values from the URL or the CLI: a clear refusal naming the filter, or a valid filter."""
    def call(value: str):
        filters = Filters.resolve(directory, **{filter_name: value})
        result = search(store, "Beratung", filters=filters, limit=5)
        return None if result.total >= len(result.hits) else "unsinnige Trefferzahl"

    with unchanged(store):
        assert_corpus_harmless(call)


# ------------------------------------------------------------------------------------------------ search page
def _qp(at, name: str) -> str:
    value = at.query_params.get(name, "")
    return value[0] if isinstance(value, list) else value


@pytest.mark.slow
def test_search_page_typing_the_corpus(directory_page, directory_app_store) -> None:
    """Each corpus string typed into the search box and submitted: answered, inert, URL not altered."""
    store = directory_app_store
    at = directory_page()
    before = _office_counts(store)
    problems = []
    for kind, value in APP_CORPUS:
        at.text_input(key="dir_q").input(value)
        at.button[0].click().run()
        problems += page_problems(at, f"{kind} {value[:40]!r}")
        if len(value) > MAX_TEXT_LENGTH:  # the box takes at most MAX_TEXT_LENGTH characters (max_chars)
            if len(_qp(at, "q")) > MAX_TEXT_LENGTH:
                problems.append(f"{kind} {value[:40]!r}: überlanger Suchtext in der URL")
            continue
        cleaned = clean_text(value, field="Suchtext")
        if _qp(at, "q") not in (value.strip(), cleaned):
            problems.append(f"{kind} {value[:40]!r}: URL-Suchtext verändert zu {_qp(at, 'q')[:40]!r}")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
    assert _office_counts(store) == before, "die Suche hat öffentliche Daten geschrieben"
    assert not _logged_texts_are_anonymous(store)


#: The URL parameters the directory page reads (kik_graph/ui/directory_state.py, ui/common.py reads ``lang``),
#: in groups that are read together: invalid filters stop the search (a warning), ``service`` switches to the
#: detail view (``print`` to its print view).
_URL_GROUPS = {"search": ["q", "lang", "free", "open", "page"], "filters": ["cat", "group", "spoken", "district"],
               "detail": ["service", "print"]}


@pytest.mark.slow
@pytest.mark.parametrize("group", list(_URL_GROUPS))
def test_search_page_url_parameters_survive_the_corpus(directory_page, directory_app_store, group: str) -> None:
    """Shared links are attacker-controlled: every URL parameter with every string of the corpus (one AppTest,
    a new browser session per link)."""
    from tests.test_robust_office import new_session

    store = directory_app_store
    before = _office_counts(store)
    problems = []
    at = directory_page()
    for kind, value in APP_CORPUS:
        new_session(at, dict.fromkeys(_URL_GROUPS[group], value))
        problems += page_problems(at, f"{kind} {value[:40]!r}")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
    assert _office_counts(store) == before
    assert not _logged_texts_are_anonymous(store)


# ------------------------------------------------------------------------------------------------ feedback
def test_feedback_stores_the_corpus_exactly_or_refuses_it(fresh_store) -> None:
    public = fresh_store.triple_count(str(GRAPH_KIK))
    stored: dict[str, str] = {}

    def call(value: str):
        before = fresh_store.triple_count(str(GRAPH_OFFICE))
        try:
            iri = feedback.submit(fresh_store, TAFF, "other", value, known_services={TAFF})
        except InvalidInput:
            assert fresh_store.triple_count(str(GRAPH_OFFICE)) == before, "abgelehnt, aber geschrieben"
            raise
        stored[iri] = clean_text(value, max_length=feedback.MAX_FEEDBACK_LENGTH)
        return None

    assert_corpus_harmless(call)
    assert fresh_store.triple_count(str(GRAPH_KIK)) == public, "Rückmeldungen gehören nicht in die öffentlichen Daten"
    got = {f.iri: f.text for f in feedback.list_feedback(fresh_store)}
    wrong = [(iri, got.get(iri, "")[:40], text[:40]) for iri, text in stored.items() if got.get(iri) != text]
    assert not wrong, wrong[:10]


def test_feedback_fields_and_services_from_the_corpus_are_refused(fresh_store) -> None:
    with unchanged(fresh_store):
        assert_corpus_harmless(lambda v: feedback.submit(fresh_store, TAFF, v, "Text", known_services={TAFF}))
        assert_corpus_harmless(lambda v: feedback.submit(fresh_store, v, "other", "Text", known_services={TAFF}))
        assert_corpus_harmless(lambda v: feedback.submit(fresh_store, TAFF + v, "other", "Text",
                                                         known_services={TAFF}), corpus=[c for c in CORPUS if c[1]])
        assert_corpus_harmless(lambda v: feedback.delete(fresh_store, v))


def test_feedback_never_reaches_public_outputs(fresh_store, tmp_path) -> None:
    """Hostile reports are in the office graph only: not in the public graph, the RDF export or the tables."""
    from kik_graph.export.privacy import public_graph
    from kik_graph.export.tables import write_tables

    marker = "Rückmeldung-7f3a <script>alert(1)</script>"
    feedback.submit(fresh_store, TAFF, "other", marker)
    public = public_graph(fresh_store)
    assert not any(marker[:16] in str(o) for o in public.objects())
    assert (None, None, Literal(marker)) not in public
    for path in write_tables(fresh_store, tmp_path / "tabellen"):
        if path.suffix == ".csv":
            assert marker[:16] not in path.read_text(encoding="utf-8-sig"), path.name


@pytest.mark.slow
def test_feedback_form_and_office_view_with_the_corpus(directory_page, directory_app_store) -> None:
    """The public form stores every string; the office view shows them as plain text, never as HTML."""
    store = directory_app_store
    public = store.triple_count(str(GRAPH_KIK))
    problems = []
    at = directory_page(service="taff")
    for kind, value in APP_CORPUS:
        at.selectbox(key="dir_fb_field").select("other")
        at.text_area(key="dir_fb_text").set_value(value)
        [b for b in at.button if b.label == "Meldung senden"][0].click().run()
        if at.exception:
            problems.append(f"{kind} {value[:40]!r}: Exception {at.exception[0].value[:200]}")
        shown = page_text(at)
        if "Danke!" not in shown and not at.error:
            problems.append(f"{kind} {value[:40]!r}: weder Dank noch Meldung")
        if found := dangerous_html(at):
            problems.append(f"{kind} {value[:40]!r}: gefährliches HTML {found[:3]}")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
    assert store.triple_count(str(GRAPH_KIK)) == public
    office = directory_page("directory_office", role="viewer")
    assert not office.exception
    assert not dangerous_html(office)
    reports = [r.text for r in feedback.list_feedback(store) if r.service == TAFF]
    shown_as_text = {el.value for el in office.text}
    assert reports and all(text in shown_as_text for text in reports if text)
    html = "\n".join(m.value for m in office.markdown if m.proto.allow_html)
    assert not any(text and text in html for text in reports if "<" in text)
