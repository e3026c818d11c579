"""Summaries of a load test: p50/p95/max per action and per kind, errors, throughput; as a table or JSON."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict

from kik_graph.loadtest.runner import LoadTestResult
from kik_graph.output import render


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by nearest rank on sorted samples (as benchmarks/common.py does)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _row(name: str, samples: list[float], errors: int) -> dict:
    return {
        "action": name,
        "n": len(samples),
        "errors": errors,
        "p50_ms": round(statistics.median(samples), 1) if samples else None,
        "p95_ms": round(percentile(samples, 0.95), 1) if samples else None,
        "max_ms": round(max(samples), 1) if samples else None,
    }


def summary(result: LoadTestResult) -> dict:
    """Everything about the run as plain data (written by ``--json``)."""
    rows = [_row(label, result.samples[label], result.errors.get(label, 0)) for label in sorted(result.samples)]
    by_kind: list[dict] = []
    for kind in sorted({label.split("/", 1)[0] for label in result.samples}):
        labels = [label for label in result.samples if label.startswith(kind + "/")]
        by_kind.append(_row(f"{kind} (alle)", [ms for label in labels for ms in result.samples[label]],
                            sum(result.errors.get(label, 0) for label in labels)))
    everything = [ms for values in result.samples.values() for ms in values]
    totals = _row("alle", everything, result.total_errors)
    totals.update({
        "connection_errors": result.connection_errors,
        "throughput_per_s": round(len(everything) / result.elapsed, 2) if result.elapsed else 0.0,
        "elapsed_s": round(result.elapsed, 1),
        "warnings": result.warnings,
        "client_cpu_s": round(result.client_cpu_s, 1),
        "load_average_1min": [round(v, 2) for v in result.load_average],
    })
    if result.server_cpu_s is not None and result.elapsed:
        totals["server_cpu_s"] = round(result.server_cpu_s, 1)
        totals["server_cpu_cores"] = round(result.server_cpu_s / result.elapsed, 2)
        totals["server_threads"] = result.server_threads
    config = asdict(result.config)
    config["think"] = list(result.config.think)
    config.pop("login", None)
    return {
        "config": config,
        "mix": {k: round(v, 3) for k, v in result.mix.items()},
        "users_by_kind": dict(result.user_kinds),
        "notes": list(result.notes),
        "actions": rows,
        "kinds": by_kind,
        "totals": totals,
        "error_kinds": dict(result.error_kinds),
        "error_samples": list(result.error_samples),
        "warmup_ms": {k: round(v, 1) for k, v in result.warmup_ms.items()},
    }


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if isinstance(value, float) else str(value)


def table(data: dict) -> str:
    """The summary as a text table with a totals line (German)."""
    columns = ["Aktion", "n", "Fehler", "p50 ms", "p95 ms", "max ms"]
    rows = [{"Aktion": r["action"], "n": str(r["n"]), "Fehler": str(r["errors"]), "p50 ms": _fmt(r["p50_ms"]),
             "p95 ms": _fmt(r["p95_ms"]), "max ms": _fmt(r["max_ms"])}
            for r in [*data["actions"], *data["kinds"], data["totals"]]]
    cfg, totals = data["config"], data["totals"]
    lines = [render(rows, columns, "table").rsplit("\n", 1)[0]]
    lines.append(
        f"{cfg['users']} Nutzer*innen, {totals['elapsed_s']} s, {totals['n']} Aktionen, "
        f"{totals['throughput_per_s']} Aktionen/s, Fehler: {totals['errors']} "
        f"(davon Verbindungen/Sitzungsstart: {totals['connection_errors']}), Nutzer*innen je Art: "
        + ", ".join(f"{k}={v}" for k, v in data["users_by_kind"].items()))
    cpu = f"Systemlast (1 min) vorher/nachher: {totals['load_average_1min'][0]}/{totals['load_average_1min'][1]}; " \
          f"CPU Lastgenerator: {totals['client_cpu_s']} s"
    if "server_cpu_s" in totals:
        cpu += f"; CPU App: {totals['server_cpu_s']} s = {totals['server_cpu_cores']} Kerne im Mittel, " \
               f"{totals['server_threads']} Threads"
    lines.append(cpu)
    lines.extend(data["notes"])
    if data["error_kinds"]:
        lines.append("Fehlerarten: " + ", ".join(f"{k}={v}" for k, v in sorted(data["error_kinds"].items())))
        lines.extend(f"  {text}" for text in data["error_samples"][:5])
    return "\n".join(lines)
