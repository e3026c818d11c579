"""Reading and writing import tables (CSV or XLSX): rows of strings with spreadsheet row numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kik_graph.editing.errors import EditProblem, EditRejected
from kik_graph.output import neutralise_formula
from kik_graph.terms import shorten

#: Largest accepted file and number of data rows.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 4000
MAX_COLUMNS = 200
#: An XLSX (ZIP) may unpack to at most this much in all, with at most this many parts; a part larger than
#: MAX_RATIO_FROM may be at most MAX_RATIO times larger than packed (ordinary sheets: 5–30 times).
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_RATIO = 200
MAX_RATIO_FROM = 1024 * 1024
FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot hold that openpyxl does not remove (noncharacters); a sheet with them is unreadable.
_XML_INVALID = re.compile("[\ufffe\uffff]")


def _neutral(value: str) -> str:
    """``neutralise_formula``, reversible by :func:`_cell`: text that starts with apostrophes before a formula
    character gets one more (so a leading apostrophe of the data survives template → edit → import)."""
    return "'" + value if value.lstrip("'").startswith(_FORMULA_START) else neutralise_formula(value)


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
    if text[:1] == "'" and text.lstrip("'").startswith(_FORMULA_START):  # written neutralised by write_table
        text = text[1:]
    if len(text) > MAX_CELL * 4:
        # bounded, yet still too long for every field: clean_text rejects it (it refuses > 4 × the limit)
        text = text[: MAX_CELL * 4 + 1]
    return text.strip()


def detect_format(name: str, data: bytes) -> str:
    """``csv`` or ``xlsx`` from the file name or content (XLSX is a ZIP file)."""
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:2] == b"PK":
        return "xlsx"
    if lower.endswith((".csv", ".txt")) or not lower:
        return "csv"
    raise EditRejected(f"{shorten(name)}: unbekanntes Dateiformat – erwartet wird CSV oder XLSX.")


def read_table(data: bytes, name: str = "") -> Table:
    """Read a CSV (``;`` or ``,``, UTF-8 or Windows-1252) or the first sheet of an XLSX file."""
    if len(data) > MAX_BYTES:
        raise EditRejected(f"{shorten(name or 'Datei')}: zu groß ({len(data) // 1024} KB, erlaubt sind {MAX_BYTES // 1024} KB).")
    fmt = detect_format(name, data)
    raw_rows = _read_xlsx(data, name) if fmt == "xlsx" else _read_csv(data, name)
    if not raw_rows or not any(raw_rows[0]):
        raise EditRejected(f"{shorten(name or 'Datei')}: keine Kopfzeile gefunden.")
    if len(raw_rows[0]) > MAX_COLUMNS:
        raise EditRejected(f"{shorten(name or 'Datei')}: zu viele Spalten ({len(raw_rows[0])}, erlaubt sind "
                           f"{MAX_COLUMNS}).")
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
        raise EditRejected(f"{shorten(name or 'Datei')}: zu viele Zeilen ({len(rows)}, erlaubt sind {MAX_ROWS}).")
    return Table(columns=[h for h in header if h], rows=rows)


def _read_csv(data: bytes, name: str = "") -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # bytes that are neither UTF-8 nor Windows-1252 (e.g. 0x81): not a text file we can read
        raise EditRejected(f"{shorten(name or 'Datei')}: keine lesbare Textdatei (weder UTF-8 noch Windows-1252).")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit() (131072 characters)
        raise EditRejected(f"{shorten(name or 'Datei')}: Zeile {reader.line_num} ist keine lesbare CSV-Zeile "
                           f"(ein Feld ist zu lang oder fehlerhaft).",
                           [EditProblem(message="keine lesbare CSV-Zeile", row=reader.line_num)]) from exc


def check_zip(data: bytes, name: str = "") -> None:
    """Refuse an XLSX (a ZIP file) that would unpack to far more than any import table needs – before openpyxl
    unpacks it (a few MB of ZIP can hold gigabytes of sheet XML or shared strings, which openpyxl keeps in
    memory). Python's zipfile never unpacks more than an entry declares, so the declared sizes bound the work."""
    import zipfile

    label = shorten(name or "Datei")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise EditRejected(f"{label}: keine lesbare Excel-Datei ({type(exc).__name__}).") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise EditRejected(f"{label}: entpackt zu groß ({len(entries)} Teile, erlaubt sind {MAX_ZIP_ENTRIES}); "
                           "es wurde nichts geändert.")
    total = sum(e.file_size for e in entries)
    biggest = max(entries, key=lambda e: e.file_size, default=None)
    if total > MAX_UNPACKED:
        raise EditRejected(f"{label}: entpackt zu groß ({total // 2**20} MB, erlaubt sind {MAX_UNPACKED // 2**20} MB; "
                           f"größter Teil {shorten(biggest.filename)!r}); es wurde nichts geändert.")
    for entry in entries:
        if entry.file_size > MAX_RATIO_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise EditRejected(f"{label}: entpackt zu groß – {shorten(entry.filename)!r} wäre "
                               f"{entry.file_size // max(entry.compress_size, 1)}-fach größer als gepackt "
                               "(keine gewöhnliche Excel-Datei); es wurde nichts geändert.")


def _read_xlsx(data: bytes, name: str) -> list[list[object]]:
    from openpyxl import load_workbook

    check_zip(data, name)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise EditRejected(f"{shorten(name or 'Datei')}: keine lesbare Excel-Datei ({type(exc).__name__}).") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for n, row in enumerate(sheet.iter_rows(values_only=True)):  # parsed lazily: errors surface here
            if n > MAX_ROWS + 1:
                break
            rows.append(list(row))
        while rows and not any(_cell(v) for v in rows[-1]):
            rows.pop()
        return rows
    except Exception as exc:  # a sheet that is not well-formed XML, a broken shared-strings table …
        raise EditRejected(f"{shorten(name or 'Datei')}: keine lesbare Excel-Datei ({type(exc).__name__}).") from exc
    finally:
        book.close()


def _xlsx_text(value: str) -> str:
    """What an XLSX cell holds of ``value``: line ends as LF (XML turns CR into LF), no C0 controls or
    noncharacters (openpyxl refuses the first, the second make the sheet unreadable)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_INVALID.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))


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
            writer.writerow([_neutral(row.get(c, "")) for c in columns])
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
        ws.append([_neutral(_xlsx_text(row.get(c, ""))) for c in columns])
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
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or "ungültiger Dateiname"
        raise EditRejected(f"{shorten(str(path))}: Datei kann nicht gelesen werden ({reason}).") from exc
    return read_table(data, path.name)
