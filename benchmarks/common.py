"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class BenchContext:
    """Collects results of all benchmark modules (written to var/bench/results.json)."""

    results: dict = field(default_factory=dict)

    def record(self, section: str, row: dict) -> None:
        """Add one result row to a section."""
        self.results.setdefault(section, []).append(row)

    def target(self, name: str, value: float, target: str, met: bool) -> None:
        """Record whether a performance target was met (printed at the end)."""
        self.record("targets", {"name": name, "value": round(value, 3), "target": target, "met": bool(met)})
        print(f"  Ziel {'erreicht' if met else 'VERFEHLT'}: {name} = {value:.3f} (Ziel {target})")


def timed(fn: Callable[[], object], repeat: int = 30, warmup: int = 2) -> dict[str, float]:
    """Run ``fn`` repeatedly; return p50/p95/min/max in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return {"p50_ms": statistics.median(samples), "p95_ms": p95, "min_ms": samples[0], "max_ms": samples[-1], "n": repeat}


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Print rows as an aligned text table."""
    def fmt(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)
    table = [columns] + [[fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    for n, r in enumerate(table):
        print("  ".join(v.ljust(widths[i]) for i, v in enumerate(r)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
