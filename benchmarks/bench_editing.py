"""Editing benchmarks: one validated edit (SHACL + history, one update), an import of 100 rows, write-back and
the status report (md and pdf) on the seed data."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.common import BenchContext, print_table, timed


def run(ctx: BenchContext) -> None:
    """Time the editing paths on a private store."""
    from kik_graph import imports
    from kik_graph.config import PATHS
    from kik_graph.editing import operations as op
    from kik_graph.report import build_report
    from kik_graph.store import build_store
    from kik_graph.writeback import writeback

    tmp = Path(tempfile.mkdtemp(prefix="kik-bench-edit-"))
    try:
        store = build_store(tmp / "store")
        roles = iter(["lead", "partner"] * 1000)
        rows = [dict(name="Zuordnung ändern (SHACL + Verlauf + 1 Update)", **timed(
            lambda: op.assign(store, "bench", "SB-1.1", "vhs Kempten", next(roles)), repeat=10, warmup=1))]
        statuses = iter(["geplant", "in Umsetzung"] * 1000)
        rows.append(dict(name="Umsetzungsstand setzen", **timed(
            lambda: op.set_status(store, "bench", "SB-1.2", next(statuses)), repeat=10, warmup=1)))
        measures = [r["notation"] for r in __import__("kik_graph.params", fromlist=["run_named"]).run_named(
            store, "measures").as_strings()][:100]
        data = ("massnahme;status\n" + "\n".join(f"{m};geplant" for m in measures)).encode()
        start = time.perf_counter()
        imports.run_import(store, "bench", "statuses", data, "bench.csv")
        rows.append({"name": "Import 100 Umsetzungsstände", "p50_ms": (time.perf_counter() - start) * 1000, "n": 1})
        directory = tmp / "graph_data"
        shutil.copytree(PATHS.graph_data, directory)
        start = time.perf_counter()
        writeback(store, directory)
        rows.append({"name": "Zurückschreiben nach graph_data/", "p50_ms": (time.perf_counter() - start) * 1000, "n": 1})
        for fmt in ("md", "pdf"):
            start = time.perf_counter()
            build_report(store, fmt, use_last=False)
            rows.append({"name": f"Sachstandsbericht ({fmt})", "p50_ms": (time.perf_counter() - start) * 1000, "n": 1})
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows, ["name", "p50_ms", "p95_ms", "n"])
    for row in rows:
        ctx.record("editing", row)
    edit = rows[0]["p95_ms"]
    ctx.target("Bearbeiten: eine Änderung p95 (ms)", edit, "≤ 2000", edit <= 2000)
