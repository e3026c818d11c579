"""Text normalisation for the directory search.

The same functions prepare the index and the query, so that both sides meet in one canonical form:

* Unicode NFKC, case folding, removal of combining marks (accents, Arabic harakat, Cyrillic breve),
* German umlaut folding (ä/ae → a, ö/oe → o, ü/ue → u, ß → ss) and Turkish dotless ı → i,
* Arabic and Persian letter variants (alef forms, ta marbuta, alef maqsura, Persian yeh/kaf, tatweel),
* zero-width non-joiners (Persian) become word breaks,
* tokenisation on letters and digits, stop words of whole questions in all UI languages,
* a light, language-agnostic stemmer (German/English/Turkish suffixes, Cyrillic and Arabic endings),
* decompounding of German compounds against a known vocabulary (``Deutschkurs`` → ``deutsch`` + ``kurs``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

#: The maximum number of query tokens considered (longer questions are cut, never rejected).
MAX_QUERY_TOKENS = 24

_ARABIC_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ې": "ي", "ک": "ك", "ۀ": "ه",
    "ؤ": "و", "ئ": "ي", "ـ": None, "ء": None,
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
    "ı": "i", "ß": "ss", "ʼ": "'", "’": "'",
    "\u200c": " ", "\u200d": "", "\u00ad": "",
})
_LATIN_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04FF]")

#: Stop words of questions and filler words in de, Leichte Sprache, en, tr, ar, fa, uk, ru (already folded).
_STOP_WORDS_RAW = """
wo wie was wer wann warum welche welcher welches kann konnen koennen ich mir mich mein meine meinen meiner du sie er es
wir ihr man gibt gib gebe einen eine einer eines ein der die das den dem des und oder in im ins an am auf aus bei mit
nach von vom zu zum zur fur fuer uber ueber um bitte suche suchen brauche brauchen hilfe finde finden bekomme bekommen
ist sind bin bist hat habe haben hier da dort gerne gern mochte moechte will wollen soll sollen auch noch schon nicht
kein keine etwas jemand kempten allgau allgaeu stadt so sehr oder aber am besten gut
where how what who when why which can could i me my mine you we they a an the of for to in on at is are am there do does
find need want get please help some any with about near or and
nerede nasil ne kim hangi ben bana benim sen bir icin var mi mu musun miyim ve bu su ile da de nereden nereye lazim
istiyorum bulabilirim yardim
اين كيف ما ماذا من هل في على الى إلى عن انا أنا لي يمكنني اريد أريد احتاج أحتاج ممكن او أو و هذا هذه مع عند
كجا چگونه چطور چه كه من در به از را با براي براى مي است يك آيا ايا كدام ميخواهم ميتوانم هست هاي ها
де як що хто коли чому який яка яке я мені мій моя можу можна хочу потрібно треба в у на до для з із і й та чи є
где как что кто когда почему какой какая какое мне мой моя могу можно хочу нужно надо в во на к по для с со и или ли есть
"""

_GERMAN_SUFFIXES = ("innen", "ungen", "ern", "en", "er", "es", "e", "n", "s")
_CYRILLIC_SUFFIXES = ("ами", "ями", "ого", "его", "ому", "ему", "ими", "ыми", "ої", "ою", "ей", "ой", "ий", "ый", "ій",
                      "ая", "яя", "ое", "ее", "ую", "юю", "ых", "их", "ам", "ям", "ах", "ях", "ом", "ем", "ов", "ев",
                      "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "ї", "і", "й")
_ARABIC_SUFFIXES = ("ات", "ون", "ين", "ها", "ه", "ي")
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


def unique(values: Iterable[str]) -> list[str]:
    """``values`` without duplicates, in first-seen order."""
    return list(dict.fromkeys(values))


def _folded_suffixes(suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(unique(fold(s) for s in suffixes), key=len, reverse=True))


def fold(text: str) -> str:
    """Canonical form of ``text`` for matching (see the module docstring); keeps spaces and punctuation."""
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC_MAP).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).translate(_ARABIC_MAP)
    for digraph, single in _LATIN_DIGRAPHS:
        text = text.replace(digraph, single)
    return text


def tokens(text: str) -> list[str]:
    """The folded word tokens of ``text`` (letters and digits; everything else separates words)."""
    return _TOKEN.findall(fold(text))


STOP_WORDS: frozenset[str] = frozenset(t for word in _STOP_WORDS_RAW.split() for t in tokens(word))
_GERMAN_SUFFIXES = _folded_suffixes(_GERMAN_SUFFIXES)
_CYRILLIC_SUFFIXES = _folded_suffixes(_CYRILLIC_SUFFIXES)
_ARABIC_SUFFIXES = _folded_suffixes(_ARABIC_SUFFIXES)
_ARABIC_PREFIXES = tuple(fold(p) for p in _ARABIC_PREFIXES)


def script(token: str) -> str:
    """'arabic', 'cyrillic' or 'latin' (everything else)."""
    if _ARABIC_LETTER.search(token):
        return "arabic"
    if _CYRILLIC_LETTER.search(token):
        return "cyrillic"
    return "latin"


@lru_cache(maxsize=65536)
def stems(token: str) -> tuple[str, ...]:
    """Light stems of one folded token: one common inflectional ending stripped, at least 3–4 letters kept.

    Usually one form; for Arabic-script words starting like the article (``ال…``) both the form with and
    the form without the article are returned, because ``ألمانية`` and ``الألمانية`` must meet.
    """
    kind = script(token)
    if kind == "arabic":
        forms = [token]
        for prefix in _ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 3:
                forms.append(token[len(prefix):])
                break
        return tuple(unique(_strip_suffix(form, _ARABIC_SUFFIXES, 3) for form in forms))
    if token.isdigit():
        return (token,)
    if kind == "cyrillic":
        return (_strip_suffix(token, _CYRILLIC_SUFFIXES, 3),)
    return (_strip_suffix(token, _GERMAN_SUFFIXES, 4),)


def stem(token: str) -> str:
    """The primary light stem of one folded token (see :func:`stems`)."""
    return stems(token)[-1]


def _strip_suffix(token: str, suffixes: tuple[str, ...], minimum: int) -> str:
    for suffix in suffixes:
        if token.endswith(suffix) and len(token) - len(suffix) >= minimum:
            return token[: -len(suffix)]
    return token


def content_tokens(text: str, *, limit: int = MAX_QUERY_TOKENS) -> list[str]:
    """Folded tokens of a query without stop words (at most ``limit``; duplicates removed, order kept)."""
    seen: list[str] = []
    for token in tokens(text):
        if token in STOP_WORDS or token in seen:
            continue
        if len(token) == 1 and not token.isdigit():
            continue
        seen.append(token)
        if len(seen) >= limit:
            break
    return seen


_LINKS = ("s", "es", "n", "en", "e", "")


def decompound(token: str, lexicon: frozenset[str] | set[str], *, min_part: int = 3) -> list[str]:
    """Split a (folded) compound into known stems, e.g. ``migrationsberatung`` → ``[migration, beratung]``.

    Parts must be in ``lexicon`` (stems) and at least ``min_part`` letters long; German linking elements
    (``s``, ``es``, ``n``, ``en``, ``e``) between parts are dropped. Returns ``[]`` when no full split exists.
    """
    if script(token) != "latin" or len(token) < 2 * min_part:
        return []
    return list(_split(token, lexicon, min_part, 0) or [])


def _split(rest: str, lexicon, min_part: int, depth: int) -> tuple[str, ...] | None:
    if depth > 4:
        return None
    best: tuple[str, ...] | None = None
    for cut in range(len(rest) - min_part, min_part - 1, -1):
        head = rest[:cut]
        if head not in lexicon and stem(head) not in lexicon:
            continue
        tail = rest[cut:]
        head_stem = head if head in lexicon else stem(head)
        candidates = []
        for link in _LINKS:
            if link and not tail.startswith(link):
                continue
            remainder = tail[len(link):]
            if len(remainder) < min_part:
                continue
            if remainder in lexicon or stem(remainder) in lexicon:
                candidates.append((head_stem, remainder if remainder in lexicon else stem(remainder)))
            else:
                deeper = _split(remainder, lexicon, min_part, depth + 1)
                if deeper:
                    candidates.append((head_stem, *deeper))
        for candidate in candidates:
            if best is None or len(candidate) < len(best):
                best = candidate
        if best is not None and len(best) == 2:
            return best
    return best

