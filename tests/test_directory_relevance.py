"""Relevance of the directory search on its own test set (tests/relevance/directory.json): recall@5 and MRR.

The report (overall and per language) is printed and written to tests/artifacts/directory-relevance.json.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from kik_graph.directory.search import SearchIndex, run

SET = Path(__file__).parent / "relevance" / "directory.json"
ARTIFACT = Path(__file__).parent / "artifacts" / "directory-relevance.json"
#: Thresholds the search must keep (the test fails below them).
MIN_RECALL_AT_5, MIN_MRR, MIN_RECALL_PER_LANGUAGE = 0.9, 0.8, 0.8


def evaluate(index: SearchIndex, queries: list[dict], k: int = 5) -> dict:
    """recall@k = |relevant ∩ top k| / min(k, |relevant|) and reciprocal rank of the first relevant hit, per query."""
    rows = []
    for q in queries:
        result = run(index, q["query"], lang=q["lang"], limit=k)
        top = [h.service.slug for h in result.hits[:k]]
        relevant = set(q["relevant"])
        recall = len(relevant & set(top)) / min(k, len(relevant))
        ranks = [n for n, slug in enumerate(top, 1) if slug in relevant]
        rows.append({"lang": q["lang"], "query": q["query"], "recall": recall, "rr": 1 / ranks[0] if ranks else 0.0,
                     "top": top})
    per_lang: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        per_lang[row["lang"]].append(row)

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    return {"queries": len(rows), f"recall@{k}": mean([r["recall"] for r in rows]), "mrr": mean([r["rr"] for r in rows]),
            "per_language": {lang: {"queries": len(rs), f"recall@{k}": mean([r["recall"] for r in rs]),
                                    "mrr": mean([r["rr"] for r in rs])} for lang, rs in sorted(per_lang.items())},
            "misses": [r for r in rows if r["recall"] < 1 or r["rr"] < 1]}


def test_relevance_set_is_broad_enough() -> None:
    data = json.loads(SET.read_text(encoding="utf-8"))
    queries = data["queries"]
    assert len(queries) >= 40
    assert {q["lang"] for q in queries} >= {"de", "de-x-ls", "en", "ar", "tr", "uk", "ru", "fa"}
    assert all(q["relevant"] for q in queries)


def test_recall_at_5_and_mrr(directory_index: SearchIndex) -> None:
    data = json.loads(SET.read_text(encoding="utf-8"))
    known = {s.slug for s in directory_index.services}
    for q in data["queries"]:
        assert set(q["relevant"]) <= known, f"unbekannte Kennung in {q['query']!r}"
    report = evaluate(directory_index, data["queries"], data.get("k", 5))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nRelevanz: {report['queries']} Anfragen, recall@5 = {report['recall@5']:.3f}, MRR = {report['mrr']:.3f}")
    for lang, values in report["per_language"].items():
        print(f"  {lang:8} n={values['queries']:2}  recall@5={values['recall@5']:.3f}  MRR={values['mrr']:.3f}")
    assert report["recall@5"] >= MIN_RECALL_AT_5, report["misses"]
    assert report["mrr"] >= MIN_MRR, report["misses"]
    for lang, values in report["per_language"].items():
        assert values["recall@5"] >= MIN_RECALL_PER_LANGUAGE, (lang, report["misses"])
    assert not [m for m in report["misses"] if m["recall"] == 0], "jede Anfrage braucht einen relevanten Treffer"
