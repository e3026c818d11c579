"""hsds.json validates against the official Open Referral HSDS 3 JSON schemas (vendored in tests/data/hsds/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from rdflib import Literal
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kik_graph.directory.model import ADMS, SCHEMA, services_in
from kik_graph.export import hsds
from kik_graph.export.privacy import public_graph
from kik_graph.namespaces import KIK, KIKD, RDF
from tests.fixtures.export import BASE

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "hsds"
#: HSDS table (array in hsds.json) → object schema file.
TABLES = {"organizations": "organization", "services": "service", "locations": "location",
          "service_at_locations": "service_at_location", "addresses": "address", "phones": "phone",
          "schedules": "schedule", "languages": "language", "taxonomies": "taxonomy",
          "taxonomy_terms": "taxonomy_term", "attributes": "attribute"}


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.json")}
    assert set(TABLES.values()) <= set(schemas), "vendored HSDS schemas incomplete"
    # resolves the schemas' relative $refs (e.g. "phone.json") offline; a $ref to a file that is not vendored
    # raises instead of passing silently
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)) for schema in schemas.values())
    return {table: Draft202012Validator(schemas[name], registry=registry, format_checker=FormatChecker())
            for table, name in TABLES.items()}


def problems(document: dict, validators: dict[str, Draft202012Validator]) -> list[str]:
    """Every schema violation in ``document`` (plus HSDS's tabular_required fields), as readable lines."""
    found = []
    for table, validator in validators.items():
        required = validator.schema.get("tabular_required", [])
        for row in document.get(table, []):
            found += [f"{table}/{row.get('id')}: {e.message}" for e in validator.iter_errors(row)]
            found += [f"{table}/{row.get('id')}: '{f}' fehlt (tabular_required)" for f in required if f not in row]
    return found


@pytest.mark.parametrize("export", ["kik_export", "status_export"])
def test_exported_hsds_file_is_valid(export, validators, request):
    """The real directory (seed data) and one with statuses the office has checked both give a valid file."""
    document = json.loads(request.getfixturevalue(export).files["hsds"].read_text(encoding="utf-8"))
    assert document["services"]
    assert problems(document, validators) == []


def test_every_field_the_directory_can_hold_is_valid_hsds(store, validators):
    graph = public_graph(store)
    for service in services_in(graph):
        graph.add((KIKD["angebot/" + service.slug], ADMS.status, KIK.ServiceTemporarilyClosed))
    s = KIKD["angebot/amt-fuer-integration"]
    graph.add((s, KIK.spokenLanguage, Literal("ar")))
    graph.add((s, SCHEMA.openingHours, Literal("Mo-Fr 08:00-12:30")))
    graph.add((s, SCHEMA.openingHours, Literal("Sa 10:00-12:00")))
    graph.add((s, KIK.interpreterAvailable, Literal(True)))
    graph.add((s, KIK.costType, KIK.FreeOfCharge))
    graph.add((s, KIK.accessMode, KIK.WalkIn))
    visit = KIKD["angebot/amt-fuer-integration#anschrift-besuch-9"]
    graph.add((s, SCHEMA.address, visit))
    graph.add((visit, RDF.type, KIK.Address))
    graph.add((visit, KIK.addressType, KIK.VisitingAddress))
    graph.add((visit, SCHEMA.streetAddress, Literal("Beispielweg 1")))
    graph.add((visit, SCHEMA.postalCode, Literal("87435")))
    graph.add((visit, SCHEMA.addressLocality, Literal("Kempten (Allgäu)")))
    document = {"hsds_version": hsds.HSDS_VERSION, **hsds.build_hsds(graph, base=BASE)}
    assert len(document["services"]) >= 40 and document["schedules"] and document["addresses"]
    assert problems(document, validators) == []


@pytest.mark.parametrize("table, change, expected", [
    ("services", lambda r: r.update(status="unknown"), "'unknown' is not one of"),
    ("services", lambda r: r.pop("status"), "'status' is a required property"),
    ("services", lambda r: r.update(organization_id="kein-uuid"), "is not a 'uuid'"),
    ("schedules", lambda r: r.update(timezone="Europe/Berlin"), "is not of type 'number'"),
    ("services", lambda r: r.pop("organization_id"), "tabular_required"),
])
def test_the_validator_catches_what_hsds_forbids(status_export, validators, table, change, expected):
    document = json.loads(status_export.files["hsds"].read_text(encoding="utf-8"))
    change(document[table][0])
    assert any(expected in line for line in problems(document, validators))
