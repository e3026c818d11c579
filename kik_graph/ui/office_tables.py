"""Tables of the office pages with CSV and Excel downloads (spreadsheet formulas neutralised in every cell)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from kik_graph.i18n import catalogue, t
from kik_graph.output import neutralise_formula

#: characters XML 1.0 (and so an .xlsx file) cannot hold: C0 controls, surrogates, the noncharacters U+FFFE/U+FFFF
_ILLEGAL_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def column_label(column: str, lang: str) -> str:
    """The translated header of a result column (``office.col.<column>``), or the column name itself."""
    key = f"office.col.{column}"
    return t(key, lang) if key in catalogue() else column


def labelled(frame: pd.DataFrame, lang: str, columns: Sequence[str] | None = None, *,
             translate: bool = True) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` (default: all) with translated headers (unless ``translate`` is False)."""
    chosen = [c for c in (columns or frame.columns) if c in frame.columns]
    if not translate:
        return frame[chosen]
    return frame[chosen].rename(columns={c: column_label(c, lang) for c in chosen})


def _safe_cell(value: object) -> object:
    if isinstance(value, str):
        return neutralise_formula(_ILLEGAL_XLSX.sub("", value))
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell (and header) that a spreadsheet would run as a formula is neutralised."""
    safe = frame.copy()
    safe.columns = [_safe_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_safe_cell)
    return safe


def to_csv(frame: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM so that spreadsheet programs detect the encoding), formulas neutralised.

    Lines end with CR LF (RFC 4180); a field containing CR or LF is therefore quoted and cannot start a new row.
    """
    return neutralised(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig", errors="replace")


def to_xlsx(frame: pd.DataFrame, sheet: str = "KIK") -> bytes:
    """An Excel workbook with one sheet, formulas neutralised, every text cell stored as text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralised(frame).to_excel(writer, index=False, sheet_name=_SAFE_NAME.sub("_", sheet)[:31] or "KIK")
        worksheet = writer.sheets[_SAFE_NAME.sub("_", sheet)[:31] or "KIK"]
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    return buffer.getvalue()


def downloads(frame: pd.DataFrame, name: str, lang: str, *, key: str) -> None:
    """CSV and Excel download buttons for ``frame`` (files named ``kik-<name>.csv/.xlsx``)."""
    stem = "kik-" + (_SAFE_NAME.sub("-", name).strip("-") or "tabelle")
    snapshot = frame.copy()
    left, right = st.columns(2)
    left.download_button(t("common.download_csv", lang), data=lambda: to_csv(snapshot), file_name=f"{stem}.csv",
                         mime="text/csv", key=f"{key}_csv", on_click="ignore")
    right.download_button(t("common.download_xlsx", lang), data=lambda: to_xlsx(snapshot, name),
                          file_name=f"{stem}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def table(frame: pd.DataFrame, lang: str, *, name: str, key: str, columns: Sequence[str] | None = None,
          height: int | None = None, empty_key: str = "common.no_results", translate: bool = True) -> pd.DataFrame:
    """Show ``frame`` with translated headers and CSV/Excel downloads; returns the shown (labelled) frame."""
    shown = labelled(frame, lang, columns, translate=translate).reset_index(drop=True)
    if shown.empty:
        st.info(t(empty_key, lang))
    else:
        st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto")
    downloads(shown, name, lang, key=key)
    return shown
