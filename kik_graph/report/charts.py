"""Charts of the status report (matplotlib, Agg backend, fonts bundled with matplotlib – works offline)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from kik_graph.report.data import CATEGORIES, ReportData  # noqa: E402

COLOURS = {"nicht-erfasst": "#d9d9d9", "offen": "#9e9e9e", "geplant": "#9ecae1", "in-umsetzung": "#3182bd",
           "umgesetzt": "#31a354", "dauerhaft": "#006d2c", "zurueckgestellt": "#fd8d3c"}


def _save(fig, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kik-graph"}):
            fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def status_by_field(data: ReportData, fmt: str = "png") -> bytes:
    """Stacked horizontal bars: share of measures per status, one bar per field of action and one for all."""
    rows = [(f"{f.code} – {f.label}", f.counts) for f in data.fields] + [("KIK gesamt", data.counts)]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(rows) + 1.4))
    for y, (_, counts) in enumerate(reversed(rows)):
        total = sum(counts.values()) or 1
        left = 0.0
        for key, _label in CATEGORIES:
            share = 100.0 * counts[key] / total
            if share:
                ax.barh(y, share, left=left, color=COLOURS[key], edgecolor="white", linewidth=0.5)
                if share >= 7:
                    ax.text(left + share / 2, y, str(counts[key]), ha="center", va="center", fontsize=7,
                            color="white" if key in ("in-umsetzung", "umgesetzt", "dauerhaft") else "black")
            left += share
    ax.set_yticks(range(len(rows)), [name for name, _ in reversed(rows)], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Anteil der Maßnahmen (%)", fontsize=8)
    ax.set_title("Umsetzungsgrad je Handlungsfeld", fontsize=10)
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLOURS[k]) for k, _ in CATEGORIES]
    ax.legend(handles, [label for _, label in CATEGORIES], fontsize=7, ncol=4, loc="upper center",
              bbox_to_anchor=(0.5, -0.18), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, fmt)


def indicator_progress(data: ReportData, fmt: str = "png") -> bytes | None:
    """Horizontal bars: how far each indicator has come from baseline to target (None when none is computable)."""
    items = [(f"{goal}: {i.name}", i.progress()) for goal, i in data.indicators]
    items = [(name if len(name) <= 60 else name[:59] + "…", p) for name, p in items if p is not None]
    if not items:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(items) + 1.2))
    for y, (_, p) in enumerate(reversed(items)):
        value = max(-0.5, min(1.5, p)) * 100
        ax.barh(y, value, color="#31a354" if p >= 1 else "#3182bd")
        ax.text(max(value, 0) + 1, y, f"{p * 100:.0f} %", va="center", fontsize=7)
    ax.axvline(100, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_yticks(range(len(items)), [name for name, _ in reversed(items)], fontsize=7)
    ax.set_xlim(min(0, ax.get_xlim()[0]), 160)
    ax.set_xlabel("Fortschritt vom Ausgangswert zum Zielwert (%)", fontsize=8)
    ax.set_title("Kenngrößen", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, fmt)


def text_bar(counts: dict[str, int], width: int = 30) -> str:
    """A text chart of a status distribution (for Markdown): one symbol per category share."""
    symbols = {"nicht-erfasst": "·", "offen": "░", "geplant": "▒", "in-umsetzung": "▓", "umgesetzt": "█",
               "dauerhaft": "█", "zurueckgestellt": "×"}
    total = sum(counts.values()) or 1
    bar = "".join(symbols[k] * round(width * counts[k] / total) for k, _ in CATEGORIES)
    return bar[:width].ljust(width, "·")
