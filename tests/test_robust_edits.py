"""Hostile input through every edit path (issue 7): the editing operations, every editing CLI command and every
edit form of the app (AppTest, logged in as editor).

Every string of tests/data/hostile_strings.py goes through every editing operation, every option of every
editing CLI command (one call per option and string) and every text field of every edit form (APP_CORPUS: what a
browser can send; a too long value reaches the page cut to the field's max_chars, as Streamlit cuts it on the
server). Forms with several fields get one save per string, each field a different string, so that every
field gets every string (the forms check all fields on each save and list every problem).

What the office relies on, for every string:
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
from rdflib.namespace import SKOS

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
#: What a browser can send (the websocket protocol carries UTF-8: no lone surrogates).
APP_CORPUS = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]


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
    def call(value: str):
        data = ed.InstitutionInput(name="Robuste Einrichtung", source_locator="Test")
        setattr(data, field, [value] if field in ("alt_names", "categories") else value)
        ed.build_institution(edits_store, data)

    assert_corpus_harmless(call)


def test_account_names_verify_and_revert_references_survive_the_corpus(edits_store: OxigraphStore) -> None:
    with unchanged(edits_store):
        assert_corpus_harmless(lambda v: ed.verify_service(edits_store, "robust", v) and None,
                               corpus=[c for c in CORPUS if c[1].strip() not in ("taff",)])
        assert_corpus_harmless(lambda v: op.revert(edits_store, "robust", v) and None)
    from kik_graph.editing.vocab import check_account

    assert_corpus_harmless(lambda v: check_account(v) and None)


# ------------------------------------------------------------------------------------------------ writes
class WriteWatch:
    """Counts every call of a store's write methods (``update``, ``replace_graph``, ``bulk_load``).

    ``changed_since(mark())`` after a refused edit: any write call at all (even one that adds and removes the same)
    is seen; every ``recount``-th check also compares the number of triples in the store (a write that bypassed
    the store's methods). Counting every named graph for every one of thousands of calls would dominate the time.
    """

    WRITES = ("update", "replace_graph", "bulk_load")

    def __init__(self, store: OxigraphStore, monkeypatch: pytest.MonkeyPatch, recount: int = 10) -> None:
        self.store = store
        self.calls = 0
        self.checks = 0
        self.recount = recount
        self._count: tuple[int, int] = (-1, 0)  # (write calls when counted, triples)
        for name in self.WRITES:
            monkeypatch.setattr(store, name, self._counting(getattr(store, name)))

    def _counting(self, method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            self.calls += 1
            return method(*args, **kwargs)
        return wrapper

    def _triples(self) -> int:
        if self._count[0] != self.calls:
            self._count = (self.calls, self.store.triple_count())
        return self._count[1]

    def mark(self) -> tuple[int, int]:
        """(write calls so far, number of triples – counted again only after a write)."""
        return self.calls, self._triples()

    def changed_since(self, mark: tuple[int, int]) -> bool:
        """True if anything was written since ``mark``."""
        self.checks += 1
        if self.calls != mark[0]:
            return True
        return self.checks % self.recount == 0 and self.store.triple_count() != mark[1]


# ------------------------------------------------------------------------------------------------ CLI
@pytest.fixture()
def cli_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
              tmp_path: Path) -> Iterator[WriteWatch]:
    """The editing CLI in-process against a store of its own (writes watched), in an empty working directory."""
    import kik_graph.cli

    edits_store = build_store(tmp_path_factory.mktemp("robust-cli") / "store")

    kik_graph.cli.build_parser()  # imports every command module first: none may bind the patched function below
    monkeypatch.setattr("kik_graph.commands.graph.open_from_args", lambda args: edits_store)
    monkeypatch.setattr("kik_graph.commands.editing.open_from_args", lambda args: edits_store)
    monkeypatch.setattr(kik_graph.cli, "build_parser", functools.lru_cache(maxsize=1)(kik_graph.cli.build_parser))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KIK_GRAPH_USER", "robust")
    watch = WriteWatch(edits_store, monkeypatch)
    with no_new_files(tmp_path):
        yield watch
    edits_store.close()


def assert_cli_refuses_or_applies(watch: WriteWatch, argv_for: Callable[[str], list[str]],
                                  corpus: list[tuple[str, str]] = CORPUS,
                                  check: Callable[[str], str | None] | None = None) -> list[str]:
    """Per corpus string: exit 0 (then ``check``), or exit 1/2 with a short message and nothing written.
    Returns the problems (empty = fine) so that a test can run several options before failing."""
    problems = []
    for kind, value in corpus:
        before = watch.mark()
        code, _out, err = run_cli(argv_for(value))
        where = f"{' '.join(argv_for('…'))[:60]} | {kind} {value[:40]!r}"
        if "Traceback" in err or code not in (0, 1, 2):
            problems.append(f"{where}: Exit {code} {err[-300:]}")
        elif code != 0:
            if not err.strip() or len(err.splitlines()[0]) > MAX_MESSAGE:
                problems.append(f"{where}: Exit {code} ohne klare Meldung")
            if watch.changed_since(before):
                problems.append(f"{where}: abgelehnt, aber geschrieben")
        elif check is not None and (problem := check(value)):
            problems.append(f"{where}: {problem}")
    return problems


def _fail_on(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:40])


def _note_check(store: OxigraphStore, node: URIRef) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        got = _value(store, node, KIK.internalNote) or ""
        expected = _cleaned(value, 2000)
        return None if got == expected else f"Notiz {got[:40]!r} statt {str(expected)[:40]!r}"
    return check


@pytest.mark.slow
def test_cli_assign_and_unassign_with_the_whole_corpus(cli_store: WriteWatch) -> None:
    from kik_graph.editing.vocab import responsibility_iri

    store = cli_store.store
    base = ["assign", "--measure", "SB-2.1", "--actor", VHS, "--role", "lead"]
    problems = assert_cli_refuses_or_applies(cli_store, lambda v: [*base, "--note", v], check=_note_check(
        store, responsibility_iri(KIKD["massnahme/SB-2.1"], URIRef(VHS))))
    assert cli_store.calls > 0, "kein Schreibzugriff gezählt: die Überwachung der Schreibzugriffe greift nicht"
    for option in ("--measure", "--actor", "--role"):
        problems += assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v, "--note", "x"])
    unassign = ["unassign", "--measure", "SB-2.2", "--actor", VHS, "--role", "lead"]
    for option in ("--measure", "--actor", "--role"):
        problems += assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*unassign, o, v])
    _fail_on(problems)


@pytest.mark.slow
def test_cli_status_with_the_whole_corpus(cli_store: WriteWatch) -> None:
    base = ["status", "--measure", "SB-2.3", "--set", "geplant", "--date", "2024-01-01"]
    problems = assert_cli_refuses_or_applies(cli_store, lambda v: [*base, "--note", v],
                                             check=_note_check(cli_store.store, status_iri(KIKD["massnahme/SB-2.3"])))
    for option in ("--measure", "--set", "--date", "--as"):
        problems += assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v])
    _fail_on(problems)


@pytest.mark.slow
def test_cli_indicator_with_the_whole_corpus(cli_store: WriteWatch) -> None:
    base = ["indicator", "--goal", "SB-Z3", "--name", "Robust", "--unit", "Personen"]
    problems = []
    for option in ("--goal", "--unit", "--baseline", "--target", "--current", "--date", "--source", "--name"):
        problems += assert_cli_refuses_or_applies(cli_store, lambda v, o=option: [*base, o, v])
    problems += assert_cli_refuses_or_applies(cli_store, lambda v: ["indicator", "--goal", "SB-Z3", "--name", v,
                                                                    "--delete"])
    _fail_on(problems)


_INSTITUTION_TEXTS = {"--name": ("name", 200), "--name-en": ("name_en", 200), "--note": ("note", 2000),
                      "--source-locator": ("source_locator", 300)}


@pytest.mark.slow
def test_cli_institution_with_the_whole_corpus(cli_store: WriteWatch) -> None:
    """New institutions (``--name``), and every option on an existing one (``--iri``): accepted texts are stored
    exactly as cleaned (an empty name or locator keeps the old one)."""
    store = cli_store.store
    assert run_cli(["institution", "--name", "Robuste Einrichtung CLI", "--source-locator", "Test"])[0] == 0
    iri = str(KIKD["organisation/robuste-einrichtung-cli"])
    problems = assert_cli_refuses_or_applies(cli_store, lambda v: ["institution", "--iri", v, "--note", "x"])

    def text_check(option: str) -> Callable[[str], str | None]:
        attribute, limit = _INSTITUTION_TEXTS[option]

        def check(value: str) -> str | None:
            expected = _cleaned(value, limit)
            got = getattr(ed.institution_fields(store, URIRef(iri)), attribute)
            if expected is None:
                return f"zu lang, aber angenommen ({len(got)} Zeichen)"
            if (expected or option == "--note") and got != expected:
                return f"gespeichert als {got[:40]!r}, erwartet {expected[:40]!r}"
            return None
        return check

    for option in ("--name", "--name-en", "--alt-name", "--type", "--parent", "--category", "--note",
                   "--source-locator"):
        problems += assert_cli_refuses_or_applies(
            cli_store, lambda v, o=option: ["institution", "--iri", iri, o, v],
            check=text_check(option) if option in _INSTITUTION_TEXTS else None)
    problems += assert_cli_refuses_or_applies(cli_store, lambda v: ["institution", "--name", v,
                                                                   "--source-locator", "Test"])
    _fail_on(problems)


@pytest.mark.slow
def test_cli_verify_history_revert_with_the_whole_corpus(cli_store: WriteWatch) -> None:
    problems = []
    for argv_for in (lambda v: ["verify", v], lambda v: ["revert", v], lambda v: ["history", v],
                     lambda v: ["history", "--since", v]):
        problems += assert_cli_refuses_or_applies(cli_store, argv_for)
    _fail_on(problems)


def test_cli_import_file_and_kind_arguments(cli_store: WriteWatch, tmp_path: Path) -> None:
    """Hostile paths (traversal, devices excluded) and kinds: a clear refusal, nothing read or written."""
    corpus = [(k, v) for k, v in CORPUS if not v.startswith("/dev/")]
    problems = assert_cli_refuses_or_applies(cli_store, lambda v: ["import", "statuses", v], corpus=corpus)
    problems += assert_cli_refuses_or_applies(cli_store, lambda v: ["import", v, "x.csv"], corpus=corpus)
    problems += assert_cli_refuses_or_applies(cli_store, lambda v: ["import", "--template", v], corpus=corpus)
    _fail_on(problems)
    code, _out, err = run_cli(["import", "statuses", "../../../../../../etc/passwd"])
    assert code == 1 and "Traceback" not in err


# ------------------------------------------------------------------------------------------------ edit pages
@contextlib.contextmanager
def _page_outcome(at, watch: WriteWatch, where: str, problems: list[str]) -> Iterator[None]:
    """After a save: no exception; saved/no change, or an error box and nothing written."""
    before = watch.mark()
    yield
    if at.exception:
        problems.append(f"{where}: Exception {at.exception[0].value[:200]}")
        return
    if at.error:
        if watch.changed_since(before):
            problems.append(f"{where}: Fehlermeldung, aber geschrieben")
        if len(at.error[0].value) > 3 * MAX_MESSAGE:
            problems.append(f"{where}: Fehlermeldung zu lang")
    elif not at.success and "Gespeichert" not in all_text(at) and not at.info:
        problems.append(f"{where}: weder gespeichert noch eine Meldung")


def _exact(problems: list[str], where: str, value: str, got: str | None, limit: int, saved: bool) -> None:
    expected = _cleaned(value, limit)
    if saved and expected is None:
        problems.append(f"{where}: zu lang, aber gespeichert")
    if saved and expected is not None and (got or "") != expected:
        problems.append(f"{where}: gespeichert als {str(got)[:40]!r}, erwartet {expected[:40]!r}")


@pytest.fixture()
def app_watch(app_store, monkeypatch: pytest.MonkeyPatch) -> WriteWatch:
    """The writes of the app's store (the same object as the app's get_store())."""
    return WriteWatch(app_store, monkeypatch)


def _rotated(fields: list[str], corpus: list[tuple[str, str]]) -> Iterator[dict[str, tuple[str, str]]]:
    """One submission per corpus string; field j gets string (i + j·step) mod n: every field gets every string
    exactly once, and the fields of one submission get different strings."""
    n = len(corpus)
    step = max(1, n // max(1, len(fields)))
    for i in range(n):
        yield {field: corpus[(i + j * step) % n] for j, field in enumerate(fields)}


@pytest.mark.slow
def test_status_and_responsibility_forms_with_the_whole_corpus(page_as, app_store, app_watch: WriteWatch) -> None:
    problems: list[str] = []
    at = page_as("edit_status", "editor", measure="GP-1.1").run()
    node = status_iri(KIKD["massnahme/GP-1.1"])
    for kind, value in APP_CORPUS:
        where = f"Stand {kind} {value[:30]!r}"
        with _page_outcome(at, app_watch, where, problems):
            at.text_area(key="status_note").set_value(value)
            at.button[0].click().run()
        _exact(problems, where, value[:2000], _value(app_store, node, KIK.internalNote), 2000, not at.error)
    from kik_graph.editing.vocab import responsibility_iri

    at = page_as("edit_responsibilities", "editor", measure="SB-1.1").run()
    node = responsibility_iri(SB11, URIRef(VHS))
    for kind, value in APP_CORPUS:
        where = f"Zuständigkeit {kind} {value[:30]!r}"
        with _page_outcome(at, app_watch, where, problems):
            at.selectbox(key="resp_actor").set_value(VHS)
            at.text_area(key="resp_note").set_value(value)
            at.button[0].click().run()
        _exact(problems, where, value[:2000], _value(app_store, node, KIK.internalNote), 2000, not at.error)
    _fail_on(problems)


@pytest.mark.slow
def test_indicator_form_with_the_whole_corpus(page_as, app_store, app_watch: WriteWatch) -> None:
    """Every field gets every string (all fields are checked on each save: a refusal lists every field's problem);
    accepted name, unit and source are stored exactly."""
    at = page_as("edit_indicators", "editor").run()
    goal = URIRef(at.selectbox(key="ind_goal").value)
    op.save_indicator(app_store, "robust", op.IndicatorInput(goal=goal, name="Robust", unit="Personen"))
    node = op.find_indicator(app_store, goal, "Robust")
    at.run()
    at.selectbox(key="ind_which").set_value(str(node))  # one indicator edited (each new one would slow the page)
    at.run()
    labels = [w.label for w in _form_widgets(at, "ind_form_")]
    assert len(labels) == 7 and {"Name", "Einheit", "Datenquelle"} <= set(labels), labels

    def stored(_entered: dict[str, str]) -> dict[str, str]:
        state = resource_state(app_store, node)
        return {"Name": str(state.value(node, SKOS.prefLabel) or ""),
                "Einheit": str(state.value(node, KIK.measurementUnit) or ""),
                "Datenquelle": str(state.value(node, KIK.dataSource) or "")}

    _fail_on(_two_passes(at, app_watch, "ind_form_", {"Name": 200, "Einheit": 100, "Datenquelle": 500}, stored,
                         "Kenngröße"))


def _form_widgets(at, form_prefix: str) -> list:
    return [w for w in [*at.text_input, *at.text_area] if w.form_id.startswith(form_prefix)]


def _submit(at, form_prefix: str) -> None:
    [b for b in at.button if b.form_id.startswith(form_prefix)][0].click().run()


def _two_passes(at, watch: WriteWatch, prefix: str, texts: dict[str, int],
                stored: Callable[[dict[str, str]], dict[str, str]], what: str) -> list[str]:
    """Pass 1: every field of the form gets every string (one save per string, the fields different strings).
    Pass 2: only the free-text fields in ``texts`` (label → length limit) get the strings, the other fields keep
    their valid values – so that accepted texts are saved and compared with what is stored (``stored(entered)``)."""
    problems: list[str] = []
    widgets = _form_widgets(at, prefix)
    initial = {w.label: w.value for w in widgets}
    max_chars = {w.label: w.max_chars for w in widgets}
    assert set(texts) <= set(initial), (list(texts), list(initial))
    saved = 0
    for labels in (list(initial), list(texts)):
        for values in _rotated(labels, APP_CORPUS):
            entered = {**initial, **{label: value for label, (_kind, value) in values.items()}}
            where = f"{what} " + ", ".join(f"{label}={v[:15]!r}" for label, (_k, v) in values.items())[:300]
            with _page_outcome(at, watch, where, problems):
                current = {w.label: w for w in _form_widgets(at, prefix)}
                for label, value in entered.items():
                    current[label].set_value(value)
                _submit(at, prefix)
            if at.error or at.exception:
                continue
            saved += 1
            now = stored(entered)
            for label, limit in texts.items():
                sent = entered[label][: max_chars[label]]
                if label in values and _cleaned(sent, limit):  # (an empty text keeps or resets the old value)
                    _exact(problems, f"{where} [{label}]", sent, now[label], limit, True)
    assert saved, f"{what}: keine einzige Speicherung – die Prüfung der gespeicherten Werte lief nie"
    return problems


@pytest.mark.slow
def test_directory_service_form_with_the_whole_corpus(page_as, app_store, app_watch: WriteWatch) -> None:
    """Every text field of the service form gets every string; name and description are stored exactly."""
    at = page_as("edit_directory", "editor").run()
    at.selectbox(key="dir_service").set_value("amt-fuer-integration")
    at.run()
    labels = [w.label for w in _form_widgets(at, "dir_service_form_")]
    assert len(labels) > 20 and "name" in labels and "beschreibung" in labels, labels

    def stored(_entered: dict[str, str]) -> dict[str, str]:
        service, _ = ed.load_service(app_store, "amt-fuer-integration")
        return {"name": service.name, "beschreibung": service.description}

    _fail_on(_two_passes(at, app_watch, "dir_service_form_", {"name": 200, "beschreibung": 4000}, stored, "Angebot"))


@pytest.mark.slow
def test_directory_institution_form_with_the_whole_corpus(page_as, app_store, app_watch: WriteWatch) -> None:
    """Every field of the institution form (editing the vhs) gets every string; texts are stored exactly."""
    at = page_as("edit_directory", "editor").run()
    at.selectbox(key="dir_inst").set_value(VHS)
    at.run()
    labels = [w.label for w in _form_widgets(at, "dir_inst_form_")]
    assert len(labels) == 8, labels
    # text inputs first, then the text area: name, English name, …, locator, note
    attributes = {labels[0]: ("name", 200), labels[1]: ("name_en", 200), labels[6]: ("source_locator", 300),
                  labels[7]: ("note", 2000)}

    def stored(_entered: dict[str, str]) -> dict[str, str]:
        fields = ed.institution_fields(app_store, URIRef(VHS))
        return {label: getattr(fields, attribute) for label, (attribute, _limit) in attributes.items()}

    _fail_on(_two_passes(at, app_watch, "dir_inst_form_", {label: limit for label, (_a, limit) in attributes.items()},
                         stored, "Einrichtung"))
