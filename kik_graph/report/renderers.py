"""Rendering the status report as Markdown, self-contained HTML or PDF (fpdf2, fonts from matplotlib; offline)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from kik_graph.editing.history import display_time
from kik_graph.report import charts
from kik_graph.report.data import CATEGORIES, FieldSection, ReportData, share_done

TITLE = "Sachstandsbericht zum Kommunalen Integrationskonzept Kempten (KIK)"


def _period(data: ReportData) -> str:
    if data.since is None:
        return "seit Beginn der Aufzeichnung"
    when = display_time(data.since.isoformat())
    return f"seit {when[:-6] if when.endswith(' 00:00') else when}"


def _done_sentence(counts: dict[str, int]) -> str:
    done, total, percent = share_done(counts)
    return f"{done} von {total} Maßnahmen umgesetzt oder dauerhaft ({percent:.0f} %)"


def _distribution(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    total = sum(counts.values()) or 1
    return [(label, counts[key], 100.0 * counts[key] / total) for key, label in CATEGORIES]


def _changes(data: ReportData) -> list[tuple[str, str]]:
    out = []
    for c in sorted(data.changes, key=lambda c: c.time):
        suffix = " (rückgängig gemacht)" if c.reverted_by else ""
        out.append((c.when, c.summary + suffix))
    return out


# --------------------------------------------------------------------------- Markdown

def _md(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def to_markdown(data: ReportData) -> str:
    """The report as Markdown (charts as text bars)."""
    lines = [f"# {TITLE}", "", f"Stand: {data.generated.strftime('%d.%m.%Y')} · Änderungen {_period(data)}", "",
             "## Überblick", "", f"**{_done_sentence(data.counts)}.** Maßnahmen ohne erfassten Stand zählen als "
             "„offen (nicht erfasst)“.", "", "| Handlungsfeld | Verteilung | " +
             " | ".join(label for _, label in CATEGORIES) + " |", "|---|---|" + "---:|" * len(CATEGORIES)]
    total = FieldSection(code="", label="KIK gesamt", goals=[g for section in data.fields for g in section.goals])
    for f in [*data.fields, total]:
        name = f"{f.code} – {f.label}" if f.code else "**KIK gesamt**"
        lines.append(f"| {_md(name)} | `{charts.text_bar(f.counts, 20)}` | " +
                     " | ".join(str(f.counts[k]) for k, _ in CATEGORIES) + " |")
    lines.append("")
    for f in data.fields:
        lines += [f"## {_md(f.code)} – {_md(f.label)}", "", f"{_done_sentence(f.counts)}.", ""]
        for g in f.goals:
            lines += [f"### Ziel {_md(g.notation)}", "", f"> {_md(g.text)}", "",
                      "Umsetzungsgrad: " + ", ".join(f"{label} {n}" for label, n, _ in _distribution(g.counts) if n), "",
                      "| Maßnahme | Stand | federführend | beteiligt |" + (" Notiz |" if data.include_notes else ""),
                      "|---|---|---|---|" + ("---|" if data.include_notes else "")]
            for m in g.measures:
                stand = m.status_label + (f" ({m.status_date})" if m.status_date else "")
                lines.append(f"| {_md(m.notation)}: {_md(m.text)} | {_md(stand)} | {_md(', '.join(m.leads) or '–')} | "
                             f"{_md(', '.join(m.partners) or '–')} |" + (f" {_md(m.note)} |" if data.include_notes else ""))
            lines.append("")
            if g.indicators:
                lines += ["Kenngrößen:", "", "| Kenngröße | Einheit | Ausgangswert | Zielwert | aktuell | Stichtag | Quelle |",
                          "|---|---|---:|---:|---:|---|---|"]
                lines += [f"| {_md(i.name)} | {_md(i.unit)} | {_md(i.baseline or '–')} | {_md(i.target or '–')} | "
                          f"{_md(i.current or '–')} | {_md(i.date or '–')} | {_md(i.source or '–')} |" for i in g.indicators]
                lines.append("")
    lines += ["## Offene Zuständigkeiten", "", f"{len(data.gaps)} Maßnahmen haben keine federführende Akteur*in"
              f" (davon {sum(1 for g in data.gaps if g.partners == 0)} ganz ohne Akteur*in).", ""]
    lines += [f"- {_md(g.notation)}: {_md(g.text)}" + (f" ({g.partners} beteiligt)" if g.partners else "")
              for g in data.gaps]
    lines += ["", f"## Änderungen {_period(data)}", ""]
    changes = _changes(data)
    lines += [f"- {_md(when)}: {_md(text)}" for when, text in changes] or ["Keine Änderungen."]
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{border-bottom:2px solid #3182bd;padding-bottom:.2rem;margin-top:2rem}h3{margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#f0f4f8}
td.n{text-align:right}.muted{color:#666}blockquote{margin:.3rem 0 .6rem;padding-left:.8rem;border-left:3px solid #ccc}
.chart svg{max-width:100%;height:auto}
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _svg(data: bytes | None) -> str:
    if not data:
        return ""
    text = data.decode("utf-8")
    start = text.find("<svg")
    return f'<div class="chart">{text[start:]}</div>' if start >= 0 else ""


def to_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG charts; everything escaped)."""
    parts = ["<!DOCTYPE html>", '<html lang="de"><head><meta charset="utf-8">',
             f"<title>{_e(TITLE)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(TITLE)}</h1>",
             f'<p class="muted">Stand: {_e(data.generated.strftime("%d.%m.%Y"))} · Änderungen {_e(_period(data))}</p>',
             "<h2>Überblick</h2>", f"<p><strong>{_e(_done_sentence(data.counts))}.</strong> Maßnahmen ohne erfassten "
             "Stand zählen als „offen (nicht erfasst)“.</p>", _svg(charts.status_by_field(data, "svg")),
             "<table><thead><tr><th>Handlungsfeld</th>" + "".join(f"<th>{_e(label)}</th>" for _, label in CATEGORIES) +
             "</tr></thead><tbody>"]
    for f in data.fields:
        parts.append(f"<tr><td>{_e(f.code)} – {_e(f.label)}</td>" +
                     "".join(f'<td class="n">{f.counts[k]}</td>' for k, _ in CATEGORIES) + "</tr>")
    parts.append("<tr><th>KIK gesamt</th>" + "".join(f'<th class="n">{data.counts[k]}</th>' for k, _ in CATEGORIES) +
                 "</tr></tbody></table>")
    progress = charts.indicator_progress(data, "svg")
    if progress:
        parts.append(_svg(progress))
    for f in data.fields:
        parts += [f"<h2>{_e(f.code)} – {_e(f.label)}</h2>", f"<p>{_e(_done_sentence(f.counts))}.</p>"]
        for g in f.goals:
            dist = ", ".join(f"{label} {n}" for label, n, _ in _distribution(g.counts) if n)
            parts += [f"<h3>Ziel {_e(g.notation)}</h3>", f"<blockquote>{_e(g.text)}</blockquote>",
                      f'<p class="muted">Umsetzungsgrad: {_e(dist)}</p>',
                      "<table><thead><tr><th>Maßnahme</th><th>Stand</th><th>federführend</th><th>beteiligt</th>" +
                      ("<th>Notiz</th>" if data.include_notes else "") + "</tr></thead><tbody>"]
            for m in g.measures:
                stand = m.status_label + (f" ({m.status_date})" if m.status_date else "")
                parts.append(f"<tr><td><strong>{_e(m.notation)}</strong> {_e(m.text)}</td><td>{_e(stand)}</td>"
                             f"<td>{_e(', '.join(m.leads) or '–')}</td><td>{_e(', '.join(m.partners) or '–')}</td>" +
                             (f"<td>{_e(m.note)}</td>" if data.include_notes else "") + "</tr>")
            parts.append("</tbody></table>")
            if g.indicators:
                parts.append("<table><thead><tr><th>Kenngröße</th><th>Einheit</th><th>Ausgangswert</th><th>Zielwert</th>"
                             "<th>aktuell</th><th>Stichtag</th><th>Quelle</th></tr></thead><tbody>")
                parts += [f"<tr><td>{_e(i.name)}</td><td>{_e(i.unit)}</td><td class=\"n\">{_e(i.baseline or '–')}</td>"
                          f"<td class=\"n\">{_e(i.target or '–')}</td><td class=\"n\">{_e(i.current or '–')}</td>"
                          f"<td>{_e(i.date or '–')}</td><td>{_e(i.source or '–')}</td></tr>" for i in g.indicators]
                parts.append("</tbody></table>")
    parts += ["<h2>Offene Zuständigkeiten</h2>",
              f"<p>{len(data.gaps)} Maßnahmen haben keine federführende Akteur*in "
              f"(davon {sum(1 for g in data.gaps if g.partners == 0)} ganz ohne Akteur*in).</p><ul>"]
    parts += [f"<li><strong>{_e(g.notation)}</strong> {_e(g.text)}" +
              (f" ({g.partners} beteiligt)" if g.partners else "") + "</li>" for g in data.gaps]
    parts += ["</ul>", f"<h2>Änderungen {_e(_period(data))}</h2>"]
    changes = _changes(data)
    parts.append("<ul>" + "".join(f"<li>{_e(when)}: {_e(text)}</li>" for when, text in changes) + "</ul>"
                 if changes else "<p>Keine Änderungen.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- PDF

def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def to_pdf(data: ReportData) -> bytes:
    """The report as PDF (A4, DejaVu fonts bundled with matplotlib, PNG charts; no network)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(TITLE)
    pdf.set_author("Amt für Integration, Stadt Kempten (Allgäu)")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)

    def para(text: str, size: int = 9, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(width, 4.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)

    def table(header: list[str], rows: list[list[str]], widths: tuple[float, ...]) -> None:
        pdf.set_font("DejaVu", "", 7.5)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=3.6,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(240, 244, 248))) as t:
            t.row(header)
            for r in rows:
                t.row(r)
        pdf.ln(2)

    heading(TITLE, 15)
    para(f"Stand: {data.generated.strftime('%d.%m.%Y')} · Änderungen {_period(data)}")
    heading("Überblick", 12)
    para(_done_sentence(data.counts) + ". Maßnahmen ohne erfassten Stand zählen als „offen (nicht erfasst)“.")
    pdf.image(_png_stream(charts.status_by_field(data, "png")), w=width)
    pdf.ln(2)
    table(["Handlungsfeld", *[label for _, label in CATEGORIES]],
          [[f"{f.code} – {f.label}", *[str(f.counts[k]) for k, _ in CATEGORIES]] for f in data.fields] +
          [["KIK gesamt", *[str(data.counts[k]) for k, _ in CATEGORIES]]], (30,) + (10,) * len(CATEGORIES))
    progress = charts.indicator_progress(data, "png")
    if progress:
        pdf.image(_png_stream(progress), w=width)
    for f in data.fields:
        pdf.add_page()
        heading(f"{f.code} – {f.label}", 12)
        para(_done_sentence(f.counts) + ".")
        for g in f.goals:
            heading(f"Ziel {g.notation}", 10)
            para(g.text, 8.5)
            para("Umsetzungsgrad: " + ", ".join(f"{label} {n}" for label, n, _ in _distribution(g.counts) if n), 8)
            header = ["Maßnahme", "Stand", "federführend", "beteiligt"] + (["Notiz"] if data.include_notes else [])
            rows = [[f"{m.notation}: {m.text}", m.status_label + (f" ({m.status_date})" if m.status_date else ""),
                     ", ".join(m.leads) or "–", ", ".join(m.partners) or "–"] + ([m.note] if data.include_notes else [])
                    for m in g.measures]
            table(header, rows, (50, 15, 18, 18, 18) if data.include_notes else (55, 15, 20, 20))
            if g.indicators:
                table(["Kenngröße", "Einheit", "Ausgangswert", "Zielwert", "aktuell", "Stichtag", "Quelle"],
                      [[i.name, i.unit, i.baseline or "–", i.target or "–", i.current or "–", i.date or "–",
                        i.source or "–"] for i in g.indicators], (30, 12, 12, 12, 12, 14, 25))
    pdf.add_page()
    heading("Offene Zuständigkeiten", 12)
    para(f"{len(data.gaps)} Maßnahmen haben keine federführende Akteur*in "
         f"(davon {sum(1 for g in data.gaps if g.partners == 0)} ganz ohne Akteur*in).")
    for g in data.gaps:
        para(f"{g.notation}: {g.text}" + (f" ({g.partners} beteiligt)" if g.partners else ""), 8)
    heading(f"Änderungen {_period(data)}", 12)
    changes = _changes(data)
    for when, text in changes:
        para(f"{when}: {text}", 8)
    if not changes:
        para("Keine Änderungen.")
    return bytes(pdf.output())


def _png_stream(data: bytes):
    import io

    return io.BytesIO(data)


def data_uri(png: bytes) -> str:
    """A PNG as data URI (for embedding)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
