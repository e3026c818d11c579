"""Hostile input through every edit path (issue 7): the editing operations, every editing CLI command and every
edit form of the app (AppTest, logged in as editor).

What the office relies on, for every string of tests/data/hostile_strings.py:
- valid-but-strange text is stored exactly as the documented clean_text normalisation gives it (capped),
- anything else is refused with a clear message (CLI: exit code 1/2 and „Fehler“/problem lines on stderr; app: an
  error box) and nothing is written (``unchanged(store)``),
- no traceback reaches the user; no other exception type escapes.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from kik_graph.editing import directory as ed
from kik_graph.editing import operations as op
from kik_graph.editing.state import resource_state
from kik_graph.editing.transaction import Transaction, commit
from kik_graph.editing.vocab import status_iri
from kik_graph.namespaces import KIK, KIKD
from kik_graph.store import OxigraphStore, build_store
from kik_graph.terms import InvalidInput, clean_text
from tests.data.hostile_strings import CORPUS
from tests.fixtures.editing import all_text
from tests.test_robust_corpus import MAX_MESSAGE, assert_corpus_harmless, no_new_files, run_cli, unchanged

VHS = str(KIKD["organisation/vhs-kempten"])
SB11 = KIKD["massnahme/SB-1.1"]
#: A sample of every kind (every 7th string) for the fields that share a code path with a fully tested one.
SAMPLE = CORPUS[::7]
#: What a browser can send (the websocket protocol carries UTF-8: no lone surrogates).
APP_CORPUS = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
APP_SAMPLE = APP_CORPUS[::7]


def _cleaned(value: str, limit: int) -> str | None:
    try:
        return clean_text(value, max_length=limit)
    except InvalidInput:
        return None


def _counts(store: OxigraphStore) -> dict[str, int]:
    return {g: store.triple_count(g) for g in store.named_graphs()}


@pytest.fixture(scope="module")
def edits_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """A writable store for this module (edits that are accepted change it)."""
    store = build_store(tmp_path_factory.mktemp("robust-edits") / "store")
    yield store
    store.close()


def stored_or_refused(store: OxigraphStore, build: Callable[[str], Transaction], node: URIRef, prop: URIRef,
                      limit: int, *, commit_every: int = 15) -> int:
    """``build(value)`` for every corpus string: refused with InvalidInput (builds write nothing), or the built
    new state holds exactly the cleaned value; every ``commit_every``-th accepted value is also committed and
    read back from the store (a commit validates with SHACL: a refusal there must change nothing).
    Returns the number of refusals."""
    accepted = [0]

    def call(value: str):
        tx = build(value)
        new = next((c.new for c in tx.changes if c.resource == node), None)
        got = None if new is None else new.value(node, prop)
        expected = _cleaned(value, limit)
        if expected is None:
            return f"zu lang, aber angenommen ({len(str(got or ''))} Zeichen)"
        if str(got or "") != expected:
            return f"übernommen als {str(got)[:50]!r}, erwartet {expected[:50]!r}"
        accepted[0] += 1
        if accepted[0] % commit_every == 1:
            before = _counts(store)
            try:
                commit(store, tx, "robust")
            except InvalidInput:
                assert _counts(store) == before, "abgelehnt, aber geschrieben"
                raise
            if (_value(store, node, prop) or "") != expected:
                return f"gespeichert als {_value(store, node, prop)!r}"
        return None

    return assert_corpus_harmless(call)


# ------------------------------------------------------------------------------------------------ operations
def test_responsibility_note_is_stored_exactly_or_refused(edits_store: OxigraphStore) -> None:
    from kik_graph.editing.vocab import responsibility_iri

    node = responsibility_iri(SB11, URIRef(VHS))
    stored_or_refused(edits_store, lambda v: op.build_assign(edits_store, "SB-1.1", VHS, "lead", v), node,
                      KIK.internalNote, 2000)


def test_status_note_is_stored_exactly_or_refused(edits_store: OxigraphStore) -> None:
    stored_or_refused(edits_store, lambda v: op.build_status(edits_store, "SB-1.1", "geplant", "2024-01-01", v),
                      status_iri(SB11), KIK.internalNote, 2000)


def _value(store: OxigraphStore, node: URIRef, prop: URIRef) -> str | None:
    value = resource_state(store, node).value(node, prop)
    return None if value is None else str(value)


@pytest.mark.parametrize("field", ["unit", "source"])
def test_indicator_texts_are_stored_exactly_or_refused(edits_store: OxigraphStore, field: str) -> None:
    from kik_graph.editing.vocab import indicator_iri

    limit = {"unit": 100, "source": 500}[field]
    prop = {"unit": KIK.measurementUnit, "source": KIK.dataSource}[field]

    def build(value: str) -> Transaction:
        data = op.IndicatorInput(goal="SB-Z1", name="Robust", unit="Personen", baseline="1", source="Test")
        setattr(data, field, value)
        return op.build_indicator(edits_store, data)

    node = op.find_indicator(edits_store, KIKD["ziel/SB-Z1"], "Robust") or indicator_iri(KIKD["ziel/SB-Z1"], "Robust")
    stored_or_refused(edits_store, build, node, prop, limit)


@pytest.mark.parametrize("param", ["measure", "actor", "role"])
def test_assign_and_unassign_references_survive_the_corpus(edits_store: OxigraphStore, param: str) -> None:
    args = {"measure": "SB-1.2", "actor": VHS, "role": "partner"}

    def build(fn):  # building is what resolves and checks the input; commits are covered elsewhere
        return lambda v: fn(edits_store, **{**args, param: v}) and None

    assert_corpus_harmless(build(op.build_assign))
    assert_corpus_harmless(build(op.build_unassign))


@pytest.mark.parametrize("param", ["measure", "status", "date"])
def test_status_references_survive_the_corpus(edits_store: OxigraphStore, param: str) -> None:
    args = {"measure": "SB-1.3", "status": "geplant", "date": "2024-01-01"}
    assert_corpus_harmless(lambda v: op.build_status(edits_store, **{**args, param: v}) and None)


@pytest.mark.parametrize("field", ["goal", "name", "baseline", "target", "current", "date"])
def test_indicator_fields_survive_the_corpus(edits_store: OxigraphStore, field: str) -> None:
    def call(value: str):
        data = op.IndicatorInput(goal="SB-Z2", name="Robust", unit="Personen", current="3", date="2024-01-31")
        setattr(data, field, value)
        op.build_indicator(edits_store, data)

    assert_corpus_harmless(call)


@pytest.mark.parametrize("field", ["name", "name_en", "alt_names", "organisation_type", "parent", "categories",
                                   "note", "source_locator"])
def test_institution_fields_survive_the_corpus(edits_store: OxigraphStore, field: str) -> None:
    corpus = CORPUS if field in ("name", "note") else SAMPLE

    def call(value: str):
        data = ed.InstitutionInput(name="Robuste Einrichtung", source_locator="Test")
        setattr(data, field, [value] if field in ("alt_names", "categories") else value)
        ed.build_institution(edits_store, data)

    assert_corpus_harmless(call, corpus=corpus)


def test_account_names_verify_and_revert_references_survive_the_corpus(edits_store: OxigraphStore) -> None:
    with unchanged(edits_store):
        assert_corpus_harmless(lambda v: ed.verify_service(edits_store, "robust", v) and None,
                               corpus=[c for c in CORPUS if c[1].strip() not in ("taff",)])
        assert_corpus_harmless(lambda v: op.revert(edits_store, "robust", v) and None)
    from kik_graph.editing.vocab import check_account

    assert_corpus_harmless(lambda v: check_account(v) and None)


# ------------------------------------------------------------------------------------------------ CLI
@pytest.fixture()
def cli_store(edits_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[OxigraphStore]:
    """The editing CLI in-process against the module's store, in an empty working directory."""
    import kik_graph.cli

    kik_graph.cli.build_parser()  # imports every command module first: none may bind the patched function below
    monkeypatch.setattr("kik_graph.commands.graph.open_from_args", lambda args: edits_store)
    monkeypatch.setattr("kik_graph.commands.editing.open_from_args", lambda args: edits_store)
    monkeypatch.setattr(kik_graph.cli, "build_parser", functools.lru_cache(maxsize=1)(kik_graph.cli.build_parser))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KIK_GRAPH_USER", "robust")
    with no_new_files(tmp_path):
        yield edits_store


def assert_cli_refuses_or_applies(store: OxigraphStore, argv_for: Callable[[str], list[str]],
                                  corpus: list[tuple[str, str]] = CORPUS,
                                  check: Callable[[str], str | None] | None = None) -> None:
    """Per corpus string: exit 0 (then ``check``), or exit 1/2 with a short message and nothing written."""
    problems = []
    for kind, value in corpus:
        before = _counts(store)
        code, _out, err = run_cli(argv_for(value))
        where = f"{kind} {value[:40]!r}"
        if "Traceback" in err or code not in (0, 1, 2):
            problems.append(f"{where}: Exit {code} {err[-300:]}")
        elif code != 0:
            if not err.strip() or len(err.splitlines()[0]) > MAX_MESSAGE:
                problems.append(f"{where}: Exit {code} ohne klare Meldung")
            if _counts(store) != before:
                problems.append(f"{where}: abgelehnt, aber geschrieben")
        elif check is not None and (problem := check(value)):
            problems.append(f"{where}: {problem}")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


def _note_check(store: OxigraphStore, node: URIRef) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        got = _value(store, node, KIK.internalNote) or ""
        expected = _cleaned(value, 2000)
        return None if got == expected else f"Notiz {got[:40]!r} statt {str(expected)[:40]!r}"
    return check


@pytest.mark.slow
def test_cli_assign_note_and_references(cli_store: OxigraphStore) -> None:
    from kik_graph.editing.vocab import responsibility_iri

    base = ["assign", "--measure", "SB-2.1", "--actor", VHS, "--role", "lead"]
    assert_cli_refuses_or_applies(cli_store, lambda v: [*base, "--note", v], corpus=SAMPLE,
                                  check=_note_check(cli_store, responsibility_iri(KIKD["massnahme/SB-2.1"], URIRef(VHS))))
    for option in ("--measure", "--actor", "--role"):
        assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v, "--note", "x"], corpus=SAMPLE)
    for option in ("--measure", "--actor", "--role"):
        argv = ["unassign", "--measure", "SB-2.2", "--actor", VHS, "--role", "lead"]
        assert_cli_refuses_or_applies(cli_store, lambda v, o=option, a=argv: [*a, o, v], corpus=SAMPLE)


@pytest.mark.slow
def test_cli_status_note_and_references(cli_store: OxigraphStore) -> None:
    base = ["status", "--measure", "SB-2.3", "--set", "geplant", "--date", "2024-01-01"]
    assert_cli_refuses_or_applies(cli_store, lambda v: [*base, "--note", v], corpus=SAMPLE,
                                  check=_note_check(cli_store, status_iri(KIKD["massnahme/SB-2.3"])))
    for option in ("--measure", "--set", "--date"):
        assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v], corpus=SAMPLE)


@pytest.mark.slow
def test_cli_indicator_institution_verify_history_revert(cli_store: OxigraphStore) -> None:
    base = ["indicator", "--goal", "SB-Z3", "--name", "Robust", "--unit", "Personen"]
    for option in ("--goal", "--name", "--unit", "--baseline", "--target", "--current", "--date", "--source"):
        assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v], corpus=SAMPLE[option.__len__() % 2::2])
    for option in ("--name", "--name-en", "--alt-name", "--type", "--parent", "--category", "--note",
                   "--source-locator"):
        argv = ["institution", "--name", "Robuste Einrichtung CLI", "--source-locator", "Test"]
        assert_cli_refuses_or_applies(cli_store, lambda v, o=option, a=argv: [*a, o, v],
                                      corpus=SAMPLE[option.__len__() % 2::2])
    assert_cli_refuses_or_applies(cli_store, lambda v: ["institution", "--iri", v, "--note", "x"])
    for argv_for in (lambda v: ["verify", v], lambda v: ["revert", v], lambda v: ["history", v],
                     lambda v: ["history", "--since", v], lambda v: ["status", "--as", v, "--measure", "SB-2.4",
                                                                     "--set", "geplant"]):
        assert_cli_refuses_or_applies(cli_store, argv_for, corpus=[c for c in SAMPLE if c[1] != "taff"])


def test_cli_import_file_and_kind_arguments(cli_store: OxigraphStore, tmp_path: Path) -> None:
    """Hostile paths (traversal, devices excluded) and kinds: a clear refusal, nothing read or written."""
    corpus = [(k, v) for k, v in CORPUS if not v.startswith("/dev/")]
    assert_cli_refuses_or_applies(cli_store, lambda v: ["import", "statuses", v], corpus=corpus)
    assert_cli_refuses_or_applies(cli_store, lambda v: ["import", v, "x.csv"], corpus=corpus)
    assert_cli_refuses_or_applies(cli_store, lambda v: ["import", "--template", v], corpus=corpus)
    code, _out, err = run_cli(["import", "statuses", "../../../../../../etc/passwd"])
    assert code == 1 and "Traceback" not in err


# ------------------------------------------------------------------------------------------------ edit pages
@contextlib.contextmanager
def _page_outcome(at, store: OxigraphStore, where: str, problems: list[str]) -> Iterator[None]:
    """After a save: no exception; saved/no change, or an error box and nothing written."""
    before = _counts(store)
    yield
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
        return
    text = all_text(at)
    if at.error:
        if _counts(store) != before:
            problems.append(f"{where}: Fehlermeldung, aber geschrieben")
        if len(at.error[0].value) > 3 * MAX_MESSAGE:
            problems.append(f"{where}: Fehlermeldung zu lang")
    elif "Gespeichert" not in text and not at.info:
        problems.append(f"{where}: weder gespeichert noch eine Meldung")


def _exact(problems: list[str], where: str, value: str, got: str | None, limit: int, saved: bool) -> None:
    expected = _cleaned(value, limit)
    if saved and expected is None:
        problems.append(f"{where}: zu lang, aber gespeichert")
    if saved and expected is not None and (got or "") != expected:
        problems.append(f"{where}: gespeichert als {str(got)[:40]!r}, erwartet {expected[:40]!r}")


@pytest.mark.slow
def test_status_and_responsibility_forms_with_the_corpus(page_as, app_store) -> None:
    problems: list[str] = []
    at = page_as("edit_status", "editor", measure="GP-1.1").run()
    node = status_iri(KIKD["massnahme/GP-1.1"])
    for kind, value in APP_SAMPLE:
        where = f"Stand {kind} {value[:30]!r}"
        with _page_outcome(at, app_store, where, problems):
            at.text_area(key="status_note").input(value)
            at.button[0].click().run()
        _exact(problems, where, value, _value(app_store, node, KIK.internalNote), 2000, not at.error)
    from kik_graph.editing.vocab import responsibility_iri

    at = page_as("edit_responsibilities", "editor", measure="SB-1.1").run()
    node = responsibility_iri(SB11, URIRef(VHS))
    for kind, value in APP_SAMPLE:
        where = f"Zuständigkeit {kind} {value[:30]!r}"
        with _page_outcome(at, app_store, where, problems):
            at.selectbox(key="resp_actor").set_value(VHS)
            at.text_area(key="resp_note").input(value)
            at.button[0].click().run()
        _exact(problems, where, value, _value(app_store, node, KIK.internalNote), 2000, not at.error)
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


@pytest.mark.slow
def test_indicator_form_with_the_corpus(page_as, app_store) -> None:
    problems: list[str] = []
    at = page_as("edit_indicators", "editor").run()
    labels = [ti.label for ti in at.text_input]
    valid = {"Name": "Robust", "Einheit": "Personen"}
    for label in labels:
        for kind, value in APP_SAMPLE if label in ("Name", "Einheit") else APP_CORPUS[len(label) % 21::21]:
            where = f"{label} {kind} {value[:30]!r}"
            with _page_outcome(at, app_store, where, problems):
                fields = {ti.label: ti for ti in at.text_input}
                for name, text in valid.items():
                    fields[name].input(text)
                fields[label].input(value)
                at.button[0].click().run()
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


@pytest.mark.slow
def test_directory_service_and_institution_forms_with_the_corpus(page_as, app_store) -> None:
    problems: list[str] = []
    at = page_as("edit_directory", "editor").run()
    at.selectbox(key="dir_service").set_value("amt-fuer-integration")
    at.run()
    labels = [ti.label for ti in at.text_input] + [ta.label for ta in at.text_area if ta.label != "hinweis"]
    for label in labels:
        area = not any(ti.label == label for ti in at.text_input)
        for kind, value in APP_SAMPLE if label in ("name", "beschreibung") else APP_CORPUS[len(label) % 40::40]:
            where = f"Angebot.{label} {kind} {value[:30]!r}"
            with _page_outcome(at, app_store, where, problems):
                widget = next(w for w in (at.text_area if area else at.text_input) if w.label == label)
                widget.input(value)
                [b for b in at.button if b.label == "Speichern"][0].click().run()
            if label in ("name", "beschreibung") and not at.error:
                service, _ = ed.load_service(app_store, "amt-fuer-integration")
                got = service.name if label == "name" else service.description
                _exact(problems, where, value, got, 200 if label == "name" else 4000, True)
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
