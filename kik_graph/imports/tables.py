"""Reading and writing import tables (CSV or XLSX): rows of strings with spreadsheet row numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kik_graph.editing.errors import EditProblem, EditRejected
from kik_graph.output import neutralise_formula

#: Largest accepted file and number of data rows.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 4000
FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    """A table: the header as found, and the data rows (row number → {column → text})."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def normalise_header(text: str) -> str:
    """``Aktueller Wert`` → ``aktueller_wert``; umlauts kept, case and spacing folded."""
    text = unicodedata.normalize("NFC", str(text or "")).strip().casefold()
    return "_".join(text.replace("-", " ").replace("/", " ").split())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    text = str(value)
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):  # written neutralised by write_table
        text = text[1:]
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL]  # clean_text later reports the length against the field's own limit
    return text.strip()


def detect_format(name: str, data: bytes) -> str:
    """``csv`` or ``xlsx`` from the file name or content (XLSX is a ZIP file)."""
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:2] == b"PK":
        return "xlsx"
    if lower.endswith((".csv", ".txt")) or not lower:
        return "csv"
    raise EditRejected(f"{name}: unbekanntes Dateiformat – erwartet wird CSV oder XLSX.")


def read_table(data: bytes, name: str = "") -> Table:
    """Read a CSV (``;`` or ``,``, UTF-8 or Windows-1252) or the first sheet of an XLSX file."""
    if len(data) > MAX_BYTES:
        raise EditRejected(f"{name or 'Datei'}: zu groß ({len(data) // 1024} KB, erlaubt sind {MAX_BYTES // 1024} KB).")
    fmt = detect_format(name, data)
    raw_rows = _read_xlsx(data, name) if fmt == "xlsx" else _read_csv(data)
    if not raw_rows or not any(raw_rows[0]):
        raise EditRejected(f"{name or 'Datei'}: keine Kopfzeile gefunden.")
    header = [normalise_header(h) for h in raw_rows[0]]
    problems = [EditProblem(message="Spaltenüberschrift doppelt", row=1, column=h)
                for i, h in enumerate(header) if h and h in header[:i]]
    if problems:
        raise EditRejected("Die Kopfzeile ist fehlerhaft; es wurde nichts geändert.", problems)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(raw_rows[1:], start=2):
        cells = {header[i]: _cell(v) for i, v in enumerate(values) if i < len(header) and header[i]}
        extra = [v for i, v in enumerate(values) if i >= len(header) and _cell(v)]
        if extra:
            raise EditRejected(f"Zeile {number}: mehr Werte als Spalten in der Kopfzeile.",
                               [EditProblem(message="mehr Werte als Spalten in der Kopfzeile", row=number)])
        if any(cells.values()):
            rows.append((number, cells))
    if len(rows) > MAX_ROWS:
        raise EditRejected(f"{name or 'Datei'}: zu viele Zeilen ({len(rows)}, erlaubt sind {MAX_ROWS}).")
    return Table(columns=[h for h in header if h], rows=rows)


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ("\t" if "\t" in first else ",")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes, name: str) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise EditRejected(f"{name or 'Datei'}: keine lesbare Excel-Datei ({type(exc).__name__}).") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True)):
            if n > MAX_ROWS + 1:
                break
            rows.append(list(row))
        while rows and not any(_cell(v) for v in rows[-1]):
            rows.pop()
        return rows
    finally:
        book.close()


def write_table(columns: list[str], rows: list[dict[str, str]], fmt: str, *, notes: list[tuple[str, str]] | None = None,
                sheet: str = "Daten") -> bytes:
    """A CSV (UTF-8 with BOM, ``;``) or XLSX file with ``columns`` and ``rows``; XLSX gets a sheet of notes.

    Cells that a spreadsheet would run as formulas are neutralised.
    """
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise_formula(row.get(c, "")) for c in columns])
        return buffer.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"Unbekanntes Format {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralise_formula(row.get(c, "")) for c in columns])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, min(50, len(column) + 4))
    if notes:
        info = book.create_sheet("Hinweise")
        info.append(["Spalte", "Bedeutung"])
        for cell in info[1]:
            cell.font = Font(bold=True)
        for column, text in notes:
            info.append([column, text])
        info.column_dimensions["A"].width = 24
        info.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_file(path: Path) -> Table:
    """Read a table from a file path."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EditRejected(f"{path}: Datei kann nicht gelesen werden ({exc.strerror}).") from exc
    return read_table(data, path.name)
