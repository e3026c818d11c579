"""Editing institutions (``kik:Organisation``) and directory services (``kik:Service``).

Services use the directory's own model (:mod:`kik_graph.directory.model`): the new state of a service is
``to_graph(service)`` plus every statement of the old state that the model does not cover (so nothing the form
does not show is lost). Institutions keep every statement the form does not manage (annex entries etc.).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from kik_graph.directory import model as dm
from kik_graph.editing.errors import EditProblem, EditRejected
from kik_graph.editing.transaction import CommitResult, ResourceChange, Transaction, begin_change, commit
from kik_graph.editing.vocab import OFFICE_SOURCE, note_literal, slug
from kik_graph.namespaces import KIK, KIKD
from kik_graph.params import resolve
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput, clean_text, is_iri, shorten


def invalidate_search() -> None:
    """Tell the directory search that services changed."""
    _invalidate_search()


def _invalidate_search() -> None:
    try:
        from kik_graph.directory import search

        search.invalidate()
    except ImportError:  # pragma: no cover - directory search not installed
        pass


# --------------------------------------------------------------------------- institutions

@dataclass
class InstitutionInput:
    """The fields of an institution as entered. References may be IRIs or exact labels."""

    name: str
    name_en: str = ""
    alt_names: list[str] = field(default_factory=list)
    organisation_type: str = ""
    parent: str = ""
    categories: list[str] = field(default_factory=list)
    note: str = ""
    source_locator: str = ""


#: Statements of an organisation that the institution form manages (all others are kept as they are).
INSTITUTION_PREDICATES = (SKOS.prefLabel, SKOS.altLabel, KIK.organisationType, ORG.unitOf, KIK.inCategory, KIK.note,
                          KIK.sourceLocator)


def _by_label(store: GraphStore, value: str, cls: URIRef, what: str) -> URIRef:
    text = clean_text(value, field=what)
    if is_iri(text) and text.startswith(("http://", "https://")):
        node = URIRef(text)
    else:
        rows = store.select("SELECT DISTINCT ?r WHERE { ?r a ?cls ; skos:prefLabel|skos:altLabel ?l "
                            "FILTER(LCASE(STR(?l)) = LCASE(STR(?label))) }", {"cls": cls, "label": Literal(text)}).rows
        found = {r["r"] for r in rows}
        if len(found) != 1:
            raise InvalidInput(f"{what}: {shorten(text)!r} ist " + ("nicht eindeutig." if found else "nicht bekannt."))
        node = URIRef(next(iter(found)))
    if not store.ask("ASK { ?r a ?t . ?t rdfs:subClassOf* ?cls }", {"r": node, "cls": cls}):
        raise InvalidInput(f"{what}: {shorten(text)!r} ist nicht bekannt.")
    return node


def institution_fields(store: GraphStore, institution: URIRef) -> InstitutionInput:
    """The current values of an institution for a form."""
    g = resource_graph(store, institution)
    de = [o for o in g.objects(institution, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "de"]
    en = [o for o in g.objects(institution, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "en"]
    return InstitutionInput(
        name=str(de[0]) if de else "", name_en=str(en[0]) if en else "",
        alt_names=sorted(str(o) for o in g.objects(institution, SKOS.altLabel)),
        organisation_type=str(g.value(institution, KIK.organisationType) or ""),
        parent=str(g.value(institution, ORG.unitOf) or ""),
        categories=sorted(str(o) for o in g.objects(institution, KIK.inCategory)),
        note="\n".join(sorted(str(o) for o in g.objects(institution, KIK.note))),
        source_locator=str(g.value(institution, KIK.sourceLocator) or ""))


def resource_graph(store: GraphStore, resource: URIRef) -> Graph:
    """Current state of one resource (see :func:`kik_graph.editing.state.resource_state`)."""
    from kik_graph.editing.state import resource_state

    return resource_state(store, resource)


def build_institution(store: GraphStore, data: InstitutionInput, *, institution: URIRef | str | None = None,
                      today: dt.date | None = None, expected_version: str | None = None) -> Transaction:
    """Create (``institution`` None) or edit an institution; every field problem is reported at once."""
    problems: list[EditProblem] = []

    def take(fn, column: str):
        try:
            return fn()
        except InvalidInput as exc:
            problems.append(EditProblem(message=str(exc), column=column))
            return None

    name = take(lambda: clean_text(data.name, field="Name", max_length=200), "Name") or ""
    if not name:
        problems.append(EditProblem(message="Name: fehlt.", column="Name"))
    name_en = take(lambda: clean_text(data.name_en, field="Name (englisch)", max_length=200), "Name (englisch)") or ""
    alts = [a for a in (take(lambda v=v: clean_text(v, field="weitere Namen", max_length=200), "weitere Namen")
                        for v in data.alt_names) if a]
    org_type = take(lambda: _by_label(store, data.organisation_type, KIK.OrganisationType, "Organisationstyp"),
                    "Organisationstyp") if data.organisation_type.strip() else None
    parent = take(lambda: _by_label(store, data.parent, KIK.Organisation, "übergeordnete Einrichtung"),
                  "übergeordnete Einrichtung") if data.parent.strip() else None
    categories = [c for c in (take(lambda v=v: _by_label(store, v, KIK.ActorCategory, "Akteurskategorie"),
                                   "Akteurskategorie") for v in data.categories if v.strip()) if c]
    note = take(lambda: note_literal(data.note, field="Hinweis"), "Hinweis")
    locator = take(lambda: clean_text(data.source_locator, field="Fundstelle", max_length=300), "Fundstelle") or ""
    today = today or dt.date.today()
    if institution is None:
        node = KIKD[f"organisation/{slug(name)}"]
        if store.ask("ASK { ?o ?p ?v }", {"o": node}):
            raise EditRejected(f"Eine Einrichtung mit der Kennung {slug(name)!r} gibt es schon – bitte diese bearbeiten.")
    else:
        node = institution if isinstance(institution, URIRef) else resolve("iri", str(institution), store)
        if not store.ask("ASK { ?o a ?t . ?t rdfs:subClassOf* kik:Organisation }", {"o": node}):
            raise InvalidInput(f"Einrichtung {shorten(str(institution))!r} gibt es nicht.")
    change = begin_change(store, node, expected_version=expected_version)
    created = not len(change.old)
    g = change.new
    for p in INSTITUTION_PREDICATES:
        g.remove((node, p, None))
    if created:
        g.add((node, RDF.type, KIK.Organisation))
        g.add((node, DCTERMS.source, OFFICE_SOURCE))
    g.add((node, SKOS.prefLabel, Literal(name, lang="de")))
    if name_en:
        g.add((node, SKOS.prefLabel, Literal(name_en, lang="en")))
    for alt in alts:
        g.add((node, SKOS.altLabel, Literal(alt, lang="de")))
    if org_type is not None:
        g.add((node, KIK.organisationType, org_type))
    if parent is not None:
        g.add((node, ORG.unitOf, parent))
    for c in categories:
        g.add((node, KIK.inCategory, c))
    if note is not None:
        g.add((node, KIK.note, note))
    g.add((node, KIK.sourceLocator, Literal(locator or f"Amt für Integration, erfasst am {today.isoformat()}")))
    tx = Transaction(kind="institution", summary=f"Einrichtung „{name}“ {'angelegt' if created else 'geändert'}",
                     problems=problems)
    from kik_graph.editing.operations import ensure_office_source

    ensure_office_source(store, tx)
    tx.add(change)
    return tx


def save_institution(store: GraphStore, account: str, data: InstitutionInput, **kwargs) -> CommitResult:
    """Build and commit :func:`build_institution`."""
    now = kwargs.pop("now", None)
    return commit(store, build_institution(store, data, **kwargs), account, now=now)


# --------------------------------------------------------------------------- services

def service_iri(value: str) -> URIRef:
    """A service IRI from a slug or an IRI."""
    text = clean_text(value, field="Angebot")
    if text.startswith(("http://", "https://")):
        if not is_iri(text):
            raise InvalidInput(f"Angebot: {shorten(text)!r} ist keine gültige IRI.")
        return URIRef(text)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text) or len(text) > 100:
        raise InvalidInput(f"Angebot: {shorten(text)!r} ist keine Kennung eines Angebots (a-z, 0-9, Bindestrich).")
    return URIRef(dm.service_iri(text))


def load_service(store: GraphStore, ref: str | URIRef) -> tuple[dm.Service, str]:
    """The service and its current version (for a form), or InvalidInput when it does not exist."""
    from kik_graph.editing.state import version_of

    node = ref if isinstance(ref, URIRef) else service_iri(ref)
    g = resource_graph(store, node)
    if (node, RDF.type, KIK.Service) not in g:
        raise InvalidInput(f"Angebot {shorten(dm.slug_of(str(node)))!r} gibt es nicht.")
    return dm.from_graph(g, str(node)), version_of(g)


def _service_problems(service: dm.Service, row: int | None = None) -> list[EditProblem]:
    return [EditProblem(message=msg, row=row, column=msg.split(":", 1)[0] if row is not None else "")
            for msg in dm.check(service)]


def build_service(store: GraphStore, service: dm.Service, *, create: bool, today: dt.date | None = None,
                  expected_version: str | None = None, row: int | None = None) -> Transaction:
    """Create (``create``) or replace a service with all directory fields of ``service``."""
    today = today or dt.date.today()
    node = URIRef(service.iri)
    change = begin_change(store, node, expected_version=expected_version)
    exists = (node, RDF.type, KIK.Service) in change.old
    tx = Transaction(kind="service", summary=f"Angebot „{service.name}“ {'angelegt' if create else 'geändert'}")
    if create and exists:
        tx.problems.append(EditProblem(message=f"Ein Angebot mit der Kennung {service.slug!r} gibt es schon.",
                                       row=row, column="slug" if row is not None else ""))
    if not create and not exists:
        raise InvalidInput(f"Angebot {shorten(service.slug)!r} gibt es nicht.")
    if create and not service.sources:
        service = replace(service, sources=[str(OFFICE_SOURCE)])
    if create and str(OFFICE_SOURCE) in service.sources:
        from kik_graph.editing.operations import ensure_office_source

        ensure_office_source(store, tx)
    if exists:  # "modified" moves only when something else changes
        previous = dm.from_graph(change.old, str(node))
        if replace(service, modified=previous.modified) != previous:
            service = replace(service, modified=today)
        else:
            service = previous
    else:
        service = replace(service, modified=today)
    problems = _service_problems(service, row)
    if problems:
        tx.problems.extend(problems)
        return tx
    unmodelled = Graph()
    if exists:
        modelled = dm.to_graph(dm.from_graph(change.old, str(node))) if not dm.check(
            dm.from_graph(change.old, str(node))) else Graph()
        for t in change.old:
            if t not in modelled:
                unmodelled.add(t)
    change.new = dm.to_graph(service) + unmodelled
    if row is not None:
        change.origin = (row, {})
    tx.add(change)
    return tx


def build_verify(store: GraphStore, ref: str | URIRef, *, today: dt.date | None = None,
                 expected_version: str | None = None) -> Transaction:
    """Mark a service as verified today (``kik:lastVerified``)."""
    today = today or dt.date.today()
    service, _ = load_service(store, ref)
    node = URIRef(service.iri)
    change = begin_change(store, node, expected_version=expected_version)
    g = change.new
    g.set((node, KIK.lastVerified, Literal(today.isoformat(), datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    return Transaction(kind="verify", summary=f"Angebot „{service.name}“ am {today.strftime('%d.%m.%Y')} geprüft",
                       changes=[change])


def save_service(store: GraphStore, account: str, service: dm.Service, **kwargs) -> CommitResult:
    """Build and commit :func:`build_service`; the directory search notices the change."""
    now = kwargs.pop("now", None)
    result = commit(store, build_service(store, service, **kwargs), account, now=now)
    _invalidate_search()
    return result


def verify_service(store: GraphStore, account: str, ref: str | URIRef, **kwargs) -> CommitResult:
    """Build and commit :func:`build_verify`."""
    now = kwargs.pop("now", None)
    result = commit(store, build_verify(store, ref, **kwargs), account, now=now)
    _invalidate_search()
    return result


__all__ = ["INSTITUTION_PREDICATES", "InstitutionInput", "ResourceChange", "build_institution", "build_service",
           "build_verify", "institution_fields", "load_service", "save_institution", "save_service", "service_iri",
           "verify_service"]
