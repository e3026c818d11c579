"""Rendering result rows as a text table, CSV or JSON for the command line."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence

FORMATS = ("table", "csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe (CSV/Excel injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(rows: Sequence[dict[str, str]], columns: Sequence[str], fmt: str = "table", *, max_cell: int = 60) -> str:
    """Render ``rows`` (dicts of strings) in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps([{c: row.get(c, "") for c in columns} for row in rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: fields with CR or LF get quoted
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise_formula(row.get(c, "")) for c in columns])
        return buffer.getvalue()
    if fmt != "table":
        raise ValueError(f"Unbekanntes Format {fmt!r}; erlaubt: {', '.join(FORMATS)}")

    def cell(value: str) -> str:
        value = "".join(ch if ch.isprintable() else " " for ch in value)  # no terminal control sequences
        value = " ".join(value.split())
        return value if len(value) <= max_cell else value[: max_cell - 1] + "…"

    table = [[cell(c) for c in columns]] + [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(_width(r[i]) for r in table) for i in range(len(columns))]
    lines = []
    for n, r in enumerate(table):
        lines.append("  ".join(v + " " * (widths[i] - _width(v)) for i, v in enumerate(r)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"({len(rows)} Zeilen)")
    return "\n".join(lines)
