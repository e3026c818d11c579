"""Constants and small parsers of the editing layer: roles, statuses, IRIs of edited resources, accounts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kik_graph.namespaces import KIK, KIKD
from kik_graph.terms import InvalidInput, clean_text, shorten

#: Roles: accepted spellings → role IRI.
ROLES: dict[str, URIRef] = {
    "lead": KIK.Lead, "federführend": KIK.Lead, "federfuehrend": KIK.Lead, "leitung": KIK.Lead,
    "partner": KIK.Partner, "beteiligt": KIK.Partner,
}
ROLE_LABELS = {KIK.Lead: "federführend", KIK.Partner: "beteiligt"}

#: The six implementation statuses in report order: (IRI, German label, slug).
STATUSES: list[tuple[URIRef, str, str]] = [
    (KIK.StatusOpen, "offen", "offen"),
    (KIK.StatusPlanned, "geplant", "geplant"),
    (KIK.StatusInProgress, "in Umsetzung", "in-umsetzung"),
    (KIK.StatusImplemented, "umgesetzt", "umgesetzt"),
    (KIK.StatusOngoing, "dauerhaft", "dauerhaft"),
    (KIK.StatusDeferred, "zurückgestellt", "zurueckgestellt"),
]
STATUS_LABELS = {s: label for s, label, _ in STATUSES}
STATUS_SLUGS = {s: slug for s, _, slug in STATUSES}
#: Shown for measures without any status record (absent, not invented).
NOT_RECORDED_LABEL = "offen (nicht erfasst)"

#: The source document of everything the office records (created on first use).
OFFICE_SOURCE = KIKD["quelle/amt-fuer-integration"]
OFFICE_SOURCE_LABEL = "Angaben des Amts für Integration der Stadt Kempten (laufende Fortschreibung)"
OFFICE_PROVENANCE = "vom Amt für Integration erfasst"

_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
_MAX_NOTE = 2000


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ß", "ss")


def parse_role(raw: str, *, field: str = "Rolle") -> URIRef:
    """``lead``/``federführend`` → kik:Lead, ``partner``/``beteiligt`` → kik:Partner (else InvalidInput)."""
    value = clean_text(raw or "", field=field).casefold()
    if value in ROLES:
        return ROLES[value]
    if value.startswith(str(KIK)) or value in ("kik:lead", "kik:partner"):
        return KIK.Lead if value.endswith("lead") else KIK.Partner
    raise InvalidInput(f"{field}: {shorten(raw)!r} ist keine Rolle. Erlaubt: lead/federführend, partner/beteiligt.")


def parse_status(raw: str, *, field: str = "Status") -> URIRef:
    """A status by German label, slug or IRI (case and umlauts folded), else InvalidInput."""
    value = clean_text(raw or "", field=field)
    folded = _fold(value).replace("_", " ").replace("-", " ")
    for status, label, slug in STATUSES:
        if folded in (_fold(label), slug.replace("-", " "), _fold(status.rsplit("#", 1)[-1])) or value == str(status):
            return status
    allowed = ", ".join(label for _, label, _ in STATUSES)
    raise InvalidInput(f"{field}: {shorten(raw)!r} ist kein Umsetzungsstand. Erlaubt: {allowed}.")


def parse_date(raw: str | dt.date | None, *, field: str = "Datum", default: dt.date | None = None) -> dt.date:
    """A date from ``YYYY-MM-DD`` or ``TT.MM.JJJJ`` (or a date object); empty → ``default`` or InvalidInput."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    value = clean_text(str(raw or ""), field=field)
    if not value:
        if default is not None:
            return default
        raise InvalidInput(f"{field}: Datum fehlt.")
    value = value.split(" ")[0].split("T")[0]
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(f"{field}: {shorten(value)!r} ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ).")


def parse_decimal(raw: object, *, field: str = "Zahl") -> Decimal | None:
    """A number (``1234,5`` or ``1234.5``; thousands separators ``.``/`` `` not allowed) or None when empty."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise InvalidInput(f"{field}: {raw!r} ist keine Zahl.")
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, float) and raw != raw:  # NaN from spreadsheets = empty
            return None
        return Decimal(str(raw))
    value = clean_text(str(raw), field=field).replace(" ", "")
    if not value:
        return None
    if re.fullmatch(r"-?\d+,\d+", value):
        value = value.replace(",", ".")
    if not re.fullmatch(r"-?\d{1,15}(\.\d{1,10})?", value):
        raise InvalidInput(f"{field}: {shorten(value)!r} ist keine Zahl (z.B. 12 oder 12,5).")
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise InvalidInput(f"{field}: {shorten(value)!r} ist keine Zahl.") from exc


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal literal in the canonical form the store keeps (``100``, ``150.5``)."""
    text = format(value.normalize(), "f")
    if text in ("-0", "0.0"):
        text = "0"
    return Literal(text, datatype=XSD.decimal)


def note_literal(raw: str | None, *, field: str = "Notiz") -> Literal | None:
    """A cleaned German note literal, or None when empty."""
    text = clean_text(raw or "", field=field, max_length=_MAX_NOTE)
    return Literal(text, lang="de") if text else None


def check_account(account: str) -> str:
    """Validate an account id (letters, digits, ``._@+-``, up to 100 characters)."""
    value = (account or "").strip()
    if not _ACCOUNT.match(value):
        raise InvalidInput(f"Konto {shorten(value)!r} ist keine gültige Kennung (Buchstaben, Ziffern, . _ @ + -).")
    return value


def account_iri(account: str) -> URIRef:
    """The IRI of an account in the history graph (never in the public graph)."""
    return KIKD["konto/" + quote(check_account(account), safe="")]


def slug(text: str, *, max_length: int = 60) -> str:
    """A readable IRI path segment: lower case, umlauts transliterated, other characters as hyphens."""
    value = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(a, b)
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
    return value[:max_length].rstrip("-") or "ohne-name"


def local_id(resource: URIRef) -> str:
    """The last path segment of a resource IRI (``.../massnahme/SB-1.1`` → ``SB-1.1``)."""
    return str(resource).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def responsibility_iri(measure: URIRef, actor: URIRef) -> URIRef:
    """``kikd:zustaendigkeit/{measure-id}-{actor-slug}`` as in graph_data/responsibilities.ttl."""
    return KIKD[f"zustaendigkeit/{local_id(measure)}-{slug(local_id(actor), max_length=120)}"]


def status_iri(measure: URIRef) -> URIRef:
    """The (one, current) status record of a measure: ``kikd:umsetzungsstand/{measure-id}``."""
    return KIKD[f"umsetzungsstand/{local_id(measure)}"]


def indicator_iri(goal: URIRef, name: str) -> URIRef:
    """A new indicator: ``kikd:kenngroesse/{goal-id}-{slug(name)}``."""
    return KIKD[f"kenngroesse/{local_id(goal)}-{slug(name)}"]


def office_source_graph() -> Graph:
    """The triples describing :data:`OFFICE_SOURCE` (added to the KIK graph on first use)."""
    g = Graph()
    g.add((OFFICE_SOURCE, RDF.type, KIK.SourceDocument))
    g.add((OFFICE_SOURCE, SKOS.prefLabel, Literal(OFFICE_SOURCE_LABEL, lang="de")))
    g.add((OFFICE_SOURCE, DCTERMS.title, Literal(OFFICE_SOURCE_LABEL, lang="de")))
    g.add((OFFICE_SOURCE, DCTERMS.publisher, KIKD["organisation/amt-fuer-integration"]))
    return g
