"""Synthetic KIK-shaped graphs for benchmarks: the KIK data of ``graph_data/`` repeated for n municipalities.

Municipality 0 is the real KIK data, unchanged. Every other municipality ``k`` is a copy with

* every ``kikd:`` IRI moved below ``kikd:gemeinde/{k}/`` (``kikd:massnahme/SB-7.2`` → ``kikd:gemeinde/37/massnahme/SB-7.2``;
  services keep ``kikd:angebot/{identifier}`` and get the municipality in the identifier, see :data:`SUFFIX_KINDS`);
  the ``kik:`` vocabulary, external IRIs and the shared concept schemes (:data:`SHARED_KINDS`) stay as they are;
* every label and text replaced by obviously synthetic text of similar length
  ("Maßnahme 12 von Gemeinde 37", "Synthetischer Text – Organisation 5 von Gemeinde 37: …");
  numbering (``skos:notation``, ``kik:code``, ``kik:number``, ``kik:districtCode``), units and dates are kept;
* varied actors and links: a few organisations are left out, field actor lists (``kik:listedActor``), category
  memberships (``kik:inCategory``) and target-group tags (``kik:targetGroup``) point to randomly chosen resources of
  the same kind, and the responsibilities are drawn anew (random measures, actors and roles, a varying number);
* key figures scaled randomly.

So every class, property and link pattern of the KIK occurs in every municipality and the named queries stay
selective (a parameter from municipality ``k`` only meets municipality ``k``). The output depends only on
``graph_data/``, ``n_municipalities`` and ``seed``.
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kik_graph import graphdata
from kik_graph.namespaces import GRAPH_KIK, KIK, KIKD, KIKG

#: Path segment inserted into the ``kikd:`` IRIs of municipality k ≥ 1.
SEGMENT = "gemeinde"

#: German / English names of the resource kinds (first path segment of a ``kikd:`` IRI).
KIND_NAMES: dict[str, tuple[str, str]] = {
    "massnahme": ("Maßnahme", "Measure"),
    "ziel": ("Ziel", "Goal"),
    "handlungsfeld": ("Handlungsfeld", "Field of action"),
    "querschnittsthema": ("Querschnittsthema", "Cross-cutting theme"),
    "nap-phase": ("NAP-I-Phase", "NAP-I phase"),
    "phasenzuordnung": ("Phasenzuordnung", "Phase assignment"),
    "zielgruppe": ("Zielgruppe", "Target group"),
    "akteurskategorie": ("Akteurskategorie", "Actor category"),
    "organisation": ("Organisation", "Organisation"),
    "gremium": ("Gremium", "Body"),
    "funktion": ("Funktion", "Post"),
    "zustaendigkeit": ("Zuständigkeit", "Responsibility"),
    "stadtbezirk": ("Stadtbezirk", "District"),
    "kennzahl": ("Kennzahl", "Key figure"),
    "schema": ("Begriffsschema", "Concept scheme"),
    "organisationstyp": ("Organisationstyp", "Organisation type"),
    "gremientyp": ("Gremientyp", "Body type"),
    "quelle": ("Quelle", "Source"),
}

#: Kinds whose IRIs must stay ``kikd:{kind}/{identifier}`` (the shapes tie ``dcterms:identifier`` to the IRI): the
#: municipality goes into the identifier instead (``kikd:angebot/eutb-gemeinde-37``).
SUFFIX_KINDS = frozenset({"angebot"})
_SUFFIX = re.compile(rf"^([^/#]+)/([^/#]*)-{SEGMENT}-([1-9][0-9]*)(?=[#/]|$)")
#: Kinds of ``kikd:`` resources shared by all municipalities (constants used in shapes and code, e.g. the concept
#: scheme ``kikd:schema/angebotskategorien``); copies only add their links to them.
SHARED_KINDS = frozenset({"schema"})
#: Literals kept verbatim: numbering, codes and units are the same in every municipality.
KEEP_PREDICATES = frozenset({SKOS.notation, KIK.code, KIK.districtCode, KIK.unit})
#: Short name-like literals (replaced by a synthetic name, unique per municipality).
LABEL_PREDICATES = frozenset({SKOS.prefLabel, SKOS.altLabel, RDFS.label, KIK.annexLabel, DCTERMS.title})
#: Links redirected to a random resource of the same kind in the same municipality.
RANDOM_LINKS = frozenset({KIK.listedActor, KIK.inCategory, KIK.targetGroup})
ACTOR_TYPES = frozenset({KIK.Organisation, KIK.GovernanceBody, KIK.ActorCategory, KIK.Post})

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/-]{3,30}[0-9]$")
#: Plain strings kept as they are (opening hours and similar structured values).
_KEEP_PLAIN = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)[-, ]")

_WORDS_DE = ("Angebot Beratung Sprachkurs Netzwerk Quartier Eltern Jugendliche Ehrenamt Begegnung Arbeitsmarkt "
             "Kita Schule Gesundheit Wohnen Teilhabe Vielfalt Information Vernetzung Austausch Fachstelle Projekt "
             "Ausbildung Qualifizierung Lotsinnen Treffpunkt Sprechstunde Koordination Zielgruppe Verwaltung "
             "werden wird gemeinsam regelmäßig verbessert ausgebaut abgestimmt gestärkt geprüft informiert "
             "und für die der mit im zur von bei auf").split()
_WORDS_EN = ("service counselling language course network neighbourhood parents youth volunteering meeting labour "
             "market school health housing participation diversity information exchange project training and for "
             "the with in of is are jointly regularly improved extended coordinated").split()


def in_municipality(k: int, local: str) -> URIRef:
    """The IRI of the resource ``local`` (e.g. ``handlungsfeld/SB``) in municipality ``k``."""
    if k == 0:
        return URIRef(f"{KIKD}{local}")
    kind, _, rest = local.partition("/")
    if kind in SUFFIX_KINDS and rest:
        slug, tail = re.match(r"([^#/]*)(.*)$", rest).groups()
        return URIRef(f"{KIKD}{kind}/{slug}-{SEGMENT}-{k}{tail}")
    return URIRef(f"{KIKD}{SEGMENT}/{k}/{local}")


def _split(term: Node) -> tuple[int, str] | None:
    text = str(term)
    if not isinstance(term, URIRef) or not text.startswith(str(KIKD)):
        return None
    rest = text[len(KIKD):]
    if rest.startswith(SEGMENT + "/"):
        number, _, local = rest[len(SEGMENT) + 1:].partition("/")
        return (int(number), local) if number.isdigit() else None
    match = _SUFFIX.match(rest)
    if match and match.group(1) in SUFFIX_KINDS:
        return int(match.group(3)), f"{match.group(1)}/{match.group(2)}{rest[match.end():]}"
    return 0, rest


def municipality_of(term: Node) -> int | None:
    """The municipality a ``kikd:`` IRI belongs to, or None for other terms."""
    split = _split(term)
    return split[0] if split else None


def local_name(term: Node) -> str:
    """The IRI without its municipality, relative to ``kikd:``, e.g. ``massnahme/SB-7.2``."""
    split = _split(term)
    return split[1] if split else str(term)


@dataclass(frozen=True)
class _Template:
    """The KIK data prepared once for copying."""

    triples: tuple[tuple[URIRef, URIRef, Node], ...]  # everything except the responsibilities, sorted
    responsibilities: tuple[tuple[tuple[URIRef, Node], ...], ...]  # (predicate, object) pairs per responsibility
    resources: tuple[URIRef, ...]  # every kikd: IRI used
    names: dict[URIRef, tuple[str, str, int]]  # resource → (German kind, English kind, number within kind)
    pools: dict[str, tuple[URIRef, ...]]  # kind → resources of that kind (for random links)
    actors: tuple[URIRef, ...]  # resources typed with an actor class
    measures: tuple[URIRef, ...]
    droppable: tuple[URIRef, ...]  # organisations that may be left out in a copy
    units: dict[URIRef, str]  # key figure → unit
    filler_de: str
    filler_en: str
    bounds_de: tuple[int, ...]
    bounds_en: tuple[int, ...]


def _kind(term: URIRef) -> str:
    return local_name(term).split("/", 1)[0]


def _filler(words: tuple[str, ...] | list[str], seed: str) -> tuple[str, tuple[int, ...]]:
    rng = random.Random(seed)
    text = " ".join(rng.choice(words) for _ in range(6000))
    bounds = tuple(i + 1 for i, ch in enumerate(text) if ch == " ")
    return text, bounds


@lru_cache(maxsize=2)
def _template(fingerprint: str) -> _Template:
    """Prepare the KIK data (cached per data fingerprint)."""
    graph = graphdata.load_data()
    resp_subjects = set(graph.subjects(RDF.type, KIK.Responsibility))
    triples = sorted(((s, p, o) for s, p, o in graph if s not in resp_subjects), key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    responsibilities = tuple(
        tuple(sorted(((p, o) for p, o in graph.predicate_objects(s)), key=lambda t: (str(t[0]), str(t[1]))))
        for s in sorted(resp_subjects, key=str))
    resources = sorted({t for s, _, o in graph for t in (s, o) if municipality_of(t) == 0}, key=str)
    counters: Counter[str] = Counter()
    names: dict[URIRef, tuple[str, str, int]] = {}
    pools: dict[str, list[URIRef]] = defaultdict(list)
    for r in resources:
        kind = _kind(r)
        counters[kind] += 1
        de, en = KIND_NAMES.get(kind, (kind.capitalize(), kind.capitalize()))
        names[r] = (de, en, counters[kind])
        pools[kind].append(r)
    actors = tuple(sorted({s for t in ACTOR_TYPES for s in graph.subjects(RDF.type, t)}, key=str))
    referenced = {o for s, p, o in graph if p not in RANDOM_LINKS and p != KIK.actor}
    droppable = tuple(r for r in pools.get("organisation", []) if r not in referenced)
    units = {s: str(o) for s, o in graph.subject_objects(KIK.unit)}
    filler_de, bounds_de = _filler(_WORDS_DE, "de")
    filler_en, bounds_en = _filler(_WORDS_EN, "en")
    return _Template(tuple(triples), responsibilities, tuple(resources), names,
                     {k: tuple(v) for k, v in pools.items()}, actors,
                     tuple(sorted(graph.subjects(RDF.type, KIK.Measure), key=str)), droppable, units,
                     filler_de, filler_en, bounds_de, bounds_en)


def _text(tpl: _Template, rng: random.Random, head: str, length: int, lang: str | None) -> str:
    """Synthetic running text: ``head`` followed by filler words, about ``length`` characters long."""
    text, bounds = (tpl.filler_en, tpl.bounds_en) if lang == "en" else (tpl.filler_de, tpl.bounds_de)
    rest = length - len(head) - 2
    if rest < 8:
        return head
    start = bounds[rng.randrange(len(bounds) // 2)]
    end = bounds[max(0, bisect.bisect_right(bounds, start + rest + 1) - 1)] - 1
    return f"{head}: {text[start:end]}" if end > start else head


def _copy(tpl: _Template, k: int, rng: random.Random) -> Iterator[tuple[URIRef, URIRef, Node]]:
    """The triples of municipality ``k`` ≥ 1."""
    dropped = set(rng.sample(tpl.droppable, rng.randint(0, max(1, len(tpl.droppable) // 8))))
    shared = {r for r in tpl.resources if _kind(r) in SHARED_KINDS}
    iris = {r: r if r in shared else in_municipality(k, local_name(r)) for r in tpl.resources if r not in dropped}
    pools = {kind: [iris[r] for r in members if r in iris] for kind, members in tpl.pools.items()}
    alt_seen: Counter[URIRef] = Counter()

    def name(r: URIRef, lang: str | None) -> str:
        de, en, number = tpl.names[r]
        return f"{en} {number} of municipality {k}" if lang == "en" else f"{de} {number} von Gemeinde {k}"

    def plain(s: URIRef, p: URIRef, value: str) -> str:
        """A synthetic plain string of the same kind (locator, e-mail, identifier, phone number, name)."""
        kind, _, number = tpl.names[s]
        if p == KIK.sourceLocator:
            return f"Synthetische Daten, Gemeinde {k}, {kind} {number}"
        if _EMAIL.match(value):
            return f"kontakt{number}@gemeinde-{k}.example"
        if _PHONE.match(value):
            return "".join(str(rng.randrange(10)) if ch.isdigit() and i else ch for i, ch in enumerate(value))
        if _SLUG.match(value):  # an identifier that ends the IRI changes with it
            original, renamed = (str(t).rsplit("/", 1)[-1].split("#")[0] for t in (s, iris[s]))
            return renamed if value == original else value
        if _KEEP_PLAIN.match(value):
            return value
        return _text(tpl, rng, f"{kind} {number} von Gemeinde {k}", len(value), None)

    def literal(s: URIRef, p: URIRef, o: Literal) -> Literal:
        if p in KEEP_PREDICATES or (o.datatype is not None and o.datatype != XSD.decimal):
            return o
        if o.datatype == XSD.decimal:
            scale = Decimal(str(round(rng.uniform(0.5, 1.5), 2)))
            value = (Decimal(str(o)) * scale).quantize(Decimal("0.1"))
            if tpl.units.get(s) == "Prozent":
                value = min(value, Decimal("99.9"))
            return Literal(value, datatype=XSD.decimal)
        if p in LABEL_PREDICATES:
            text = name(s, o.language)
            if p == SKOS.altLabel:
                alt_seen[s] += 1
                text = f"{text} (Variante {alt_seen[s]})"
            elif p == KIK.annexLabel:
                text = f"Anhang: {text}"
            return Literal(text, lang=o.language)
        if o.language is None:
            return Literal(plain(s, p, str(o)))
        head = ("Synthetic text – " if o.language == "en" else "Synthetischer Text – ") + name(s, o.language)
        return Literal(_text(tpl, rng, head, len(o), o.language), lang=o.language)

    for s, p, o in tpl.triples:
        if s not in iris or o in dropped:  # left out, or not a kikd: resource (present in municipality 0)
            continue
        if s in shared and (o in shared or o not in iris):  # shared resource: only its links into the copy
            continue
        if p in RANDOM_LINKS and o in iris:
            yield iris[s], p, rng.choice(pools[_kind(o)])
        elif isinstance(o, Literal):
            yield iris[s], p, literal(s, p, o)
        else:
            yield iris[s], p, iris.get(o, o)

    # Responsibilities drawn anew: a varying number, random measures, actors and roles (shape of the templates).
    actors = [iris[a] for a in tpl.actors if a in iris]
    measures = [iris[m] for m in tpl.measures]
    roles = [o for pairs in tpl.responsibilities for p, o in pairs if p == KIK.role]
    count = max(3, round(len(tpl.responsibilities) * rng.uniform(0.6, 1.6)))
    seen: set[URIRef] = set()
    for i in range(count):
        pairs = tpl.responsibilities[i % len(tpl.responsibilities)]
        measure, actor = rng.choice(measures), rng.choice(actors)
        subject = in_municipality(k, f"zustaendigkeit/{local_name(measure).split('/', 1)[1]}-"
                                     f"{local_name(actor).split('/', 1)[1]}")
        if subject in seen:
            continue
        seen.add(subject)
        role = rng.choice(roles)
        for p, o in pairs:
            if p == KIK.measure:
                o = measure
            elif p == KIK.actor:
                o = actor
            elif p == KIK.role:
                o = role
            elif isinstance(o, Literal):
                if p == SKOS.prefLabel:
                    o = Literal(f"Zuständigkeit {i + 1} von Gemeinde {k}", lang=o.language)
                elif p == KIK.sourceLocator:
                    o = Literal(f"Synthetische Daten, Gemeinde {k}, Zuständigkeit {i + 1}")
                elif p == KIK.provenanceNote:
                    o = Literal("synthetisch erzeugt", lang=o.language)
                elif o.datatype is None:
                    o = Literal(_text(tpl, rng, f"Synthetischer Text – Zuständigkeit {i + 1} von Gemeinde {k}", len(o),
                                      o.language), lang=o.language)
            else:
                o = iris.get(o, o)
            yield subject, p, o


def _municipalities(n_municipalities: int, seed: int) -> Iterator[tuple[int, Iterator[tuple[URIRef, URIRef, Node]]]]:
    if n_municipalities < 1:
        raise ValueError(f"n_municipalities muss mindestens 1 sein, nicht {n_municipalities}.")
    tpl = _template(graphdata.fingerprint())
    yield 0, iter(graphdata.load_data())
    for k in range(1, n_municipalities):
        yield k, _copy(tpl, k, random.Random(f"kik-synthetic:{seed}:{k}"))


def triples(n_municipalities: int, seed: int = 0) -> Iterator[tuple[URIRef, URIRef, Node]]:
    """All triples of :func:`generate` as a stream (municipality 0 first)."""
    for _, stream in _municipalities(n_municipalities, seed):
        yield from stream


def generate(n_municipalities: int, seed: int = 0) -> Graph:
    """A KIK-shaped graph of ``n_municipalities`` municipalities (0 = the real KIK data), deterministic in ``seed``.

    The graph's identifier is the KIK data graph (:data:`kik_graph.namespaces.GRAPH_KIK`).
    """
    graph = Graph(identifier=GRAPH_KIK)
    graph.addN((s, p, o, graph) for s, p, o in triples(n_municipalities, seed))
    return graph


def municipality_graph(k: int) -> URIRef:
    """The named graph that holds the data of municipality ``k`` in a store of several municipalities: the KIK data
    graph for 0 (the real KIK), ``kikg:gemeinde/{k}`` otherwise."""
    return GRAPH_KIK if k == 0 else KIKG[f"{SEGMENT}/{k}"]


def municipality_graphs(n_municipalities: int, seed: int = 0) -> Iterator[Graph]:
    """The triples of :func:`generate`, one graph per municipality (identifier :func:`municipality_graph`)."""
    for k, stream in _municipalities(n_municipalities, seed):
        graph = Graph(identifier=municipality_graph(k))
        graph.addN((s, p, o, graph) for s, p, o in stream)
        yield graph


def as_nquads(graph: Graph) -> bytes:
    """``graph`` as N-Quads in its named graph (its identifier)."""
    suffix = f" <{graph.identifier}> .".encode()
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"".join(line[:-2] + suffix + b"\n" for line in lines if line.endswith(b" ."))


def sample_parameters(graph: Graph, k: int) -> dict[str, Node | str]:
    """Parameter values from municipality ``k`` for which the named queries return rows.

    Keys: ``field``, ``goal``, ``measure``, ``phase`` (IRIs), ``actor`` and ``group`` (IRIs) with
    ``actor_label`` and ``group_label`` (their German labels, for look-up by name).
    """
    def mine(term: Node) -> bool:
        return municipality_of(term) == k

    responsibilities = sorted((r for r in graph.subjects(RDF.type, KIK.Responsibility) if mine(r)), key=str)
    if not responsibilities:
        raise ValueError(f"Gemeinde {k} hat keine Zuständigkeiten im Graphen.")
    first = responsibilities[0]
    measure = graph.value(first, KIK.measure)
    actor = graph.value(first, KIK.actor)
    phase_counts = Counter(graph.value(a, KIK.phase) for a in graph.subjects(RDF.type, KIK.PhaseAssignment) if mine(a))
    phase = min(phase_counts, key=lambda p: (-phase_counts[p], str(p)))
    group_counts = Counter(g for _, g in graph.subject_objects(KIK.targetGroup) if mine(g))
    group = min(group_counts, key=lambda g: (-group_counts[g], str(g)))
    fields = sorted({f for f, _ in graph.subject_objects(KIK.listedActor) if mine(f)}, key=str)

    def label(term: Node) -> str:
        return next(str(o) for o in graph.objects(term, SKOS.prefLabel) if o.language == "de")

    return {"field": fields[0], "goal": graph.value(measure, KIK.goal), "measure": measure, "phase": phase,
            "actor": actor, "actor_label": label(actor), "group": group, "group_label": label(group)}
