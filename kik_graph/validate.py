"""SHACL validation of the KIK data against ``ontology/shapes.ttl`` with reports people can read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from kik_graph.config import PATHS
from kik_graph.graphdata import DataError, data_files, load_ontology, parse_turtle


@dataclass
class Problem:
    """One SHACL result: where (file, node, property), what (message) and how bad (severity)."""

    file: str
    node: str
    path: str
    message: str
    severity: str
    value: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.node}" + (f" – {self.path}" if self.path else "")
        value = f" (Wert: {self.value})" if self.value else ""
        return f"[{self.severity}] {where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of a validation run."""

    conforms: bool
    problems: list[Problem]

    def text(self) -> str:
        """A readable report, one problem per line."""
        if self.conforms:
            return "Die Daten sind gültig (SHACL: keine Verstöße)."
        return "\n".join([f"{len(self.problems)} Problem(e) gefunden:", *map(str, self.problems)])


def _short(term: object) -> str:
    text = str(term)
    for prefix, short in (("https://w3id.org/kik-graph/id/", "kikd:"), ("https://w3id.org/kik-graph/vocab#", "kik:")):
        if text.startswith(prefix):
            return short + text[len(prefix):]
    return text


@lru_cache(maxsize=1)
def _class_hierarchy() -> Graph:
    hierarchy = Graph()
    for sub, sup in load_ontology().subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            hierarchy.add((sub, RDFS.subClassOf, sup))
    return hierarchy


def class_hierarchy() -> Graph:
    """The vocabulary's rdfs:subClassOf links between named classes.

    SHACL follows rdfs:subClassOf in the data graph for sh:targetClass and sh:class, so adding these few triples
    gives the effect of RDFS inference on types without copying the whole vocabulary into the data.
    """
    return _class_hierarchy()


def load_shapes() -> Graph:
    """The SHACL shapes of ``ontology/shapes.ttl``."""
    return parse_turtle(PATHS.shapes)


def validate_graph(data: Graph, subject_files: dict[URIRef, str] | None = None, shapes: Graph | None = None) -> Report:
    """Validate ``data`` (the vocabulary is used for class hierarchy); map nodes back to files where known."""
    conforms, results, _ = shacl_validate(data + class_hierarchy(), shacl_graph=shapes or load_shapes(),
                                          inference="none", advanced=True, allow_warnings=True)
    if not isinstance(results, Graph):
        raise DataError(f"Die SHACL-Prüfung konnte nicht laufen: {results}")
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        node = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        value = results.value(result, SH.value)
        problems.append(Problem(
            file=(subject_files or {}).get(node, "?"), node=_short(node), path=_short(path) if path else "",
            message=str(message) if message else "Verstoß gegen eine SHACL-Regel",
            severity=_short(severity).rsplit("#", 1)[-1] if severity else "Violation",
            value=_short(value) if value is not None and value != node else ""))
    problems.sort(key=lambda p: (p.file, p.node, p.path, p.message))
    violations = [p for p in problems if p.severity == "Violation"]
    return Report(conforms=bool(conforms) or not violations, problems=problems)


def validate_files(files: list[Path] | None = None) -> Report:
    """Parse and validate data files (default: all of graph_data/). Turtle errors raise DataError.

    A file that is one of graph_data/ – or stands in for one, by its name (an edited copy) – is checked together
    with the rest of graph_data/, because its statements refer to resources defined there (a responsibility to its
    measure, a measure to its goal). Other files are checked on their own. The report names the file of each node.
    """
    named = files if files is not None else data_files()
    if not named:
        raise DataError("Keine Turtle-Dateien zum Prüfen gefunden.")
    data = Graph()
    subject_files: dict[URIRef, str] = {}
    for path in [*named, *(_context(named) if files is not None else [])]:
        part = parse_turtle(path)
        for s in set(part.subjects()):
            subject_files.setdefault(s, path.name)
        data += part
    return validate_graph(data, subject_files)


def _context(files: list[Path]) -> list[Path]:
    """The rest of graph_data/ when one of ``files`` is (or stands in for) one of its files; else nothing."""
    names = {f.name for f in files}
    known = data_files()
    if not names & {p.name for p in known}:
        return []
    return [p for p in known if p.name not in names]
