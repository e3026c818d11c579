"""The main tables for office staff as CSV (one file per table) and one Excel workbook (one sheet per table).

Input is the public graph (after the privacy filter) plus the vocabulary for role labels, so the tables contain
exactly what the open data contains. CSV files are UTF-8 with BOM and ``;`` as separator (opens correctly in a
German Excel); cells that a spreadsheet would run as a formula are neutralised in both formats.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from kik_graph.directory.model import services_in
from kik_graph.export.files import write_atomic
from kik_graph.export.rdf import INTERNAL_BASE, normalise_base
from kik_graph.namespaces import GRAPH_ONTOLOGY, KIK, SCHEMA
from kik_graph.output import neutralise_formula
from kik_graph.store.base import GraphStore

WORKBOOK = "kik-tabellen.xlsx"
_MAX_CELL = 32000  # Excel's limit is 32,767 characters per cell
_XLSX_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Table:
    """One table: a file/sheet name, column headers and rows of strings."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]


def _label(g: Graph, node, lang: str = "de") -> str:
    if node is None:
        return ""
    values = [o for o in g.objects(node, SKOS.prefLabel) if isinstance(o, Literal)] or \
        [o for o in g.objects(node, RDFS.label) if isinstance(o, Literal)]
    for value in values:
        if value.language == lang:
            return str(value)
    return str(values[0]) if values else str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _text(g: Graph, node, prop) -> str:
    values = [o for o in g.objects(node, prop) if isinstance(o, Literal)]
    german = [v for v in values if v.language in ("de", None)]
    return " | ".join(sorted(str(v) for v in (german or values)))


def _num(g: Graph, node, prop) -> int:
    value = g.value(node, prop)
    try:
        return int(value.toPython()) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _join(values) -> str:
    return " | ".join(sorted({v for v in values if v}))


def measure_order(g: Graph, measure) -> tuple[int, int, int]:
    """Sort key: field number, goal number, measure number."""
    field = g.value(measure, KIK.field)
    goal = g.value(measure, KIK.goal)
    return (_num(g, field, KIK.number), _num(g, goal, KIK.number), _num(g, measure, KIK.number))


def rebase_tables(tables: list[Table], base: str) -> list[Table]:
    """``tables`` with every internal IRI in an ``IRI`` column moved under ``base`` (as ``export --base`` does for the
    RDF and HSDS files), so that a resource has the same IRI in every export. ``base`` must be normalised."""
    if base == INTERNAL_BASE:
        return tables
    for table in tables:
        for index, column in enumerate(table.columns):
            if column != "IRI":
                continue
            for row in table.rows:
                if row[index].startswith(INTERNAL_BASE):
                    row[index] = base + row[index][len(INTERNAL_BASE):]
    return tables


def build_tables(public: Graph, vocabulary: Graph | None = None, *, base: str = INTERNAL_BASE) -> list[Table]:
    """The office tables from the public graph; IRIs under ``base`` (normalised, see
    :func:`kik_graph.export.rdf.normalise_base`; default: the internal base)."""
    return rebase_tables(_build_tables(public, vocabulary), base)


def _build_tables(public: Graph, vocabulary: Graph | None = None) -> list[Table]:
    g = Graph()
    g += public
    if vocabulary is not None:
        g += vocabulary
    responsibilities = defaultdict(list)
    for r in public.subjects(RDF.type, KIK.Responsibility):
        responsibilities[g.value(r, KIK.measure)].append(r)

    measures = sorted(public.subjects(RDF.type, KIK.Measure), key=lambda m: measure_order(g, m))
    measure_rows = []
    for m in measures:
        roles = defaultdict(list)
        for r in responsibilities.get(m, []):
            roles[g.value(r, KIK.role)].append(_label(g, g.value(r, KIK.actor)))
        goal, field = g.value(m, KIK.goal), g.value(m, KIK.field)
        measure_rows.append([
            str(g.value(m, SKOS.notation) or ""), str(g.value(field, KIK.code) or ""), _label(g, field),
            str(g.value(goal, SKOS.notation) or ""), _text(g, m, KIK.text),
            _join(_label(g, t) for t in g.objects(m, KIK.targetGroup)),
            _join(roles.get(KIK.Lead, [])), _join(roles.get(KIK.Partner, [])), str(m)])

    goals = sorted(public.subjects(RDF.type, KIK.Goal),
                   key=lambda x: (_num(g, g.value(x, KIK.field), KIK.number), _num(g, x, KIK.number)))
    goal_rows = [[str(g.value(x, SKOS.notation) or ""), str(g.value(g.value(x, KIK.field), KIK.code) or ""),
                  _text(g, x, KIK.text), str(sum(1 for _ in public.subjects(KIK.goal, x))), str(x)] for x in goals]

    actor_types = (KIK.Organisation, KIK.GovernanceBody, KIK.ActorCategory, KIK.Post)
    actors = sorted({a for t in actor_types for a in public.subjects(RDF.type, t)}, key=lambda a: _label(g, a))
    lead_count, partner_count = defaultdict(int), defaultdict(int)
    for rs in responsibilities.values():
        for r in rs:
            counter = lead_count if g.value(r, KIK.role) == KIK.Lead else partner_count
            counter[g.value(r, KIK.actor)] += 1
    actor_rows = []
    for a in actors:
        kinds = [_label(g, t) for t in public.objects(a, RDF.type) if t in actor_types]
        actor_rows.append([_label(g, a), _join(kinds), _label(g, g.value(a, KIK.organisationType))
                           if g.value(a, KIK.organisationType) else "",
                           _label(g, g.value(a, ORG.unitOf)) if g.value(a, ORG.unitOf) else "",
                           _join(_label(g, c) for c in g.objects(a, KIK.inCategory)), _text(g, a, KIK.annexLabel),
                           str(lead_count[a]), str(partner_count[a]), str(a)])

    resp_rows = []
    for m in measures:
        for r in sorted(responsibilities.get(m, []), key=lambda r: _label(g, g.value(r, KIK.actor))):
            resp_rows.append([str(g.value(m, SKOS.notation) or ""), _label(g, g.value(r, KIK.actor)),
                              _label(g, g.value(r, KIK.role)), _text(g, r, KIK.provenanceNote),
                              _label(g, g.value(r, DCTERMS.source)) if g.value(r, DCTERMS.source) else "",
                              str(g.value(r, DCTERMS.date) or ""), _text(g, r, KIK.sourceLocator)])

    service_rows = []
    for s in services_in(public):
        address = "; ".join(a.one_line() for a in s.addresses if a.kind == "visiting")
        service_rows.append([
            s.name, _join(_label(g, URIRef(p)) for p in s.providers),
            _join(_label(g, URIRef(c)) for c in s.categories), _join(_label(g, URIRef(t)) for t in s.target_groups),
            ", ".join(s.languages), s.telephone, s.email, s.website, address,
            _label(g, URIRef(s.district)) if s.district else "", " | ".join(s.opening_hours),
            s.last_verified.isoformat() if s.last_verified else "", s.iri])

    districts = sorted(public.subjects(RDF.type, KIK.District), key=lambda d: str(g.value(d, KIK.districtCode)))
    district_rows = [[str(g.value(d, KIK.districtCode) or ""), _label(g, d),
                      _label(g, g.value(d, SCHEMA.containedInPlace)) if g.value(d, SCHEMA.containedInPlace) else "",
                      str(d)] for d in districts]
    figures = sorted(public.subjects(RDF.type, KIK.KeyFigure), key=lambda f: _label(g, f))
    figure_rows = [[_label(g, f), str(g.value(f, RDF.value) or ""), str(g.value(f, KIK.unit) or ""),
                    str(g.value(f, DCTERMS.date) or ""), _text(g, f, KIK.sourceLocator), str(f)] for f in figures]

    return [
        Table("massnahmen", "Maßnahmen",
              ["Nummer", "Handlungsfeld", "Handlungsfeld (Name)", "Ziel", "Text", "Zielgruppen", "federführend",
               "beteiligt", "IRI"], measure_rows),
        Table("ziele", "Ziele", ["Nummer", "Handlungsfeld", "Text", "Maßnahmen", "IRI"], goal_rows),
        Table("akteure", "Akteur*innen",
              ["Name", "Art", "Organisationstyp", "übergeordnet", "Akteurskategorien", "Eintrag im Anhang",
               "federführend (Anzahl)", "beteiligt (Anzahl)", "IRI"], actor_rows),
        Table("zustaendigkeiten", "Zuständigkeiten",
              ["Maßnahme", "Akteur*in", "Rolle", "Herkunft", "Quelle", "Datum", "Fundstelle"], resp_rows),
        Table("angebote", "Angebote",
              ["Name", "Anbieter", "Kategorien", "Zielgruppen", "Sprachen", "Telefon", "E-Mail", "Website",
               "Anschrift", "Stadtbezirk", "Öffnungszeiten", "zuletzt geprüft", "IRI"], service_rows),
        Table("stadtbezirke", "Stadtbezirke", ["Nummer", "Name", "liegt in", "IRI"], district_rows),
        Table("kennzahlen", "Kennzahlen", ["Kennzahl", "Wert", "Einheit", "Stichtag", "Fundstelle", "IRI"],
              figure_rows),
    ]


def _cell(value: str) -> str:
    value = neutralise_formula(value)
    return value if len(value) <= _MAX_CELL else value[: _MAX_CELL - 1] + "…"


def write_csv(table: Table, out_dir: Path) -> Path:
    """One table as ``<name>.csv`` (UTF-8 with BOM, ``;``-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    path = out_dir / f"{table.name}.csv"
    write_atomic(path, buffer.getvalue(), encoding="utf-8-sig")
    return path


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """All tables as one Excel workbook (header bold, frozen, with filter)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet("".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            # XLSX cannot hold C0 controls (openpyxl refuses them) or U+FFFE/U+FFFF (unreadable sheet)
            sheet.append([_XLSX_INVALID.sub("", _cell(v)) for v in row])
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(table.columns, start=1):
            width = max([len(column)] + [len(r[index - 1]) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(index)].width = min(80, max(10, width + 2))
    data = io.BytesIO()
    workbook.save(data)
    write_atomic(path, data.getvalue())
    return path


def write_tables(store: GraphStore, out_dir: Path, say: Callable[[str], None] | None = None, *,
                 base: str | None = None) -> list[Path]:
    """Write every table as CSV and all of them as one workbook into ``out_dir``; return the files.

    ``base`` is the base IRI of the resources as in ``export --base`` (default: the internal base); a bad base is
    refused (:class:`~kik_graph.terms.InvalidInput`) before anything is written.
    """
    from kik_graph.export.privacy import public_graph

    base = normalise_base(base)
    say = say or (lambda _msg: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    say("Öffentliche Daten auslesen (Datenschutzfilter) …")
    tables = build_tables(public_graph(store), store.graph(str(GRAPH_ONTOLOGY)), base=base)
    paths = [write_csv(t, out_dir) for t in tables]
    paths.append(write_xlsx(tables, out_dir / WORKBOOK))
    for t in tables:
        say(f"{t.title}: {len(t.rows)} Zeilen")
    return paths
