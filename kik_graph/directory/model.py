"""The service model of the directory: ``kik:Service`` (⊂ ``schema:Service``; ``cpsv:PublicService`` in the export).

One :class:`Service` is one offer for the public (e.g. "Migrationsberatung der Caritas"). The model follows
Open Referral HSDS 3 (service), CPSV-AP 3.2 (``cpsv:PublicService``) and schema.org; docs/data-model.md lists the
mapping property by property. Unknown facts stay empty – an empty field is shown as "nicht bekannt" and appears
in the office's data-completeness list (:func:`missing_fields`).

Reading and writing
- :func:`to_graph` turns a :class:`Service` into RDF triples (the service node plus its address nodes
  ``<service IRI>#anschrift-…``); :func:`from_graph` reads one back. Both are exact inverses for every field.
- :func:`load_directory` reads all services, the category taxonomy and the labels the directory needs from a
  store (three named queries ``queries/directory-*.rq``), passed through the privacy rules of
  :mod:`kik_graph.directory.public` – the directory shows nothing the public export would withhold.
- :func:`replace_in_store` replaces one service's triples in a named graph and invalidates the search index.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kik_graph.directory import hours
from kik_graph.directory.public import withheld
from kik_graph.namespaces import GRAPH_KIK, KIK, KIKD, M8G, SCHEMA
from kik_graph.queries import get_query
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput, is_iri, shorten

ADMS = Namespace("http://www.w3.org/ns/adms#")

#: IRI base of services and of the category taxonomy.
SERVICE_BASE = str(KIKD["angebot/"])
CATEGORY_BASE = str(KIKD["angebotskategorie/"])
CATEGORY_SCHEME = KIKD["schema/angebotskategorien"]
SOURCE_KIK = KIKD["quelle/kik-2021"]

#: Controlled values (codes used in Python, the CLI and the UI) ↔ individuals of the vocabulary.
STATUS = {"active": KIK.ServiceActive, "temporarily-closed": KIK.ServiceTemporarilyClosed, "ended": KIK.ServiceEnded}
ACCESS = {"walk-in": KIK.WalkIn, "appointment": KIK.ByAppointment, "online": KIK.Online}
COST = {"free": KIK.FreeOfCharge, "fee": KIK.WithFee}
ADDRESS_KIND = {"visiting": KIK.VisitingAddress, "publisher": KIK.PublisherAddress}
_REVERSE = {v: k for table in (STATUS, ACCESS, COST, ADDRESS_KIND) for k, v in table.items()}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/-]{3,30}[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")


@dataclass
class Address:
    """A postal address. ``kind`` says what it is: a visiting address of the service, or (only where the
    source gives nothing else) the address of the publisher of the source (KIK imprint)."""

    street: str = ""
    postal_code: str = ""
    locality: str = ""
    kind: TypingLiteral["visiting", "publisher"] = "visiting"
    note: str = ""

    def one_line(self) -> str:
        """``Rathausplatz 22, 87435 Kempten (Allgäu)``."""
        place = " ".join(p for p in (self.postal_code, self.locality) if p)
        return ", ".join(p for p in (self.street, place) if p)


@dataclass
class Service:
    """One service of the directory. Texts are German unless another language is given in a ``*_i18n`` map.

    Lists are empty and optional values None or "" when the source does not state them.
    """

    slug: str
    name: str
    description: str
    providers: list[str] = field(default_factory=list)
    competent_authorities: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    interpreter: bool | None = None
    cost: str | None = None
    fee_description: str = ""
    eligibility: str = ""
    required_documents: str = ""
    access_modes: list[str] = field(default_factory=list)
    telephone: str = ""
    email: str = ""
    website: str = ""
    addresses: list[Address] = field(default_factory=list)
    district: str | None = None
    opening_hours: list[str] = field(default_factory=list)
    hours_note: str = ""
    status: str | None = None
    last_verified: date | None = None
    modified: date | None = None
    measures: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    editorial_links: list[str] = field(default_factory=list)
    link_note: str = ""
    sources: list[str] = field(default_factory=lambda: [str(SOURCE_KIK)])
    source_locator: str = ""
    evidence: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name_i18n: dict[str, str] = field(default_factory=dict)
    description_i18n: dict[str, str] = field(default_factory=dict)

    @property
    def iri(self) -> str:
        """``https://w3id.org/kik-graph/id/angebot/{slug}``."""
        return service_iri(self.slug)

    def name_in(self, lang: str) -> tuple[str, bool]:
        """The name in ``lang`` and whether it is the German fallback."""
        if lang != "de" and self.name_i18n.get(lang):
            return self.name_i18n[lang], False
        return self.name, lang != "de"

    def description_in(self, lang: str) -> tuple[str, bool]:
        """The description in ``lang`` and whether it is the German fallback."""
        if lang != "de" and self.description_i18n.get(lang):
            return self.description_i18n[lang], False
        return self.description, lang != "de"

    def is_free(self) -> bool | None:
        """True/False when the cost is known, else None."""
        return None if self.cost is None else self.cost == "free"

    def open_now(self, moment=None) -> bool | None:
        """Whether the service is open now (None when no opening hours are known)."""
        return hours.is_open(self.opening_hours, moment)


# ---------------------------------------------------------------------------------------------------------- IRIs

def service_iri(slug: str) -> str:
    """The IRI of the service ``slug``."""
    return SERVICE_BASE + slug


def slug_of(iri: str) -> str:
    """The slug of a service IRI (or the IRI itself when it is not a service IRI)."""
    return iri[len(SERVICE_BASE):] if iri.startswith(SERVICE_BASE) else iri


def slugify(text: str) -> str:
    """A readable slug for a new service: ``Migrationsberatung Caritas`` → ``migrationsberatung-caritas``."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    text = text.translate(table).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return re.sub(r"-{2,}", "-", text)[:80].strip("-") or "angebot"


_ADDRESS_SLUG = {"visiting": "besuch", "publisher": "herausgeber"}


def address_iri(slug: str, index: int, kind: str) -> URIRef:
    """IRI of an address node of a service: ``…/angebot/{slug}#anschrift-{besuch|herausgeber}-{n}``."""
    return URIRef(f"{service_iri(slug)}#anschrift-{_ADDRESS_SLUG.get(kind, kind)}-{index + 1}")


# ------------------------------------------------------------------------------------------------- validation

def check(service: Service) -> list[str]:
    """Problems that make ``service`` unusable (empty list when it is fine). Messages name the field."""
    problems = []
    if not _SLUG.match(service.slug or ""):
        problems.append(f"Kennung: {shorten(service.slug or '')!r} ist keine gültige Kennung (a-z, 0-9, Bindestrich).")
    if not service.name.strip():
        problems.append("Name: fehlt.")
    if not service.description.strip():
        problems.append("Beschreibung: fehlt.")
    if not service.providers:
        problems.append("Anbieter: fehlt (mindestens eine Organisation).")
    if not service.categories:
        problems.append("Kategorie: fehlt (mindestens eine Kategorie).")
    for name in ("providers", "competent_authorities", "categories", "target_groups", "measures", "goals",
                 "editorial_links", "sources"):
        for value in getattr(service, name):
            if not is_iri(value):
                problems.append(f"{name}: {shorten(value)!r} ist keine IRI.")
    for code in service.languages:
        if not _LANGUAGE_CODE.match(code):
            problems.append(f"Sprachen: {shorten(code)!r} ist kein ISO-639-Sprachcode (z.B. ar, tr, prs).")
    if service.telephone and not _PHONE.match(service.telephone):
        problems.append(f"Telefon: {shorten(service.telephone)!r} ist keine Telefonnummer.")
    if service.email and not _EMAIL.match(service.email):
        problems.append(f"E-Mail: {shorten(service.email)!r} ist keine E-Mail-Adresse.")
    if service.website and not (service.website.startswith(("https://", "http://")) and is_iri(service.website)):
        problems.append(f"Website: {shorten(service.website)!r} ist keine Webadresse (https://…).")
    for value in service.opening_hours:
        try:
            hours.parse(value)
        except InvalidInput as exc:
            problems.append(str(exc))
    for code, table, label in ((service.status, STATUS, "Status"), (service.cost, COST, "Kosten")):
        if code is not None and code not in table:
            problems.append(f"{label}: {code!r} ist nicht erlaubt ({', '.join(table)}).")
    for code in service.access_modes:
        if code not in ACCESS:
            problems.append(f"Zugang: {code!r} ist nicht erlaubt ({', '.join(ACCESS)}).")
    for link in service.editorial_links:
        if link not in service.measures and link not in service.goals:
            problems.append(f"Redaktionelle Zuordnung {shorten(link)!r} ist keine der Maßnahmen/Ziele des Angebots.")
    if not service.source_locator.strip():
        problems.append("Fundstelle: fehlt (kik:sourceLocator).")
    return problems


#: Fields the office should fill; their absence is listed in the data-completeness list.
COMPLETENESS_FIELDS = ("telephone", "email", "website", "address", "district", "opening_hours", "languages",
                       "interpreter", "cost", "access_modes", "status", "last_verified",
                       # no competent authority stated: the open-data export cannot describe the service as a
                       # cpsv:PublicService (kik_graph/export/cpsv.py)
                       "competent_authorities")


def missing_fields(service: Service) -> list[str]:
    """The fields of :data:`COMPLETENESS_FIELDS` that are empty for ``service``."""
    missing = []
    for name in COMPLETENESS_FIELDS:
        if name == "address":
            value = [a for a in service.addresses if a.kind == "visiting"]
        else:
            value = getattr(service, name)
        if value in (None, "", []):
            missing.append(name)
    return missing


# ------------------------------------------------------------------------------------------------------- to RDF

def _de(text: str) -> Literal:
    return Literal(text, lang="de")


def to_graph(service: Service) -> Graph:
    """The triples of ``service`` (service node and address nodes). Raises InvalidInput when :func:`check` fails."""
    problems = check(service)
    if problems:
        raise InvalidInput(f"Angebot {service.slug!r}: " + " ".join(problems))
    g = Graph()
    s = URIRef(service.iri)
    for cls in (KIK.Service, SCHEMA.Service):
        g.add((s, RDF.type, cls))
    g.add((s, DCTERMS.identifier, Literal(service.slug)))
    g.add((s, SKOS.prefLabel, _de(service.name)))
    g.add((s, DCTERMS.title, _de(service.name)))
    g.add((s, DCTERMS.description, _de(service.description)))
    for lang, text in service.name_i18n.items():
        if lang != "de" and text:
            g.add((s, SKOS.prefLabel, Literal(text, lang=lang)))
            g.add((s, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in service.description_i18n.items():
        if lang != "de" and text:
            g.add((s, DCTERMS.description, Literal(text, lang=lang)))
    for values, prop in ((service.providers, SCHEMA.provider), (service.competent_authorities, M8G.hasCompetentAuthority),
                         (service.categories, M8G.thematicArea), (service.target_groups, DCTERMS.audience),
                         (service.measures, KIK.implementsMeasure), (service.goals, KIK.implementsGoal),
                         (service.editorial_links, KIK.editorialLink), (service.sources, DCTERMS.source)):
        for value in values:
            g.add((s, prop, URIRef(value)))
    for code in service.languages:
        g.add((s, KIK.spokenLanguage, Literal(code, datatype=XSD.language)))
    if service.interpreter is not None:
        g.add((s, KIK.interpreterAvailable, Literal(service.interpreter)))
    if service.cost:
        g.add((s, KIK.costType, COST[service.cost]))
    for code in service.access_modes:
        g.add((s, KIK.accessMode, ACCESS[code]))
    if service.status:
        g.add((s, ADMS.status, STATUS[service.status]))
    for text, prop in ((service.fee_description, KIK.feeDescription), (service.eligibility, KIK.eligibility),
                       (service.required_documents, KIK.requiredDocuments), (service.hours_note, KIK.hoursNote),
                       (service.link_note, KIK.linkNote)):
        if text:
            g.add((s, prop, _de(text)))
    if service.telephone:
        g.add((s, SCHEMA.telephone, Literal(service.telephone)))
    if service.email:
        g.add((s, SCHEMA.email, Literal(service.email)))
    if service.website:
        g.add((s, SCHEMA.url, URIRef(service.website)))
    if service.district:
        g.add((s, KIK.district, URIRef(service.district)))
    for value in service.opening_hours:
        g.add((s, SCHEMA.openingHours, Literal(hours.normalise(value))))
    if service.last_verified:
        g.add((s, KIK.lastVerified, Literal(service.last_verified, datatype=XSD.date)))
    if service.modified:
        g.add((s, DCTERMS.modified, Literal(service.modified, datatype=XSD.date)))
    if service.source_locator:
        g.add((s, KIK.sourceLocator, Literal(service.source_locator)))
    for text in service.evidence:
        g.add((s, KIK.evidence, _de(text)))
    for text in service.notes:
        g.add((s, KIK.note, _de(text)))
    for n, address in enumerate(service.addresses):
        a = address_iri(service.slug, n, address.kind)
        g.add((s, SCHEMA.address, a))
        g.add((a, RDF.type, KIK.Address))
        g.add((a, RDF.type, SCHEMA.PostalAddress))
        g.add((a, KIK.addressType, ADDRESS_KIND[address.kind]))
        kind_label = "Besuchsadresse" if address.kind == "visiting" else "Anschrift des Herausgebers"
        g.add((a, SKOS.prefLabel, _de(f"{kind_label}: {address.one_line()}")))
        for text, prop in ((address.street, SCHEMA.streetAddress), (address.postal_code, SCHEMA.postalCode),
                           (address.locality, SCHEMA.addressLocality)):
            if text:
                g.add((a, prop, Literal(text)))
        if address.note:
            g.add((a, KIK.note, _de(address.note)))
    return g


# ----------------------------------------------------------------------------------------------------- from RDF

def _texts(g: Graph, s, p) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in g.objects(s, p):
        if isinstance(o, Literal):
            out.setdefault(o.language or "", str(o))
    return out


def _one_de(g: Graph, s, p) -> str:
    texts = _texts(g, s, p)
    return texts.get("de", texts.get("", ""))


def _iris(g: Graph, s, p) -> list[str]:
    return sorted(str(o) for o in g.objects(s, p) if isinstance(o, URIRef))


def _address_key(node) -> str:
    return str(node)


def from_graph(g: Graph, iri: str) -> Service:
    """Read the service ``iri`` from ``g`` (the inverse of :func:`to_graph`)."""
    s = URIRef(iri)
    names = _texts(g, s, DCTERMS.title) or _texts(g, s, SKOS.prefLabel)
    descriptions = _texts(g, s, DCTERMS.description)
    identifier = g.value(s, DCTERMS.identifier)
    cost = g.value(s, KIK.costType)
    status = g.value(s, ADMS.status)
    interpreter = g.value(s, KIK.interpreterAvailable)
    verified = g.value(s, KIK.lastVerified)
    modified = g.value(s, DCTERMS.modified)
    district = g.value(s, KIK.district)
    addresses = []
    for node in sorted(g.objects(s, SCHEMA.address), key=_address_key):
        if isinstance(node, BNode | URIRef):
            kind = _REVERSE.get(g.value(node, KIK.addressType), "visiting")
            addresses.append(Address(street=str(g.value(node, SCHEMA.streetAddress) or ""),
                                     postal_code=str(g.value(node, SCHEMA.postalCode) or ""),
                                     locality=str(g.value(node, SCHEMA.addressLocality) or ""),
                                     kind=kind, note=_one_de(g, node, KIK.note)))
    return Service(
        slug=str(identifier) if identifier else slug_of(iri),
        name=names.get("de", next(iter(names.values()), "")),
        description=descriptions.get("de", next(iter(descriptions.values()), "")),
        providers=_iris(g, s, SCHEMA.provider),
        competent_authorities=_iris(g, s, M8G.hasCompetentAuthority),
        categories=_iris(g, s, M8G.thematicArea),
        target_groups=_iris(g, s, DCTERMS.audience),
        languages=sorted(str(o) for o in g.objects(s, KIK.spokenLanguage)),
        interpreter=None if interpreter is None else bool(interpreter.toPython()),
        cost=_REVERSE.get(cost) if cost is not None else None,
        fee_description=_one_de(g, s, KIK.feeDescription),
        eligibility=_one_de(g, s, KIK.eligibility),
        required_documents=_one_de(g, s, KIK.requiredDocuments),
        access_modes=sorted(_REVERSE[o] for o in g.objects(s, KIK.accessMode) if o in _REVERSE),
        telephone=str(g.value(s, SCHEMA.telephone) or ""),
        email=str(g.value(s, SCHEMA.email) or ""),
        website=str(g.value(s, SCHEMA.url) or ""),
        addresses=addresses,
        district=str(district) if district is not None else None,
        opening_hours=sorted(str(o) for o in g.objects(s, SCHEMA.openingHours)),
        hours_note=_one_de(g, s, KIK.hoursNote),
        status=_REVERSE.get(status) if status is not None else None,
        last_verified=verified.toPython() if verified is not None else None,
        modified=modified.toPython() if modified is not None else None,
        measures=_iris(g, s, KIK.implementsMeasure),
        goals=_iris(g, s, KIK.implementsGoal),
        editorial_links=_iris(g, s, KIK.editorialLink),
        link_note=_one_de(g, s, KIK.linkNote),
        sources=_iris(g, s, DCTERMS.source),
        source_locator=str(g.value(s, KIK.sourceLocator) or ""),
        evidence=sorted(str(o) for o in g.objects(s, KIK.evidence)),
        notes=sorted(str(o) for o in g.objects(s, KIK.note)),
        name_i18n={k: v for k, v in names.items() if k not in ("de", "")},
        description_i18n={k: v for k, v in descriptions.items() if k not in ("de", "")},
    )


def services_in(g: Graph) -> list[Service]:
    """All services in ``g`` sorted by German name."""
    found = [from_graph(g, str(s)) for s in set(g.subjects(RDF.type, KIK.Service)) if isinstance(s, URIRef)]
    return sorted(found, key=lambda sv: (sv.name.casefold(), sv.slug))


# ----------------------------------------------------------------------------------------- directory snapshot

@dataclass
class Category:
    """A category of the taxonomy with its labels per language (``pref``: one per language; ``alt``: synonyms)."""

    iri: str
    pref: dict[str, str]
    alt: dict[str, list[str]]
    broader: list[str] = field(default_factory=list)
    definition: dict[str, str] = field(default_factory=dict)
    order: int = 100

    @property
    def slug(self) -> str:
        """``sprache`` for ``…/angebotskategorie/sprache``."""
        return self.iri.rsplit("/", 1)[-1]

    def label(self, lang: str) -> tuple[str, bool]:
        """The label in ``lang`` and whether it is the German fallback."""
        if lang in self.pref:
            return self.pref[lang], False
        return self.pref.get("de", self.slug), lang != "de"


@dataclass
class Directory:
    """Everything the search and the pages need, read once from the store.

    ``labels`` maps every IRI a service refers to (organisations, target groups, districts, measures, goals)
    to its labels per language; ``parents`` maps an organisation to its ``org:unitOf`` parent;
    ``notations`` maps measures and goals to ``SB-7.1`` / ``SB-Z7``; ``texts`` to their verbatim German text.
    """

    services: list[Service]
    categories: dict[str, Category]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    notations: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def service(self, slug_or_iri: str) -> Service | None:
        """The service with this slug or IRI, if any."""
        slug = slug_of(slug_or_iri)
        return next((s for s in self.services if s.slug == slug), None)

    def label(self, iri: str | None, lang: str = "de") -> str:
        """The label of ``iri`` in ``lang`` (German, then any, then the IRI's last segment)."""
        if not iri:
            return ""
        if iri in self.categories:
            return self.categories[iri].label(lang)[0]
        labels = self.labels.get(iri, {})
        return labels.get(lang) or labels.get("de") or next(iter(labels.values()), "") or iri.rsplit("/", 1)[-1]

    def provider_names(self, service: Service, lang: str = "de") -> list[str]:
        """Provider labels, each with its parent organisation where the parent is not already named."""
        names = []
        for iri in service.providers:
            name = self.label(iri, lang)
            parent = self.parents.get(iri)
            parent_name = self.label(parent, lang) if parent else ""
            if parent_name and parent_name.casefold() not in name.casefold() and parent_name != "Stadt Kempten (Allgäu)":
                name = f"{name} ({parent_name})"
            names.append(name)
        return names

    def sorted_categories(self) -> list[Category]:
        """Categories in display order."""
        return sorted(self.categories.values(), key=lambda c: (c.order, c.pref.get("de", "")))


def _lang_map(rows, key: str, value: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        if row.get(value) is None:
            continue
        lit = row[value]
        out.setdefault(str(row[key]), {}).setdefault(getattr(lit, "language", None) or "", str(lit))
    return out


def load_directory(store: GraphStore, *, public: bool = True) -> Directory:
    """Read services, taxonomy and labels from ``store`` (named queries ``directory-*.rq``).

    Public (the default): only what the privacy filter lets through is read – non-public services, links to
    non-public or internal resources and internal properties are dropped (:mod:`kik_graph.directory.public`).
    ``public=False`` reads everything, for the office (e.g. the completeness list of non-public services too).
    """
    hidden = withheld(store) if public else None

    def keep(data: Graph) -> Graph:
        return hidden.filter(data) if hidden else data

    services = services_in(keep(store.construct(get_query("directory-services").sparql)))
    taxonomy = keep(store.construct(get_query("directory-taxonomy").sparql))
    categories: dict[str, Category] = {}
    for c in set(taxonomy.subjects(RDF.type, KIK.ServiceCategory)):
        pref = {(o.language or ""): str(o) for o in taxonomy.objects(c, SKOS.prefLabel)}
        alt: dict[str, list[str]] = {}
        for o in taxonomy.objects(c, SKOS.altLabel):
            alt.setdefault(o.language or "", []).append(str(o))
        definition = {(o.language or ""): str(o) for o in taxonomy.objects(c, SKOS.definition)}
        order = taxonomy.value(c, SCHEMA.position)
        categories[str(c)] = Category(str(c), pref, {k: sorted(v) for k, v in alt.items()},
                                      sorted(str(b) for b in taxonomy.objects(c, SKOS.broader)), definition,
                                      int(order) if order is not None else 100)
    rows = store.select(get_query("directory-labels").sparql).rows
    rows = hidden.label_rows(rows) if hidden else rows
    labels = _lang_map(rows, "resource", "label")
    alt_labels: dict[str, list[str]] = {}
    parents: dict[str, str] = {}
    notations: dict[str, str] = {}
    texts: dict[str, str] = {}
    for row in rows:
        r = str(row["resource"])
        if row.get("alt") is not None:
            alt_labels.setdefault(r, [])
            if str(row["alt"]) not in alt_labels[r]:
                alt_labels[r].append(str(row["alt"]))
        if row.get("parent") is not None:
            parents[r] = str(row["parent"])
            if row.get("parentLabel") is not None:
                labels.setdefault(str(row["parent"]), {}).setdefault("de", str(row["parentLabel"]))
        if row.get("notation") is not None:
            notations[r] = str(row["notation"])
        if row.get("text") is not None:
            texts[r] = str(row["text"])
    directory = Directory(services, categories, labels, alt_labels, parents, notations, texts)
    directory.version = fingerprint(directory)
    return directory


def fingerprint(directory: Directory) -> str:
    """A hash over the directory's content (the search index is rebuilt when it changes)."""
    digest = hashlib.sha256()
    for service in directory.services:
        digest.update(repr(sorted((f.name, repr(getattr(service, f.name))) for f in fields(service))).encode())
    for iri in sorted(directory.categories):
        c = directory.categories[iri]
        digest.update(repr((iri, sorted(c.pref.items()), sorted(c.alt.items()), c.broader)).encode())
    digest.update(repr(sorted(directory.labels.items())).encode())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------------------------ writing

def subjects_of(g: Graph, service_iri_: str) -> set:
    """The service node and its own nodes (``<service IRI>#…``) that occur as subjects in ``g``."""
    prefix = service_iri_ + "#"
    return {s for s in g.subjects() if str(s) == service_iri_ or str(s).startswith(prefix)}


def replace_in_store(store: GraphStore, service: Service, graph_iri: str = str(GRAPH_KIK)) -> None:
    """Replace the triples of ``service`` in the named graph ``graph_iri`` (one atomic write).

    The graph is read, the service's old triples (its node and ``#…`` nodes) are removed, the new ones added,
    and the graph is written back with ``store.replace_graph``. The search index notices the change.
    """
    new = to_graph(service)
    data = store.graph(graph_iri)
    for s in subjects_of(data, service.iri):
        data.remove((s, None, None))
    data += new
    store.replace_graph(graph_iri, data)
    from kik_graph.directory import search

    search.invalidate()


def with_changes(service: Service, **changes) -> Service:
    """A copy of ``service`` with fields changed (convenience for editing)."""
    return replace(service, **changes)
