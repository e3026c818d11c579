"""``python -m kik_graph.loadtest --url http://127.0.0.1:PORT --users N --duration S [--mix …] [--json OUT]``.

With ``--start-app`` instead of ``--url`` the tool starts the app itself on a free loopback port with a
temporary store, waits until it is ready, runs the test, measures the app's CPU time and stops it.

Exit codes: 0 no errors, 1 at least one error (or the p95 target missed, with ``--target-p95-ms``),
2 invalid arguments (e.g. a host that is not loopback), 3 the app could not be started.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kik_graph.loadtest.actions import parse_mix
from kik_graph.loadtest.report import summary, table
from kik_graph.loadtest.runner import LoadTestConfig, NotLoopback, check_loopback, run_load_test
from kik_graph.loadtest.server import AppStartError, running_app


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        values = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: erwartet MIN,MAX in Sekunden, z.B. 0.2,1.0") from None
    if values[0] < 0 or values[1] < values[0]:
        raise argparse.ArgumentTypeError(f"{text!r}: 0 ≤ MIN ≤ MAX verlangt")
    return values


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the load-test tool."""
    p = argparse.ArgumentParser(prog="python -m kik_graph.loadtest",
                                description="Lasttest der laufenden App über Streamlits Websocket (nur Loopback).")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="Adresse der laufenden App, z.B. http://127.0.0.1:8501 (nur Loopback; "
                                      "Suchen ohne Treffer werden dort wie echte mitgezählt)")
    target.add_argument("--start-app", action="store_true",
                        help="App selbst starten (freier Port auf 127.0.0.1, temporärer Speicher) und danach beenden")
    p.add_argument("--users", type=int, default=10, help="gleichzeitige Nutzer*innen (je eine Sitzung)")
    p.add_argument("--duration", type=float, default=30.0, help="Dauer in Sekunden")
    p.add_argument("--mix", default=None,
                   help="Anteile der Nutzer*innen: Verzeichnis (anonym) und Amt (angemeldet), "
                        "Standard directory=0.8,office=0.2")
    p.add_argument("--user", default=None,
                   help="lokales Konto (Rolle viewer) für die Amts-Nutzer*innen; Passwort aus $KIK_LOADTEST_PASSWORD")
    p.add_argument("--think", type=_think, default=(0.2, 1.0), help="Denkpause MIN,MAX in Sekunden (0.2,1.0)")
    p.add_argument("--timeout", type=float, default=30.0, help="Zeitlimit je Aktion in Sekunden")
    p.add_argument("--max-actions", type=int, default=None, help="höchstens so viele Aktionen insgesamt")
    p.add_argument("--ramp-up", type=float, default=2.0, help="Sekunden, über die die Nutzer*innen starten")
    p.add_argument("--no-warmup", action="store_true", help="nicht jede Seite vorher einmal aufrufen")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--server-pid", type=int, default=None, help="PID der App, um ihre CPU-Zeit zu messen")
    p.add_argument("--target-p95-ms", type=float, default=None,
                   help="Ziel für p95 der Verzeichnis-Aktionen (ohne Verzeichnisseiten: aller Aktionen)")
    p.add_argument("--app-option", action="append", default=[], metavar="NAME=WERT",
                   help="Streamlit-Einstellung für --start-app, z.B. runner.postScriptGC=false (mehrfach möglich)")
    p.add_argument("--json", type=Path, default=None, help="Ergebnis zusätzlich als JSON in diese Datei")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test from the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.url:
            check_loopback(args.url)
        mix = parse_mix(args.mix)
        if args.users < 1 or args.duration <= 0 or args.timeout <= 0:
            raise ValueError("--users ≥ 1, --duration > 0 und --timeout > 0 verlangt")
        login = None
        if args.user:
            password = os.environ.get("KIK_LOADTEST_PASSWORD", "")
            if not password:
                raise ValueError("--user braucht das Passwort in $KIK_LOADTEST_PASSWORD (nie auf der Kommandozeile)")
            login = (args.user, password)
        cfg = LoadTestConfig(url=args.url or "", users=args.users, duration=args.duration, mix=mix,
                             think=args.think, timeout=args.timeout, max_actions=args.max_actions,
                             ramp_up=args.ramp_up, warmup=not args.no_warmup, seed=args.seed,
                             server_pid=args.server_pid, login=login)
        options = {}
        for item in args.app_option:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"--app-option {item!r}: erwartet NAME=WERT")
            options[name.strip()] = value.strip()
        if options and not args.start_app:
            raise ValueError("--app-option gilt nur mit --start-app")
        if args.start_app:
            with running_app(viewer_account=True, options=options) as app:
                print(f"App gestartet: {app.url} (PID {app.pid})", file=sys.stderr, flush=True)
                cfg.url, cfg.server_pid, cfg.login = app.url, app.pid, app.login
                result = run_load_test(cfg)
        else:
            result = run_load_test(cfg)
    except (NotLoopback, ValueError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    except AppStartError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 3
    data = summary(result)
    missed = False
    if args.target_p95_ms is not None:
        kinds = {row["action"]: row for row in data["kinds"]}
        row = kinds.get("directory (alle)") or data["totals"]
        missed = row["p95_ms"] is None or row["p95_ms"] > args.target_p95_ms
        data["target"] = {"action": row["action"], "p95_ms": row["p95_ms"], "target_ms": args.target_p95_ms,
                          "met": not missed}
    print(table(data))
    if "target" in data:
        target = data["target"]
        print(f"Ziel p95 ≤ {target['target_ms']:g} ms für {target['action']}: "
              f"{'erreicht' if target['met'] else 'VERFEHLT'} ({target['p95_ms']} ms)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if data["totals"]["errors"] or missed else 0


if __name__ == "__main__":
    sys.exit(main())
