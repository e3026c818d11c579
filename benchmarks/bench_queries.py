"""Named queries: load time and p50/p95 of every query in queries/*.rq on Oxigraph and on rdflib's in-memory store.

Two graphs: the KIK (graph_data/) and a synthetic store of 100 municipalities of the same shape
(benchmarks/synthetic.py), each municipality in its own named graph. There a query runs – like the app of one
municipality – on that municipality's dataset: the union of its graph and the vocabulary (Oxigraph:
``OxigraphStore(path, graphs=…)``, persistent like the KIK store, whose copy in memory holds just that dataset;
rdflib: :class:`ScopedDataset` over the same in-memory store of all 100 municipalities). For comparison, the column
"ganz im RAM" is Oxigraph with all 100 municipalities in memory (same scope). Both engines run the identical query
text with the identical VALUES binding (kik_graph.store.binding.bind).

What is timed: the engine's complete answer – Oxigraph serialises it as a SPARQL endpoint would (SPARQL JSON
results, N-Triples for CONSTRUCT; :meth:`OxigraphStore.query_results`), rdflib yields its result rows. The column
"über API" adds kik-graph's conversion of every value into rdflib terms (``GraphStore.select``), which the app pays
once per cached list. Targets per query (on the engine time): p50 ≤ 2 ms on the KIK; at 100 municipalities p50
≤ 100 ms and at least 50× faster than rdflib. Both engines must return the same rows.

Slow runs are capped so that the module finishes in about ten minutes on 2 cores: on the big graph every Oxigraph
query first runs once in a forked child process that is killed after OX_CAP_S (only then is it timed in-process);
rdflib runs are interrupted by a timer once they have proven the speed-up target (see RDFLIB_MIN_CAP_S). A capped
run is shown as "> cap" and its speed-up as a lower bound ("≥ n×").
"""

from __future__ import annotations

import gc
import multiprocessing
import re
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import ConjunctiveGraph, Dataset, Graph, URIRef
from rdflib.paths import Path as PropertyPath
from rdflib.term import Node

from benchmarks import synthetic
from benchmarks.common import BenchContext, print_table
from kik_graph import graphdata
from kik_graph.config import PATHS
from kik_graph.namespaces import GRAPH_KIK, GRAPH_ONTOLOGY
from kik_graph.params import bind_params, resolve
from kik_graph.queries import NamedQuery, all_queries
from kik_graph.store import OxigraphStore, build_store
from kik_graph.store.base import SelectResult
from kik_graph.store.binding import bind

SECTION = "bench_queries"
N_MUNICIPALITIES = 100
#: Municipality of the synthetic graph whose values are used as parameters.
PARAM_MUNICIPALITY = 50
KIK_TARGET_MS = 2.0
BIG_TARGET_MS = 100.0
SPEEDUP_TARGET = 50.0
#: Oxigraph on the big graph: a single run longer than this is stopped (child process killed).
OX_CAP_S = 10.0
#: rdflib on the big graph: a run stops once it has taken 1.1 × the speed-up target × Oxigraph's time (the target
#: is then met as a lower bound), but never before RDFLIB_MIN_CAP_S; for queries where Oxigraph itself misses
#: its target, after RDFLIB_SLOW_CAP_S.
RDFLIB_MIN_CAP_S = 3.0
RDFLIB_SLOW_CAP_S = 10.0

#: Parameter values on the KIK graph (raw text, resolved with kik_graph.params.bind_params).
KIK_VALUES = {"field": "SB", "measure": "SB-7.2", "goal": "SB-Z7", "phase": "3", "actor": "vhs Kempten",
              "group": "Eltern", "integer": "1"}


class _Capped(BaseException):
    """A run exceeded its time cap."""


@dataclass
class Timing:
    """Samples of one (engine, query) measurement; ``capped`` = a run was stopped after ``cap_s`` seconds."""

    samples: list[float] = field(default_factory=list)  # milliseconds
    rows: int | None = None
    content: list[tuple[str, ...]] | None = None
    capped: bool = False
    cap_s: float | None = None
    error: str | None = None

    @property
    def p50(self) -> float | None:
        """Median in ms (None without a completed run)."""
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        """95th percentile in ms (nearest rank)."""
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]

    @property
    def floor_ms(self) -> float | None:
        """A lower bound for the time of one run: the median, or the cap if a run was stopped."""
        if self.capped and self.cap_s is not None:
            return self.cap_s * 1000
        return self.p50


# --------------------------------------------------------------------------------------------- the rdflib side
class RdflibStore:
    """rdflib's in-memory Dataset (default graph = union of all graphs) behind the GraphStore methods used here."""

    description = "rdflib (Dataset im Arbeitsspeicher)"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def _query(self, query: str, bindings: Mapping[str, Node] | None):
        return self.dataset.query(bind(query, bindings))

    def select(self, query: str, bindings: Mapping[str, Node] | None = None, **_: object) -> SelectResult:
        """Run a SELECT query with ``bindings`` bound exactly as for Oxigraph."""
        result = self._query(query, bindings)
        names = [str(v) for v in result.vars or []]
        return SelectResult(variables=names, rows=[{n: row[i] for i, n in enumerate(names)} for row in result])

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None, **_: object) -> bool:
        """Run an ASK query."""
        return bool(self._query(query, bindings).askAnswer)

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None, **_: object) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""
        graph = Graph()
        for triple in self._query(query, bindings):
            graph.add(triple)
        return graph


class ScopedDataset(ConjunctiveGraph):
    """rdflib's in-memory store seen through some of its named graphs: the default graph is their union (a triple in
    several of them counts once), ``GRAPH ?g`` meets only them – what Oxigraph's ``default_graph``/``named_graphs``
    do. Every triple pattern is answered by rdflib's own context-aware store."""

    def __init__(self, dataset: Dataset, graphs: list[URIRef]) -> None:
        super().__init__(store=dataset.store)
        self.scope = [dataset.graph(g) for g in graphs]

    def triples(self, triple_or_quad, context=None):  # noqa: ANN001, ANN201 – rdflib's signature
        """Triples of the scoped graphs (or of one of them)."""
        s, p, o, c = self._spoc(triple_or_quad)
        context = self._graph(context or c)
        if context is not None and context != self.default_context:
            yield from super().triples((s, p, o), context=context)
        elif isinstance(p, PropertyPath):
            for subject, obj in p.eval(self, s, o):
                yield subject, p, obj
        else:
            for i, graph in enumerate(self.scope):
                for triple in graph.triples((s, p, o)):
                    if not any(triple in earlier for earlier in self.scope[:i]):
                        yield triple

    def contexts(self, triple=None):  # noqa: ANN001, ANN201 – rdflib's signature
        """The scoped graphs (those holding ``triple``)."""
        return (g for g in self.scope if triple is None or triple in g)

    def get_context(self, identifier, quoted=False, base=None):  # noqa: ANN001, ANN201 – rdflib's signature
        """A scoped graph by name; any other name is an empty graph (it is not part of the dataset)."""
        return next((g for g in self.scope if g.identifier == identifier), None) or Graph(identifier=identifier)


def _dataset(files: list[Path]) -> Dataset:
    dataset = Dataset(default_union=True)
    target = dataset.graph(GRAPH_KIK)
    for path in files:
        target.parse(path, format="turtle")
    dataset.graph(GRAPH_ONTOLOGY).parse(PATHS.ontology, format="turtle")
    return dataset


# --------------------------------------------------------------------------------------------- running a query
def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK (the first such keyword outside comments and PREFIX lines)."""
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    match = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", body, re.IGNORECASE)
    return match.group(1).upper() if match else "SELECT"


def _engine(store: object, query: NamedQuery, bindings: Mapping[str, Node]) -> Callable[[], object]:
    """The engine's complete answer: Oxigraph's serialised result document, rdflib's result rows."""
    if isinstance(store, OxigraphStore):
        return lambda: store.query_results(query.sparql, bindings)
    return _runner(store, query, bindings)


def _runner(store: object, query: NamedQuery, bindings: Mapping[str, Node]) -> Callable[[], object]:
    """The answer through the GraphStore interface (values as rdflib terms)."""
    form = query_form(query.sparql)
    if form == "ASK":
        return lambda: store.ask(query.sparql, bindings)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return lambda: store.construct(query.sparql, bindings)
    return lambda: store.select(query.sparql, bindings)


def _canonical(value: object) -> str:
    """A value as text, with the parts of a ", "-separated list sorted: SPARQL leaves the order of GROUP_CONCAT
    open, so two engines may list the same values in different orders."""
    return "" if value is None else ", ".join(sorted(str(value).split(", ")))


def _summary(result: object, with_content: bool) -> tuple[int, list[tuple[str, ...]] | None]:
    """Number of rows (triples, 1 for ASK) and, if asked, the rows as sorted string tuples."""
    if isinstance(result, SelectResult):
        content = sorted(tuple(_canonical(r.get(v)) for v in result.variables) for r in result.rows)
        return len(result.rows), content if with_content else None
    if isinstance(result, Graph):
        return len(result), sorted(tuple(map(str, t)) for t in result) if with_content else None
    return 1, [(str(bool(result)),)] if with_content else None


def _alarm(_signum: int, _frame: object) -> None:
    raise _Capped()


def measure(fn: Callable[[], object], *, warmup: int, max_runs: int, budget_s: float, cap_s: float | None = None,
            with_content: bool = False) -> Timing:
    """Time ``fn`` in this process: ``warmup`` untimed runs, then up to ``max_runs`` until ``budget_s`` is spent
    (a warm-up run that alone takes ``budget_s`` is kept as the only sample).

    With ``cap_s`` (main thread only), a run longer than ``cap_s`` seconds is interrupted by a timer (works for
    pure-Python engines such as rdflib) and the timing is marked as capped.
    """
    timing = Timing(cap_s=cap_s)
    use_alarm = cap_s is not None and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    try:
        spent = 0.0
        for i in range(warmup + max_runs):
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, cap_s)
            start = time.perf_counter()
            try:
                result = fn()
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - start
            if timing.rows is None:
                timing.rows, timing.content = _summary(result, with_content)
            if i >= warmup or elapsed >= budget_s:  # a slow warm-up run counts and ends the measurement
                timing.samples.append(elapsed * 1000)
                spent += elapsed
                if spent >= budget_s:
                    break
    except _Capped:
        timing.capped = True
    except Exception as exc:  # a failing query is reported, the benchmark goes on
        timing.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return timing


def _child(conn, fn: Callable[[], object], kwargs: dict) -> None:
    conn.send(measure(fn, **kwargs))
    conn.close()


def measure_forked(fn: Callable[[], object], *, cap_s: float, warmup: int, max_runs: int, budget_s: float,
                   with_content: bool = False) -> Timing:
    """Like :func:`measure`, but in a forked child process that is killed when it runs longer than allowed.

    Needed for engines that cannot be interrupted from Python (Oxigraph evaluates in native code). The child is
    killed after cap_s + budget_s + 2 seconds; a run longer than cap_s marks the timing as capped.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    kwargs = {"warmup": warmup, "max_runs": max_runs, "budget_s": budget_s, "with_content": with_content}
    process = context.Process(target=_child, args=(sender, fn, kwargs), daemon=True)
    process.start()
    sender.close()
    limit = cap_s + budget_s + 2.0
    try:
        if receiver.poll(limit):
            timing = receiver.recv()
            timing.cap_s = cap_s
            if any(s > cap_s * 1000 for s in timing.samples):
                timing.capped = True
        else:
            timing = Timing(capped=True, cap_s=cap_s)
    except EOFError:
        timing = Timing(error="Kindprozess ohne Ergebnis beendet")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    return timing


def probe(fn: Callable[[], object], *, cap_s: float) -> Timing:
    """One run of ``fn`` in a forked child killed after ``cap_s`` (see :func:`measure_forked`): proves that ``fn``
    finishes before it is timed in this process."""
    return measure_forked(fn, cap_s=cap_s, warmup=0, max_runs=1, budget_s=0.0)


def measure_probed(probed: Timing, fn: Callable[[], object], *, warmup: int, max_runs: int, budget_s: float,
                   with_content: bool = False) -> Timing:
    """The probe itself if it was capped or failed, else ``fn`` timed in this process. Run every probe before the
    first measurement: after a fork the parent's first touches of its heap are page faults, which would otherwise
    make the measurement after each probe up to several times slower."""
    if probed.capped or probed.error:
        return probed
    return measure(fn, warmup=warmup, max_runs=max_runs, budget_s=budget_s, with_content=with_content)


# --------------------------------------------------------------------------------------------- parameters
def _raw_value(query: NamedQuery, kind: str, values: Mapping[str, object]) -> object | None:
    if kind == "text":
        return values.get("group_label" if "target-group" in query.name else "actor_label")
    return values.get(kind)


def kik_bindings(query: NamedQuery, store: object) -> dict[str, Node]:
    """Bindings for ``query`` on the KIK graph: KIK_VALUES resolved by kik_graph.params.bind_params."""
    values = {**KIK_VALUES, "actor_label": KIK_VALUES["actor"], "group_label": KIK_VALUES["group"]}
    raw = {p.name: str(_raw_value(query, p.kind, values)) for p in query.params
           if _raw_value(query, p.kind, values) is not None}
    return bind_params(query, raw, store)


def synthetic_bindings(query: NamedQuery, values: Mapping[str, object], store: object) -> dict[str, Node]:
    """Bindings from municipality values (synthetic.sample_parameters): IRIs as they are, labels resolved.

    Field, measure, goal and phase IRIs of municipality k cannot be written as codes (``SB`` resolves to
    municipality 0), so they are bound directly; actor and target group are looked up by their label through
    kik_graph.params.resolve (the lookup queries), exactly as a user's input would be.
    """
    bindings: dict[str, Node] = {}
    for param in query.params:
        if param.kind == "actor":
            value: object = values["actor_label"]
        elif param.kind == "group":
            value = values["group_label"]
        else:
            value = _raw_value(query, param.kind, values)
        if value is None:
            if param.required:
                raise ValueError(f"kein Beispielwert für Parameterart {param.kind!r}")
            continue
        bindings[param.name] = value if isinstance(value, Node) else resolve(param.kind, str(value), store,
                                                                              name=param.name)
    return bindings


# --------------------------------------------------------------------------------------------- reporting
def _ms(value: float | None, capped: bool = False, cap_s: float | None = None) -> str:
    if capped and cap_s is not None:
        return f"> {cap_s * 1000:.0f}"
    return "–" if value is None else f"{value:.2f}"


def _speedup(ox_t: Timing, rd_t: Timing) -> tuple[float | None, bool]:
    """rdflib time / Oxigraph time and whether it is only a lower bound."""
    if ox_t.p50 is None or rd_t.floor_ms is None or ox_t.capped:
        return None, False
    return rd_t.floor_ms / max(ox_t.p50, 1e-6), rd_t.capped


def _row(graph: str, name: str, ox_t: Timing, api_t: Timing, rd_t: Timing) -> dict:
    """One result row: Oxigraph's engine time, the same through the API, rdflib, the speed-up and whether both engines
    returned the same rows (None when rdflib did not finish)."""
    factor, lower = _speedup(ox_t, rd_t)
    notes = [t.error for t in (ox_t, api_t, rd_t) if t.error]
    finished = api_t.rows is not None and rd_t.rows is not None
    same_rows = api_t.rows == rd_t.rows if finished else None
    return {
        "graph": graph, "query": name, "rows": api_t.rows, "rdflib_rows": rd_t.rows,
        "oxigraph_p50_ms": ox_t.p50, "oxigraph_p95_ms": ox_t.p95, "oxigraph_runs": len(ox_t.samples),
        "oxigraph_min_ms": min(ox_t.samples) if ox_t.samples else None,
        "oxigraph_capped_s": ox_t.cap_s if ox_t.capped else None,
        "oxigraph_api_p50_ms": api_t.p50, "oxigraph_api_p95_ms": api_t.p95,
        "rdflib_p50_ms": rd_t.p50, "rdflib_p95_ms": rd_t.p95, "rdflib_runs": len(rd_t.samples),
        "rdflib_min_ms": min(rd_t.samples) if rd_t.samples else None,
        "rdflib_capped_s": rd_t.cap_s if rd_t.capped else None,
        "speedup": factor, "speedup_is_lower_bound": lower, "errors": notes,
        "same_row_count": same_rows,
        "same_content": (api_t.content == rd_t.content) if same_rows and api_t.content is not None else None,
    }


def _table_row(row: dict) -> dict:
    factor = row["speedup"]
    same = {True: "ja", False: "NEIN", None: "–"}[row["same_content"] if row["same_row_count"] else
                                                  row["same_row_count"]]
    return {
        "Abfrage": row["query"], "Zeilen": "–" if row["rows"] is None else str(row["rows"]),
        "Oxigraph p50 ms": _ms(row["oxigraph_p50_ms"], row["oxigraph_capped_s"] is not None, row["oxigraph_capped_s"]),
        "Oxigraph p95 ms": _ms(row["oxigraph_p95_ms"], row["oxigraph_capped_s"] is not None, row["oxigraph_capped_s"]),
        "über API p50 ms": _ms(row["oxigraph_api_p50_ms"]),
        "rdflib p50 ms": _ms(row["rdflib_p50_ms"], row["rdflib_capped_s"] is not None, row["rdflib_capped_s"]),
        "rdflib p95 ms": _ms(row["rdflib_p95_ms"], row["rdflib_capped_s"] is not None, row["rdflib_capped_s"]),
        "Faktor": "–" if factor is None else ("≥ " if row["speedup_is_lower_bound"] else "") + f"{factor:.0f}×",
        "gleich": same, "Hinweis": "; ".join(row["errors"])[:80],
    }


COLUMNS = ["Abfrage", "Zeilen", "Oxigraph p50 ms", "Oxigraph p95 ms", "über API p50 ms", "rdflib p50 ms",
           "rdflib p95 ms", "Faktor", "gleich", "Hinweis"]


def _report(ctx: BenchContext, label: str, rows: list[dict], target_ms: float, speedup: float | None) -> None:
    """Record the targets of one graph: p50 (engine), same rows as rdflib and, if given, the speed-up."""
    for row in rows:
        capped = row["oxigraph_capped_s"] is not None
        p50 = row["oxigraph_capped_s"] * 1000 if capped else row["oxigraph_p50_ms"]
        ctx.target(f"{label} {row['query']}: Oxigraph p50 ms" + (" (abgebrochen, mindestens)" if capped else ""),
                   p50 if p50 is not None else -1.0, f"≤ {target_ms:g} ms",
                   not capped and p50 is not None and p50 <= target_ms)
        if row["same_row_count"] is not None:
            ctx.target(f"{label} {row['query']}: gleiche Zeilen Oxigraph/rdflib", float(row["rows"] or 0),
                       f"= {row['rdflib_rows']} (rdflib)", bool(row["same_row_count"] and row["same_content"]))
        if speedup is not None:
            factor = row["speedup"]
            bound = " (untere Schranke, rdflib abgebrochen)" if row["speedup_is_lower_bound"] else ""
            ctx.target(f"{label} {row['query']}: Faktor rdflib/Oxigraph{bound}",
                       factor if factor is not None else 0.0, f"≥ {speedup:g}",
                       factor is not None and factor >= speedup)
        if row["same_row_count"] is False or row["same_content"] is False:
            print(f"  ABWEICHUNG {label} {row['query']}: Oxigraph {row['rows']} Zeilen, rdflib {row['rdflib_rows']}")


def _load_row(ctx: BenchContext, graph: str, what: str, seconds: float, triples: int | None = None) -> dict:
    row = {"graph": graph, "what": what, "seconds": round(seconds, 3), "triples": triples}
    ctx.record(f"{SECTION}_load", row)
    return {"Graph": graph, "Schritt": what, "s": f"{seconds:.2f}", "Tripel": "" if triples is None else str(triples)}


# --------------------------------------------------------------------------------------------- the two graphs
def _bench_kik(ctx: BenchContext, queries: dict[str, NamedQuery], loads: list[dict], tmp: Path) -> None:
    """The KIK as the app has it: the persistent store with its copy in memory; for comparison the same store
    read from disk (``mirror=False``) and rdflib."""
    start = time.perf_counter()
    ox_store = build_store(tmp / "store")
    loads.append(_load_row(ctx, "KIK", "Oxigraph persistent (build_store)", time.perf_counter() - start))
    start = time.perf_counter()
    ox_store.triple_count()
    loads.append(_load_row(ctx, "KIK", "Kopie im Arbeitsspeicher anlegen (erster Lesezugriff)",
                           time.perf_counter() - start))
    ox_store_triples = ox_store.triple_count()
    build_store(tmp / "plain").close()
    disk_store = OxigraphStore(tmp / "plain", mirror=False)
    start = time.perf_counter()
    rd_store = RdflibStore(_dataset(graphdata.data_files()))
    loads.append(_load_row(ctx, "KIK", "rdflib Dataset (Turtle parsen)", time.perf_counter() - start,
                           len(rd_store.dataset)))

    rows = []
    for name, query in queries.items():
        try:
            ox_bindings = kik_bindings(query, ox_store)
            rd_bindings = kik_bindings(query, rd_store)
        except Exception as exc:
            print(f"  {name}: übersprungen – Parameter nicht auflösbar: {exc}")
            ctx.record(SECTION, {"graph": "KIK", "query": name, "skipped": str(exc)})
            continue
        if ox_bindings != rd_bindings:
            print(f"  ABWEICHUNG {name}: Parameter unterschiedlich aufgelöst ({ox_bindings} / {rd_bindings})")
        ox_t = measure(_engine(ox_store, query, ox_bindings), warmup=3, max_runs=50, budget_s=0.5)
        api_t = measure(_runner(ox_store, query, ox_bindings), warmup=1, max_runs=30, budget_s=0.3, with_content=True)
        disk_t = measure(_engine(disk_store, query, ox_bindings), warmup=1, max_runs=30, budget_s=0.3)
        rd_t = measure(_runner(rd_store, query, rd_bindings), warmup=1, max_runs=10, budget_s=1.5, cap_s=10.0,
                       with_content=True)
        row = _row("KIK", name, ox_t, api_t, rd_t)
        row["oxigraph_disk_p50_ms"] = disk_t.p50
        ctx.record(SECTION, row)
        rows.append(row)

    disk_store.close()
    ox_store.close()
    print(f"\nKIK-Graph ({ox_store_triples} Tripel mit Vokabular), Parameter {KIK_VALUES}")
    print_table([_table_row(r) | {"Datenträger p50 ms": _ms(r["oxigraph_disk_p50_ms"])} for r in rows],
                [*COLUMNS[:5], "Datenträger p50 ms", *COLUMNS[5:]])
    _report(ctx, "KIK", rows, KIK_TARGET_MS, None)


def _bench_big(ctx: BenchContext, queries: dict[str, NamedQuery], loads: list[dict], tmp: Path) -> None:
    """All municipalities in one persistent store, queried – like the app of one municipality – on one of them:
    the store as kik-graph runs it (on disk, its scope mirrored in memory); for comparison the whole store in
    memory (every municipality) and rdflib."""
    label = f"{N_MUNICIPALITIES} Gemeinden"
    start = time.perf_counter()
    chunks, triples, values = [], 0, None
    for graph in synthetic.municipality_graphs(N_MUNICIPALITIES):
        if graph.identifier == synthetic.municipality_graph(PARAM_MUNICIPALITY):
            values = synthetic.sample_parameters(graph, PARAM_MUNICIPALITY)
        chunks.append(synthetic.as_nquads(graph))
        triples += len(graph)
    data = b"".join(chunks)
    del chunks, graph
    gc.collect()
    loads.append(_load_row(ctx, label, "synthetische Gemeinden erzeugen, als N-Quads serialisieren",
                           time.perf_counter() - start, triples))
    scope = [str(synthetic.municipality_graph(PARAM_MUNICIPALITY)), str(GRAPH_ONTOLOGY)]

    # Each engine is timed while the process holds only what it needs: Oxigraph before rdflib's dataset (several GB
    # of Python objects) exists, which would slow every engine in the process by a fifth or more (cache misses).
    start = time.perf_counter()
    ox_store = OxigraphStore(tmp / "store", graphs=scope, mirror=True)  # all municipalities; queries see one
    ox_store.bulk_load(None, data, "nq")
    ox_store.bulk_load(str(GRAPH_ONTOLOGY), PATHS.ontology, "ttl")
    ox_store.flush()
    loads.append(_load_row(ctx, label, "Oxigraph persistent (bulk_load N-Quads)", time.perf_counter() - start))
    start = time.perf_counter()
    ox_store.ask("ASK { ?s ?p ?o }")
    loads.append(_load_row(ctx, label, "Kopie des Datensatzes einer Gemeinde im Arbeitsspeicher (erster Lesezugriff)",
                           time.perf_counter() - start))
    prepared = []
    for name, query in queries.items():
        try:
            prepared.append((name, query, synthetic_bindings(query, values, ox_store)))
        except Exception as exc:
            print(f"  {name}: übersprungen – Parameter nicht auflösbar: {exc}")
            ctx.record(SECTION, {"graph": label, "query": name, "skipped": str(exc)})
    gc.collect()
    gc.freeze()  # forked children share the heap; keep the collector from touching it
    probes = {name: probe(_engine(ox_store, q, b), cap_s=OX_CAP_S) for name, q, b in prepared}
    ox_timings, api_timings = {}, {}
    for name, q, b in prepared:
        ox_timings[name] = measure_probed(probes[name], _engine(ox_store, q, b), warmup=2, max_runs=30, budget_s=1.0)
        api_timings[name] = measure_probed(probes[name], _runner(ox_store, q, b), warmup=1, max_runs=20, budget_s=0.5,
                                           with_content=True)
    gc.unfreeze()
    ox_store.close()

    start = time.perf_counter()
    whole_store = OxigraphStore(None, graphs=scope)  # every municipality in memory, same scope
    whole_store.bulk_load(None, data, "nq")
    whole_store.bulk_load(str(GRAPH_ONTOLOGY), PATHS.ontology, "ttl")
    whole_triples = whole_store.triple_count()
    loads.append(_load_row(ctx, label, "Oxigraph ganz im Arbeitsspeicher (bulk_load N-Quads, zum Vergleich)",
                           time.perf_counter() - start, whole_triples))
    gc.freeze()
    whole_probes = {name: probe(_engine(whole_store, q, b), cap_s=OX_CAP_S) for name, q, b in prepared}
    whole_timings = {name: measure_probed(whole_probes[name], _engine(whole_store, q, b), warmup=1, max_runs=20,
                                          budget_s=0.5)
                     for name, q, b in prepared}
    gc.unfreeze()
    whole_store.close()
    del whole_store

    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    dataset.graph(GRAPH_ONTOLOGY).parse(PATHS.ontology, format="turtle")
    rd_store = RdflibStore(ScopedDataset(dataset, [URIRef(g) for g in scope]))
    loads.append(_load_row(ctx, label, "rdflib Dataset (N-Quads parsen)", time.perf_counter() - start,
                           len(dataset)))
    del data
    gc.collect()
    rd_store.select("SELECT ?s WHERE { ?s a ?c } LIMIT 1")  # initialise rdflib's parser outside the timings
    # rdflib: a run is stopped once it has proven the speed-up target (1.1 × 50 × Oxigraph's time, at least
    # RDFLIB_MIN_CAP_S). Where Oxigraph already misses its own target that proof would take minutes per query,
    # so those runs stop after RDFLIB_SLOW_CAP_S and the speed-up is shown as a lower bound.
    rd_timings = {}
    gc.freeze()
    for name, query, ox_bindings in prepared:
        rd_bindings = synthetic_bindings(query, values, rd_store)
        if rd_bindings != ox_bindings:
            print(f"  ABWEICHUNG {name}: Parameter unterschiedlich aufgelöst ({ox_bindings} / {rd_bindings})")
        ox_s = (ox_timings[name].floor_ms or OX_CAP_S * 1000) / 1000
        cap = max(RDFLIB_MIN_CAP_S, 1.1 * SPEEDUP_TARGET * ox_s)
        if ox_s * 1000 > BIG_TARGET_MS:
            cap = min(cap, RDFLIB_SLOW_CAP_S)
        rd_timings[name] = measure(_runner(rd_store, query, rd_bindings), warmup=0, max_runs=3, budget_s=3.0,
                                   cap_s=cap, with_content=True)
    gc.unfreeze()

    rows = []
    for name, _, _ in prepared:
        row = _row(label, name, ox_timings[name], api_timings[name], rd_timings[name])
        row["oxigraph_whole_memory_p50_ms"] = whole_timings[name].p50
        ctx.record(SECTION, row)
        rows.append(row)
    params = {k: synthetic.local_name(v) if isinstance(v, Node) else v for k, v in values.items()}
    print(f"\n{label} ({whole_triples} Tripel im Speicher), Abfragen auf dem Datensatz von Gemeinde "
          f"{PARAM_MUNICIPALITY} (ihr Graph + Vokabular), Parameter: {params}")
    print_table([_table_row(r) | {"ganz im RAM p50 ms": _ms(r["oxigraph_whole_memory_p50_ms"])} for r in rows],
                [*COLUMNS[:5], "ganz im RAM p50 ms", *COLUMNS[5:]])
    _report(ctx, label, rows, BIG_TARGET_MS, SPEEDUP_TARGET)


def run(ctx: BenchContext) -> None:
    """Benchmark every named query on the KIK graph and on a synthetic graph of 100 municipalities."""
    queries = all_queries()
    loads: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="kik-bench-", ignore_cleanup_errors=True) as tmp:
        for name, bench in (("kik", _bench_kik), ("big", _bench_big)):
            (Path(tmp) / name).mkdir()
            bench(ctx, queries, loads, Path(tmp) / name)
    print("\nLadezeiten")
    print_table(loads, ["Graph", "Schritt", "s", "Tripel"])
