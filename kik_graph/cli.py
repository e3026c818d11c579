"""The command line: ``kik-graph COMMAND …``. Subcommands live in :mod:`kik_graph.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from kik_graph import __version__, commands
from kik_graph.graphdata import DataError
from kik_graph.store.base import StoreError
from kik_graph.terms import InvalidInput

#: Exit codes: 0 ok, 1 data does not conform / check failed, 2 usage or input error, 3 store unavailable.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(prog="kik-graph", description="Wissensgraph des Kommunalen Integrationskonzepts Kempten (KIK).")
    parser.add_argument("--version", action="version", version=f"kik-graph {__version__}")
    parser.add_argument("--store", help="Pfad des eingebetteten Speichers (Standard: $KIK_GRAPH_STORE oder var/store)")
    parser.add_argument("--endpoint", help="entfernter SPARQL-Endpunkt statt des eingebetteten Speichers ($KIK_GRAPH_ENDPOINT)")
    parser.add_argument("-v", "--verbose", action="store_true", help="mehr Meldungen ausgeben")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kik-graph`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("kik_graph.store").setLevel(logging.INFO)
    try:
        return int(args.handler(args) or EXIT_OK)
    except InvalidInput as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"Fehler in den Daten: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as exc:
        print(f"Speicher nicht verfügbar: {exc}", file=sys.stderr)
        return EXIT_STORE
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
