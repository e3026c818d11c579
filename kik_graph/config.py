"""Where kik-graph finds its data, vocabulary, queries and store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("KIK_GRAPH_HOME", Path(__file__).resolve().parent.parent))


@dataclass(frozen=True)
class Paths:
    """The project's file locations (all overridable for tests)."""

    root: Path = PROJECT_ROOT
    graph_data: Path = PROJECT_ROOT / "graph_data"
    ontology: Path = PROJECT_ROOT / "ontology" / "kik.ttl"
    shapes: Path = PROJECT_ROOT / "ontology" / "shapes.ttl"
    queries: Path = PROJECT_ROOT / "queries"


PATHS = Paths()


def default_store_path() -> Path:
    """The store location: ``KIK_GRAPH_STORE`` or ``var/store`` in the project."""
    return Path(os.environ.get("KIK_GRAPH_STORE", PROJECT_ROOT / "var" / "store"))


def remote_endpoint() -> str | None:
    """The remote SPARQL endpoint from ``KIK_GRAPH_ENDPOINT``, if one is configured."""
    value = os.environ.get("KIK_GRAPH_ENDPOINT", "").strip()
    return value or None


def memory_mirror() -> bool:
    """Whether the embedded store answers reads from a copy in memory (``KIK_GRAPH_MEMORY_MIRROR``, default on;
    ``0``/``nein``/``off`` switches it off, e.g. for a store too large for the machine's memory)."""
    return os.environ.get("KIK_GRAPH_MEMORY_MIRROR", "1").strip().lower() not in ("0", "nein", "no", "off", "false")
