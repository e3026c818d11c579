"""Directory search latency: on the seed services and on 10,000 generated services (target p95 ≤ 50 ms).

The queries are those of the relevance set (all languages, typos, questions) plus a few hard cases. The generated
services are built in memory from the seed taxonomy and providers with random German names and descriptions;
index build time is reported as well.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from benchmarks.common import BenchContext, print_table, timed
from kik_graph.directory import search as directory_search
from kik_graph.directory.model import Directory, Service
from kik_graph.directory.search import Filters, SearchIndex, get_index
from kik_graph.store import OxigraphStore, load_into

TARGET_P95_MS = 50.0
RELEVANCE = Path(__file__).resolve().parents[1] / "tests" / "relevance" / "directory.json"
EXTRA = [("de", "Beratung"), ("de", "Wohnungsnothilfeberatungsstelle"), ("de", "Qxzvbnm"),
         ("de", "Ich suche eine kostenlose Beratung für meine Familie in Kempten, am besten auf Arabisch oder Türkisch"),
         ("en", "counseling for refugees"), ("ru", "переводчики")]
_WORDS = ("Beratung Sprachkurs Deutschkurs Treff Café Familie Kinder Eltern Wohnung Arbeit Ausbildung Bewerbung "
          "Gesundheit Pflege Ehrenamt Dolmetscher Begegnung Nachbarschaft Jugend Frauen Senioren Integration Schule "
          "Hausaufgaben Bibliothek Lernwerkstatt Sprachcafé Stadtteil Quartier Projekt Hilfe Anlaufstelle Kultur "
          "Sport Musik Garten Werkstatt Computer Alphabetisierung Recht Asyl Migration Zukunft Brücke").split()
_PLACES = ("Kempten", "Sankt Mang", "Thingers", "Haubenschloß", "Bühl", "Lenzfried", "Innenstadt", "Ost", "West")


def queries() -> list[tuple[str, str]]:
    """(language, text) pairs used for timing."""
    data = json.loads(RELEVANCE.read_text(encoding="utf-8"))
    return [(q["lang"], q["query"]) for q in data["queries"]] + EXTRA


def generated_directory(seed: Directory, n: int = 10_000, rng_seed: int = 7) -> Directory:
    """``n`` synthetic services over the seed taxonomy, providers and labels (deterministic for ``rng_seed``)."""
    rng = random.Random(rng_seed)
    providers = sorted({p for s in seed.services for p in s.providers})
    categories = sorted(seed.categories)
    groups = sorted({g for s in seed.services for g in s.target_groups})
    districts = sorted(i for i in seed.labels if "/stadtbezirk/" in i)
    services = []
    for i in range(n):
        words = rng.sample(_WORDS, 3)
        name = f"{words[0]} {words[1]} {rng.choice(_PLACES)} {i}"
        description = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(12, 30))) + "."
        services.append(Service(
            slug=f"synthetisch-{i}", name=name, description=description, providers=[rng.choice(providers)],
            categories=rng.sample(categories, rng.randint(1, 3)), target_groups=rng.sample(groups, rng.randint(0, 2)),
            languages=rng.sample(["de", "ar", "tr", "uk", "ru", "prs", "en"], rng.randint(0, 3)),
            cost=rng.choice([None, "free", "fee"]), district=rng.choice([None, *districts]),
            opening_hours=rng.choice([[], ["Mo-Fr 09:00-12:00"], ["Tu,Th 14:00-18:00"]]), source_locator="synthetisch"))
    return Directory(services, seed.categories, seed.labels, seed.alt_labels, seed.parents, seed.notations, seed.texts)


def _latency(index: SearchIndex, items: list[tuple[str, str]], filters: Filters | None = None) -> dict[str, float]:
    position = {"i": 0}

    def one() -> None:
        lang, text = items[position["i"] % len(items)]
        position["i"] += 1
        directory_search.run(index, text, lang=lang, filters=filters, limit=10)

    return timed(one, repeat=max(200, 3 * len(items)), warmup=len(items))


def run_bench(ctx: BenchContext, n_generated: int = 10_000) -> list[dict]:
    """Time the search on the seed data and on ``n_generated`` services; record rows and the p95 targets."""
    store = OxigraphStore(None)
    load_into(store)
    started = time.perf_counter()
    seed_index = get_index(store)
    seed_build = time.perf_counter() - started
    items = queries()
    rows = []
    stats = _latency(seed_index, items)
    rows.append({"Daten": f"Seed ({len(seed_index.services)} Angebote)", "Index (s)": round(seed_build, 3), **stats})
    big = SearchIndex(generated_directory(seed_index.directory, n_generated))
    stats_big = _latency(big, items)
    rows.append({"Daten": f"generiert ({n_generated} Angebote)", "Index (s)": round(big.build_seconds, 3), **stats_big})
    stats_filtered = _latency(big, items, Filters(free=True, category=sorted(seed_index.directory.categories)[0]))
    rows.append({"Daten": f"generiert + Filter ({n_generated})", "Index (s)": 0.0, **stats_filtered})
    print_table(rows, ["Daten", "Index (s)", "n", "p50_ms", "p95_ms", "max_ms"])
    for row in rows:
        ctx.record("search", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()})
    ctx.target("Suche p95, Seed-Daten (ms)", stats["p95_ms"], f"≤ {TARGET_P95_MS:.0f} ms", stats["p95_ms"] <= TARGET_P95_MS)
    ctx.target(f"Suche p95, {n_generated} Angebote (ms)", stats_big["p95_ms"], f"≤ {TARGET_P95_MS:.0f} ms",
               stats_big["p95_ms"] <= TARGET_P95_MS)
    return rows


def run(ctx: BenchContext) -> None:
    """Entry point of ``make bench``."""
    run_bench(ctx)
