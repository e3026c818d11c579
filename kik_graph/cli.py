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
from kik_graph.paths import PathKind, checked_path
from kik_graph.store.base import StoreError
from kik_graph.terms import InvalidInput, shorten

log = logging.getLogger("kik_graph.cli")

#: Exit codes: 0 ok, 1 data does not conform / check failed, 2 usage or input error, 3 store unavailable.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3
#: Longest line of an error message.
MAX_LINE = 500

#: Path options checked before a command runs: (command or None for every command, attribute) → (option, kind).
#: Commands check their own path options where they can (export/tables: --out); these are the rest.
PATH_OPTIONS: dict[tuple[str | None, str], tuple[str, PathKind]] = {
    (None, "store"): ("--store", PathKind.STORE),
    ("report", "output"): ("-o/--output", PathKind.OUTPUT_FILE),
    ("user", "file"): ("--file", PathKind.DATA_FILE),
    ("writeback", "directory"): ("--directory", PathKind.OUTPUT_DIR),
}


class _Parser(argparse.ArgumentParser):
    """argparse with short error messages: a hostile value is quoted shortened, never in full."""

    def error(self, message: str):  # type: ignore[override]
        super().error(shorten(message, 300))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered subcommand."""
    parser = _Parser(prog="kik-graph", description="Wissensgraph des Kommunalen Integrationskonzepts Kempten (KIK).")
    parser.add_argument("--version", action="version", version=f"kik-graph {__version__}")
    parser.add_argument("--store", help="Pfad des eingebetteten Speichers (Standard: $KIK_GRAPH_STORE oder var/store)")
    parser.add_argument("--endpoint", help="entfernter SPARQL-Endpunkt statt des eingebetteten Speichers ($KIK_GRAPH_ENDPOINT)")
    parser.add_argument("-v", "--verbose", action="store_true", help="mehr Meldungen ausgeben")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def check_path_options(args: argparse.Namespace) -> None:
    """Refuse unusable paths in the options of :data:`PATH_OPTIONS` (InvalidInput naming the option)."""
    for (command, attribute), (option, kind) in PATH_OPTIONS.items():
        value = getattr(args, attribute, None)
        if value is not None and command in (None, args.command):
            setattr(args, attribute, str(checked_path(value, option, kind)))


def capped(text: str, limit: int = MAX_LINE) -> str:
    """``text`` with every line cut to ``limit`` characters (a message may quote hostile input in full)."""
    return "\n".join(line if len(line) <= limit else line[:limit - 1] + "…" for line in text.splitlines())


def _unexpected(exc: BaseException) -> str:
    """A short German message for an unexpected operating-system or value error (the last resort)."""
    if isinstance(exc, OSError):
        where = f" ({shorten(str(exc.filename))!r})" if exc.filename is not None else ""
        return f"Datei oder Verzeichnis nicht nutzbar{where}: {exc.strerror or type(exc).__name__}."
    if isinstance(exc, UnicodeError):
        return "Eingabe enthält ein Zeichen, das hier nicht verarbeitet werden kann."
    return f"ungültige Eingabe ({shorten(str(exc), 200)})."


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kik-graph`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("kik_graph.store").setLevel(logging.INFO)
    try:
        check_path_options(args)
        return int(args.handler(args) or EXIT_OK)
    except InvalidInput as exc:
        print(f"Fehler: {capped(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"Fehler in den Daten: {capped(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as exc:
        print(f"Speicher nicht verfügbar: {capped(str(exc))}", file=sys.stderr)
        return EXIT_STORE
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except (OSError, ValueError, UnicodeError) as exc:  # last resort: never a traceback for the user
        log.debug("Unerwarteter Fehler", exc_info=True)
        print(f"Fehler: {_unexpected(exc)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
