"""Run every benchmarks/bench_*.py module, print their tables and write var/bench/results.json."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import benchmarks
from benchmarks.common import BenchContext


def main(argv: list[str]) -> int:
    """Run all (or the named) benchmark modules."""
    only = set(argv)
    ctx = BenchContext()
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        print(f"\n=== {info.name} ===", flush=True)
        started = time.perf_counter()
        module.run(ctx)
        print(f"({info.name}: {time.perf_counter() - started:.1f} s)")
    out = Path("var/bench/results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    merged = json.loads(out.read_text()) if only and out.exists() else {}
    merged.update(ctx.results)  # a partial run replaces only the sections it measured
    out.write_text(json.dumps(merged, ensure_ascii=False, indent=2))
    print(f"\nErgebnisse: {out}")
    failed = [r for r in ctx.results.get("targets", []) if not r["met"]]
    if failed:
        print(f"{len(failed)} Zielwert(e) verfehlt:")
        for r in failed:
            print(f"  - {r['name']}: {r['value']} (Ziel {r['target']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
