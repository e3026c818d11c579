"""The one i18n catalogue for all UI text (German first).

Messages live in ``kik_graph/i18n/*.toml`` – one file per area (``common.toml``, ``office.toml``,
``directory.toml``, …), merged into one catalogue. Each key is a table of translations::

    [overview.title]
    de = "Überblick"
    en = "Overview"

A key defined in two files is an error. :func:`t` falls back to German when a translation is missing and
reports that via :func:`is_fallback`, so pages can say honestly that a text exists only in German.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

DEFAULT_LANGUAGE = "de"
#: UI languages: code → name in that language; RTL languages listed in RTL_LANGUAGES.
LANGUAGES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "tr": "Türkçe",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی (دری)",
    "de-x-ls": "Leichte Sprache",
}
RTL_LANGUAGES = frozenset({"ar", "fa"})
_DIR = Path(__file__).parent


class CatalogueError(RuntimeError):
    """The message catalogue is inconsistent (duplicate key, missing German text)."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key → {language → text}."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for key, texts in _flatten(data):
            if key in merged:
                raise CatalogueError(f"{path.name}: Schlüssel {key!r} ist schon in einer anderen Datei definiert.")
            if DEFAULT_LANGUAGE not in texts:
                raise CatalogueError(f"{path.name}: Schlüssel {key!r} hat keinen deutschen Text.")
            merged[key] = texts
    return merged


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()) and DEFAULT_LANGUAGE in value:
            yield full, value
        elif isinstance(value, dict):
            yield from _flatten(value, full)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``lang`` (German if missing), with ``{placeholders}`` filled in."""
    texts = catalogue().get(key)
    if texts is None:
        raise KeyError(f"i18n-Schlüssel fehlt im Katalog: {key}")
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def is_fallback(key: str, lang: str) -> bool:
    """True when ``key`` has no text in ``lang`` and the German text is shown instead."""
    return lang != DEFAULT_LANGUAGE and lang not in catalogue().get(key, {})


def direction(lang: str) -> str:
    """Text direction of ``lang``: 'rtl' or 'ltr'."""
    return "rtl" if lang in RTL_LANGUAGES else "ltr"
