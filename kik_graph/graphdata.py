"""Reading the seed data in ``graph_data/`` and the vocabulary, with errors that name file and line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rdflib import Graph

from kik_graph.config import PATHS
from kik_graph.terms import shorten


class DataError(ValueError):
    """The data files cannot be read; the message names the file and, where known, the line."""


def data_files(directory: Path | None = None) -> list[Path]:
    """The Turtle files of ``graph_data/`` in a stable order."""
    directory = directory or PATHS.graph_data
    return sorted(directory.glob("*.ttl"))


#: Largest Turtle file accepted (the KIK data is well below 1 MB per file).
MAX_FILE_BYTES = 200 * 1024 * 1024


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error becomes a :class:`DataError` naming file and line."""
    graph = graph if graph is not None else Graph()
    name = shorten(str(path), 120)
    try:
        if not path.is_file():
            raise DataError(f"{name}: keine reguläre Datei." if path.exists() else f"{name}: Datei nicht gefunden.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DataError(f"{name}: Datei ist zu groß (mehr als {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    except OSError as exc:
        raise DataError(f"{name}: Datei kann nicht gelesen werden ({exc.strerror or exc}).") from exc
    path_label = name
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise DataError(f"{path_label}: Datei nicht gefunden.") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path_label}: Datei ist nicht UTF-8-kodiert (Byte {exc.start}).") from exc
    except Exception as exc:  # rdflib raises several parser exception types
        message = str(exc)
        why = getattr(exc, "_why", None)
        line_no = getattr(exc, "lines", None)
        if line_no is not None:
            line_no += 1  # rdflib counts completed lines
        else:
            found = re.search(r"line (\d+)", message)
            line_no = int(found.group(1)) if found else None
        where = f"{path_label}:{line_no}" if line_no else path_label
        detail = why or (message.strip().splitlines()[0] if message.strip() else type(exc).__name__)
        raise DataError(f"{where}: Turtle-Syntaxfehler: {detail}") from exc
    return graph


def load_data(files: list[Path] | None = None) -> Graph:
    """Parse all data files into one graph."""
    graph = Graph()
    for path in files if files is not None else data_files():
        parse_turtle(path, graph)
    return graph


def load_ontology() -> Graph:
    """Parse ``ontology/kik.ttl``."""
    return parse_turtle(PATHS.ontology)


def fingerprint(files: list[Path] | None = None) -> str:
    """A hash over the data files and the vocabulary; a change means the store must be rebuilt."""
    digest = hashlib.sha256()
    for path in [*(files if files is not None else data_files()), PATHS.ontology]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()
