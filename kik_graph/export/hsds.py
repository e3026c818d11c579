"""The service directory as Open Referral HSDS 3.0 JSON (``hsds.json``).

One JSON document with one array per HSDS table – ``organizations``, ``services``, ``locations``,
``service_at_locations``, ``addresses``, ``phones``, ``schedules``, ``languages``, ``taxonomies``,
``taxonomy_terms``, ``attributes`` – whose objects follow the HSDS 3.0 object schemas and reference each other by
``id`` (the "tabular" form of HSDS, as JSON).

Identifiers are UUID v5 derived from the resource's internal IRI, so they are stable across exports. Only what the
graph states is written: a fact the source does not give stays out, and required text fields without content are
empty strings (``""``). The public graph (after the privacy filter) is the only input.

Status: HSDS requires ``status`` (one of ``active``, ``inactive``, ``defunct``, ``temporarily closed``) and has no
value for "unknown". The status comes from the graph (``adms:status``): the seed services are ``active`` as of the
KIK 2021, which names them as existing (stated in each service's note); a status the office has checked carries the
date of the check (``kik:lastVerified``), written as ``assured_date`` – without it, ``assured_date`` stays out, so a
reader sees that nobody has checked the status since the source. kik-graph never invents a status: a service without
one (e.g. added by the office without a status) is left out of ``hsds.json`` – with its organisation, locations and
links – and counted in ``HsdsResult.without_status``; the office finds it in the directory's data-completeness list
(field "Status"). The RDF export still contains every service.

Schedules: HSDS ``timezone`` is a fixed UTC offset (a number); Kempten's offset changes with daylight saving time,
so it is not written – opening times are local time, which ``notes`` says.

The output is validated against the official HSDS 3 JSON schemas in the tests (``tests/data/hsds/``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, SKOS

from kik_graph.directory import hours
from kik_graph.directory.model import CATEGORY_SCHEME, Service, services_in
from kik_graph.export.files import write_atomic
from kik_graph.export.rdf import INTERNAL_BASE, rebase_term

HSDS_FILE = "hsds.json"
HSDS_VERSION = "3.0"
_NS = uuid.UUID("6f1c1d2e-5b7a-5c0e-9a43-4b1d8e0f2c11")  # namespace of kik-graph's HSDS identifiers

#: HSDS service status for the directory's status codes.
STATUS = {"active": "active", "temporarily-closed": "temporarily closed", "ended": "defunct"}
#: Names of ISO 639 language codes (German), for the ``name`` of language objects.
LANGUAGE_NAMES = {
    "de": "Deutsch", "en": "Englisch", "ar": "Arabisch", "tr": "Türkisch", "uk": "Ukrainisch", "ru": "Russisch",
    "fa": "Persisch (Farsi)", "prs": "Dari", "ps": "Paschtu", "ku": "Kurdisch", "sq": "Albanisch",
    "ro": "Rumänisch", "pl": "Polnisch", "it": "Italienisch", "fr": "Französisch", "es": "Spanisch",
    "hr": "Kroatisch", "sr": "Serbisch", "bs": "Bosnisch", "bg": "Bulgarisch", "el": "Griechisch",
    "ti": "Tigrinya", "so": "Somali", "hu": "Ungarisch", "vi": "Vietnamesisch", "zh": "Chinesisch",
}
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TARGET_GROUP_SCHEME = URIRef(INTERNAL_BASE + "schema/zielgruppen")


def hsds_id(kind: str, key: str) -> str:
    """A stable UUID (v5) for one HSDS object."""
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def _label(graph: Graph, node: URIRef, prop: URIRef = SKOS.prefLabel, lang: str = "de") -> str:
    values = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
    for value in values:
        if value.language == lang:
            return str(value)
    for value in values:
        if not value.language:
            return str(value)
    return ""


class _Builder:
    def __init__(self, graph: Graph, base: str) -> None:
        self.g = graph
        self.base = base
        self.tables: dict[str, list[dict]] = {name: [] for name in (
            "organizations", "services", "locations", "service_at_locations", "addresses", "phones", "schedules",
            "languages", "taxonomies", "taxonomy_terms", "attributes")}
        self._organisations: dict[str, str] = {}
        self._terms: dict[str, str] = {}
        self._taxonomies: dict[str, str] = {}

    def public_iri(self, iri: str) -> str:
        return str(rebase_term(URIRef(iri), INTERNAL_BASE, self.base))

    # ---------------------------------------------------------------- organisations
    def organisation(self, iri: str) -> str:
        if iri in self._organisations:
            return self._organisations[iri]
        oid = hsds_id("organization", iri)
        self._organisations[iri] = oid
        node = URIRef(iri)
        parent = self.g.value(node, ORG.unitOf)
        record: dict = {"id": oid, "name": _label(self.g, node) or iri.rsplit("/", 1)[-1],
                        "description": self._organisation_description(node), "uri": self.public_iri(iri)}
        alternate = _label(self.g, node, SKOS.altLabel)
        if alternate:
            record["alternate_name"] = alternate
        if isinstance(parent, URIRef):
            record["parent_organization_id"] = self.organisation(str(parent))
        self.tables["organizations"].append(record)
        return oid

    def _organisation_description(self, node: URIRef) -> str:
        from kik_graph.namespaces import KIK

        kind = self.g.value(node, KIK.organisationType)
        return _label(self.g, kind) if isinstance(kind, URIRef) else ""

    # ---------------------------------------------------------------- taxonomies
    def taxonomy(self, scheme: URIRef) -> str:
        key = str(scheme)
        if key in self._taxonomies:
            return self._taxonomies[key]
        tid = hsds_id("taxonomy", key)
        self._taxonomies[key] = tid
        self.tables["taxonomies"].append({
            "id": tid, "name": _label(self.g, scheme) or key.rsplit("/", 1)[-1],
            "description": _label(self.g, scheme, SKOS.definition), "uri": self.public_iri(key)})
        return tid

    def term(self, iri: str, scheme: URIRef) -> str:
        if iri in self._terms:
            return self._terms[iri]
        node = URIRef(iri)
        tid = hsds_id("taxonomy_term", iri)
        self._terms[iri] = tid
        record: dict = {"id": tid, "code": iri.rsplit("/", 1)[-1], "name": _label(self.g, node) or iri,
                        "description": _label(self.g, node, SKOS.definition), "taxonomy_id": self.taxonomy(scheme),
                        "language": "de", "term_uri": self.public_iri(iri)}
        parent = self.g.value(node, SKOS.broader)
        if isinstance(parent, URIRef) and (parent, SKOS.inScheme, scheme) in self.g:
            record["parent_id"] = self.term(str(parent), scheme)
        self.tables["taxonomy_terms"].append(record)
        return tid

    def attribute(self, service_id: str, iri: str, scheme: URIRef, link_type: str) -> None:
        term_id = self.term(iri, scheme)
        self.tables["attributes"].append({
            "id": hsds_id("attribute", f"{service_id}:{link_type}:{iri}"), "link_id": service_id,
            "link_type": link_type, "link_entity": "service", "taxonomy_term_id": term_id,
            "label": _label(self.g, URIRef(iri))})

    # ---------------------------------------------------------------- services
    def service(self, service: Service) -> bool:
        """Add ``service`` (and what it links to); False (nothing added) when its status is not recorded."""
        if service.status not in STATUS:
            return False
        sid = hsds_id("service", service.iri)
        providers = service.providers or service.competent_authorities
        record: dict = {"id": sid, "name": service.name, "description": service.description}
        if providers:
            record["organization_id"] = self.organisation(providers[0])
        for other in [*service.providers[1:], *service.competent_authorities]:
            self.organisation(other)
        if service.name_i18n.get("en"):
            record["alternate_name"] = service.name_i18n["en"]
        if service.website:
            record["url"] = service.website
        if service.email:
            record["email"] = service.email
        record["status"] = STATUS[service.status]
        if service.interpreter:
            record["interpretation_services"] = "Dolmetschen möglich"
        fees = service.fee_description or {"free": "kostenlos", "fee": "kostenpflichtig"}.get(service.cost or "", "")
        if fees:
            record["fees_description"] = fees
        if service.eligibility:
            record["eligibility_description"] = service.eligibility
        if service.access_modes:
            record["application_process"] = ", ".join(
                {"walk-in": "ohne Termin", "appointment": "nach Terminvereinbarung", "online": "online"}[m]
                for m in service.access_modes)
        if service.last_verified:
            record["assured_date"] = service.last_verified.isoformat()
        self.tables["services"].append(record)

        if service.telephone:
            self.tables["phones"].append({"id": hsds_id("phone", service.iri), "service_id": sid,
                                          "number": service.telephone})
        for code in service.languages:
            language = {"id": hsds_id("language", f"{service.iri}:{code}"), "service_id": sid, "code": code}
            if code in LANGUAGE_NAMES:
                language["name"] = LANGUAGE_NAMES[code]
            self.tables["languages"].append(language)
        for value in service.opening_hours:
            self.schedules(value, service_id=sid, key=service.iri)
        for category in service.categories:
            self.attribute(sid, category, CATEGORY_SCHEME, "service_category")
        for group in service.target_groups:
            self.attribute(sid, group, TARGET_GROUP_SCHEME, "target_group")
        for n, address in enumerate(a for a in service.addresses if a.kind == "visiting"):
            self.location(service, sid, n, address)
        return True

    def schedules(self, value: str, *, service_id: str, key: str) -> None:
        spans = hours.parse(value)
        by_time: dict[tuple, list[int]] = {}
        for span in spans:
            by_time.setdefault((span.opens, span.closes), []).append(span.day)
        for (opens, closes), days in sorted(by_time.items()):
            self.tables["schedules"].append({
                "id": hsds_id("schedule", f"{key}:{value}:{opens}:{closes}"), "service_id": service_id,
                "freq": "WEEKLY", "byday": ",".join(_DAYS[d] for d in sorted(set(days))),
                "opens_at": opens.strftime("%H:%M"), "closes_at": closes.strftime("%H:%M"),
                "notes": f"Ortszeit ({hours.TIMEZONE.key})", "description": value})

    def location(self, service: Service, service_id: str, n: int, address) -> None:
        lid = hsds_id("location", f"{service.iri}#{n}")
        location: dict = {"id": lid, "location_type": "physical", "name": service.name}
        if address.note:
            location["description"] = address.note
        if service.providers:
            location["organization_id"] = self.organisation(service.providers[0])
        self.tables["locations"].append(location)
        if address.street and address.locality and address.postal_code:
            self.tables["addresses"].append({
                "id": hsds_id("address", f"{service.iri}#{n}"), "location_id": lid, "address_1": address.street,
                "city": address.locality, "postal_code": address.postal_code,
                "state_province": "Bayern" if "kempten" in address.locality.casefold() else "",
                "country": "DE", "address_type": "physical"})
        self.tables["service_at_locations"].append({"id": hsds_id("service_at_location", f"{service.iri}#{n}"),
                                                     "service_id": service_id, "location_id": lid})


@dataclass
class HsdsResult:
    """The HSDS tables and the services that could not be written."""

    tables: dict[str, list[dict]]
    #: IRIs of the services left out because no status is recorded (HSDS requires one)
    without_status: list[str] = field(default_factory=list)


def build_hsds_result(public: Graph, *, base: str = INTERNAL_BASE) -> HsdsResult:
    """The HSDS tables for every service with a recorded status in the (privacy-filtered) public graph."""
    builder = _Builder(public, base)
    left_out = [service.iri for service in services_in(public) if not builder.service(service)]
    for rows in builder.tables.values():
        rows.sort(key=lambda r: r["id"])
    return HsdsResult(builder.tables, sorted(left_out))


def build_hsds(public: Graph, *, base: str = INTERNAL_BASE) -> dict[str, list[dict]]:
    """The HSDS tables (see :func:`build_hsds_result`); IRIs rebased to ``base``."""
    return build_hsds_result(public, base=base).tables


def write_hsds(tables: dict[str, list[dict]], out_dir: Path) -> Path:
    """Write ``hsds.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {"hsds_version": HSDS_VERSION, **tables}
    path = out_dir / HSDS_FILE
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return path
