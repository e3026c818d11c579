"""Responsibility gaps of the KIK: pure functions over the store, each returning a pandas DataFrame.

Every gap is a :class:`Gap` with a key, its rows, a count and a one-sentence explanation in German and English
(from the i18n catalogue, keys ``office.gap.<key>.title`` / ``.explanation``), so the office app, a status report
and the command line can all show the same lists. Nothing is hidden: a gap with no entries is returned with
count 0 (e.g. NAP-I phase I, which has no field of action and therefore 0 measures, is listed as a gap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.term import Node

from kik_graph.i18n import DEFAULT_LANGUAGE, t
from kik_graph.params import run_named
from kik_graph.store.base import GraphStore, SelectResult

if TYPE_CHECKING:  # pandas is imported lazily: counting gaps (overview page) must not pay for it
    import pandas as pd

#: Default threshold for "actors carrying many leads": at least this many measures led.
DEFAULT_MIN_LEADS = 2

#: Integer result columns of the named queries (converted to int).
_INT_COLUMNS = frozenset({"partners", "measures", "measuresWithActor", "measuresWithLead", "goals", "leads",
                          "partnerRoles", "listedFields", "number", "listed"})

Row = dict[str, object]


def _value(term: Node | None, column: str = "") -> object:
    if term is None:
        return 0 if column in _INT_COLUMNS else ""
    if isinstance(term, Literal):
        value = term.toPython()
        if column in _INT_COLUMNS:
            try:
                return int(value)
            except (TypeError, ValueError):
                return 0
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(term)
    return str(term)


def result_rows(result: SelectResult) -> list[Row]:
    """A SELECT result as plain dicts: numbers as numbers, everything else as strings ('' when unbound)."""
    return [{v: _value(row.get(v), v) for v in result.variables} for row in result.rows]


def result_frame(result: SelectResult) -> pd.DataFrame:
    """A SELECT result as a DataFrame (columns in query order)."""
    import pandas as pd

    return pd.DataFrame(result_rows(result), columns=result.variables)


def query_rows(store: GraphStore, name: str, params: Mapping[str, str] | None = None) -> list[Row]:
    """Run the named query ``name`` (queries/<name>.rq) with raw string parameters; return plain dicts."""
    return result_rows(run_named(store, name, params or {}))


def query_frame(store: GraphStore, name: str, params: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Run the named query ``name`` (queries/<name>.rq) with raw string parameters; return a DataFrame."""
    return result_frame(run_named(store, name, params or {}))


def label_of(store: GraphStore, resource: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The preferred label of ``resource`` in ``lang`` (German fallback), or the IRI's last segment."""
    result = store.select("SELECT ?l WHERE { ?r skos:prefLabel ?l }", {"r": URIRef(resource)})
    labels = {row["l"].language: str(row["l"]) for row in result.rows if isinstance(row["l"], Literal)}
    return labels.get(lang) or labels.get(DEFAULT_LANGUAGE) or next(iter(labels.values()), resource.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Gap:
    """One kind of responsibility gap with its entries."""

    key: str
    rows: pd.DataFrame

    @property
    def count(self) -> int:
        """Number of entries in this gap list."""
        return len(self.rows)

    def title(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Short title in ``lang`` (German fallback)."""
        return t(f"office.gap.{self.key}.title", lang)

    def explanation(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """One-sentence explanation in ``lang`` (German fallback)."""
        return t(f"office.gap.{self.key}.explanation", lang)

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        """Plain dict (for JSON output / reports): key, title, explanation, count, rows."""
        return {"key": self.key, "title": self.title(lang), "explanation": self.explanation(lang),
                "count": self.count, "rows": self.rows.to_dict(orient="records")}


@dataclass(frozen=True)
class GapSpec:
    """How one gap list is computed: a named query, which rows are kept, in which order, which columns."""

    key: str
    query: str
    columns: tuple[str, ...]
    keep: Callable[[Row, int], bool] | None = None  # (row, min_leads) → keep?
    order: Callable[[Row], object] | None = None
    distinct: str | None = None  # keep only the first row per value of this column

    def rows(self, store: GraphStore, *, min_leads: int = DEFAULT_MIN_LEADS,
             params: Mapping[str, str] | None = None) -> list[Row]:
        """The entries as plain dicts restricted to :attr:`columns`."""
        rows = query_rows(store, self.query, params)
        if self.distinct:
            seen: set[object] = set()
            rows = [r for r in rows if not (r[self.distinct] in seen or seen.add(r[self.distinct]))]
        if self.keep is not None:
            rows = [r for r in rows if self.keep(r, min_leads)]
        if self.order is not None:
            rows = sorted(rows, key=self.order)
        return [{c: (actor_type_key(r[c]) if c == "actorType" else r[c]) for c in self.columns} for r in rows]

    def frame(self, store: GraphStore, *, min_leads: int = DEFAULT_MIN_LEADS,
              params: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The entries as a DataFrame with :attr:`columns`."""
        import pandas as pd

        return pd.DataFrame(self.rows(store, min_leads=min_leads, params=params), columns=list(self.columns))


#: All gap kinds in the order the office shows them.
SPECS: dict[str, GapSpec] = {spec.key: spec for spec in (
    GapSpec("measures_without_lead", "measures-without-lead",
            ("notation", "text", "goalNotation", "fieldCode", "partners")),
    GapSpec("measures_without_actor", "measures-without-lead", ("notation", "text", "goalNotation", "fieldCode"),
            keep=lambda r, _m: r["partners"] == 0),
    GapSpec("goals_without_actor", "goals-without-actor", ("notation", "text", "fieldCode", "measures")),
    GapSpec("categories_without_institution", "categories-without-institution", ("fieldCode", "categoryLabel")),
    GapSpec("measures_single_actor", "measures-single-actor", ("notation", "text", "fieldCode", "actor", "role")),
    GapSpec("actors_with_many_leads", "actor-leads", ("label", "actorType", "leads", "partnerRoles"),
            keep=lambda r, minimum: r["leads"] >= max(1, int(minimum)),
            order=lambda r: (-int(r["leads"]), str(r["label"])), distinct="actor"),
    GapSpec("phases_without_measures", "phases", ("notation", "label", "motto", "fields", "measures"),
            keep=lambda r, _m: r["measures"] == 0),
    GapSpec("target_groups_without_measures", "target-groups", ("label", "measures"),
            keep=lambda r, _m: r["measures"] == 0),
    GapSpec("institutions_without_role", "institutions-without-role", ("label", "annexLabel", "typeLabel")),
)}


# ---------------------------------------------------------------------------------------------- single gaps
def measures_without_lead(store: GraphStore, field: str | None = None) -> pd.DataFrame:
    """Measures nobody leads (``partners`` = number of other actors involved, 0 = none at all)."""
    return SPECS["measures_without_lead"].frame(store, params={"field": field} if field else None)


def measures_without_actor(store: GraphStore) -> pd.DataFrame:
    """Measures without any responsible actor (neither lead nor partner)."""
    return SPECS["measures_without_actor"].frame(store)


def goals_without_actor(store: GraphStore) -> pd.DataFrame:
    """Goals none of whose measures has a responsible actor."""
    return SPECS["goals_without_actor"].frame(store)


def categories_without_institution(store: GraphStore) -> pd.DataFrame:
    """Actor categories named in a field's actor list to which no concrete institution belongs."""
    return SPECS["categories_without_institution"].frame(store)


def measures_single_actor(store: GraphStore) -> pd.DataFrame:
    """Measures that hang on exactly one responsible actor."""
    return SPECS["measures_single_actor"].frame(store)


def actors_with_many_leads(store: GraphStore, minimum: int = DEFAULT_MIN_LEADS) -> pd.DataFrame:
    """Actors leading at least ``minimum`` measures (concentration of responsibility), most leads first."""
    return SPECS["actors_with_many_leads"].frame(store, min_leads=minimum)


def phases_without_measures(store: GraphStore) -> pd.DataFrame:
    """NAP-I phases to which no measure is assigned (phase I has no field of action in the KIK)."""
    return SPECS["phases_without_measures"].frame(store)


def target_groups_without_measures(store: GraphStore) -> pd.DataFrame:
    """Target groups that no measure text names."""
    return SPECS["target_groups_without_measures"].frame(store)


def institutions_without_role(store: GraphStore) -> pd.DataFrame:
    """Participants of the KIK process (annex list) that hold no responsibility and appear in no actor list."""
    return SPECS["institutions_without_role"].frame(store)


def actor_type_key(iri: str) -> str:
    """Short type key of an actor class IRI: Organisation, GovernanceBody, ActorCategory or Post."""
    return iri.rsplit("#", 1)[-1] if iri else ""


#: The gap kinds (keys) in display order.
GAP_FUNCTIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "measures_without_lead": measures_without_lead,
    "measures_without_actor": measures_without_actor,
    "goals_without_actor": goals_without_actor,
    "categories_without_institution": categories_without_institution,
    "measures_single_actor": measures_single_actor,
    "actors_with_many_leads": actors_with_many_leads,
    "phases_without_measures": phases_without_measures,
    "target_groups_without_measures": target_groups_without_measures,
    "institutions_without_role": institutions_without_role,
}


def gap(store: GraphStore, key: str, *, min_leads: int = DEFAULT_MIN_LEADS) -> Gap:
    """Compute one gap by key (see :data:`SPECS`)."""
    if key not in SPECS:
        raise KeyError(f"Unbekannte Lückenart {key!r}. Verfügbar: {', '.join(SPECS)}")
    return Gap(key, SPECS[key].frame(store, min_leads=min_leads))


def all_gaps(store: GraphStore, *, min_leads: int = DEFAULT_MIN_LEADS) -> list[Gap]:
    """Every gap kind, in display order, including those with 0 entries."""
    return [gap(store, key, min_leads=min_leads) for key in SPECS]


def gap_counts(store: GraphStore, *, min_leads: int = DEFAULT_MIN_LEADS) -> dict[str, int]:
    """Number of entries per gap kind (same rules as :func:`all_gaps`, without building DataFrames)."""
    cache: dict[str, list[Row]] = {}
    counts = {}
    for key, spec in SPECS.items():
        if spec.query not in cache:
            cache[spec.query] = query_rows(store, spec.query)
        rows = cache[spec.query]
        if spec.distinct:
            seen: set[object] = set()
            rows = [r for r in rows if not (r[spec.distinct] in seen or seen.add(r[spec.distinct]))]
        counts[key] = sum(1 for r in rows if spec.keep is None or spec.keep(r, min_leads))
    return counts


def summary(gaps: list[Gap], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """One row per gap: key, title, count, explanation."""
    import pandas as pd

    return pd.DataFrame([{"key": g.key, "title": g.title(lang), "count": g.count, "explanation": g.explanation(lang)}
                         for g in gaps], columns=["key", "title", "count", "explanation"])
