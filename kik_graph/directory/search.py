"""The directory search: an in-process index over the services, forgiving and multilingual.

How a query is answered
1. The text is cleaned (:func:`kik_graph.terms.clean_text`, length cap), folded and split into content tokens
   (stop words of whole questions in all UI languages removed; :mod:`~kik_graph.directory.normalise`).
2. Each token is looked up in the index by its light stems (exact word or word form), by prefix (inflection,
   e.g. Turkish ``kursu`` → ``kurs``), as parts of a German compound (``Deutschkurs`` → ``deutsch`` + ``kurs``) and,
   when nothing else matches, by edit distance (typos; distance 1 from 5 letters, 2 from 8 letters).
3. Matches are scored per field (name > category > provider > target group > description), weighted by rarity
   (idf) and by how well they matched; category synonyms in all languages lead to the German services of that
   category. Services matching more of the query's words rank higher; a fully matched multi-word category
   synonym ("german course", "Almanca kursu") gives a bonus.
4. Filters (category, target group, language spoken, district, free of charge, open now) restrict the result;
   ended services are left out unless asked for.

Every hit carries :class:`Match` records saying why it matched. The index is built once per directory version and
cached per store (:func:`search`), rebuilt when the data change (:func:`invalidate` forces it).
"""

from __future__ import annotations

import bisect
import gc
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from kik_graph.directory.model import Directory, Service, load_directory
from kik_graph.directory.normalise import (
    MAX_QUERY_TOKENS,
    content_tokens,
    decompound,
    fold,
    script,
    stems,
    tokens,
    unique,
)
from kik_graph.i18n import LANGUAGES
from kik_graph.queries import get_query
from kik_graph.store.base import GraphStore
from kik_graph.terms import InvalidInput, clean_text, shorten

#: Field weights: a match in the name counts most.
WEIGHTS = {"name": 3.0, "category": 2.2, "provider": 1.6, "target_group": 1.2, "description": 0.8, "text": 0.35}
#: Quality of a match by kind.
QUALITY = {"exact": 1.0, "form": 0.9, "prefix": 0.75, "part": 0.75, "typo1": 0.7, "typo2": 0.5}
#: Weight of a category match reached through a narrower category of the service.
NARROWER_FACTOR = 0.7
#: From this many services on, the built index is frozen for the garbage collector (see SearchIndex).
FREEZE_THRESHOLD = 2000
#: Default and maximum number of results.
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_BUILTIN_LEXICON = """
deutsch sprach sprache kurs kurse beratung berat stelle dienst migration integration jugend familie famili kind
kinder eltern schwanger schwangerschaft wohnung wohn raum not hilfe arbeit job ausbildung beruf schule bildung
gesundheit arzt ehrenamt dolmetscher kultur cafe stadt teil buro zentrum haus generation bibliothek beirat amt
agentur center anerkennung frau frauen therapie treff treffpunkt begegnung abschluss zeugnis suche such lotse lotsen
pool angebot service burger recht asyl fluchtling frag lern lehr heim platz markt sozial psych seele krise
""".split()


@dataclass(frozen=True)
class Match:
    """Why a service matched one query word: in which ``field``, how (``kind``), and the matched ``text``
    (a name, a category synonym with its ``lang``, a provider, or a word of the description)."""

    term: str
    field: str
    kind: str
    text: str
    lang: str = ""


@dataclass
class Hit:
    """One result: the service, its score and the reasons."""

    service: Service
    score: float
    matches: list[Match] = field(default_factory=list)


@dataclass
class Filters:
    """Restrictions of a search. Values are IRIs (category, target group, district) or codes (language)."""

    category: str | None = None
    target_group: str | None = None
    language: str | None = None
    district: str | None = None
    free: bool = False
    open_now: bool = False
    include_ended: bool = False

    def active(self) -> bool:
        """True when any filter restricts the result."""
        return any((self.category, self.target_group, self.language, self.district, self.free, self.open_now))

    @classmethod
    def resolve(cls, directory: Directory, *, category: str | None = None, target_group: str | None = None,
                language: str | None = None, district: str | None = None, free: bool = False, open_now: bool = False,
                include_ended: bool = False) -> Filters:
        """Filters from user values: slugs, labels (any language) or IRIs; ISO codes; district numbers or names.

        Raises :class:`InvalidInput` naming the filter and the allowed values when a value is unknown.
        """
        return cls(
            category=_resolve_category(directory, category) if _given(category) else None,
            target_group=_resolve_target_group(directory, target_group) if _given(target_group) else None,
            language=_resolve_language(language) if _given(language) else None,
            district=_resolve_district(directory, district) if _given(district) else None,
            free=bool(free), open_now=bool(open_now), include_ended=bool(include_ended))

    def as_params(self) -> dict[str, str]:
        """The filters as short query parameters for share links (``cat``, ``group``, ``spoken``, ``district``, …)."""
        params: dict[str, str] = {}
        if self.category:
            params["cat"] = self.category.rsplit("/", 1)[-1]
        if self.target_group:
            params["group"] = self.target_group.rsplit("/", 1)[-1]
        if self.language:
            params["spoken"] = self.language
        if self.district:
            params["district"] = self.district.rsplit("/", 1)[-1]
        if self.free:
            params["free"] = "1"
        if self.open_now:
            params["open"] = "1"
        return params


@dataclass
class SearchResult:
    """The answer to one search. ``message`` is an i18n key when the answer needs an explanation
    (empty query, only filler words, no result); ``failed`` is True for a real search without any hit."""

    query: str
    normalised: str
    lang: str
    terms: list[str]
    hits: list[Hit]
    total: int
    message: str | None = None
    failed: bool = False
    unknown_hours: int = 0


@dataclass
class _Entry:
    field: str
    text: str
    lang: str = ""
    category: str | None = None


class SearchIndex:
    """The inverted index over one :class:`Directory`."""

    def __init__(self, directory: Directory) -> None:
        started = time.perf_counter()
        self.directory = directory
        self.services = list(directory.services)
        self.entries: list[_Entry] = []
        # term -> doc -> (score, entry, kind); category postings separately: term -> category -> (score, entry, kind)
        self.postings: dict[str, dict[int, tuple[float, int, str]]] = defaultdict(dict)
        # long texts (description, eligibility, KIK quotes) separately: very common words there are skipped
        self.text_postings: dict[str, dict[int, tuple[float, int, str]]] = defaultdict(dict)
        self.category_postings: dict[str, dict[str, tuple[float, int, str]]] = defaultdict(dict)
        # category -> doc -> factor (1.0 for the service's own category, lower when reached via a narrower one)
        self.category_docs: dict[str, dict[int, float]] = defaultdict(dict)
        self.category_labels: list[tuple[str, int, frozenset[str]]] = []
        self._term_cache: dict[str, list[tuple[str, str]]] = {}
        self._word_entries: dict[tuple[str, str], int] = {}
        self.lexicon = self._lexicon()
        self._index_services()
        self._index_filters()
        self._index_categories()
        self.vocabulary = sorted(set(self.postings) | set(self.text_postings) | set(self.category_postings))
        self._vocab_set = set(self.vocabulary)
        self.df = {term: len(docs) for term, docs in self.text_postings.items()}
        for term, docs in self.postings.items():
            self.df[term] = max(self.df.get(term, 0), len(docs))
        self._array_cache: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self._category_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._names_rank = {doc: rank for rank, doc in enumerate(
            sorted(range(len(self.services)), key=lambda d: self.services[d].name.casefold()))}
        #: a word in more long texts than this is too common to rank by (names and categories still count)
        self.max_text_df = max(200, int(0.2 * len(self.services)))
        if len(self.services) >= FREEZE_THRESHOLD:
            # a large index is long-lived: move its objects out of the garbage collector's generations so that
            # collections triggered by a query's temporary objects do not rescan millions of them (latency spikes)
            gc.collect()
            gc.freeze()
        for term, cats in self.category_postings.items():
            docs = set().union(*(self.category_docs.get(c, {}).keys() for c in cats))
            self.df[term] = max(self.df.get(term, 0), len(docs) or 1)
        self.n = max(1, len(self.services))
        self.build_seconds = time.perf_counter() - started

    # ---------------------------------------------------------------------------------------------- building
    def _lexicon(self) -> frozenset[str]:
        words: set[str] = set(_BUILTIN_LEXICON)
        for category in self.directory.categories.values():
            for text in [*category.pref.values(), *(a for alts in category.alt.values() for a in alts)]:
                words.update(t for t in tokens(text) if len(t) >= 3)
        for service in self.services:
            words.update(t for t in tokens(service.name) if len(t) >= 4)
        for labels in self.directory.labels.values():
            for text in labels.values():
                words.update(t for t in tokens(text) if len(t) >= 4)
        stemmed = {s for w in words for s in stems(w)}
        return frozenset(words | stemmed)

    def _terms(self, word: str) -> list[tuple[str, str]]:
        """Index terms of one surface word with their kind (exact/form/part); cached per word."""
        cached = self._term_cache.get(word)
        if cached is not None:
            return cached
        out: list[tuple[str, str]] = []
        for token in tokens(word):
            out.append((token, "exact"))
            out.extend((s, "form") for s in stems(token) if s != token)
            for part in decompound(token, self.lexicon):
                out.append((part, "part"))
        self._term_cache[word] = out
        return out

    def _add_text(self, doc: int, field_name: str, text: str, lang: str = "") -> None:
        if not text:
            return
        whole = field_name not in ("description", "text")
        entry = self._entry(field_name, text, lang) if whole else -1
        weight = WEIGHTS[field_name]
        postings = self.postings if whole else self.text_postings
        for word in _WORD.findall(text):
            for term, kind in self._terms(word):
                score = weight * QUALITY[kind]
                current = postings[term].get(doc)
                if current is None or current[0] < score:
                    # long texts: the explanation names the matched word, not the whole text
                    postings[term][doc] = (score, entry if whole else self._entry(field_name, word, lang), kind)

    def _entry(self, field_name: str, text: str, lang: str = "") -> int:
        key = (field_name, text, lang)
        found = self._word_entries.get(key)
        if found is None:
            found = self._word_entries[key] = len(self.entries)
            self.entries.append(_Entry(field_name, text, lang))
        return found

    def _index_filters(self) -> None:
        """Sets of services per filter value (filters become set intersections)."""
        self.ended: set[int] = set()
        self.by_group: dict[str, set[int]] = defaultdict(set)
        self.by_language: dict[str, set[int]] = defaultdict(set)
        self.by_district: dict[str, set[int]] = defaultdict(set)
        self.free_docs: set[int] = set()
        self.hours_docs: set[int] = set()
        for doc, s in enumerate(self.services):
            if s.status == "ended":
                self.ended.add(doc)
            for group in s.target_groups:
                self.by_group[group].add(doc)
            for code in s.languages:
                self.by_language[code].add(doc)
            if s.district:
                self.by_district[s.district].add(doc)
            if s.cost == "free":
                self.free_docs.add(doc)
            if s.opening_hours:
                self.hours_docs.add(doc)

    def _index_services(self) -> None:
        d = self.directory
        for doc, service in enumerate(self.services):
            self._add_text(doc, "name", service.name, "de")
            for lang, name in service.name_i18n.items():
                self._add_text(doc, "name", name, lang)
            for iri in service.providers:
                for lang, label in d.labels.get(iri, {}).items():
                    self._add_text(doc, "provider", label, lang)
                for alt in d.alt_labels.get(iri, []):
                    self._add_text(doc, "provider", alt, "de")
                parent = d.parents.get(iri)
                if parent:
                    self._add_text(doc, "provider", d.label(parent), "de")
            for iri in service.target_groups:
                for lang, label in d.labels.get(iri, {}).items():
                    self._add_text(doc, "target_group", label, lang)
                for alt in d.alt_labels.get(iri, []):
                    self._add_text(doc, "target_group", alt, "de")
            self._add_text(doc, "description", service.description, "de")
            for lang, text in service.description_i18n.items():
                self._add_text(doc, "description", text, lang)
            for text in (service.eligibility, service.required_documents):
                self._add_text(doc, "description", text, "de")
            for text in service.evidence:
                self._add_text(doc, "text", text, "de")
            for category in service.categories:
                self.category_docs[category][doc] = 1.0
        # a service in a narrower category also belongs to the broader one
        for iri, category in d.categories.items():
            for broader in category.broader:
                for doc in self.category_docs.get(iri, {}):
                    self.category_docs[broader].setdefault(doc, NARROWER_FACTOR)

    def _index_categories(self) -> None:
        weight = WEIGHTS["category"]
        for iri, category in self.directory.categories.items():
            labels = [(lang, text) for lang, text in category.pref.items()]
            labels += [(lang, text) for lang, alts in category.alt.items() for text in alts]
            for lang, text in labels:
                entry = len(self.entries)
                self.entries.append(_Entry("category", text, lang, iri))
                label_terms: set[str] = set()
                for word in _WORD.findall(text):
                    for term, kind in self._terms(word):
                        score = weight * QUALITY[kind]
                        current = self.category_postings[term].get(iri)
                        if current is None or current[0] < score:
                            self.category_postings[term][iri] = (score, entry, kind)
                        if kind in ("exact", "form"):
                            label_terms.add(term)
                if len(content_tokens(text)) >= 2:
                    self.category_labels.append((iri, entry, frozenset(label_terms)))

    # ------------------------------------------------------------------------------------------------ lookup
    def expand(self, token: str) -> list[tuple[str, str]]:
        """Index terms a query token reaches, with the kind of match (exact, form, prefix, part, typo1/2)."""
        found: dict[str, str] = {}

        def add(term: str, kind: str) -> None:
            if term in self._vocab_set and (term not in found or QUALITY[kind] > QUALITY[found[term]]):
                found[term] = kind

        add(token, "exact")
        token_stems = stems(token)
        for s in token_stems:
            add(s, "form")
        for s in token_stems:
            if len(s) >= 4:
                # longer index terms starting with the stem (e.g. "kurs" → "kurse"), not much longer
                i = bisect.bisect_left(self.vocabulary, s)
                while i < len(self.vocabulary) and self.vocabulary[i].startswith(s):
                    term = self.vocabulary[i]
                    if len(s) / len(term) >= 0.6:
                        add(term, "prefix")
                    i += 1
                # index terms that are a prefix of the stem (e.g. "kursu" → "kurs")
                for cut in range(len(s) - 1, 3, -1):
                    if s[:cut] in self._vocab_set and cut / len(s) >= 0.6:
                        add(s[:cut], "prefix")
                        break
        if not found:
            for part in decompound(token, self.lexicon):
                add(part, "part")
        if not found and script(token) == "latin":
            # the head of a German compound is its last part: "zahnarzt" → "arzt"
            for cut in range(1, len(token) - 3):
                tail = token[cut:]
                if len(tail) / len(token) >= 0.4 and tail in self._vocab_set:
                    add(tail, "part")
                    break
        if not found and len(token) >= 5:
            limit = 1 if len(token) < 8 else 2
            for candidate in unique([token, *token_stems]):
                for term, distance, _ in process.extract(candidate, self.vocabulary, scorer=OSA.distance,
                                                         score_cutoff=limit, limit=8):
                    if distance and abs(len(term) - len(candidate)) <= limit and len(term) >= 4:
                        add(term, "typo1" if distance == 1 else "typo2")
        return sorted(found.items(), key=lambda kv: -QUALITY[kv[1]])

    def idf(self, term: str) -> float:
        """Rarity weight of an index term (1 … ~5)."""
        return 1.0 + math.log(1.0 + self.n / max(1, self.df.get(term, 1)))

    def query(self, terms: list[str], filters: Filters | None = None, *, limit: int = DEFAULT_LIMIT,
              now: datetime | None = None) -> tuple[list[Hit], int]:
        """Rank the services for the content tokens ``terms``; returns (top hits, total number of hits).

        Scores are computed with one numpy array per query word (best match per service), so the cost hardly
        depends on how many services a common word reaches; the reasons are worked out for the top hits only.
        """
        filters = filters or Filters()
        n = len(self.services)
        expansions = [self.expand(token) for token in terms]
        total = np.zeros(n)
        count = np.zeros(n, dtype=np.int32)
        term_stems: set[str] = set()
        for found in expansions:
            best = np.zeros(n)
            categories: dict[str, float] = {}
            for term, kind in found:
                if kind in ("exact", "form", "prefix"):
                    term_stems.add(term)
                factor = QUALITY[kind] * self.idf(term)
                for idx, values in self._arrays(term):
                    current = best[idx]
                    np.maximum(current, values * factor, out=current)
                    best[idx] = current
                for category, (score, _, _) in self.category_postings.get(term, {}).items():
                    categories[category] = max(categories.get(category, 0.0), score * factor)
            for category, base in categories.items():
                idx, weights = self._category_array(category)
                current = best[idx]
                np.maximum(current, weights * base, out=current)
                best[idx] = current
            total += best
            count += best > 0
        bonus, phrases = self._phrase_bonus(term_stems)
        scores = total * (0.4 + 0.6 * count / max(1, len(terms))) + bonus
        valid = count > 0
        if not filters.include_ended and self.ended:
            valid[list(self.ended)] = False
        allowed = self._allowed(filters, now)
        if allowed is not None:
            mask = np.zeros(n, dtype=bool)
            mask[list(allowed)] = True
            valid &= mask
        candidates = np.flatnonzero(valid)
        if len(candidates) > limit:
            threshold = np.partition(scores[candidates], len(candidates) - limit)[len(candidates) - limit]
            candidates = candidates[scores[candidates] >= threshold]
        top = sorted(candidates.tolist(), key=lambda d: (-scores[d], self._names_rank[d]))[:limit]
        hits = []
        for doc in top:
            matches = [m for m in (self._explain(doc, token, found) for token, found in zip(terms, expansions, strict=True))
                       if m is not None]
            matches.sort(key=lambda vm: -vm[0])
            reasons = [m for _, m in matches]
            if doc in phrases and phrases[doc] not in reasons:
                reasons.insert(0, phrases[doc])
            hits.append(Hit(self.services[doc], round(float(scores[doc]), 3), reasons))
        return hits, int(valid.sum())

    def _arrays(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(service indices, scores) of a term's postings: names etc. always, long texts unless very common."""
        cached = self._array_cache.get(term)
        if cached is None:
            cached = []
            for postings, limit in ((self.postings.get(term, {}), None), (self.text_postings.get(term, {}), self.max_text_df)):
                if postings and (limit is None or len(postings) <= limit):
                    cached.append((np.fromiter(postings.keys(), dtype=np.int64, count=len(postings)),
                                   np.fromiter((v[0] for v in postings.values()), dtype=np.float64, count=len(postings))))
            self._array_cache[term] = cached
        return cached

    def _category_array(self, category: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._category_cache.get(category)
        if cached is None:
            docs = self.category_docs.get(category, {})
            cached = (np.fromiter(docs.keys(), dtype=np.int64, count=len(docs)),
                      np.fromiter(docs.values(), dtype=np.float64, count=len(docs)))
            self._category_cache[category] = cached
        return cached

    def _explain(self, doc: int, token: str, found: list[tuple[str, str]]) -> tuple[float, Match] | None:
        """The best match of one query word for one service (value and reason), or None."""
        best: tuple[float, int, str, str] | None = None
        for term, kind in found:
            factor = QUALITY[kind] * self.idf(term)
            candidates = [self.postings.get(term, {}).get(doc)]
            text_postings = self.text_postings.get(term, {})
            if len(text_postings) <= self.max_text_df:
                candidates.append(text_postings.get(doc))
            for category, (score, entry, index_kind) in self.category_postings.get(term, {}).items():
                weight = self.category_docs.get(category, {}).get(doc)
                if weight:
                    candidates.append((score * weight, entry, index_kind))
            for item in candidates:
                if item is not None and (best is None or item[0] * factor > best[0]):
                    best = (item[0] * factor, item[1], kind, item[2])
        if best is None:
            return None
        return best[0], self._match(token, best[1], best[2], best[3])

    def _match(self, token: str, entry: int, kind: str, index_kind: str) -> Match:
        e = self.entries[entry]
        return Match(token, e.field, _kind(kind, index_kind), e.text, e.lang)

    def browse(self, filters: Filters, *, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> tuple[list[Hit], int]:
        """All services passing ``filters`` (no query text), sorted by name."""
        allowed = self._allowed(filters, now)
        docs = set(range(len(self.services))) if allowed is None else allowed
        if not filters.include_ended:
            docs = docs - self.ended
        hits = [Hit(self.services[d], 0.0, []) for d in docs]
        hits.sort(key=lambda h: h.service.name.casefold())
        return hits[:limit], len(hits)

    def _phrase_bonus(self, term_stems: set[str]) -> tuple[np.ndarray, dict[int, Match]]:
        """Bonus for services whose category has a multi-word synonym fully covered by the query (array, reasons)."""
        bonus = np.zeros(len(self.services))
        reasons: dict[int, Match] = {}
        if len(term_stems) < 2:
            return bonus, reasons
        best_value: dict[int, float] = {}
        for category, entry, label_terms in self.category_labels:
            if not label_terms or not label_terms <= term_stems:
                continue
            e = self.entries[entry]
            value = WEIGHTS["category"] * 1.5 * len(label_terms)
            match = Match(" ".join(sorted(label_terms)), "category", "phrase", e.text, e.lang)
            idx, weights = self._category_array(category)
            current = bonus[idx]
            np.maximum(current, weights * value, out=current)
            bonus[idx] = current
            for doc, weight in self.category_docs.get(category, {}).items():
                if value * weight > best_value.get(doc, 0.0):
                    best_value[doc] = value * weight
                    reasons[doc] = match
        return bonus, reasons

    def _allowed(self, filters: Filters, now: datetime | None) -> set[int] | None:
        """The services passing the filters (None: no filter restricts; ended services are handled separately)."""
        sets: list[set[int]] = []
        if filters.category:
            sets.append(set(self.category_docs.get(filters.category, {})))
        if filters.target_group:
            sets.append(self.by_group.get(filters.target_group, set()))
        if filters.language:
            sets.append(self.by_language.get(filters.language, set()))
        if filters.district:
            sets.append(self.by_district.get(filters.district, set()))
        if filters.free:
            sets.append(self.free_docs)
        if filters.open_now:
            sets.append({d for d in self.hours_docs if self.services[d].open_now(now) is True})
        if not sets:
            return None
        sets.sort(key=len)
        return set.intersection(*sets) if len(sets) > 1 else set(sets[0])


# ------------------------------------------------------------------------------------------ filter values

def _given(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _resolve_category(directory: Directory, value: str) -> str:
    raw = clean_text(value, field="Kategorie", max_length=200)
    wanted = fold(raw)
    for iri, category in directory.categories.items():
        names = {category.slug, iri, *category.pref.values(), *(a for alts in category.alt.values() for a in alts)}
        if raw in names or wanted in {fold(n) for n in names}:
            return iri
    allowed = ", ".join(c.slug for c in directory.sorted_categories())
    raise InvalidInput(f"Kategorie: {shorten(raw)!r} ist nicht bekannt. Erlaubt: {allowed}.")


def _resolve_target_group(directory: Directory, value: str) -> str:
    what = "Zielgruppe"
    raw = clean_text(value, field=what, max_length=200)
    wanted = fold(raw)
    candidates = {iri for s in directory.services for iri in s.target_groups}
    for iri in sorted(candidates):
        names = {iri, iri.rsplit("/", 1)[-1], *directory.labels.get(iri, {}).values(), *directory.alt_labels.get(iri, [])}
        if raw in names or wanted in {fold(n) for n in names}:
            return iri
    allowed = ", ".join(sorted(i.rsplit("/", 1)[-1] for i in candidates))
    raise InvalidInput(f"{what}: {shorten(raw)!r} ist nicht bekannt. Erlaubt: {allowed}.")


def _resolve_language(value: str) -> str:
    raw = clean_text(value, field="Sprache", max_length=20).lower()
    if not re.fullmatch(r"[a-z]{2,3}", raw):
        raise InvalidInput(f"Sprache: {shorten(raw)!r} ist kein ISO-639-Code (z.B. ar, tr, uk, prs).")
    return raw


def _resolve_district(directory: Directory, value: str) -> str:
    raw = clean_text(value, field="Stadtbezirk", max_length=200)
    base = "https://w3id.org/kik-graph/id/stadtbezirk/"
    if re.fullmatch(r"\d{2}", raw):
        return base + raw
    if raw.startswith(base):
        return raw
    wanted = fold(raw)
    for iri, labels in directory.labels.items():
        if iri.startswith(base) and wanted in {fold(v) for v in labels.values()}:
            return iri
    raise InvalidInput(f"Stadtbezirk: {shorten(raw)!r} ist keine Bezirksnummer (z.B. 10) und kein bekannter Name.")


def _kind(query_kind: str, index_kind: str) -> str:
    if query_kind.startswith("typo"):
        return "typo"
    if index_kind == "part" or query_kind == "part":
        return "part"
    if query_kind == "exact" and index_kind == "exact":
        return "exact"
    return "form"


# ------------------------------------------------------------------------------------------------ module API

_CACHE: dict[tuple[int, bool], tuple[float, str, SearchIndex]] = {}
_LOCK = threading.Lock()
#: Seconds between two checks whether the store's services changed.
RECHECK_SECONDS = 5.0


def invalidate() -> None:
    """Forget all cached indexes (call after changing services in a store)."""
    with _LOCK:
        _CACHE.clear()


def _probe(store: GraphStore) -> str:
    result = store.select(get_query("directory-version").sparql)
    row = result.rows[0] if result.rows else {}
    return "|".join(str(row.get(v) or "") for v in result.variables)


def get_index(store: GraphStore, *, public: bool = True) -> SearchIndex:
    """The index for ``store``: built on first use, rebuilt when the services changed (checked every few seconds).

    ``public=False`` indexes everything, also what the privacy filter withholds (for office views only).
    """
    key = (id(store), public)
    now = time.monotonic()
    with _LOCK:
        cached = _CACHE.get(key)
    if cached and now - cached[0] < RECHECK_SECONDS:
        return cached[2]
    version = _probe(store)
    if cached and cached[1] == version:
        with _LOCK:
            _CACHE[key] = (now, version, cached[2])
        return cached[2]
    index = SearchIndex(load_directory(store, public=public))
    with _LOCK:
        _CACHE[key] = (now, version, index)
    return index


def prepare(text: str | None) -> tuple[str, str, list[str]]:
    """Clean and normalise a query: (cleaned text, normalised text for the log, content tokens).

    Raises :class:`InvalidInput` for text that is too long (see :data:`kik_graph.terms.MAX_TEXT_LENGTH`).
    """
    raw = (text or "").replace("\u200c", " ")
    cleaned = clean_text(raw, field="Suchtext")
    normalised = " ".join(tokens(cleaned))
    return cleaned, normalised, content_tokens(cleaned, limit=MAX_QUERY_TOKENS)


def run(index: SearchIndex, text: str | None, *, lang: str = "de", filters: Filters | None = None,
        limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> SearchResult:
    """Search ``index`` (see the module docstring). Never raises for odd text except InvalidInput for over-long text."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"Sprache: {lang!r} wird nicht unterstützt. Erlaubt: {', '.join(LANGUAGES)}.")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Anzahl: {limit!r} liegt nicht zwischen 1 und {MAX_LIMIT}.")
    filters = filters or Filters()
    cleaned, normalised, terms = prepare(text)
    if not terms:
        if filters.active():
            hits, total = index.browse(filters, limit=limit, now=now)
            return _finish(SearchResult(cleaned, normalised, lang, [], hits, total,
                                        None if total else "directory.search.no_results"), index, filters)
        message = "directory.search.only_stopwords" if normalised else "directory.search.empty"
        return SearchResult(cleaned, normalised, lang, [], [], 0, message)
    hits, total = index.query(terms, filters, limit=limit, now=now)
    result = SearchResult(cleaned, normalised, lang, terms, hits, total)
    if not total:
        # only a search that finds nothing even without the filters shows an unmet need
        if filters.active() and index.query(terms, Filters(include_ended=filters.include_ended), limit=1)[1]:
            result.message = "directory.search.no_results_filtered"
        else:
            result.message = "directory.search.no_results"
            result.failed = True
    return _finish(result, index, filters)


def _finish(result: SearchResult, index: SearchIndex, filters: Filters) -> SearchResult:
    if filters.open_now:
        result.unknown_hours = sum(1 for s in index.services if not s.opening_hours)
    return result


def search(store: GraphStore, text: str | None, *, lang: str = "de", filters: Filters | None = None,
           limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> SearchResult:
    """Search the services in ``store`` (index cached per store). Does not record anything."""
    return run(get_index(store), text, lang=lang, filters=filters, limit=limit, now=now)


# ------------------------------------------------------------------------------------------- explanations

_FIELD_DE = {"name": "Name", "category": "Kategorie", "provider": "Anbieter", "target_group": "Zielgruppe",
             "description": "Beschreibung", "text": "Beleg im KIK"}
_KIND_DE = {"exact": "genau", "form": "Wortform", "part": "Wortteil", "typo": "ähnliche Schreibweise",
            "phrase": "ganze Wendung"}


def explain(match: Match, lang: str = "de", directory: Directory | None = None) -> str:
    """A short German explanation of a match, e.g. ``Kategorie „Deutsch lernen und Sprachkurse“ über „german course“ (en)``."""
    kind = _KIND_DE.get(match.kind, match.kind)
    if match.field == "category":
        category = None
        if directory is not None:
            category = next((c for c in directory.categories.values()
                             if match.text in c.pref.values() or any(match.text in a for a in c.alt.values())), None)
        label = category.label("de")[0] if category else ""
        via = f"„{match.text}“" + (f" ({match.lang})" if match.lang and match.lang != "de" else "")
        if label and label != match.text:
            return f"Kategorie „{label}“ über {via} – {kind}"
        return f"Kategorie {via} – {kind}"
    text = match.text if len(match.text) <= 80 else match.text[:79] + "…"
    return f"{_FIELD_DE.get(match.field, match.field)}: „{text}“ ← „{match.term}“ – {kind}"


def explanations(hit: Hit, directory: Directory | None = None) -> list[str]:
    """German explanations of the matches of ``hit`` (for the CLI and JSON), without repetitions."""
    return unique(explain(m, "de", directory) for m in hit.matches)
