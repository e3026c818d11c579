"""Safe construction of RDF terms from untrusted text.

Every value that reaches a SPARQL query is turned into an RDF term here and then bound to a query variable;
text is never spliced into query strings.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Literal, URIRef

#: Longest text a user may send as a query parameter, search text or form field.
MAX_TEXT_LENGTH = 500
#: Longest IRI accepted.
MAX_IRI_LENGTH = 2000

_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\]")
#: A "%" not followed by two hex digits, and "[" or "]" (IPv6 hosts are never used here): Oxigraph refuses them.
_IRI_REFUSED_BY_STORE = re.compile(r"%(?![0-9A-Fa-f]{2})|[\[\]]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class InvalidInput(ValueError):
    """Raised for user input that cannot be used; the message says what and where."""


def clean_text(value: str, *, field: str = "Eingabe", max_length: int = MAX_TEXT_LENGTH) -> str:
    """Normalise untrusted text: NFC, control and bidi-override characters removed, whitespace collapsed.

    Raises :class:`InvalidInput` when the text is longer than ``max_length`` characters.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: Text erwartet, {type(value).__name__} erhalten.")
    if len(value) > max_length * 4:
        raise InvalidInput(f"{field}: Eingabe ist zu lang ({len(value)} Zeichen, erlaubt sind {max_length}).")
    text = "".join(ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"} or ch in "\t\n")
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_length:
        raise InvalidInput(f"{field}: Eingabe ist zu lang ({len(text)} Zeichen, erlaubt sind {max_length}).")
    return text


def is_iri(value: str) -> bool:
    """True when ``value`` is an absolute IRI that is safe to use as a term."""
    return (
        len(value) <= MAX_IRI_LENGTH
        and bool(_IRI_SCHEME.match(value))
        and not _IRI_FORBIDDEN.search(value)
        and not _IRI_REFUSED_BY_STORE.search(value)
        and not _SURROGATE.search(value)
    )


def iri(value: str, *, field: str = "IRI") -> URIRef:
    """Return ``value`` as an IRI term or raise :class:`InvalidInput`."""
    value = value.strip() if isinstance(value, str) else value
    if not isinstance(value, str) or not is_iri(value):
        raise InvalidInput(f"{field}: {shorten(str(value))!r} ist keine gültige IRI.")
    return URIRef(value)


def text_literal(value: str, *, field: str = "Text", lang: str | None = None,
                 max_length: int = MAX_TEXT_LENGTH) -> Literal:
    """Return cleaned ``value`` as a literal (optionally language-tagged)."""
    return Literal(clean_text(value, field=field, max_length=max_length), lang=lang)


def shorten(value: str, limit: int = 60) -> str:
    """Shorten text for use in an error message (only the part that is kept is cleaned: fast for huge input)."""
    cut = len(value) > limit
    kept = value[: limit - 1] if cut else value
    kept = "".join(ch if ch.isprintable() else "�" for ch in kept)
    return kept + "…" if cut else kept
