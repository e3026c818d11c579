"""Named SPARQL queries from ``queries/*.rq`` and their typed parameters.

Each file starts with a header of ``#`` comment lines::

    # title: Akteur*innen einer Maßnahme
    # description: Wer ist für die Maßnahme zuständig, mit welcher Rolle und Quelle.
    # param: measure measure required  Maßnahmennummer wie SB-7.2

``param`` lines give name, kind (see :data:`PARAM_KINDS`), ``required`` or ``optional`` and a description.
Values are turned into RDF terms by :mod:`kik_graph.params` and bound as terms, never pasted into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kik_graph.config import PATHS
from kik_graph.terms import shorten

PARAM_KINDS = ("field", "measure", "goal", "phase", "group", "actor", "text", "iri", "integer")


@dataclass(frozen=True)
class Param:
    """One declared query parameter."""

    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query file with its parsed header."""

    name: str
    title: str
    description: str
    sparql: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        """The declared parameter ``name``, if any."""
        return next((p for p in self.params if p.name == name), None)


class QueryNotFound(KeyError):
    """No query of that name exists."""


def parse_query_file(path: Path) -> NamedQuery:
    """Parse one ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(\w+):\s*(.*)$", line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "param":
            parts = value.split(None, 3)
            if len(parts) < 3 or parts[1] not in PARAM_KINDS or parts[2] not in ("required", "optional"):
                raise ValueError(f"{path}: ungültige param-Zeile: {line}")
            params.append(Param(parts[0], parts[1], parts[2] == "required", parts[3] if len(parts) > 3 else ""))
        else:
            meta[key] = value
    if "title" not in meta:
        raise ValueError(f"{path}: Kopfkommentar ohne 'title:'")
    return NamedQuery(name=path.stem, title=meta["title"], description=meta.get("description", ""), sparql=text,
                      params=tuple(params), path=path)


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(Path(directory).glob("*.rq"))}


def all_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    """All named queries keyed by name."""
    return dict(_load(str(directory or PATHS.queries)))


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """The named query ``name`` or :class:`QueryNotFound` with the list of known names."""
    queries = all_queries(directory)
    if name not in queries:
        raise QueryNotFound(f"Unbekannte Abfrage {shorten(name)!r}. Verfügbar: {', '.join(sorted(queries))}")
    return queries[name]
