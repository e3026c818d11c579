"""Light-weight data for the first page (no pandas, no altair, no networkx) and the background warm-up.

The overview is the page most people open first, often right after the server started. It is computed from
plain SPARQL rows so that it does not wait for heavy imports; once it is shown, a background thread imports the
libraries of the other pages and fills their caches.
"""

from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from kik_graph import gaps
from kik_graph.ui.common import get_store

log = logging.getLogger("kik_graph.ui")
_TTL = 600
_warm_lock = threading.Lock()
_warmed: set[str] = set()


_VERSION_QUERY = """SELECT ?f ?n ?h WHERE {
  { SELECT (COUNT(*) AS ?n) WHERE { GRAPH kikg:kik { ?s ?p ?o } } }
  { SELECT (COUNT(*) AS ?h) WHERE { GRAPH kikg:history { ?s ?p ?o } } }
  OPTIONAL { GRAPH kikg:meta { ?m kik:fingerprint ?f } }
}"""


def version() -> str:
    """A cheap token (≈ 2 ms) that changes whenever the KIK data changes: fingerprint of graph_data/, number of
    triples in the KIK graph and in the change history (every edit adds history, even when it keeps the size)."""
    result = get_store().select(_VERSION_QUERY)
    row = result.rows[0] if result.rows else {}
    return f"{row.get('f') or ''}:{row.get('n') or 0}:{row.get('h') or 0}"


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def rows(version: str, query: str) -> list[dict]:
    """The rows of a named query without parameters, as plain dicts (cached per data version)."""
    return gaps.query_rows(get_store(), query)


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def english_labels(version: str) -> dict[str, str]:
    """Resource IRI → its English preferred label, where the data has one (fields, phases, themes, …)."""
    result = get_store().select('SELECT ?r ?l WHERE { ?r skos:prefLabel ?l . FILTER(LANG(?l) = "en") }')
    return {str(row["r"]): str(row["l"]) for row in result.rows}


def localised(version: str, iri: str, german: str, lang: str) -> str:
    """The label of ``iri`` in the UI language: English where the data has it, else the German label."""
    return english_labels(version).get(iri, german) if lang == "en" else german


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=16)
def gap_counts(version: str, min_leads: int = gaps.DEFAULT_MIN_LEADS) -> dict[str, int]:
    """Entries per gap kind (see kik_graph.gaps.gap_counts)."""
    return gaps.gap_counts(get_store(), min_leads=min_leads)


@st.cache_data(show_spinner=False, ttl=_TTL, max_entries=8)
def actor_count(version: str) -> int:
    """Number of actors (institutions, bodies, actor categories, posts)."""
    result = get_store().select(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ?t . "
        "FILTER(?t IN (kik:Organisation, kik:GovernanceBody, kik:ActorCategory, kik:Post)) }")
    return int(result.rows[0]["n"].toPython()) if result.rows else 0


def key_figures(version: str) -> dict[str, float]:
    """The headline numbers of the overview."""
    fields = rows(version, "fields")
    measures = sum(int(f["measures"]) for f in fields)
    with_lead = sum(int(f["measuresWithLead"]) for f in fields)
    counts = gap_counts(version)
    return {
        "fields": len(fields),
        "goals": sum(int(f["goals"]) for f in fields),
        "measures": measures,
        "actors": actor_count(version),
        "lead_share": (with_lead / measures) if measures else 0.0,
        "with_lead": with_lead,
        "open_gaps": sum(counts.values()),
        "gap_kinds": sum(1 for n in counts.values() if n),
        "gap_kinds_total": len(counts),
    }


def _warm(version: str, lang: str) -> None:
    try:
        from kik_graph.ui import office_data
        from kik_graph.ui.office_network_view import full_metrics, view_html

        office_data.responsibilities(version)
        office_data.measures(version)
        office_data.actor_index(version)
        office_data.categories_of(version)
        office_data.goals(version)
        office_data.facets(version)
        office_data.target_groups(version)
        office_data.field_labels(version)
        office_data.all_gaps(version, gaps.DEFAULT_MIN_LEADS)
        for size in ("degree", "betweenness", "eigenvector"):
            for colour in ("type", "community"):
                view_html(version, "structure", (), (), "", 1, size, colour, lang)
        for view in ("collaboration", "governance"):
            view_html(version, view, (), (), "", 1, "degree", "type", lang)
        full_metrics(version)
        from kik_graph.ui import office_query  # noqa: F401 - builds the SPARQL grammar once
    except Exception:  # warm-up must never disturb the app; the pages compute on demand instead
        log.exception("Vorwärmen der Office-Seiten fehlgeschlagen")


def _warm_all(delay: float) -> None:
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    try:
        _warm_all_steps(delay)
    except StopException:  # the session that started the warm-up stopped (e.g. server shutdown): nothing to do
        log.debug("Vorwärmen abgebrochen: Sitzung beendet")


def _warm_all_steps(delay: float) -> None:
    time.sleep(delay)  # let the first script run of the process (which imported the pages) finish first
    started = time.perf_counter()
    try:
        current = version()
        rows(current, "fields")
        rows(current, "phases")
        rows(current, "cross-cutting-themes")
        gap_counts(current)
        actor_count(current)
    except Exception:  # e.g. no store yet: the pages compute on demand instead
        log.exception("Vorwärmen der Übersicht fehlgeschlagen")
        return
    with _warm_lock:
        already = current in _warmed
        _warmed.add(current)
    if not already:
        _warm(current, "de")
    from kik_graph.ui.navigation import record_timing

    record_timing("(warm-up)", time.perf_counter() - started)


def _in_real_server() -> bool:
    """True inside a running Streamlit server (not under AppTest, not in a plain import)."""
    from streamlit import runtime

    return runtime.exists() and not st.get_option("global.appTest")


def schedule_warm_up(delay: float = 2.0) -> None:
    """Once per process: fill the office caches in a background thread shortly after the pages were imported
    (that happens in the first script run of the server, whichever page the visitor opens), so the office pages
    are quick when staff open them. Does nothing outside a real Streamlit server."""
    if not _in_real_server():
        return
    with _warm_lock:
        if "scheduled" in _warmed:
            return
        _warmed.add("scheduled")
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    thread = threading.Thread(target=_warm_all, args=(delay,), name="kik-warm-up", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx(suppress_warning=True))
    thread.start()


def warm_up_in_background(version: str, lang: str) -> None:
    """Once per process and data version: import the other pages' libraries and fill their caches in a thread
    (after the data changed, the first overview run warms the new version). Skipped outside a real server."""
    if not _in_real_server():
        return
    with _warm_lock:
        if version in _warmed:
            return
        _warmed.add(version)
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    thread = threading.Thread(target=_warm, args=(version, lang), name="kik-warm-up", daemon=True)
    add_script_run_ctx(thread, get_script_run_ctx(suppress_warning=True))
    thread.start()
