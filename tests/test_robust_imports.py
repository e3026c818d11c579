"""Hostile input through every import format and kind (issue 7), and the spreadsheet side of the templates.

What a user relies on (kik-graph import KIND FILE and the import page):
- a file is either applied exactly (values after the documented clean_text normalisation) or rejected with a
  clear message naming row and column for every bad cell – and then nothing is written,
- no other exception type escapes (no traceback), whatever the bytes, the cells or the file name,
- templates filled with data neutralise formulas, and reading them back gives the data unchanged.

The corpus (tests/data/hostile_strings.py) goes into one file per kind and column, one string per row; the rows
that are refused are dropped and the rest must then import exactly. Strings with lone surrogates cannot be stored
in a file; they go through the parser's table directly (build_import).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kik_graph import imports
from kik_graph.editing.errors import EditRejected
from kik_graph.imports.kinds import KINDS, build_import, service_rows
from kik_graph.imports.tables import MAX_BYTES, MAX_ROWS, Table, read_table, write_table
from kik_graph.store import OxigraphStore, build_store
from kik_graph.terms import InvalidInput, clean_text
from tests.data.hostile_strings import BYTES_CORPUS, CORPUS
from tests.data.hostile_strings import KINDS as CORPUS_KINDS
from tests.test_robust_corpus import MAX_MESSAGE, no_new_files, unchanged

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TODAY = dt.date(2025, 6, 1)


def _has_surrogate(value: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in value)


#: Corpus strings a file can hold (lone surrogates cannot be encoded).
FILE_CORPUS = [(k, v) for k, v in CORPUS if not _has_surrogate(v)]
SURROGATES = [v for _, v in CORPUS if _has_surrogate(v)]


def csv_file(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    """A CSV as people write it (no neutralisation – a hostile file), UTF-8, ``;``."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


def _xlsx_text(value: str) -> str:
    """What an XLSX cell can hold of ``value``: no C0 controls, no noncharacters U+FFFE/U+FFFF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # XML stores CR as LF
    return ILLEGAL_CHARACTERS_RE.sub("", value).replace("\ufffe", "").replace("\uffff", "")


def xlsx_file(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    """An XLSX whose cells hold the strings as text (what XLSX cannot hold, C0 controls, is dropped)."""
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_text(row.get(c, "")) for c in columns])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, even when it starts with "=" (a formula would be computed by Excel)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def import_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """A writable store for this module's imports (imports that succeed change it; later tests build on it)."""
    store = build_store(tmp_path_factory.mktemp("robust-import") / "store")
    yield store
    store.close()


_NOTATIONS: dict[str, list[str]] = {}


def _notations(store: OxigraphStore, cls: str) -> list[str]:
    if cls not in _NOTATIONS:  # the KIK's measures and goals never change in these tests
        rows = store.select(f"SELECT ?n WHERE {{ ?m a kik:{cls} ; skos:notation ?n }} ORDER BY ?n").rows
        _NOTATIONS[cls] = [str(r["n"]) for r in rows]
    return _NOTATIONS[cls]


def _measures(store: OxigraphStore) -> list[str]:
    return _notations(store, "Measure")


def _goals(store: OxigraphStore) -> list[str]:
    return _notations(store, "Goal")


def assert_clear_rejection(exc: EditRejected, rows: range, column: str | None = None) -> set[int]:
    """Every problem names a data row of the file and a column (``column`` if given); returns the rows."""
    assert str(exc.args[0]).strip() and len(str(exc.args[0])) <= MAX_MESSAGE
    assert exc.problems, str(exc)
    bad = set()
    for p in exc.problems:
        assert p.row in rows, f"Problem ohne gültige Zeile: {p}"
        if column is not None:
            assert p.column == column, f"Problem nennt Spalte {p.column!r} statt {column!r}: {p}"
        assert p.message.strip() and len(p.message) <= MAX_MESSAGE, p
        bad.add(p.row)
    return bad


# ------------------------------------------------------------------------------------------------ the kinds
def _row_for(kind: str, store: OxigraphStore, i: int, column: str, value: str) -> dict[str, str]:
    """A valid row of ``kind`` for the i-th resource, with ``value`` in ``column``."""
    if kind == "statuses":
        row = {"massnahme": _measures(store)[i], "status": "geplant", "datum": "2024-01-01", "notiz": "Test"}
    elif kind == "responsibilities":
        row = {"massnahme": _measures(store)[i], "akteur": "vhs Kempten", "rolle": "partner", "notiz": "Test"}
    elif kind == "indicators":
        row = {"ziel": _goals(store)[i % len(_goals(store))], "name": f"Robust {i}", "einheit": "Personen",
               "ausgangswert": "1", "quelle": "Test"}
    else:
        row = {"kennung": f"robust-{i}", "name": f"Robustes Angebot {i}", "beschreibung": "Ein Testangebot.",
               "anbieter": "vhs Kempten", "kategorien": "sprache", "fundstelle": "Test"}
    row[column] = value
    return row


def _stored(kind: str, store: OxigraphStore) -> dict[str, dict[str, str]]:
    """The current data of ``kind`` keyed like _row_for's resources."""
    rows = KINDS[kind].export_rows(store)
    if kind == "statuses":
        return {r["massnahme"]: r for r in rows}
    if kind == "responsibilities":
        return {r["massnahme"]: r for r in rows if r["akteur"].endswith("/organisation/vhs-kempten")}
    if kind == "indicators":
        return {(r["ziel"], r["name"]): r for r in rows}
    return {r["kennung"]: r for r in service_rows(store)}


def _key(kind: str, row: dict[str, str]) -> object:
    if kind in ("statuses", "responsibilities"):
        return row["massnahme"]
    if kind == "indicators":
        return (row["ziel"], clean_text(row["name"], max_length=200))
    return row["kennung"]


#: (kind, column, field limit) whose value must be stored exactly as clean_text gives it.
EXACT = [("statuses", "notiz", 2000), ("responsibilities", "notiz", 2000),
         ("indicators", "einheit", 100), ("indicators", "quelle", 500),
         ("services", "name", 200), ("services", "beschreibung", 4000), ("services", "kostenhinweis", 2000),
         ("services", "voraussetzungen", 2000), ("services", "unterlagen", 2000), ("services", "fundstelle", 300),
         ("services", "hinweis_oeffnungszeiten", 2000), ("services", "name_en", 4000),
         ("services", "strasse", 200), ("services", "ort", 200)]
#: Columns whose values are codes, references or structured text: harmless, but no exact check.
CODED = [("statuses", "massnahme"), ("statuses", "status"), ("statuses", "datum"),
         ("responsibilities", "massnahme"), ("responsibilities", "akteur"), ("responsibilities", "rolle"),
         ("responsibilities", "aktion"), ("indicators", "ziel"), ("indicators", "name"),
         ("indicators", "ausgangswert"), ("indicators", "zielwert"), ("indicators", "aktueller_wert"),
         ("indicators", "datum"),
         ("services", "kennung"), ("services", "anbieter"), ("services", "zustaendige_stelle"),
         ("services", "kategorien"), ("services", "zielgruppen"), ("services", "sprachen"),
         ("services", "dolmetschen"), ("services", "kosten"), ("services", "zugang"), ("services", "telefon"),
         ("services", "email"), ("services", "website"), ("services", "plz"), ("services", "stadtbezirk"),
         ("services", "oeffnungszeiten"), ("services", "status"), ("services", "zuletzt_geprueft"),
         ("services", "massnahmen"), ("services", "ziele"), ("services", "hinweise")]
#: Rows per file: statuses and responsibilities need one measure per row (144 measures).
CHUNK = {"statuses": 140, "responsibilities": 140, "indicators": 400, "services": 400}


def _values(kind: str, column: str) -> list[str]:
    """The corpus for one column: all of it for the kinds' main text fields, every 5th string for the other
    service columns (an import of 340 new services takes half a minute), every 3rd for other coded columns."""
    values = [v for _, v in FILE_CORPUS]
    if (kind, column) in (("statuses", "notiz"), ("responsibilities", "notiz"), ("indicators", "einheit"),
                          ("services", "name"), ("services", "beschreibung")):
        return values
    return values[len(column) % 5::5] if kind == "services" else values[len(column) % 3::3]


def _import_corpus(store: OxigraphStore, kind: str, column: str, fmt: str, values: list[str],
                   check: Callable[[list[tuple[int, str]]], None] | None = None, *, column_problems: bool = True,
                   ) -> tuple[list[tuple[int, str]], list[str]]:
    """Import ``values`` into ``column`` (one per row, chunked); refused rows are dropped and the rest imported.

    ``check(applied)`` runs after each chunk (later chunks reuse the resources). Returns the (resource index,
    value) pairs that were applied and the values that were refused.
    """
    applied: list[tuple[int, str]] = []
    refused: list[str] = []
    make = csv_file if fmt == "csv" else xlsx_file
    for start in range(0, len(values), CHUNK[kind]):
        pending = list(enumerate(values[start:start + CHUNK[kind]]))  # (resource index, value)
        for _round in range(3):  # the row checks first, then SHACL: a file may be refused twice
            rows = [_row_for(kind, store, i, column, v) for i, v in pending]
            columns = list(dict.fromkeys(c for r in rows for c in r))
            before = _counts(store)
            try:
                imports.run_import(store, "robust", kind, make(columns, rows), f"corpus.{fmt}", today=TODAY)
            except EditRejected as exc:
                assert _counts(store) == before, "abgelehnter Import hat etwas geschrieben"
                # a coded value may clean to another row's resource (row-level problem) or trip a
                # cross-field rule (e.g. a current value needs a date): then the row is named, the column may differ
                bad = assert_clear_rejection(exc, range(2, len(rows) + 2), column if column_problems else None)
                refused += [v for n, (_i, v) in enumerate(pending) if n + 2 in bad]
                pending = [(i, v) for n, (i, v) in enumerate(pending) if n + 2 not in bad]
                if not pending:
                    break
            else:
                applied += pending
                if check is not None:
                    check(pending)
                break
        else:
            pytest.fail(f"{kind}.{column}: die übrigen Zeilen werden noch immer abgelehnt")
    return applied, refused


def _counts(store: OxigraphStore) -> dict[str, int]:
    return {g: store.triple_count(g) for g in store.named_graphs()}


def _expected(fmt: str, value: str, limit: int) -> str | None:
    if fmt == "xlsx":
        value = _xlsx_text(value)
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        value = value[1:]  # documented: a leading apostrophe marks a formula-like cell as text (as in Excel)
    try:
        return clean_text(value.strip(), max_length=limit)
    except InvalidInput:
        return None


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "column", "limit"), EXACT, ids=[f"{k}-{c}" for k, c, _ in EXACT])
def test_corpus_in_text_cells_is_applied_exactly_or_refused(import_store: OxigraphStore, kind: str, column: str,
                                                            limit: int) -> None:
    fmt = "xlsx" if EXACT.index((kind, column, limit)) % 2 else "csv"
    values = _values(kind, column) + ["Beratung " * 600]  # 5400 characters: longer than every field
    problems: list[str] = []

    def check(applied: list[tuple[int, str]]) -> None:
        stored = _stored(kind, import_store)
        for i, value in applied:
            expected = _expected(fmt, value, limit)
            row = _row_for(kind, import_store, i, column, value)
            got = stored.get(_key(kind, row), {}).get(column)
            if expected is None:
                problems.append(f"{value[:40]!r}: zu lang, aber angenommen ({got and len(got)} Zeichen)")
            elif got != expected:
                problems.append(f"{value[:40]!r}: gespeichert als {str(got)[:60]!r}, erwartet {expected[:60]!r}")

    _applied, refused = _import_corpus(import_store, kind, column, fmt, values, check)
    for value in refused:  # notes and optional texts accept everything clean_text accepts
        if _expected(fmt, value, limit) and column in ("notiz", "kostenhinweis", "voraussetzungen"):
            problems.append(f"{value[:40]!r}: gültiger Text abgelehnt")
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:30])
    assert "Beratung " * 600 in refused


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "column"), CODED, ids=[f"{k}-{c}" for k, c in CODED])
def test_corpus_in_coded_cells_is_harmless(import_store: OxigraphStore, kind: str, column: str) -> None:
    fmt = "csv" if CODED.index((kind, column)) % 2 else "xlsx"
    values = _values(kind, column)
    applied, refused = _import_corpus(import_store, kind, column, fmt, values, column_problems=False)
    assert len(applied) + len(refused) == len(values)
    assert refused, "der Korpus ist feindselig: Werte müssen abgelehnt werden"


@pytest.mark.parametrize("kind", list(KINDS))
def test_lone_surrogates_in_cells_are_refused_with_row_and_column(import_store: OxigraphStore, kind: str) -> None:
    column = {"statuses": "notiz", "responsibilities": "notiz", "indicators": "quelle", "services": "name"}[kind]
    rows = [_row_for(kind, import_store, i, column, v) for i, v in enumerate(SURROGATES)]
    table = Table(columns=list(rows[0]), rows=[(i + 2, r) for i, r in enumerate(rows)])
    with unchanged(import_store):
        try:
            tx = build_import(import_store, KINDS[kind], table, today=TODAY)
        except EditRejected as exc:
            assert_clear_rejection(exc, range(2, len(rows) + 2), column)
        else:  # clean_text removes surrogates: what is built must be encodable
            for change in tx.changes:
                assert not any(_has_surrogate(str(o)) for o in change.new.objects())


# ------------------------------------------------------------------------------------------------ files
@pytest.mark.parametrize("kind", list(KINDS))
def test_undecodable_and_binary_files_are_refused_and_change_nothing(import_store: OxigraphStore, kind: str,
                                                                     tmp_path: Path) -> None:
    header = ";".join(KINDS[kind].column_names[:2]).encode()
    problems = []
    with unchanged(import_store), no_new_files(tmp_path):
        for raw in BYTES_CORPUS:
            for data in (raw, header + b"\n" + raw, header + b"\n" + raw + b";" + raw + b"\n"):
                for name in ("daten.csv", "daten.xlsx", "daten", "daten.txt"):
                    try:
                        imports.run_import(import_store, "robust", kind, data, name, today=TODAY)
                    except InvalidInput as exc:
                        if not str(exc).strip() or len(str(exc)) > MAX_MESSAGE:
                            problems.append(f"{data[:20]!r} {name}: unklare Meldung")
                    except Exception as exc:  # would be a traceback for the user
                        problems.append(f"{data[:20]!r} {name}: {type(exc).__name__}: {exc}")
                    else:
                        problems.append(f"{data[:20]!r} {name}: angenommen")
    assert not problems, "\n".join(problems[:30])


def test_bytes_that_are_neither_utf8_nor_cp1252_get_a_message() -> None:
    with pytest.raises(EditRejected, match="keine lesbare Textdatei"):
        read_table(b"massnahme;status\nSB-1.1;\x81\x8d\n", "stand.csv")


def test_hostile_file_names_are_only_used_for_the_format(import_store: OxigraphStore, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Path traversal, device names, markup … as the uploaded file's name: never opened, never echoed long."""
    monkeypatch.chdir(tmp_path)
    data = csv_file(["massnahme", "status", "datum"], [{"massnahme": "SB-1.1", "status": "geplant",
                                                        "datum": "2024-01-01"}])
    problems = []
    with unchanged(import_store), no_new_files(tmp_path):
        for _kind, value in CORPUS:
            for name in (value, value + ".csv", value + ".xlsx", "../../" + value + ".csv"):
                try:
                    tx = imports.prepare_import(import_store, "statuses", data, name, today=TODAY)
                except InvalidInput as exc:
                    if not str(exc).strip() or len(str(exc)) > MAX_MESSAGE:
                        problems.append(f"{name[:40]!r}: unklare Meldung ({len(str(exc))} Zeichen)")
                except Exception as exc:
                    problems.append(f"{name[:40]!r}: {type(exc).__name__}: {str(exc)[:100]}")
                else:
                    if value[:20] and value[:20] in tx.summary:
                        problems.append(f"{name[:40]!r}: Dateiname in der Zusammenfassung")
    assert not problems, "\n".join(problems[:30])


def test_formula_cells_are_imported_as_text_never_computed(import_store: OxigraphStore) -> None:
    """A hostile CSV with =HYPERLINK(…) notes: stored as the text written, and neutralised in the template."""
    formulas = [v for v in CORPUS_KINDS["formula"] if not _has_surrogate(v)]
    applied, _ = _import_corpus(import_store, "statuses", "notiz", "csv", formulas)
    assert applied
    template = imports.template("statuses", "csv", store=import_store)
    import csv

    for row in csv.reader(io.StringIO(template.decode("utf-8-sig"), newline=""), delimiter=";"):
        assert not any(cell.startswith(_FORMULA_START) for cell in row[1:]), row
    book = load_workbook(io.BytesIO(imports.template("statuses", "xlsx", store=import_store)))
    for row in book.active.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f" and not str(cell.value or "").startswith(_FORMULA_START), cell.value


def test_oversized_files_and_too_many_rows_are_refused_quickly(import_store: OxigraphStore) -> None:

    header = b"massnahme;status;datum;notiz\n"
    cases = {
        "bytes": header + b"SB-1.1;geplant;2024-01-01;" + b"x" * MAX_BYTES + b"\n",
        "rows": header + b"SB-1.1;geplant;2024-01-01;x\n" * (MAX_ROWS + 1),
        "one huge cell": header + b"SB-1.1;geplant;2024-01-01;" + "ä€😀".encode() * 400_000 + b"\n",
        "many columns": b";".join(b"c%d" % i for i in range(50_000)) + b"\n",
    }
    for name, data in cases.items():
        with unchanged(import_store), pytest.raises(EditRejected) as caught:
            imports.run_import(import_store, "robust", "statuses", data, "gross.csv", today=TODAY)
        assert len(str(caught.value)) <= MAX_MESSAGE and len(caught.value.text()) < 200_000, name


def test_a_huge_xlsx_is_refused(import_store: OxigraphStore) -> None:
    rows = [{"massnahme": "SB-1.1", "status": "geplant", "notiz": "x" * 30_000}] * 200
    data = xlsx_file(["massnahme", "status", "notiz"], rows)
    with unchanged(import_store), pytest.raises(EditRejected):
        imports.run_import(import_store, "robust", "statuses", data, "gross.xlsx", today=TODAY)


# ------------------------------------------------------------------------------------------------ templates
def test_template_with_hostile_data_round_trips_exactly() -> None:
    """write_table → read_table gives back every corpus string (after the reader's strip) in both formats."""
    import csv

    values = [v for _, v in FILE_CORPUS]
    for fmt in ("csv", "xlsx"):
        data = write_table(["a", "b"], [{"a": v, "b": str(i)} for i, v in enumerate(values)], fmt)
        table = read_table(data, f"t.{fmt}")
        got = {int(cells["b"]): cells.get("a", "") for _, cells in table.rows}
        problems = []
        for i, value in enumerate(values):
            expected = (_xlsx_text(value) if fmt == "xlsx" else value).strip()
            if got.get(i, "") != expected:
                problems.append(f"{fmt} {value[:30]!r} → {got.get(i, '')[:30]!r}")
        assert not problems, "\n".join(problems[:20])
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
        else:
            rows = [[str(c.value or "") for c in r] for r in load_workbook(io.BytesIO(data)).active.iter_rows()]
        for row in rows[1:]:
            assert not row[0].startswith(_FORMULA_START), row[0][:30]


# ------------------------------------------------------------------------------------------------ properties
_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_HEADER = st.lists(st.sampled_from(["massnahme", "status", "datum", "notiz", "ziel", "name", "einheit", "kennung",
                                    "akteur", "rolle", "x", "", "Maßnahme", "MASSNAHME"]), min_size=1, max_size=6)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(header=_HEADER, cells=st.lists(st.lists(_CELL, max_size=7), max_size=6),
       kind=st.sampled_from(list(KINDS)), fmt=st.sampled_from(["csv", "xlsx"]))
def test_any_table_is_parsed_or_refused_with_the_documented_error(store, header, cells, kind, fmt) -> None:
    """Arbitrary cells and rows never raise anything but EditRejected (with row/column) and never write."""
    columns = header
    rows = [{c: (r[i] if i < len(r) else "") for i, c in enumerate(columns)} for r in cells]
    try:
        data = write_table(columns, rows, fmt)
    except ValueError:  # duplicate-free header not needed here; write_table itself must not fail on text
        raise
    total = store.triple_count()
    try:
        table = read_table(data, f"x.{fmt}")
        build_import(store, KINDS[kind], table, today=TODAY)
    except EditRejected as exc:
        assert str(exc.args[0]).strip()
        for p in exc.problems:
            assert p.row is not None, p
    assert store.triple_count() == total


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), name=st.sampled_from(["a.csv", "a.xlsx", "a", "a.txt", "a.ods"]))
def test_any_bytes_are_read_or_refused_with_the_documented_error(data: bytes, name: str) -> None:
    try:
        table = read_table(data, name)
    except EditRejected as exc:
        assert str(exc.args[0]).strip() and len(str(exc.args[0])) <= MAX_MESSAGE
    else:
        assert all(isinstance(v, str) for _, cells in table.rows for v in cells.values())


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Zl", "Zp")),
                min_size=1, max_size=80).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(notes=st.lists(_TEXT, min_size=1, max_size=5), fmt=st.sampled_from(["csv", "xlsx"]),
       statuses=st.lists(st.sampled_from(["offen", "geplant", "in Umsetzung", "umgesetzt", "dauerhaft",
                                          "zurückgestellt"]), min_size=5, max_size=5))
def test_a_valid_generated_table_round_trips_through_template_and_parse(store, notes, fmt, statuses) -> None:
    """template(rows) → read_table → build_import gives exactly the generated values."""
    import unicodedata

    measures = _measures(store)[:len(notes)]
    rows = [{"massnahme": m, "status": statuses[i], "datum": f"2024-0{i + 1}-1{i}", "notiz": n}
            for i, (m, n) in enumerate(zip(measures, notes, strict=True))]
    data = write_table(KINDS["statuses"].column_names, rows, fmt)
    table = read_table(data, f"stand.{fmt}")
    assert [cells for _, cells in table.rows] == [{k: v.strip() for k, v in r.items()} for r in rows]
    tx = build_import(store, KINDS["statuses"], table, today=TODAY)
    from kik_graph.namespaces import KIK

    stored = sorted(str(o) for c in tx.changes for o in c.new.objects(None, KIK.internalNote))
    assert stored == sorted(unicodedata.normalize("NFC", n) for n in notes)


# ------------------------------------------------------------------------------------------------ table exports
def test_export_tables_neutralise_formulas_for_the_corpus(tmp_path: Path) -> None:
    """kik-graph tables (export/tables.py): CSV and XLSX cells never start a formula, whatever the data."""
    import csv

    from kik_graph.export.tables import Table as ExportTable
    from kik_graph.export.tables import write_csv, write_xlsx

    values = [v for _, v in FILE_CORPUS]
    table = ExportTable(name="robust", title="Robust", columns=["Text", "Nr"],
                        rows=[[v, str(i)] for i, v in enumerate(values)])
    text = write_csv(table, tmp_path).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == len(values) + 1
    for row in rows[1:]:
        assert not row[0].startswith(_FORMULA_START), row[0][:30]
    book = load_workbook(write_xlsx([table], tmp_path / "robust.xlsx"))
    cells = [r[0] for r in book.active.iter_rows(min_row=2)]
    assert len(cells) == len(values)
    for cell in cells:
        assert cell.data_type != "f" and not str(cell.value or "").startswith(_FORMULA_START), cell.value
