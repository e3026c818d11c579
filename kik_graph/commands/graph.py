"""Core commands: build, validate, stats, query."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kik_graph.namespaces import PREFIXES
from kik_graph.output import FORMATS, render
from kik_graph.params import run_named
from kik_graph.queries import QueryNotFound, all_queries, get_query
from kik_graph.store import build_store, open_store
from kik_graph.terms import InvalidInput, shorten


def open_from_args(args: argparse.Namespace):
    """Open the store chosen by ``--store`` / ``--endpoint`` or the environment."""
    return open_store(Path(args.store) if args.store else None, endpoint=args.endpoint)


def compact_iri(value: str) -> str:
    """``prefix:local`` for IRIs in a known namespace (kik:Service vs. schema:Service), else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if value.startswith(namespace) and value[len(namespace):]:
            return f"{prefix}:{value[len(namespace):]}"
    return value


def _build(args: argparse.Namespace) -> int:
    from kik_graph.config import default_store_path

    path = Path(args.store) if args.store else default_store_path()
    store = build_store(path, force=args.force)
    print(f"Speicher aufgebaut: {path} ({store.triple_count()} Tripel)")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from kik_graph.validate import validate_files

    report = validate_files([Path(f) for f in args.files] if args.files else None)
    print(report.text(), file=sys.stdout if report.conforms else sys.stderr)
    return 0 if report.conforms else 1


def _stats(args: argparse.Namespace) -> int:
    store = open_from_args(args)
    result = run_named(store, "class-counts")
    rows = [{"Klasse": compact_iri(r["class"]), "Anzahl": r["count"]} for r in result.as_strings()]
    print(render(rows, ["Klasse", "Anzahl"], args.format).rstrip("\n"))
    return 0


def _query(args: argparse.Namespace) -> int:
    if args.list:
        rows = [{"Name": q.name, "Titel": q.title, "Parameter": ", ".join(
            f"{p.name}{'' if p.required else '?'}" for p in q.params)} for q in all_queries().values()]
        print(render(rows, ["Name", "Titel", "Parameter"], args.format).rstrip("\n"))
        return 0
    if not args.name:
        raise InvalidInput("Name der Abfrage fehlt (kik-graph query --list zeigt alle).")
    params: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--param {shorten(item)!r}: erwartet wird key=value.")
        params[key.strip()] = value
    try:
        get_query(args.name)
    except QueryNotFound as exc:
        raise InvalidInput(str(exc.args[0])) from exc
    result = run_named(open_from_args(args), args.name, params)
    print(render(result.as_strings(), result.variables, args.format).rstrip("\n"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the core subcommands."""
    p = sub.add_parser("build", help="Speicher aus graph_data/ neu aufbauen")
    p.add_argument("--force", action="store_true",
                   help="auch dann neu aufbauen, wenn noch nicht zurückgeschriebene Änderungen im Speicher sind (verwirft sie)")
    p.set_defaults(handler=_build)

    p = sub.add_parser("validate", help="Daten mit SHACL gegen ontology/shapes.ttl prüfen")
    p.add_argument("files", nargs="*", help="Turtle-Dateien (Standard: alle in graph_data/); eine Datei aus "
                   "graph_data/ oder eine gleichnamige Kopie wird zusammen mit den übrigen Dateien dort geprüft")
    p.set_defaults(handler=_validate)

    p = sub.add_parser("stats", help="Anzahl der Ressourcen je Klasse")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=_stats)

    p = sub.add_parser("query", help="eine benannte Abfrage aus queries/ ausführen")
    p.add_argument("name", nargs="?", help="Name der Abfrage (Datei queries/NAME.rq)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="Parameter, mehrfach möglich")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--list", action="store_true", help="alle benannten Abfragen auflisten")
    p.set_defaults(handler=_query)
