"""Charts of the office pages as plain Vega-Lite specifications with inline data.

Streamlit renders them with its bundled Vega (no network needed); building them needs neither pandas nor altair,
so the overview page stays fast right after the server started.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kik_graph.i18n import t

LEAD_COLOUR = "#1f6f8b"
OPEN_COLOUR = "#e8a33d"
LISTED_COLOUR = "#b8d8e3"


def measures_per_field(fields: Iterable[Mapping], lang: str) -> dict:
    """Stacked bars: measures with and without a lead per field of action."""
    with_lead = t("office.chart.with_lead", lang)
    without_lead = t("office.chart.without_lead", lang)
    values, order = [], []
    for row in fields:
        order.append(row["code"])
        values.append({"field": row["code"], "label": row["label"], "kind": with_lead, "rank": 1,
                       "n": int(row["measuresWithLead"])})
        values.append({"field": row["code"], "label": row["label"], "kind": without_lead, "rank": 2,
                       "n": int(row["measures"]) - int(row["measuresWithLead"])})
    field_title = t("office.col.fieldCode", lang)
    count_title = t("office.chart.measures", lang)
    return {
        "height": 300, "data": {"values": values}, "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "field", "type": "nominal", "sort": order, "title": field_title, "axis": {"labelAngle": 0}},
            "y": {"field": "n", "type": "quantitative", "title": count_title, "stack": "zero"},
            "color": {"field": "kind", "type": "nominal", "title": "",
                      "scale": {"domain": [with_lead, without_lead], "range": [LEAD_COLOUR, OPEN_COLOUR]},
                      "legend": {"orient": "bottom"}},
            "order": {"field": "rank", "type": "quantitative"},
            "tooltip": [{"field": "label", "type": "nominal", "title": field_title},
                        {"field": "kind", "type": "nominal", "title": " "},
                        {"field": "n", "type": "quantitative", "title": count_title}],
        },
    }


def measures_per_phase(phases: Iterable[Mapping], lang: str) -> dict:
    """Bars of measures per NAP-I phase with the count written on top (so a phase with 0 stays visible)."""
    values = [{"phase": f"{row['notation']} – {row['label']}", "n": int(row["measures"]),
               "fields": row["fields"] or t("office.overview.no_field", lang)} for row in phases]
    phase_title = t("office.col.phase", lang)
    count_title = t("office.chart.measures", lang)
    encoding = {
        "x": {"field": "phase", "type": "nominal", "sort": [v["phase"] for v in values], "title": phase_title,
              "axis": {"labelAngle": -20, "labelLimit": 200, "labelOverlap": False}},
        "y": {"field": "n", "type": "quantitative", "title": count_title},
        "tooltip": [{"field": "phase", "type": "nominal", "title": phase_title},
                    {"field": "n", "type": "quantitative", "title": count_title},
                    {"field": "fields", "type": "nominal", "title": t("office.col.fields", lang)}],
    }
    return {
        "height": 300, "data": {"values": values}, "encoding": encoding,
        "layer": [{"mark": {"type": "bar", "color": LEAD_COLOUR}},
                  {"mark": {"type": "text", "dy": -8, "fontWeight": "bold"}, "encoding": {"text": {"field": "n"}}}],
    }


def heatmap(cells: Iterable[Mapping], field_order: list[str], lang: str) -> dict:
    """Actor × field: colour = responsible for measures / only named in the field's actor list; text = count.

    ``cells`` are dicts with actorLabel, fieldCode and measures (int).
    """
    responsible = t("office.matrix.responsible", lang)
    listed = t("office.matrix.listed_only", lang)
    values = [{"actorLabel": c["actorLabel"], "fieldCode": c["fieldCode"], "measures": int(c["measures"]),
               "state": responsible if int(c["measures"]) > 0 else listed,
               "count": str(int(c["measures"])) if int(c["measures"]) > 0 else ""} for c in cells]
    actor_title = t("office.col.actorLabel", lang)
    field_title = t("office.col.fieldCode", lang)
    encoding = {
        "x": {"field": "fieldCode", "type": "nominal", "sort": field_order, "title": field_title,
              "axis": {"orient": "top", "labelAngle": 0}},
        "y": {"field": "actorLabel", "type": "nominal", "sort": "ascending", "title": actor_title,
              "axis": {"labelLimit": 320, "labelOverlap": False, "labelFontSize": 11}},
        "tooltip": [{"field": "actorLabel", "type": "nominal", "title": actor_title},
                    {"field": "fieldCode", "type": "nominal", "title": field_title},
                    {"field": "state", "type": "nominal", "title": " "},
                    {"field": "measures", "type": "quantitative", "title": t("office.chart.measures", lang)}],
    }
    return {
        "height": {"step": 20}, "data": {"values": values}, "encoding": encoding,
        "layer": [
            {"mark": {"type": "rect", "stroke": "white"},
             "encoding": {"color": {"field": "state", "type": "nominal", "title": "",
                                    "scale": {"domain": [responsible, listed], "range": [LEAD_COLOUR, LISTED_COLOUR]},
                                    "legend": {"orient": "bottom"}}}},
            {"mark": {"type": "text", "color": "white", "fontWeight": "bold"},
             "encoding": {"text": {"field": "count"}}},
        ],
    }


# ---------------------------------------------------------------------------------------------- SVG (overview)
def _e(text: object) -> str:
    """Escaped text on one line (a line break could end the Markdown HTML block)."""
    import html

    return html.escape(" ".join(str(text).split()), quote=True)


def svg_bars(bars: list[dict], *, title: str, series: list[tuple[str, str]], y_title: str,
             width: int = 620, height: int = 330) -> str:
    """A small, dependency-free SVG bar chart (stacked when several series are given), for
    ``st.markdown(svg, unsafe_allow_html=True)`` (st.html strips SVG). The opening tag stands on its own line and
    the markup has no blank line, so Markdown treats it as one HTML block and leaves the text alone.

    ``bars``: dicts with ``label`` (axis text, may contain a second line after ``\\n``), ``tooltip`` and one
    number per series key; ``series``: (key, colour) pairs drawn bottom-up. Counts are written above each bar,
    so a bar of 0 stays visible. All text is HTML-escaped.
    """
    left, right, top, bottom = 44, 10, 22, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(int(b.get(key, 0)) for key, _ in series) for b in bars]
    top_value = max([*totals, 1])
    step = max(1, round(top_value / 5 / 5) * 5) if top_value > 10 else max(1, top_value // 5 or 1)
    slot = plot_w / max(1, len(bars))
    bar_w = min(64.0, slot * 0.62)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{_e(title)}" style="max-width:{width}px;font-family:inherit;font-size:12px">\n']
    for tick in range(0, top_value + step, step):
        y = top + plot_h - plot_h * tick / top_value
        if y < top - 1:
            break
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#808495">{tick}</text>')
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                 f'text-anchor="middle" fill="#808495">{_e(y_title)}</text>')
    for index, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        x = left + slot * index + (slot - bar_w) / 2
        base = top + plot_h
        parts.append(f'<g><title>{_e(bar.get("tooltip", bar["label"]))}</title>')
        for key, colour in series:
            value = int(bar.get(key, 0))
            h = plot_h * value / top_value
            if h > 0:
                parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                             f'fill="{colour}"/>')
            base -= h
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - 5:.1f}" text-anchor="middle" font-weight="bold" '
                     f'fill="#262730">{total}</text></g>')
        for line_no, line in enumerate(str(bar["label"]).split("\n")[:2]):
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16 + 14 * line_no:.1f}" '
                         f'text-anchor="middle" fill="#31333f">{_e(line)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#b0b0b0"/>')
    if len(series) > 1:
        x = left
        for key, colour in series:
            label = next((b.get(f"{key}_label") for b in bars if b.get(f"{key}_label")), key)
            parts.append(f'<rect x="{x}" y="{height - 14}" width="11" height="11" fill="{colour}"/>'
                         f'<text x="{x + 16}" y="{height - 4}" fill="#31333f">{_e(label)}</text>')
            x += 28 + 7 * len(str(label))
    parts.append("</svg>")
    return "".join(parts)


def svg_measures_per_field(fields: Iterable[Mapping], lang: str) -> str:
    """Overview chart: measures with / without a lead per field of action (SVG)."""
    with_lead = t("office.chart.with_lead", lang)
    without_lead = t("office.chart.without_lead", lang)
    bars = []
    for row in fields:
        led, total = int(row["measuresWithLead"]), int(row["measures"])
        bars.append({"label": row["code"], "lead": led, "open": total - led, "lead_label": with_lead,
                     "open_label": without_lead,
                     "tooltip": f"{row['code']} – {row['label']}: {total} ({with_lead}: {led}, {without_lead}: "
                                f"{total - led})"})
    return svg_bars(bars, title=t("office.overview.per_field", lang), y_title=t("office.chart.measures", lang),
                    series=[("lead", LEAD_COLOUR), ("open", OPEN_COLOUR)])


def svg_measures_per_phase(phases: Iterable[Mapping], lang: str) -> str:
    """Overview chart: measures per NAP-I phase, a phase with 0 measures shown with its 0 (SVG)."""
    bars = []
    for row in phases:
        fields = row["fields"] or t("office.overview.no_field", lang)
        bars.append({"label": f"{row['notation']}\n{row['label']}", "n": int(row["measures"]),
                     "tooltip": f"{row['notation']} – {row['label']}: {int(row['measures'])} "
                                f"({t('office.col.fields', lang)}: {fields})"})
    return svg_bars(bars, title=t("office.overview.per_phase", lang), y_title=t("office.chart.measures", lang),
                    series=[("n", LEAD_COLOUR)])
