"""Hostile input (tests/data/hostile_strings.py) through every entry point that exists today.

What must hold for every string of the corpus, at every entry point:
- it is rejected with a clear message (InvalidInput / exit code 2 with "Fehler: …") or handled harmlessly,
- no traceback reaches the user, no other exception type escapes,
- no query is altered: Python sends the named query's text unchanged and the value only as a bound RDF term,
- nothing is written (triple counts unchanged, no files created),
- spreadsheet output neutralises formulas, terminal output stays inert.

Adding an entry point (search, edit forms, imports, feedback) takes one function:

    def test_search_survives_the_corpus(...):
        assert_corpus_harmless(lambda value: search(index, value), accept=(InvalidInput,))

    @HUGE
    def test_search_refuses_huge_input(huge_name, huge_unit):
        assert_rejected(lambda value: search(index, value), huge(unit=huge_unit))

``assert_corpus_harmless`` runs the whole corpus (one test, fast) and reports every offending value at once;
``HUGE`` runs the 10 MB strings once per entry point. Wrap the call in ``unchanged(store)`` to assert that
nothing was written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kik_graph.cli import main as cli_main
from kik_graph.output import neutralise_formula, render
from kik_graph.params import resolve, run_named
from kik_graph.queries import all_queries
from kik_graph.store import OxigraphStore
from kik_graph.store.base import StoreError
from kik_graph.terms import MAX_TEXT_LENGTH, InvalidInput, clean_text
from tests.data.hostile_strings import CORPUS, HUGE_UNITS, KINDS, huge

#: Parametrisation for the 10 MB cases: once per entry point, each huge variant.
HUGE = pytest.mark.parametrize(("huge_name", "huge_unit"), list(HUGE_UNITS.items()), ids=list(HUGE_UNITS))

#: A valid value for each parameter kind (to fill the other required parameters of a query).
VALID = {"field": "SB", "measure": "SB-7.2", "goal": "SB-Z7", "phase": "2", "actor": "vhs Kempten",
         "group": "Eltern", "text": "vhs Kempten", "iri": "https://w3id.org/kik-graph/id/handlungsfeld/SB",
         "integer": "3"}
#: Longest acceptable error message (messages quote the offending input only in shortened form).
MAX_MESSAGE = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co"}


# ------------------------------------------------------------------------------------------------ helpers
def assert_corpus_harmless(call: Callable[[str], object], *, accept: tuple[type[BaseException], ...] = (InvalidInput,),
                           check: Callable[[str, object], str | None] | None = None,
                           corpus: list[tuple[str, str]] | None = None) -> int:
    """Call ``call(value)`` for every corpus string; fail listing every value that escaped or misbehaved.

    An exception in ``accept`` counts as a clear rejection if it carries a short, non-empty message.
    ``check(value, result)`` may return a problem description for a result. Returns the number of rejections.
    """
    problems: list[str] = []
    rejected = 0
    for kind, value in corpus if corpus is not None else CORPUS:
        try:
            result = call(value)
        except accept as exc:
            rejected += 1
            message = str(exc)
            if not message.strip() or len(message) > MAX_MESSAGE:
                problems.append(f"{kind} {value[:40]!r}: unklare Meldung ({len(message)} Zeichen)")
            continue
        except Exception as exc:  # anything else would reach the user as a traceback
            problems.append(f"{kind} {value[:40]!r}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if check is not None and (problem := check(value, result)):
            problems.append(f"{kind} {value[:40]!r}: {problem}")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:40])
    return rejected


def assert_rejected(call: Callable[[str], object], value: str, *,
                    accept: tuple[type[BaseException], ...] = (InvalidInput,)) -> str:
    """``call(value)`` must reject ``value`` with a short message; returns the message (speed is measured by
    ``make bench``, not here)."""
    with pytest.raises(accept) as caught:
        call(value)
    message = str(caught.value)
    assert message.strip() and len(message) <= MAX_MESSAGE, message[:200]
    return message


@contextlib.contextmanager
def unchanged(store: OxigraphStore) -> Iterator[None]:
    """Assert that the store holds exactly the same number of triples per named graph afterwards."""
    before = {g: store.triple_count(g) for g in store.named_graphs()}
    total = store.triple_count()
    yield
    assert {g: store.triple_count(g) for g in store.named_graphs()} == before
    assert store.triple_count() == total


@contextlib.contextmanager
def no_new_files(directory: Path) -> Iterator[None]:
    """Assert that nothing is created, removed or changed below ``directory``."""
    def snapshot() -> dict[str, tuple[int, float]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime) for p in directory.rglob("*")}
    before = snapshot()
    yield
    assert snapshot() == before


class RecordingStore:
    """Wraps a store and records every query text and its bindings (to prove queries are never altered)."""

    def __init__(self, inner: OxigraphStore) -> None:
        self.inner = inner
        self.description = inner.description
        self.calls: list[tuple[str, dict]] = []

    def select(self, query, bindings=None, **kwargs):
        self.calls.append((query, dict(bindings or {})))
        return self.inner.select(query, bindings, **kwargs)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``kik-graph`` in-process; return (exit code, stdout, stderr). SystemExit (argparse) counts as exit."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def assert_cli_harmless(argv_for: Callable[[str], list[str]], corpus: list[tuple[str, str]] | None = None) -> None:
    """Run the CLI once per corpus string: exit code 0–3, no traceback, a message on stderr for errors."""
    problems = []
    for kind, value in corpus if corpus is not None else CORPUS:
        code, _out, err = run_cli(argv_for(value))
        if code not in (0, 1, 2, 3):
            problems.append(f"{kind} {value[:40]!r}: Exit {code}")
        if "Traceback" in err:
            problems.append(f"{kind} {value[:40]!r}: Traceback\n{err[-400:]}")
        if code != 0 and not err.strip():
            problems.append(f"{kind} {value[:40]!r}: Exit {code} ohne Meldung")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])


def _corpus_excluding(*prefixes: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in CORPUS if not v.startswith(prefixes)]


# ------------------------------------------------------------------------------------------------ corpus itself
def test_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 200
    assert {"sparql", "html", "formula", "path", "control", "bidi", "surrogate", "unicode", "format", "long"} <= set(KINDS)
    assert any("\u202e" in v for _, v in CORPUS) and any("\ud800" in v for _, v in CORPUS)
    assert len(huge()) == 10_000_000


# ------------------------------------------------------------------------------------------------ named query params
_PARAMS = [(q.name, p.name) for q in all_queries().values() for p in q.params]
_KNOWN_PARAM_BUGS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize(("query_name", "param_name"), [
    pytest.param(q, p, marks=pytest.mark.xfail(strict=True, reason=_KNOWN_PARAM_BUGS[(q, p)]))
    if (q, p) in _KNOWN_PARAM_BUGS else (q, p) for q, p in _PARAMS], ids=[f"{q}-{p}" for q, p in _PARAMS])
def test_named_query_params_survive_the_corpus(store, query_name: str, param_name: str) -> None:
    query = all_queries()[query_name]
    texts = {q.sparql for q in all_queries().values()}
    recorder = RecordingStore(store)
    answered = [0]

    def call(value: str):
        raw = {p.name: VALID[p.kind] for p in query.params if p.required and p.name != param_name}
        raw[param_name] = value
        recorder.calls.clear()
        result = run_named(recorder, query_name, raw)  # type: ignore[arg-type]
        # no query was altered: only the files' texts were sent, the value only as one bound term
        for text, bindings in recorder.calls:
            assert text in texts, "Abfragetext verändert"
            assert all(isinstance(term, (Literal, URIRef)) for term in bindings.values())
            literals = [t for t in bindings.values() if isinstance(t, Literal) and t.datatype is None]
            allowed = {clean_text(v) for v in raw.values()}
            assert all(str(t) in allowed for t in literals), "Wert nicht als genau ein Term gebunden"
        answered[0] += 1
        return result

    with unchanged(store):
        rejected = assert_corpus_harmless(call)
    assert rejected > 0  # the corpus is hostile: most values must be refused
    assert answered[0] + rejected == len(CORPUS)


@HUGE
def test_named_query_params_refuse_huge_input(store, huge_name: str, huge_unit: str) -> None:
    with unchanged(store):
        message = assert_rejected(lambda v: run_named(store, "measures-for-actor", {"actor": v}),
                                          huge(unit=huge_unit))
    assert "zu lang" in message


def test_bound_terms_come_back_unchanged() -> None:
    """Binding any corpus text as a literal yields exactly that literal: the text cannot change the query."""
    memory = OxigraphStore(None)
    encodable = [(k, v) for k, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]

    def round_trip(value: str):
        for term in (Literal(value), Literal(value, lang="de")):
            rows = memory.select("SELECT ?x WHERE { ?s ?p ?o }", {"x": term}).rows
            assert rows == []  # the empty store: the VALUES block must not add a pattern that matches
            rows = memory.select("SELECT ?x WHERE { }", {"x": term}).rows
            if rows != [{"x": term}]:
                return f"kam als {rows!r} zurück"
        return None

    assert_corpus_harmless(round_trip, accept=(), corpus=encodable)
    assert memory.triple_count() == 0


def test_hostile_iris_are_refused_or_bound_as_one_term() -> None:
    memory = OxigraphStore(None)

    def bind_iri(value: str):
        try:
            term = resolve("iri", value, memory)
        except InvalidInput:
            raise
        rows = memory.select("SELECT ?x WHERE { }", {"x": term}).rows
        return None if rows == [{"x": term}] else "IRI verändert"

    assert_corpus_harmless(lambda v: bind_iri(v))


def test_binding_refuses_unencodable_terms_with_a_store_error() -> None:
    memory = OxigraphStore(None)
    for term in (Literal("a\ud800b"), URIRef("urn:a\udfff")):
        with pytest.raises(StoreError):
            memory.select("SELECT ?x WHERE { }", {"x": term})


def test_phase_parameter_refuses_non_decimal_digits() -> None:
    for value in ("²", "³", "①", "Ⅳ"):
        with pytest.raises(InvalidInput):
            resolve("phase", value, OxigraphStore(None))


# ------------------------------------------------------------------------------------------------ CLI
@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private store for the CLI (the session store is held open by the test process)."""
    from kik_graph.store import build_store

    path = tmp_path_factory.mktemp("cli") / "store"
    build_store(path).close()
    return path


@pytest.fixture()
def cli_with_store(cli_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[OxigraphStore]:
    """The CLI runs in an empty working directory against one open store (opening it per call is slow)."""
    import functools

    import kik_graph.cli

    opened = OxigraphStore(cli_store)
    kik_graph.cli.build_parser()  # imports every command module first: none may bind the patched function below
    monkeypatch.setattr("kik_graph.commands.graph.open_from_args", lambda args: opened)
    # building the argument parser dominates a call; it is reusable, so build it once
    monkeypatch.setattr(kik_graph.cli, "build_parser", functools.lru_cache(maxsize=1)(kik_graph.cli.build_parser))
    monkeypatch.chdir(tmp_path)
    with unchanged(opened), no_new_files(tmp_path):
        yield opened
    opened.close()


def test_cli_query_params_survive_the_corpus(cli_with_store) -> None:
    assert_cli_harmless(lambda v: ["query", "measures-for-actor", "--param", f"actor={v}", "--format", "csv"])


def test_cli_query_params_through_the_real_store_opening(store, cli_store: Path, monkeypatch, tmp_path: Path) -> None:
    """The whole corpus through the unpatched path (store opened from --store per call)."""
    monkeypatch.chdir(tmp_path)
    with no_new_files(tmp_path):
        assert_cli_harmless(lambda v: ["--store", str(cli_store), "query", "actors-by-field", "--param", f"field={v}"])
    assert OxigraphStore(cli_store).triple_count() == store.triple_count()


def test_cli_query_names_survive_the_corpus(cli_with_store) -> None:
    assert_cli_harmless(lambda v: ["query", v])
    code, _out, err = run_cli(["query", "../../etc/passwd"])
    assert code == 2 and "Unbekannte Abfrage" in err


def test_cli_param_names_survive_the_corpus(cli_with_store) -> None:
    assert_cli_harmless(lambda v: ["query", "measures", "--param", f"{v}=SB"])


def test_cli_validate_survives_hostile_file_names(cli_with_store, tmp_path: Path) -> None:
    # device files are covered by test_validate_refuses_device_files (they would block here)
    corpus = _corpus_excluding("/dev/")
    assert_cli_harmless(lambda v: ["validate", v], corpus=corpus)
    code, _out, err = run_cli(["validate", "../../../../../../../../etc/passwd"])
    assert code == 1 and "Turtle-Syntaxfehler" in err
    code, _out, err = run_cli(["validate", "services.ttl\x00.png"])
    assert code == 1 and "Traceback" not in err


@HUGE
def test_cli_refuses_huge_input(cli_with_store, huge_name: str, huge_unit: str) -> None:
    value = huge(unit=huge_unit)
    for argv in (["query", "measures-for-actor", "--param", f"actor={value}"], ["query", value],
                 ["query", "measures", "--param", f"{value}=SB"], ["validate", value]):
        code, _out, err = run_cli(argv)
        assert code in (1, 2), argv[:2]
        assert "Traceback" not in err and err.startswith("Fehler")


def test_cli_messages_quote_huge_input_only_shortened(cli_with_store) -> None:
    value = huge(100_000)
    for argv in (["query", value], ["query", "measures", "--param", f"{value}=SB"], ["validate", value]):
        _code, _out, err = run_cli(argv)
        assert len(err) <= MAX_MESSAGE, (argv[0], len(err))


def test_validate_refuses_device_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-m", "kik_graph.cli", "validate", "/dev/zero"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)  # a hang, not a speed check
    except subprocess.TimeoutExpired:
        pytest.fail("kik-graph validate /dev/zero hängt")
    assert done.returncode == 1 and "Traceback" not in done.stderr


# ------------------------------------------------------------------------------------------------ output
def _spreadsheet_rows(text: str) -> list[list[str]]:
    """Read CSV the way spreadsheet programs do: outside quotes, CR, LF and CRLF each end a record."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    quoted = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = True
        elif ch == ",":
            row.append("".join(cell))
            cell = []
        elif ch in "\r\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
            if ch == "\r" and text[i + 1:i + 2] == "\n":
                i += 1
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return rows


def test_csv_output_neutralises_formulas_and_keeps_the_shape() -> None:
    # values with a carriage return are covered by test_csv_output_quotes_carriage_returns
    values = [v for _, v in CORPUS if "\r" not in v and not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
    rows = [{"Name": v, "Nr": str(i), "Ort": v[::-1]} for i, v in enumerate(values)]
    parsed = _spreadsheet_rows(render(rows, ["Name", "Nr", "Ort"], "csv"))
    assert parsed[0] == ["Name", "Nr", "Ort"]
    assert len(parsed) == len(rows) + 1  # quotes and newlines in values do not add or split rows
    for (name, number, place), row, value in zip(parsed[1:], rows, values, strict=True):
        assert number == row["Nr"]
        for cell, original in ((name, value), (place, value[::-1])):
            assert not cell.startswith(_FORMULA_START), cell[:30]
            assert cell in (original, "'" + original)
    for formula in KINDS["formula"]:
        assert not neutralise_formula(formula).startswith(_FORMULA_START)


def test_csv_output_quotes_carriage_returns() -> None:
    value = "Beratung\r=2+5+cmd|' /C calc'!A0"
    rows = _spreadsheet_rows(render([{"a": value, "b": "x"}], ["a", "b"], "csv"))
    assert rows == [["a", "b"], [value, "x"]]


def test_csv_output_of_huge_cells() -> None:
    value = "=" + huge(10_000_000 - 1, "HYPERLINK(")
    limit = csv.field_size_limit()
    csv.field_size_limit(20_000_000)
    try:
        parsed = list(csv.reader(io.StringIO(render([{"a": value}], ["a"], "csv"), newline="")))
    finally:
        csv.field_size_limit(limit)
    assert parsed[1][0] == "'" + value


def _table_values() -> list[str]:
    return [v for _, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]


def test_office_table_downloads_neutralise_formulas() -> None:
    """The CSV and Excel downloads of the office pages (kik_graph/ui/office_tables.py)."""
    import openpyxl
    import pandas as pd

    from kik_graph.ui.office_tables import to_csv, to_xlsx

    values = _table_values()
    frame = pd.DataFrame({"Name": values, "Nr": range(len(values))})
    no_cr = frame[~frame["Name"].str.contains("\r", regex=False)]
    rows = _spreadsheet_rows(to_csv(no_cr).decode("utf-8-sig"))
    assert len(rows) == len(no_cr) + 1
    assert all(not row[0].startswith(_FORMULA_START) for row in rows[1:])
    # noncharacters (U+FFFE, U+FFFF) are covered by test_office_table_xlsx_stays_readable_with_noncharacters
    readable = frame[~frame["Name"].str.contains("[\ufffe\uffff]", regex=True)]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(readable))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(readable)
    for cell in cells:
        assert cell.data_type != "f", cell.value
        assert not str(cell.value or "").startswith(_FORMULA_START), cell.value


def test_office_table_xlsx_stays_readable_with_noncharacters() -> None:
    import openpyxl
    import pandas as pd

    from kik_graph.ui.office_tables import to_xlsx

    data = to_xlsx(pd.DataFrame({"a": ["Beratung\ufffe\uffff"]}))
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value.startswith("Beratung")


def test_office_table_csv_quotes_carriage_returns() -> None:
    import pandas as pd

    from kik_graph.ui.office_tables import to_csv

    value = "Beratung\r=2+5+cmd|' /C calc'!A0"
    rows = _spreadsheet_rows(to_csv(pd.DataFrame({"a": [value], "b": ["x"]})).decode("utf-8-sig"))
    assert rows == [["a", "b"], [value, "x"]]


def test_table_output_contains_no_terminal_control_characters() -> None:
    rows = [{"Name": v} for _, v in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in v)]
    text = render(rows, ["Name"], "table")
    bad = {unicodedata.name(ch, hex(ord(ch))) for ch in text if unicodedata.category(ch) == "Cc" and ch != "\n"}
    assert not bad


# ------------------------------------------------------------------------------------------------ clean_text
def test_clean_text_caps_length_and_removes_invisible_characters() -> None:
    def check(value: str, cleaned: object) -> str | None:
        assert isinstance(cleaned, str)
        if len(cleaned) > MAX_TEXT_LENGTH:
            return f"zu lang ({len(cleaned)})"
        if any(unicodedata.category(ch) in _INVISIBLE for ch in cleaned):
            return "Steuer-/Format-/Surrogatzeichen übrig"
        if cleaned != cleaned.strip() or "  " in cleaned:
            return "Leerraum nicht zusammengefasst"
        return None

    rejected = assert_corpus_harmless(clean_text, check=check)
    assert rejected >= 5  # the long ones
    assert clean_text("\u202eexe.txt") == "exe.txt"
    assert clean_text("Beratung\u2066 \u2069für\u200b Frauen") == "Beratung für Frauen"
    assert clean_text("a" * MAX_TEXT_LENGTH) == "a" * MAX_TEXT_LENGTH
    with pytest.raises(InvalidInput, match="zu lang"):
        clean_text("a" * (MAX_TEXT_LENGTH + 1), field="Suche")


@HUGE
def test_clean_text_refuses_huge_input(huge_name: str, huge_unit: str) -> None:
    message = assert_rejected(lambda v: clean_text(v, field="Suche"), huge(unit=huge_unit))
    assert message.startswith("Suche:")


def test_clean_text_output_is_nfc_and_stable() -> None:
    for _kind, value in CORPUS:
        try:
            cleaned = clean_text(value)
        except InvalidInput:
            continue
        assert unicodedata.normalize("NFC", cleaned) == cleaned, repr(value)
        assert clean_text(cleaned) == cleaned, repr(value)
