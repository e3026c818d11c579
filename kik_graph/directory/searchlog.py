"""Anonymous counting of failed searches (no result), so that unmet needs become visible to the office.

Stored in the internal named graph ``kikg:office`` (:data:`kik_graph.namespaces.GRAPH_OFFICE`, never exported):
one ``kik:FailedSearch`` node per (normalised text, language, day) with ``kik:count``. Nothing else is kept –
no time of day, no IP address, no session; e-mail addresses and digit sequences (phone numbers, dates of
birth, file numbers) are removed from the text before it is stored, and the text is capped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kik_graph.directory.hours import TIMEZONE
from kik_graph.directory.normalise import tokens
from kik_graph.i18n import LANGUAGES
from kik_graph.namespaces import GRAPH_OFFICE, KIK, KIKD
from kik_graph.queries import get_query
from kik_graph.store.base import GraphStore
from kik_graph.store.binding import serialise_term

#: Longest search text kept in the log (characters).
MAX_LOGGED_LENGTH = 120
FAILED_SEARCH_BASE = str(KIKD["intern/erfolglose-suche/"])
_EMAIL = re.compile(r"\S+@\S+")
_DIGITS = re.compile(r"\d[\d\s./-]{1,}\d")
_MASK = "xdigitsx"


def anonymise(text: str) -> str:
    """The text to store: e-mail addresses dropped, digit sequences of 3+ digits replaced by ``#``, normalised
    (lower case, folded, single spaces) and capped at :data:`MAX_LOGGED_LENGTH` characters."""
    text = _EMAIL.sub(" ", text or "")
    text = _DIGITS.sub(lambda m: f" {_MASK} " if sum(ch.isdigit() for ch in m.group()) >= 3 else m.group(), text)
    normalised = " ".join("#" if token == _MASK else token for token in tokens(text))
    return normalised[:MAX_LOGGED_LENGTH].strip()


def today() -> date:
    """Today's date in Kempten (day precision is all that is stored)."""
    return datetime.now(TIMEZONE).date()


def _node(text: str, lang: str, day: date) -> URIRef:
    digest = hashlib.sha256(f"{text}\x1f{lang}\x1f{day.isoformat()}".encode()).hexdigest()[:24]
    return URIRef(FAILED_SEARCH_BASE + digest)


def record_failed(store: GraphStore, text: str, lang: str = "de", day: date | None = None) -> str | None:
    """Count one failed search of ``text`` (already cleaned) in ``lang``; returns the stored text (None if empty).

    One SPARQL update (one transaction) adds the node if needed and increments its counter; the update is built
    from validated, serialised RDF terms only.
    """
    stored = anonymise(text)
    if not stored:
        return None
    lang = lang if lang in LANGUAGES else "de"
    day = day or today()
    node = _node(stored, lang, day)
    g, n = serialise_term(GRAPH_OFFICE), serialise_term(node)
    facts = [(RDF.type, KIK.FailedSearch), (KIK.searchText, Literal(stored)), (KIK.searchLanguage, Literal(lang)),
             (DCTERMS.date, Literal(day, datatype=XSD.date))]
    data = " ".join(f"{n} {serialise_term(p)} {serialise_term(o)} ." for p, o in facts)
    count = serialise_term(KIK["count"])
    store.update(
        f"INSERT DATA {{ GRAPH {g} {{ {data} }} }} ;\n"
        f"DELETE {{ GRAPH {g} {{ {n} {count} ?old }} }}\n"
        f"INSERT {{ GRAPH {g} {{ {n} {count} ?new }} }}\n"
        f"WHERE {{ OPTIONAL {{ GRAPH {g} {{ {n} {count} ?old }} }} BIND (COALESCE(?old, 0) + 1 AS ?new) }}"
    )
    return stored


@dataclass
class FailedSearch:
    """One logged search text in one language, summed over days."""

    text: str
    lang: str
    count: int
    first_day: date | None
    last_day: date | None
    days: int


def failed_searches(store: GraphStore, *, since: date | None = None) -> list[FailedSearch]:
    """Failed searches summed per text and language, most frequent first (optionally only from ``since`` on)."""
    rows = store.select(get_query("directory-failed-searches").sparql).rows
    summed: dict[tuple[str, str], FailedSearch] = {}
    for row in rows:
        day = row["day"].toPython() if row.get("day") is not None else None
        if since and day and day < since:
            continue
        key = (str(row["text"]), str(row["lang"]))
        count = int(row["count"].toPython()) if row.get("count") is not None else 0
        item = summed.setdefault(key, FailedSearch(key[0], key[1], 0, day, day, 0))
        item.count += count
        item.days += 1
        if day:
            item.first_day = min(d for d in (item.first_day, day) if d)
            item.last_day = max(d for d in (item.last_day, day) if d)
    return sorted(summed.values(), key=lambda f: (-f.count, f.text))
