"""„Angabe falsch / fehlt melden“: short anonymous reports on a service, stored for the office.

A report names the service, the field concerned (one of :data:`FIELDS`) and a free text (capped at
:data:`MAX_FEEDBACK_LENGTH` characters), with the date (day precision). No name, e-mail, IP address or time of
day is asked for or stored. Reports live in the internal graph ``kikg:office`` (never exported) until the office
deletes them as done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kik_graph.directory.model import SERVICE_BASE
from kik_graph.directory.searchlog import today
from kik_graph.namespaces import GRAPH_OFFICE, KIK, KIKD
from kik_graph.queries import get_query
from kik_graph.store.base import GraphStore
from kik_graph.store.binding import serialise_term
from kik_graph.terms import InvalidInput, clean_text, shorten

#: Longest free text of a report.
MAX_FEEDBACK_LENGTH = 1000
FEEDBACK_BASE = str(KIKD["intern/rueckmeldung/"])
#: Field codes a report can concern (the UI shows them translated: i18n keys ``directory.field.<code>``).
FIELDS = ("name", "description", "provider", "telephone", "email", "website", "address", "opening_hours",
          "languages", "cost", "access", "status", "other")


@dataclass
class Feedback:
    """One stored report."""

    iri: str
    service: str
    service_label: str
    field: str
    text: str
    day: date | None


def submit(store: GraphStore, service_iri: str, field: str, text: str, *, known_services: set[str] | None = None,
           day: date | None = None) -> str:
    """Store a report; returns its IRI. Raises :class:`InvalidInput` (naming the problem) and stores nothing
    when the service, the field or the text is not acceptable."""
    if not isinstance(service_iri, str) or not service_iri.startswith(SERVICE_BASE):
        raise InvalidInput(f"Angebot: {shorten(str(service_iri))!r} ist kein Angebot des Verzeichnisses.")
    if known_services is not None and service_iri not in known_services:
        raise InvalidInput(f"Angebot: {shorten(service_iri)!r} gibt es im Verzeichnis nicht.")
    if field not in FIELDS:
        raise InvalidInput(f"Feld: {shorten(str(field))!r} ist nicht erlaubt ({', '.join(FIELDS)}).")
    body = clean_text(text or "", field="Text der Meldung", max_length=MAX_FEEDBACK_LENGTH)
    if not body and field == "other":
        raise InvalidInput("Text der Meldung: Bitte kurz beschreiben, was falsch ist oder fehlt.")
    node = URIRef(FEEDBACK_BASE + uuid.uuid4().hex)
    facts = [(RDF.type, KIK.Feedback), (KIK.aboutService, URIRef(service_iri)), (KIK.feedbackField, Literal(field)),
             (DCTERMS.date, Literal(day or today(), datatype=XSD.date))]
    if body:
        facts.append((KIK.feedbackText, Literal(body)))
    n = serialise_term(node)
    data = " ".join(f"{n} {serialise_term(p)} {serialise_term(o)} ." for p, o in facts)
    store.update(f"INSERT DATA {{ GRAPH {serialise_term(GRAPH_OFFICE)} {{ {data} }} }}")
    return str(node)


def list_feedback(store: GraphStore) -> list[Feedback]:
    """All stored reports, newest first."""
    rows = store.select(get_query("directory-feedback").sparql).rows
    out = []
    for row in rows:
        out.append(Feedback(str(row["feedback"]), str(row["service"]), str(row.get("serviceLabel") or ""),
                            str(row["field"]), str(row.get("text") or ""),
                            row["day"].toPython() if row.get("day") is not None else None))
    return out


def delete(store: GraphStore, feedback_iri: str) -> None:
    """Delete one report (when the office has dealt with it)."""
    if not isinstance(feedback_iri, str) or not feedback_iri.startswith(FEEDBACK_BASE):
        raise InvalidInput(f"Rückmeldung: {shorten(str(feedback_iri))!r} ist keine Rückmeldung.")
    g, n = serialise_term(GRAPH_OFFICE), serialise_term(URIRef(feedback_iri))
    store.update(f"DELETE WHERE {{ GRAPH {g} {{ {n} ?p ?o }} }}")
