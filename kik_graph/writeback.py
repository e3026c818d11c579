"""Writing the store's KIK graph back to ``graph_data/`` as deterministic, sorted Turtle.

- Partitioning stays as it is: a statement already in a file stays there; a new statement goes to the file that
  holds other statements of the same subject and property, else the file where its subject is declared, else
  the file for its kind of resource (:data:`FILE_RULES`, e.g. new responsibilities → ``responsibilities.ttl``).
- Only files whose content changed are rewritten (rdflib's sorted Turtle, with the file's leading comment block
  kept), so unchanged files stay byte-for-byte as they are, and writing twice changes nothing.
- All changed files are written to temporary files first and renamed over the old ones only when every one of
  them is complete: a full disk leaves ``graph_data/`` exactly as it was (never some files new, others old).
- Edits not yet written back are marked in the office graph (``kik:pendingChange``). If ``graph_data/`` changed
  in the meantime (e.g. ``git pull``), the pending changes are replayed onto the new files (a rebase) instead of
  overwriting them; statements that the other side already changed are reported.
- Afterwards the store records the new fingerprint and clears the pending marks, so the next start does not
  reload anything.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kik_graph import graphdata
from kik_graph.config import PATHS
from kik_graph.editing.history import META, datetime_literal, get_change, parse_datetime, pending_changes, utc_now
from kik_graph.editing.state import canonical_literals, parse_lines, triple_lines
from kik_graph.namespaces import GRAPH_KIK, GRAPH_OFFICE, KIK, PREFIXES
from kik_graph.store import GRAPH_META, describe_os_error, stored_fingerprint
from kik_graph.store.base import GraphStore, StoreError

log = logging.getLogger("kik_graph.writeback")

_ID = "https://w3id.org/kik-graph/id/"
#: Files for new resources by IRI path (first segment after the id base).
FILE_RULES: dict[str, str] = {
    "quelle": "kik-document.ttl", "schema": "kik-document.ttl", "handlungsfeld": "kik-document.ttl",
    "querschnittsthema": "kik-document.ttl", "nap-phase": "kik-document.ttl", "phasenzuordnung": "kik-document.ttl",
    "ziel": "goals-measures.ttl", "massnahme": "goals-measures.ttl", "zielgruppe": "target-groups.ttl",
    "akteurskategorie": "actors.ttl", "organisation": "actors.ttl", "gremium": "actors.ttl", "funktion": "actors.ttl",
    "organisationstyp": "actors.ttl", "gremientyp": "actors.ttl", "zustaendigkeit": "responsibilities.ttl",
    "stadtbezirk": "districts-figures.ttl", "kennzahl": "districts-figures.ttl",
    "umsetzungsstand": "implementation.ttl", "kenngroesse": "implementation.ttl",
    "angebot": "services.ttl", "angebotskategorie": "service-taxonomy.ttl",
}
FALLBACK_FILE = "office-additions.ttl"
#: Prefixes used when serialising (the id base stays written out, as in the seed files).
_BIND = {k: v for k, v in PREFIXES.items() if k not in ("kikd", "kikg")}
_BIND.update({"m8g": "http://data.europa.eu/m8g/", "adms": "http://www.w3.org/ns/adms#"})


@dataclass
class WritebackResult:
    """What a write-back did."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rebased: bool = False
    replayed: int = 0
    warnings: list[str] = field(default_factory=list)
    triples: int = 0

    def text(self) -> str:
        """A readable summary."""
        lines = []
        if self.rebased:
            lines.append(f"graph_data/ hatte sich geändert: {self.replayed} Änderung(en) des Amts wurden auf den "
                         "neuen Stand übertragen.")
        lines.append(f"Geschrieben: {', '.join(self.written) or 'nichts (keine Änderungen)'}")
        lines.extend(f"Hinweis: {w}" for w in self.warnings)
        return "\n".join(lines)


# --------------------------------------------------------------------------- partitioning

def _resource_kind(node: URIRef) -> str:
    text = str(node).split("#", 1)[0]
    return text[len(_ID):].split("/", 1)[0] if text.startswith(_ID) else ""


def partition(graph, existing: dict[str, set]) -> dict[str, set]:
    """Split ``graph`` into files following the existing partitioning (see module docstring)."""
    triple_file: dict[tuple, str] = {}
    sp_file: dict[tuple, str] = {}
    subject_file: dict[object, str] = {}
    for name in sorted(existing):
        for t in existing[name]:
            triple_file.setdefault(t, name)
            sp_file.setdefault((t[0], t[1]), name)
            if t[1] == RDF.type:
                subject_file.setdefault(t[0], name)
        for t in existing[name]:
            subject_file.setdefault(t[0], name)  # only used when the subject has no rdf:type anywhere
    out: dict[str, set] = defaultdict(set)
    bnode_parent: dict[BNode, str] = {}
    pending_bnodes = []
    for t in sorted(graph, key=lambda t: tuple(str(x) for x in t)):  # any iterable of triples
        s, p, o = t
        name = triple_file.get(t) or sp_file.get((s, p))
        if name is None and isinstance(s, BNode):
            pending_bnodes.append(t)
            continue
        if name is None:
            name = subject_file.get(s)
        if name is None and isinstance(s, URIRef) and "#" in str(s):
            name = subject_file.get(URIRef(str(s).split("#", 1)[0]))
        if name is None:
            name = FILE_RULES.get(_resource_kind(s), FALLBACK_FILE)
        out[name].add(t)
        if isinstance(o, BNode):
            bnode_parent.setdefault(o, name)
    while pending_bnodes:  # blank nodes go with the statement that points to them
        rest = []
        for t in pending_bnodes:
            name = bnode_parent.get(t[0])
            if name is None:
                rest.append(t)
                continue
            out[name].add(t)
            if isinstance(t[2], BNode):
                bnode_parent.setdefault(t[2], name)
        if len(rest) == len(pending_bnodes):
            for t in rest:
                out[FALLBACK_FILE].add(t)
            break
        pending_bnodes = rest
    for name in existing:
        out.setdefault(name, set())
    return dict(out)


def leading_comment(text: str) -> str:
    """The comment block at the top of a Turtle file (kept when the file is rewritten)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#") or (lines and not line.strip()):
            lines.append(line)
            continue
        break
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n\n" if lines else ""


def serialise(graph: Graph, header: str = "") -> str:
    """Deterministic, sorted Turtle of ``graph`` (rdflib's serializer) after ``header``."""
    out = Graph(bind_namespaces="none")
    for prefix, ns in sorted(_BIND.items()):
        out.bind(prefix, ns)
    for t in graph:
        out.add(t)
    return header + out.serialize(format="turtle")


def _write_all(directory: Path, texts: dict[str, str]) -> None:
    """Write all ``texts`` (file name → content) into ``directory`` as one step, as far as a file system allows.

    Every file is first written completely to a temporary file next to it (this is where a full disk or a file
    size limit strikes); only when all of them are written are they renamed over the old files, one ``rename``
    each. A failure while writing removes the temporary files and changes no file: ``graph_data/`` is never left
    with some files new and others old because the disk was full.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in texts.items():
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
            staged.append((name, Path(tmp)))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        for _name, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise StoreError(f"{directory}: graph_data/ konnte nicht geschrieben werden ({describe_os_error(exc)}). "
                         "Es wurde keine Datei geändert; die Änderungen bleiben im Speicher.") from exc
    except BaseException:
        for _name, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for name, tmp in staged:
        os.replace(tmp, directory / name)


# --------------------------------------------------------------------------- rebase

def replay_pending(store: GraphStore, base: Graph) -> tuple[Graph, int, list[str]]:
    """Apply the store's pending changes (oldest first) to ``base``; return the result, count and warnings."""
    merged = Graph()
    for t in base:
        merged.add(t)
    warnings: list[str] = []
    changes = [get_change(store, c) for c in pending_changes(store)]
    changes = sorted((c for c in changes if c is not None), key=lambda c: parse_datetime(c.time))
    for record in changes:
        for rev in record.revisions:
            for t in parse_lines("\n".join(rev.removed)):
                if t not in merged and not any(isinstance(x, BNode) for x in t):
                    warnings.append(f"„{record.summary}“: {t[0]} {t[1]} wurde in graph_data/ inzwischen "
                                    "ebenfalls geändert – bitte prüfen.")
                merged.remove(t)
            for t in parse_lines("\n".join(rev.added)):
                merged.add(t)
    return merged, len(changes), sorted(set(warnings))


# --------------------------------------------------------------------------- write-back

def writeback(store: GraphStore, directory: Path | None = None, *, now: dt.datetime | None = None,
              check: bool = False) -> WritebackResult:
    """Write the store's KIK graph to ``directory`` (default graph_data/); see the module docstring.

    With ``check`` nothing is written; the result lists the files that would change.
    """
    directory = Path(directory or PATHS.graph_data)
    files = graphdata.data_files(directory)
    if not files:
        raise StoreError(f"{directory}: keine Turtle-Dateien – das ist kein graph_data/-Verzeichnis.")
    existing_text = {p.name: p.read_text(encoding="utf-8") for p in files}
    raw = {p.name: graphdata.parse_turtle(p) for p in files}
    lexical = canonical_literals(o for g in raw.values() for o in g.objects() if isinstance(o, Literal))
    original = {canon: lit for lit, canon in lexical.items()}  # keep the files' own spelling (e.g. "2.0")
    existing = {name: _apply(g, lexical) for name, g in raw.items()}  # sets of canonical triples
    result = WritebackResult()
    data = store.graph(str(GRAPH_KIK))
    if stored_fingerprint(store) not in (None, graphdata.fingerprint(files)):
        base = Graph()
        for triples in existing.values():
            for t in triples:
                base.add(t)
        data, result.replayed, result.warnings = replay_pending(store, base)
        result.rebased = True
        if not check:
            _validate_merged(store, data)
    result.triples = len(data)
    parts = partition(data, existing)
    texts: dict[str, str] = {}
    for name in sorted(parts):
        triples = parts[name]
        if name in existing and _same(triples, existing[name]):
            result.unchanged.append(name)
            continue
        if name not in existing and not triples:
            continue
        result.written.append(name)
        if not check:
            header = leading_comment(existing_text[name]) if name in existing else _new_file_header(name)
            texts[name] = serialise(_graph(_apply(triples, original)), header)
    if not check:
        _write_all(directory, texts)
        _mark_written(store, data if result.rebased else None, graphdata.fingerprint(graphdata.data_files(directory)),
                      now or utc_now())
    return result


def _apply(triples, mapping: dict[Literal, Literal]) -> set:
    return {(s, p, mapping.get(o, o) if isinstance(o, Literal) else o) for s, p, o in triples}


def _graph(triples) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add(t)
    return graph


def _same(a: set, b: set) -> bool:
    """Equal sets of statements (isomorphism when blank nodes are involved)."""
    if any(isinstance(x, BNode) for t in a | b for x in t):
        return isomorphic(_graph(a), _graph(b))
    return a == b


def _new_file_header(name: str) -> str:
    if name == "implementation.ttl":
        return ("# Umsetzungsstand der Maßnahmen und Kenngrößen der Ziele – vom Amt für Integration erfasst\n"
                "# Implementation status of the measures and indicators of the goals, recorded by the integration office.\n"
                "# Written by `kik-graph writeback`; edit in the app or with the CLI.\n\n")
    return "# Written by `kik-graph writeback`.\n\n"


def _validate_merged(store: GraphStore, data: Graph) -> None:
    """SHACL-check the resources the replayed changes touch, in the merged graph."""
    from kik_graph.editing.validation import states_in, validate_states

    touched = {rev.resource for c in pending_changes(store) if (record := get_change(store, c)) is not None
               for rev in record.revisions}
    problems = validate_states(data, states_in(data, touched))
    if problems:
        raise StoreError("Nach dem Zusammenführen mit dem geänderten graph_data/ sind die Daten ungültig; es wurde "
                         "nichts geschrieben.\n" + "\n".join(f"  - {p}" for p in problems))


def _mark_written(store: GraphStore, replaced: Graph | None, fingerprint: str, moment: dt.datetime) -> None:
    """Record the new fingerprint, clear the pending marks (and replace the KIK graph after a rebase): one update."""
    meta = Graph()
    meta.add((GRAPH_META, KIK.fingerprint, Literal(fingerprint)))
    office = Graph()
    office.add((META, KIK.lastWriteback, datetime_literal(moment)))
    parts = [f"DROP SILENT GRAPH <{GRAPH_META}>",
             f"DELETE WHERE {{ GRAPH <{GRAPH_OFFICE}> {{ <{META}> <{KIK.pendingChange}> ?c }} }}",
             f"DELETE WHERE {{ GRAPH <{GRAPH_OFFICE}> {{ <{META}> <{KIK.lastWriteback}> ?t }} }}"]
    if replaced is not None:
        parts.append(f"DROP SILENT GRAPH <{GRAPH_KIK}>")
    inserts = [f"GRAPH <{GRAPH_META}> {{\n" + "\n".join(triple_lines(meta)) + "\n}",
               f"GRAPH <{GRAPH_OFFICE}> {{\n" + "\n".join(triple_lines(office)) + "\n}"]
    if replaced is not None:
        inserts.append(f"GRAPH <{GRAPH_KIK}> {{\n" + "\n".join(triple_lines(replaced)) + "\n}")
    parts.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
    store.update(" ;\n".join(parts))


def needs_writeback(store: GraphStore) -> bool:
    """True when the store holds edits not yet written back."""
    return bool(pending_changes(store))


__all__ = ["FILE_RULES", "WritebackResult", "leading_comment", "needs_writeback", "partition", "replay_pending",
           "serialise", "writeback"]
