"""The four import kinds: columns, templates, export of the current data, and building one transaction per file.

An import is all-or-nothing: every row is checked, every problem is collected with row and column, and only a
file without problems is committed – as ONE transaction (one history entry) through
:func:`kik_graph.editing.transaction.commit`, which also SHACL-validates every resource the file touches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kik_graph.directory import model as dm
from kik_graph.editing.errors import EditProblem, EditRejected
from kik_graph.editing.operations import (
    IndicatorInput,
    build_assign,
    build_indicator,
    build_status,
    build_unassign,
    ensure_office_source,
    resolve_actor,
    resolve_goal,
    resolve_measure,
)
from kik_graph.editing.transaction import ResourceChange, Transaction
from kik_graph.editing.vocab import (
    OFFICE_SOURCE,
    ROLE_LABELS,
    STATUS_LABELS,
    parse_date,
    parse_role,
    parse_status,
)
from kik_graph.i18n import LANGUAGES
from kik_graph.namespaces import KIK, KIKD
from kik_graph.params import resolve
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput, clean_text, is_iri, shorten

from .tables import Table, normalise_header


@dataclass(frozen=True)
class Column:
    """One column of an import table."""

    name: str
    description: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class RowContext:
    """State while building an import: the transaction, all problems, which row touched which resource."""

    store: GraphStore
    tx: Transaction
    today: dt.date
    problems: list[EditProblem] = field(default_factory=list)
    seen: dict[URIRef, int] = field(default_factory=dict)

    def problem(self, row: int, column: str, message: str) -> None:
        """Record a problem of one cell (or of the row when ``column`` is empty)."""
        self.problems.append(EditProblem(message=message, row=row, column=column))

    def take(self, row: int, column: str, fn: Callable[[], object]) -> object:
        """Run ``fn``; an InvalidInput becomes a problem of this cell and None is returned."""
        try:
            return fn()
        except InvalidInput as exc:
            self.problem(row, column, _strip_field(str(exc)))
            return None

    def merge(self, row: int, sub: Transaction, columns: dict[URIRef, str]) -> None:
        """Add the changes of one row (a resource touched by two rows is a problem)."""
        for change in sub.changes:
            if change.resource == OFFICE_SOURCE:
                self.tx.add(change)
                continue
            first = self.seen.get(change.resource)
            if first is not None:
                self.problem(row, "", f"betrifft dasselbe wie Zeile {first} – bitte zusammenfassen")
                continue
            self.seen[change.resource] = row
            change.origin = (row, columns)
            self.tx.add(change)
        self.problems.extend(replace(p, row=row) for p in sub.problems)


def _strip_field(message: str) -> str:
    return message.split(": ", 1)[1] if ": " in message and len(message.split(": ", 1)[0]) < 40 else message


@dataclass(frozen=True)
class ImportKind:
    """One kind of import."""

    name: str
    title: str
    columns: tuple[Column, ...]
    build_row: Callable[[RowContext, int, dict[str, str]], None]
    export_rows: Callable[[GraphStore], list[dict[str, str]]]

    @property
    def column_names(self) -> list[str]:
        """The canonical column names (template header)."""
        return [c.name for c in self.columns]


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


# --------------------------------------------------------------------------- responsibilities

def _resp_row(ctx: RowContext, row: int, cells: dict[str, str]) -> None:
    measure = ctx.take(row, "massnahme", lambda: resolve_measure(ctx.store, _required(cells, "massnahme")))
    actor = ctx.take(row, "akteur", lambda: resolve_actor(ctx.store, _required(cells, "akteur")))
    action = (cells.get("aktion") or "zuordnen").strip().casefold()
    if action not in ("zuordnen", "entfernen", "assign", "remove"):
        ctx.problem(row, "aktion", f"{shorten(action)!r} ist keine Aktion (zuordnen oder entfernen).")
        return
    remove = action in ("entfernen", "remove")
    role = None
    if cells.get("rolle", "").strip() or not remove:
        role = ctx.take(row, "rolle", lambda: parse_role(_required(cells, "rolle")))
        if role is None:
            return
    if measure is None or actor is None:
        return
    note = cells.get("notiz") if "notiz" in cells else None
    try:
        sub = build_unassign(ctx.store, measure, actor, role) if remove else \
            build_assign(ctx.store, measure, actor, role, note, today=ctx.today)
    except InvalidInput as exc:
        ctx.problem(row, "notiz" if "Notiz" in str(exc) else "", str(exc))
        return
    ctx.merge(row, sub, {KIK.measure: "massnahme", KIK.actor: "akteur", KIK.role: "rolle", KIK.internalNote: "notiz"})


def _required(cells: dict[str, str], column: str) -> str:
    value = (cells.get(column) or "").strip()
    if not value:
        raise InvalidInput(f"{column}: Wert fehlt.")
    return value


_RESP_EXPORT = """
SELECT ?measure ?notation ?actor ?actorLabel ?role ?note WHERE {
  ?r a kik:Responsibility ; kik:measure ?measure ; kik:actor ?actor ; kik:role ?role .
  ?measure skos:notation ?notation ; kik:field/kik:number ?fn ; kik:goal/kik:number ?gn ; kik:number ?mn .
  OPTIONAL { ?actor skos:prefLabel ?actorLabel FILTER(LANG(?actorLabel) = "de") }
  OPTIONAL { ?r kik:internalNote ?note }
} ORDER BY ?fn ?gn ?mn ?actorLabel
"""


def _resp_export(store: GraphStore) -> list[dict[str, str]]:
    return [{"massnahme": str(r["notation"]), "akteur": str(r["actor"]), "akteur_bezeichnung": str(r["actorLabel"] or ""),
             "rolle": "lead" if r["role"] == KIK.Lead else "partner", "notiz": str(r["note"] or ""),
             "aktion": "zuordnen"} for r in store.select(_RESP_EXPORT).rows]


RESPONSIBILITIES = ImportKind(
    name="responsibilities", title="Zuständigkeiten",
    columns=(
        Column("massnahme", "Maßnahmennummer wie SB-1.1", True, ("measure", "maßnahme")),
        Column("akteur", "Akteur*in: IRI oder genaue Bezeichnung (auch Eintrag im Anhang)", True,
               ("actor", "akteur*in", "akteurin")),
        Column("rolle", "lead/federführend oder partner/beteiligt (bei „entfernen“ optional)", False, ("role",)),
        Column("notiz", "interne Notiz (optional; leer löscht eine vorhandene Notiz, fehlende Spalte lässt sie)",
               False, ("note", "anmerkung")),
        Column("aktion", "zuordnen (Standard) oder entfernen", False, ("action",)),
        Column("akteur_bezeichnung", "nur zur Information (wird beim Import nicht ausgewertet)", False, ("actor_label",)),
    ),
    build_row=_resp_row, export_rows=_resp_export)


# --------------------------------------------------------------------------- statuses

def _status_row(ctx: RowContext, row: int, cells: dict[str, str]) -> None:
    measure = ctx.take(row, "massnahme", lambda: resolve_measure(ctx.store, _required(cells, "massnahme")))
    status = ctx.take(row, "status", lambda: parse_status(_required(cells, "status")))
    day = ctx.take(row, "datum", lambda: parse_date(cells.get("datum"), default=ctx.today))
    note = ctx.take(row, "notiz", lambda: clean_text(cells.get("notiz", ""), field="notiz", max_length=2000))
    if None in (measure, status, day, note):
        return
    sub = build_status(ctx.store, measure, status, day, note, today=ctx.today)
    ctx.merge(row, sub, {KIK.statusOf: "massnahme", KIK.status: "status", DCTERMS.date: "datum",
                         KIK.internalNote: "notiz"})


_STATUS_EXPORT = """
SELECT ?notation ?status ?date ?note WHERE {
  ?r a kik:StatusRecord ; kik:statusOf ?measure ; kik:status ?status ; dcterms:date ?date .
  ?measure skos:notation ?notation ; kik:field/kik:number ?fn ; kik:goal/kik:number ?gn ; kik:number ?mn .
  OPTIONAL { ?r kik:internalNote ?note }
} ORDER BY ?fn ?gn ?mn
"""


def _status_export(store: GraphStore) -> list[dict[str, str]]:
    return [{"massnahme": str(r["notation"]), "status": STATUS_LABELS.get(r["status"], str(r["status"])),
             "datum": str(r["date"]), "notiz": str(r["note"] or "")} for r in store.select(_STATUS_EXPORT).rows]


STATUSES = ImportKind(
    name="statuses", title="Umsetzungsstand",
    columns=(
        Column("massnahme", "Maßnahmennummer wie SB-1.1", True, ("measure", "maßnahme")),
        Column("status", "offen, geplant, in Umsetzung, umgesetzt, dauerhaft oder zurückgestellt", True,
               ("stand", "umsetzungsstand")),
        Column("datum", "Stand vom (JJJJ-MM-TT oder TT.MM.JJJJ; leer = heute)", False, ("date", "stand_vom")),
        Column("notiz", "interne Notiz (optional)", False, ("note", "anmerkung")),
    ),
    build_row=_status_row, export_rows=_status_export)


# --------------------------------------------------------------------------- indicators

_INDICATOR_COLUMNS = {"goal": "ziel", "name": "name", "unit": "einheit", "baseline": "ausgangswert",
                      "target": "zielwert", "current": "aktueller_wert", "date": "datum", "source": "quelle"}


def _indicator_row(ctx: RowContext, row: int, cells: dict[str, str]) -> None:
    problems: list[EditProblem] = []
    data = IndicatorInput(goal=cells.get("ziel", ""), name=cells.get("name", ""), unit=cells.get("einheit", ""),
                          baseline=cells.get("ausgangswert"), target=cells.get("zielwert"),
                          current=cells.get("aktueller_wert"), date=cells.get("datum"), source=cells.get("quelle", ""))
    if not data.goal.strip():
        ctx.problem(row, "ziel", "Wert fehlt.")
        return
    sub = build_indicator(ctx.store, data, problems=problems, columns=_INDICATOR_COLUMNS, row=row)
    ctx.problems.extend(replace(p, message=_strip_field(p.message)) for p in problems)
    if sub.changes:
        origin = next(c.origin for c in sub.changes if c.resource != OFFICE_SOURCE)
        ctx.merge(row, sub, dict(origin[1]) if origin else {})


_INDICATOR_EXPORT = """
SELECT ?goalNotation ?name ?unit ?baseline ?target ?current ?date ?source WHERE {
  ?i a kik:Indicator ; kik:indicatorFor ?goal ; skos:prefLabel ?name .
  ?goal skos:notation ?goalNotation ; kik:field/kik:number ?fn ; kik:number ?gn .
  OPTIONAL { ?i kik:measurementUnit ?unit } OPTIONAL { ?i kik:baselineValue ?baseline }
  OPTIONAL { ?i kik:targetValue ?target } OPTIONAL { ?i kik:currentValue ?current }
  OPTIONAL { ?i dcterms:date ?date } OPTIONAL { ?i kik:dataSource ?source }
} ORDER BY ?fn ?gn ?name
"""


def _indicator_export(store: GraphStore) -> list[dict[str, str]]:
    keys = ("goalNotation", "name", "unit", "baseline", "target", "current", "date", "source")
    names = ("ziel", "name", "einheit", "ausgangswert", "zielwert", "aktueller_wert", "datum", "quelle")
    return [{n: str(r[k] or "") for k, n in zip(keys, names, strict=True)} for r in store.select(_INDICATOR_EXPORT).rows]


INDICATORS = ImportKind(
    name="indicators", title="Kenngrößen",
    columns=(
        Column("ziel", "Zielnummer wie SB-Z1", True, ("goal",)),
        Column("name", "Name der Kenngröße (je Ziel eindeutig; gleicher Name aktualisiert)", True, ("kenngröße",)),
        Column("einheit", "Einheit, z.B. Personen oder Prozent", True, ("unit",)),
        Column("ausgangswert", "Zahl (optional), z.B. 120 oder 12,5", False, ("baseline",)),
        Column("zielwert", "Zahl (optional)", False, ("target",)),
        Column("aktueller_wert", "Zahl (optional; braucht ein Datum)", False, ("current", "aktuell")),
        Column("datum", "Stichtag des aktuellen Werts (JJJJ-MM-TT oder TT.MM.JJJJ)", False, ("date", "stichtag")),
        Column("quelle", "Datenquelle als Text (optional)", False, ("source", "datenquelle")),
    ),
    build_row=_indicator_row, export_rows=_indicator_export)


# --------------------------------------------------------------------------- services

_COST = {"kostenlos": "free", "free": "free", "kostenpflichtig": "fee", "fee": "fee", "gebühr": "fee"}
_ACCESS = {"offene sprechstunde": "walk-in", "ohne termin": "walk-in", "walk-in": "walk-in", "termin": "appointment",
           "nach vereinbarung": "appointment", "appointment": "appointment", "online": "online"}
_SERVICE_STATUS = {"aktiv": "active", "active": "active", "vorübergehend geschlossen": "temporarily-closed",
                   "temporarily-closed": "temporarily-closed", "beendet": "ended", "ended": "ended"}
_BOOL = {"ja": True, "yes": True, "true": True, "1": True, "nein": False, "no": False, "false": False, "0": False}
_I18N_LANGS = tuple(code for code in LANGUAGES if code != "de")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_SLUG = 100


def _code(table: dict[str, str], value: str, what: str) -> str:
    key = value.strip().casefold()
    if key not in table:
        raise InvalidInput(f"{what}: {shorten(value)!r} ist nicht erlaubt ({', '.join(sorted(set(table)))}).")
    return table[key]


def _category(store: GraphStore, value: str) -> str:
    text = clean_text(value, field="kategorien")
    if is_iri(text) and text.startswith("http"):
        return text
    rows = store.select("SELECT DISTINCT ?c WHERE { ?c a kik:ServiceCategory ; skos:prefLabel|skos:altLabel ?l "
                        "FILTER(LCASE(STR(?l)) = LCASE(STR(?label))) }", {"label": Literal(text)}).rows
    if len(rows) == 1:
        return str(rows[0]["c"])
    if not _SLUG.fullmatch(text.casefold()) or len(text) > _MAX_SLUG:
        raise InvalidInput(f"kategorien: {shorten(text)!r} ist keine bekannte Kategorie (Kennung, Bezeichnung oder IRI).")
    return dm.CATEGORY_BASE + text.casefold()  # a slug; SHACL reports it when there is no such category


def _district(value: str) -> str:
    text = clean_text(value, field="stadtbezirk")
    if is_iri(text) and text.startswith("http"):
        return text
    if not re.fullmatch(r"[0-9]{1,4}", text):  # not str.isdigit: "²" is a digit that int() refuses
        raise InvalidInput(f"stadtbezirk: {shorten(text)!r} ist keine Bezirksnummer.")
    return str(KIKD[f"stadtbezirk/{int(text)}"])


def _service_row(ctx: RowContext, row: int, cells: dict[str, str]) -> None:
    store = ctx.store
    slug = (cells.get("kennung") or "").strip() or dm.slugify(cells.get("name", ""))
    existing = None
    node = URIRef(dm.service_iri(slug)) if _SLUG.fullmatch(slug) and len(slug) <= _MAX_SLUG else None
    if node is None:
        ctx.problem(row, "kennung", f"{shorten(slug)!r} ist keine gültige Kennung (a-z, 0-9, Bindestrich; "
                                    f"höchstens {_MAX_SLUG} Zeichen).")
        return
    from kik_graph.editing.state import resource_state

    old = resource_state(store, node)
    if len(old):
        existing = dm.from_graph(old, str(node))
    service = existing or dm.Service(slug=slug, name="", description="", sources=[str(OFFICE_SOURCE)],
                                     source_locator=f"Amt für Integration, erfasst am {ctx.today.isoformat()}")
    changes: dict[str, object] = {}

    def text(column: str, attr: str, max_length: int = 2000) -> None:
        if column in cells:
            value = ctx.take(row, column, lambda: clean_text(cells[column], field=column, max_length=max_length))
            if value is not None:
                changes[attr] = value

    def many(column: str, attr: str, fn: Callable[[str], str]) -> None:
        if column in cells:
            values = [ctx.take(row, column, lambda v=v: fn(v)) for v in _split(cells[column])]
            if None not in values:
                changes[attr] = sorted(dict.fromkeys(str(v) for v in values))

    text("name", "name", 200)
    text("beschreibung", "description", 4000)
    many("anbieter", "providers", lambda v: str(resolve_actor(store, v, field="anbieter")))
    many("zustaendige_stelle", "competent_authorities", lambda v: str(resolve_actor(store, v, field="zustaendige_stelle")))
    many("kategorien", "categories", lambda v: _category(store, v))
    many("zielgruppen", "target_groups", lambda v: str(resolve("group", v, store, name="zielgruppen")))
    many("sprachen", "languages", lambda v: clean_text(v, field="sprachen").casefold())
    if "dolmetschen" in cells:
        value = cells["dolmetschen"].strip()
        changes["interpreter"] = None if not value else ctx.take(row, "dolmetschen", lambda: _bool(value))
    if "kosten" in cells:
        value = cells["kosten"].strip()
        changes["cost"] = None if not value else ctx.take(row, "kosten", lambda: _code(_COST, value, "kosten"))
    text("kostenhinweis", "fee_description")
    text("voraussetzungen", "eligibility")
    text("unterlagen", "required_documents")
    many("zugang", "access_modes", lambda v: _code(_ACCESS, v, "zugang"))
    text("telefon", "telephone", 40)
    text("email", "email", 200)
    text("website", "website", 500)
    if any(c in cells for c in ("strasse", "plz", "ort")):
        parts = {c: ctx.take(row, c, lambda c=c: clean_text(cells.get(c, ""), field=c, max_length=200))
                 for c in ("strasse", "plz", "ort")}
        others = [a for a in service.addresses if a.kind != "visiting"]
        visiting = [dm.Address(street=parts["strasse"] or "", postal_code=parts["plz"] or "", locality=parts["ort"] or "")]
        changes["addresses"] = (visiting if any(parts.values()) else []) + others
    if "stadtbezirk" in cells:
        value = cells["stadtbezirk"].strip()
        changes["district"] = None if not value else ctx.take(row, "stadtbezirk", lambda: _district(value))
    many("oeffnungszeiten", "opening_hours", lambda v: clean_text(v, field="oeffnungszeiten", max_length=200))
    text("hinweis_oeffnungszeiten", "hours_note")
    if "status" in cells:
        value = cells["status"].strip()
        changes["status"] = None if not value else ctx.take(row, "status", lambda: _code(_SERVICE_STATUS, value, "status"))
    if "zuletzt_geprueft" in cells:
        value = cells["zuletzt_geprueft"].strip()
        changes["last_verified"] = None if not value else ctx.take(
            row, "zuletzt_geprueft", lambda: parse_date(value, field="zuletzt_geprueft"))
    many("massnahmen", "measures", lambda v: str(resolve_measure(store, v, field="massnahmen")))
    many("ziele", "goals", lambda v: str(resolve_goal(store, v, field="ziele")))
    text("fundstelle", "source_locator", 300)
    if "hinweise" in cells:
        notes = [ctx.take(row, "hinweise", lambda v=v: clean_text(v, field="hinweise", max_length=2000))
                 for v in cells["hinweise"].split("|")]
        if None not in notes:
            changes["notes"] = sorted(n for n in notes if n)
    for lang in _I18N_LANGS:
        for prefix, attr in (("name", "name_i18n"), ("beschreibung", "description_i18n")):
            column = f"{prefix}_{lang}"
            if column in cells:
                value = ctx.take(row, column, lambda c=column: clean_text(cells[c], field=c, max_length=4000))
                if value is not None:
                    current = dict(changes.get(attr, getattr(service, attr)))
                    if value:
                        current[lang] = value
                    else:
                        current.pop(lang, None)
                    changes[attr] = current
    if any(p.row == row for p in ctx.problems):
        return
    edited = replace(service, **changes)
    from kik_graph.editing.directory import build_service

    try:
        sub = build_service(store, edited, create=existing is None, today=ctx.today, row=row)
    except InvalidInput as exc:
        ctx.problem(row, "", str(exc))
        return
    for p in sub.problems:
        ctx.problems.append(replace(p, column=_service_column(p.message), message=_strip_field(p.message)))
    sub.problems = []
    ctx.merge(row, sub, _SERVICE_PATHS)


def _bool(value: str) -> bool:
    key = value.strip().casefold()
    if key not in _BOOL:
        raise InvalidInput(f"dolmetschen: {shorten(value)!r} – erwartet ja oder nein.")
    return _BOOL[key]


_FIELD_COLUMNS = {"Kennung": "kennung", "Name": "name", "Beschreibung": "beschreibung", "Anbieter": "anbieter",
                  "Kategorie": "kategorien", "Sprachen": "sprachen", "Telefon": "telefon", "E-Mail": "email",
                  "Website": "website", "Status": "status", "Kosten": "kosten", "Zugang": "zugang",
                  "Fundstelle": "fundstelle"}


def _service_column(message: str) -> str:
    head = message.split(":", 1)[0]
    return _FIELD_COLUMNS.get(head, "oeffnungszeiten" if "Öffnungszeit" in message or "openingHours" in message else "")


_SERVICE_PATHS: dict[URIRef, str] = {}


def _init_service_paths() -> None:
    from kik_graph.namespaces import SCHEMA

    _SERVICE_PATHS.update({
        SKOS.prefLabel: "name", DCTERMS.title: "name", DCTERMS.description: "beschreibung",
        SCHEMA.provider: "anbieter", dm.M8G.hasCompetentAuthority: "zustaendige_stelle",
        dm.M8G.thematicArea: "kategorien", DCTERMS.audience: "zielgruppen", KIK.spokenLanguage: "sprachen",
        KIK.interpreterAvailable: "dolmetschen", KIK.costType: "kosten", KIK.accessMode: "zugang",
        SCHEMA.telephone: "telefon", SCHEMA.email: "email", SCHEMA.url: "website", KIK.district: "stadtbezirk",
        SCHEMA.openingHours: "oeffnungszeiten", dm.ADMS.status: "status", KIK.lastVerified: "zuletzt_geprueft",
        KIK.implementsMeasure: "massnahmen", KIK.implementsGoal: "ziele", KIK.sourceLocator: "fundstelle",
        DCTERMS.identifier: "kennung", SCHEMA.address: "strasse"})


_init_service_paths()

_REVERSE_CODES = {"cost": {"free": "kostenlos", "fee": "kostenpflichtig"},
                  "access": {"walk-in": "offene Sprechstunde", "appointment": "Termin", "online": "online"},
                  "status": {"active": "aktiv", "temporarily-closed": "vorübergehend geschlossen", "ended": "beendet"}}


def _service_export(store: GraphStore) -> list[dict[str, str]]:
    rows = []
    directory = dm.services_in(store.construct(_services_construct(store)))
    for s in directory:
        visiting = next((a for a in s.addresses if a.kind == "visiting"), None)
        row = {
            "kennung": s.slug, "name": s.name, "beschreibung": s.description, "anbieter": "; ".join(s.providers),
            "zustaendige_stelle": "; ".join(s.competent_authorities),
            "kategorien": "; ".join(c[len(dm.CATEGORY_BASE):] if c.startswith(dm.CATEGORY_BASE) else c for c in s.categories),
            "zielgruppen": "; ".join(s.target_groups), "sprachen": "; ".join(s.languages),
            "dolmetschen": "" if s.interpreter is None else ("ja" if s.interpreter else "nein"),
            "kosten": _REVERSE_CODES["cost"].get(s.cost or "", ""), "kostenhinweis": s.fee_description,
            "voraussetzungen": s.eligibility, "unterlagen": s.required_documents,
            "zugang": "; ".join(_REVERSE_CODES["access"][a] for a in s.access_modes), "telefon": s.telephone,
            "email": s.email, "website": s.website, "strasse": visiting.street if visiting else "",
            "plz": visiting.postal_code if visiting else "", "ort": visiting.locality if visiting else "",
            "stadtbezirk": (s.district or "").rsplit("/", 1)[-1], "oeffnungszeiten": "; ".join(s.opening_hours),
            "hinweis_oeffnungszeiten": s.hours_note, "status": _REVERSE_CODES["status"].get(s.status or "", ""),
            "zuletzt_geprueft": s.last_verified.isoformat() if s.last_verified else "",
            "massnahmen": "; ".join(m.rsplit("/", 1)[-1] for m in s.measures),
            "ziele": "; ".join(g.rsplit("/", 1)[-1] for g in s.goals), "fundstelle": s.source_locator,
            "hinweise": " | ".join(s.notes),
            "name_en": s.name_i18n.get("en", ""), "beschreibung_en": s.description_i18n.get("en", ""),
        }
        rows.append(row)
    return rows


def _services_construct(store: GraphStore) -> str:
    from kik_graph.queries import get_query

    return get_query("directory-services").sparql


SERVICES = ImportKind(
    name="services", title="Angebote",
    columns=(
        Column("kennung", "Kennung (a-z, 0-9, Bindestrich); vorhandene Kennung = bearbeiten, leer = aus dem Namen",
               False, ("slug", "id")),
        Column("name", "Name des Angebots (Pflicht bei neuen Angeboten)", False, ()),
        Column("beschreibung", "Beschreibung (Pflicht bei neuen Angeboten)", False, ("description",)),
        Column("anbieter", "Anbieter: IRI oder Bezeichnung einer Einrichtung, mehrere mit ; (Pflicht)", False,
               ("provider", "träger")),
        Column("zustaendige_stelle", "zuständige Behörde (IRI oder Bezeichnung, mehrere mit ;)", False,
               ("zuständige_stelle", "behoerde")),
        Column("kategorien", "Kategorien: Kennung (z.B. sprache), Bezeichnung oder IRI, mehrere mit ; (Pflicht)",
               False, ("kategorie",)),
        Column("zielgruppen", "Zielgruppen: Bezeichnung oder IRI, mehrere mit ;", False, ("zielgruppe",)),
        Column("sprachen", "Sprachen als ISO-Codes (de; en; ar; tr; prs …)", False, ("languages",)),
        Column("dolmetschen", "ja / nein / leer (nicht bekannt)", False, ("dolmetscher",)),
        Column("kosten", "kostenlos / kostenpflichtig / leer", False, ("cost",)),
        Column("kostenhinweis", "Text zu Kosten", False, ()),
        Column("voraussetzungen", "Wer das Angebot nutzen kann", False, ()),
        Column("unterlagen", "Mitzubringende Unterlagen", False, ()),
        Column("zugang", "offene Sprechstunde; Termin; online", False, ()),
        Column("telefon", "Telefonnummer", False, ("phone",)),
        Column("email", "E-Mail-Adresse", False, ("e-mail",)),
        Column("website", "Webadresse (https://…)", False, ("url", "internet")),
        Column("strasse", "Besuchsanschrift: Straße und Hausnummer", False, ("straße",)),
        Column("plz", "Besuchsanschrift: Postleitzahl", False, ()),
        Column("ort", "Besuchsanschrift: Ort", False, ()),
        Column("stadtbezirk", "Nummer des Stadtbezirks", False, ("bezirk",)),
        Column("oeffnungszeiten", "Öffnungszeiten wie „Mo-Fr 09:00-12:00“, mehrere mit ;", False, ("öffnungszeiten",)),
        Column("hinweis_oeffnungszeiten", "Hinweis zu den Öffnungszeiten", False, ("hinweis_öffnungszeiten",)),
        Column("status", "aktiv / vorübergehend geschlossen / beendet", False, ()),
        Column("zuletzt_geprueft", "Datum der letzten Prüfung", False, ("zuletzt_geprüft",)),
        Column("massnahmen", "KIK-Maßnahmen wie SB-1.1, mehrere mit ;", False, ("maßnahmen",)),
        Column("ziele", "KIK-Ziele wie SB-Z1, mehrere mit ;", False, ()),
        Column("fundstelle", "Woher die Angaben stammen (Pflicht)", False, ("quelle",)),
        Column("hinweise", "Hinweise für Nutzer*innen, mehrere mit |", False, ("hinweis",)),
        Column("name_en", "Name auf Englisch (weitere Sprachen: name_ar, name_tr, …)", False, ()),
        Column("beschreibung_en", "Beschreibung auf Englisch (weitere: beschreibung_ar, …)", False, ()),
    ),
    build_row=_service_row, export_rows=_service_export)


KINDS: dict[str, ImportKind] = {k.name: k for k in (SERVICES, RESPONSIBILITIES, STATUSES, INDICATORS)}


def get_kind(name: str) -> ImportKind:
    """The import kind ``name`` (services, responsibilities, statuses, indicators)."""
    if name not in KINDS:
        raise InvalidInput(f"Unbekannte Importart {shorten(name)!r}. Erlaubt: {', '.join(KINDS)}.")
    return KINDS[name]


def map_columns(kind: ImportKind, table: Table) -> tuple[dict[str, str], list[EditProblem]]:
    """Map the table's columns to the kind's columns (names or aliases); unknown or missing ones are problems."""
    lookup: dict[str, str] = {}
    for c in kind.columns:
        for alias in (c.name, *c.aliases):
            lookup[normalise_header(alias)] = c.name
    if kind is SERVICES:
        for lang in _I18N_LANGS:
            lookup.setdefault(f"name_{lang}", f"name_{lang}")
            lookup.setdefault(f"beschreibung_{lang}", f"beschreibung_{lang}")
    mapping, problems = {}, []
    for column in table.columns:
        if column not in lookup:
            problems.append(EditProblem(message=f"unbekannte Spalte; erlaubt: {', '.join(kind.column_names)}",
                                        row=1, column=column))
        elif lookup[column] in mapping.values():
            problems.append(EditProblem(message="Spalte doppelt (auch als andere Schreibweise)", row=1, column=column))
        else:
            mapping[column] = lookup[column]
    for c in kind.columns:
        if c.required and c.name not in mapping.values():
            problems.append(EditProblem(message="Pflichtspalte fehlt", row=1, column=c.name))
    return mapping, problems


def build_import(store: GraphStore, kind: ImportKind, table: Table, *, source: str = "",
                 today: dt.date | None = None) -> Transaction:
    """One transaction for the whole table; raises EditRejected with every problem (row and column)."""
    mapping, problems = map_columns(kind, table)
    if problems:
        raise EditRejected(f"Die Spalten passen nicht zur Importart {kind.name!r}; es wurde nichts geändert.", problems)
    if not table.rows:
        raise EditRejected("Die Datei enthält keine Datenzeilen; es wurde nichts geändert.")
    ctx = RowContext(store=store, today=today or dt.date.today(),
                     tx=Transaction(kind=f"import-{kind.name}", summary=""))
    for number, cells in table.rows:
        mapped = {mapping[k]: v for k, v in cells.items() if k in mapping}
        mapped.pop("akteur_bezeichnung", None)
        kind.build_row(ctx, number, mapped)
    if ctx.problems:
        raise EditRejected(f"Der Import enthält {len(ctx.problems)} Problem(e); es wurde nichts geändert.",
                           sorted(ctx.problems, key=lambda p: (p.row or 0, p.column)))
    if any(OFFICE_SOURCE in set(c.new.objects()) for c in ctx.tx.changes):
        ensure_office_source(store, ctx.tx)
    # the file name stays out of the summary: summaries appear in the status report, file names may name people
    ctx.tx.summary = f"Import {kind.title}: {len(table.rows)} Zeile(n)"
    return ctx.tx


__all__ = ["INDICATORS", "KINDS", "RESPONSIBILITIES", "SERVICES", "STATUSES", "Column", "ImportKind",
           "ResourceChange", "ROLE_LABELS", "build_import", "get_kind", "map_columns"]

#: Public name of the service export (used by the directory edit page).
service_rows = _service_export
