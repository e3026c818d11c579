"""Hostile input through the office pages (issue 7): every URL parameter and the SPARQL page.

For every string of the corpus a browser can send (APP_CORPUS: no lone surrogates):
- every URL parameter of every office page (shared links are attacker-controlled): the page renders without an
  exception, the value is ignored (the widgets fall back to valid choices), nothing is written, and a value with
  markup never reaches the page's HTML;
- the SPARQL page: the editor text and every parameter input of every named query: no exception, a refusal is
  shown as a message, nothing is written, and a parameter value never changes the query (the page sends the
  editor text unchanged and the value only as one bound RDF term, or refuses it).

One AppTest per page is reused (set the URL parameters, forget the widget state, rerun): building an AppTest per
string would dominate the run time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef

from kik_graph.queries import all_queries
from kik_graph.terms import clean_text
from kik_graph.ui.auth_ui import SESSION_KEY
from kik_graph.ui.office_base import MAX_PARAM_LENGTH
from tests.data.hostile_strings import CORPUS
from tests.fixtures.office import texts
from tests.test_robust_corpus import unchanged

#: What a browser can send (URLs and the websocket protocol carry UTF-8: no lone surrogates).
APP_CORPUS = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]

#: Every URL parameter each office page reads (kik_graph/ui/*_view.py; ``lang`` is read by ui/common.py on every
#: page), the parameter that selects a view and its other views (an invalid view falls back to the first one;
#: a view's own parameters are only read there). The status report and the directory office page read only
#: ``lang``, through the same function as the pages here (directory pages: tests/test_robust_directory.py).
PAGE_PARAMS: dict[str, tuple[list[str], str | None, list[str]]] = {
    "office_overview": (["lang"], None, []),
    "office_who": (["lang", "view", "group", "phase", "field", "goal", "measure", "actor", "types", "fields"], "view",
                   ["actor", "matrix"]),
    "office_gaps": (["lang", "gap", "field", "min_leads"], None, []),
    "office_network": (["lang", "view", "fields", "types", "size", "colour", "focus", "depth"], "view",
                       ["focus"]),
}
_OFFICE_STATE_PREFIXES = ("office_", "network_", "who_", "gaps_")


def _office_store(office_store_path):
    from kik_graph.ui.common import get_store

    return get_store()


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown if m.proto.allow_html)


def new_session(at, query: dict[str, str]):
    """Run ``at`` as a new browser session opening a link with ``query`` (same login): the widget state is gone,
    so the page reads its URL parameters again. Much faster than a new AppTest (which scans every installed
    package for Streamlit components on its first run)."""
    from streamlit.runtime.state import SafeSessionState, SessionState
    from streamlit.testing.v1.app_test import TESTING_KEY, _AppTestSessionState
    from streamlit.testing.v1.element_tree import ElementTree

    login = at.session_state[SESSION_KEY] if SESSION_KEY in at.session_state else None
    state = SessionState()
    state[TESTING_KEY] = {}
    at._session_state = SafeSessionState(state, lambda: None)
    at.session_state = _AppTestSessionState(at._session_state)
    at._tree = ElementTree()
    at._tree._runner = at
    if login is not None:
        at.session_state[SESSION_KEY] = login
    at.query_params = dict(query)
    return at.run()


def _fingerprint(at) -> list[object]:
    """What a user sees of the page's state: every widget's value, headings, alerts, table and metric sizes."""
    widgets = [(w.key, repr(w.value)) for kind in ("selectbox", "radio", "multiselect", "slider", "text_input")
               for w in getattr(at, kind)]
    shown = [el.value for kind in ("title", "header", "subheader", "info", "warning", "error") for el in getattr(at, kind)]
    return [widgets, shown, [df.value.shape for df in at.dataframe], [(m.label, m.value) for m in at.metric]]


def _page_problems(at, where: str, value: str) -> list[str]:
    problems = []
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
    if at.error:
        problems.append(f"{where}: Fehlermeldung {at.error[0].value[:100]!r}")
    if "<" in value and len(value) > 3 and value in _html(at):
        problems.append(f"{where}: Eingabe als HTML im Seiteninhalt")
    return problems


def _runs(page: str) -> Iterator[tuple[str | None, list[str]]]:
    """(valid value of the view parameter or None, the parameters that get the hostile value)."""
    names, view_param, views = PAGE_PARAMS[page]
    yield None, names
    for view in views:
        yield view, [n for n in names if n != view_param]


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGE_PARAMS))
def test_office_url_parameters_survive_the_corpus(office_page, office_store_path, page: str) -> None:
    """Each corpus string in every URL parameter of the page at once (and per view for the view parameters)."""
    store = _office_store(office_store_path)
    at = office_page(page)
    assert not at.exception, [e.value for e in at.exception]
    _names, view_param, _views = PAGE_PARAMS[page]
    problems: list[str] = []
    with unchanged(store):
        for view, hostile in _runs(page):
            # what the page shows without the hostile values: an ignored value must not change anything
            expected = _fingerprint(new_session(at, {view_param: view} if view else {}))
            for kind, value in APP_CORPUS:
                query = {name: value for name in hostile}
                if view is not None:
                    query[view_param] = view
                new_session(at, query)
                where = f"{page} {view or ''} {kind} {value[:40]!r}"
                problems += _page_problems(at, where, value)
                if not at.exception and _fingerprint(at) != expected:
                    problems.append(f"{where}: Seite verändert (Wert nicht ignoriert)")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


# ------------------------------------------------------------------------------------------------ SPARQL page
class _Recorder:
    """Records what the SPARQL page sends to the store (query text and bindings)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []


@pytest.fixture()
def sparql_calls(office_store_path, monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    """Every (query text, bindings) the SPARQL page runs (kik_graph.ui.office_query.run_query)."""
    from kik_graph.ui import office_query, office_sparql_view

    recorder = _Recorder()
    original = office_query.run_query

    def recording(store, text, bindings=None, **kwargs):
        recorder.calls.append((text, dict(bindings or {})))
        return original(store, text, bindings, **kwargs)

    monkeypatch.setattr(office_sparql_view, "run_query", recording)
    return recorder


def _answered_or_refused(at, where: str) -> list[str]:
    if at.exception:
        return [f"{where}: Exception {at.exception[0].value[:200]}"]
    shown = texts(at)
    if not (at.dataframe or at.warning or at.error or at.success or "Zeilen" in shown):
        return [f"{where}: weder Ergebnis noch Meldung"]
    return []


@pytest.mark.slow
def test_sparql_editor_survives_the_corpus(office_page, office_store_path, sparql_calls: _Recorder) -> None:
    """Each corpus string as the whole editor text, and spliced into a query: a result or a message; nothing
    written (updates are refused), the editor text sent as it is."""
    store = _office_store(office_store_path)
    at = office_page("office_sparql")
    problems: list[str] = []
    with unchanged(store):
        for kind, value in APP_CORPUS:
            # the whole editor text, and the string spliced into a query (where an injection would land)
            for text in (value, 'SELECT ?s WHERE { ?s ?p ?o FILTER(STR(?o) = "' + value + '") } LIMIT 3'):
                sparql_calls.calls.clear()
                at.text_area(key="office_sparql_text").set_value(text[:20_000])
                at.button(key="office_sparql_run").click().run()
                where = f"Editor {kind} {text[:50]!r}"
                problems += _answered_or_refused(at, where)
                # the page sends exactly what is in the editor (CONSTRUCT/DESCRIBE: with a LIMIT appended)
                for sent, _bindings in sparql_calls.calls:
                    if not sent.startswith(text[:20_000]):
                        problems.append(f"{where}: Abfragetext verändert")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


#: Every parameter of every named query; each kind of parameter (field, measure, text, phase, group, actor)
_PARAM_RUNS = [(q.name, p.name) for q in all_queries().values() for p in q.params]
_VALID = {"field": "SB", "measure": "SB-7.2", "goal": "SB-Z7", "phase": "2", "actor": "vhs Kempten",
          "group": "Eltern", "text": "vhs Kempten", "iri": "https://w3id.org/kik-graph/id/handlungsfeld/SB",
          "integer": "3"}


@pytest.mark.slow
@pytest.mark.parametrize(("query_name", "param_name"), _PARAM_RUNS, ids=[f"{q}-{p}" for q, p in _PARAM_RUNS])
def test_sparql_parameters_survive_the_corpus(office_page, office_store_path, sparql_calls: _Recorder,
                                              query_name: str, param_name: str) -> None:
    """Each corpus string as ``p_<name>`` in a link to the query (``q``), then run; values the URL does not take
    (over 300 characters) typed into the input instead. The named query's text is sent unchanged and the value
    as exactly one bound term – or it is refused with a message."""
    store = _office_store(office_store_path)
    query = all_queries()[query_name]
    others = {p.name: _VALID[p.kind] for p in query.params if p.required and p.name != param_name}
    key = f"office_param_{query_name}_{param_name}"
    at = office_page("office_sparql", q=query_name)
    problems: list[str] = []
    answered = refused = 0
    with unchanged(store):
        for kind, value in APP_CORPUS:
            where = f"{query_name}.{param_name} {kind} {value[:40]!r}"
            sparql_calls.calls.clear()
            new_session(at, {"q": query_name, f"p_{param_name}": value, **{f"p_{n}": v for n, v in others.items()}})
            if at.exception:
                problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
                continue
            shown = at.text_input(key=key).value
            if shown != value and not (shown == "" and len(value) > MAX_PARAM_LENGTH):
                problems.append(f"{where}: Eingabefeld zeigt {shown[:40]!r}")
            if at.text_area(key="office_sparql_text").value != query.sparql:
                problems.append(f"{where}: Editor nicht mit der benannten Abfrage gefüllt")
            if shown == "":
                at.text_input(key=key).set_value(value[:500])  # the input takes at most 500 characters
            at.button(key="office_sparql_run").click().run()
            problems += _answered_or_refused(at, where)
            entered = at.text_input(key=key).value.strip()
            if not sparql_calls.calls:
                refused += 1
                if not (at.warning or at.error):
                    problems.append(f"{where}: abgelehnt ohne Meldung")
                continue
            answered += 1
            problems += _bound_as_one_term(sparql_calls.calls, query.sparql, {**others, param_name: entered}, where)
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
    assert refused > 0, "der Korpus ist feindselig: Werte müssen abgelehnt werden"


def _bound_as_one_term(calls: list[tuple[str, dict]], sparql: str, raw: dict[str, str], where: str) -> list[str]:
    problems = []
    allowed: set[str] = set()
    for text in raw.values():
        try:
            allowed.add(clean_text(text))
        except ValueError:
            pass
    for text, bindings in calls:
        if not text.startswith(sparql):
            problems.append(f"{where}: Abfragetext verändert")
        if not all(isinstance(term, (Literal, URIRef)) for term in bindings.values()):
            problems.append(f"{where}: Bindung ist kein einzelner Term")
        plain = [str(t) for t in bindings.values() if isinstance(t, Literal) and t.datatype is None]
        if any(value not in allowed for value in plain):
            problems.append(f"{where}: Wert nicht als genau ein Term gebunden")
        if set(bindings) - set(raw):
            problems.append(f"{where}: unbekannte Variable gebunden {sorted(set(bindings) - set(raw))}")
    return problems
