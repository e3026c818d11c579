"""Opening the configured store: the embedded Oxigraph store (default) or a remote SPARQL endpoint."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from rdflib import Literal

from kik_graph import graphdata
from kik_graph.config import default_store_path, remote_endpoint
from kik_graph.namespaces import GRAPH_HISTORY, GRAPH_KIK, GRAPH_OFFICE, GRAPH_ONTOLOGY, KIK, KIKG
from kik_graph.store.base import GraphStore, QueryTimeout, SelectResult, StoreError
from kik_graph.store.oxigraph_store import OxigraphStore

log = logging.getLogger("kik_graph.store")

GRAPH_META = KIKG["meta"]

__all__ = ["GraphStore", "OxigraphStore", "QueryTimeout", "SelectResult", "StoreError", "open_store", "build_store",
           "load_into", "stored_fingerprint", "unsaved_edits", "GRAPH_META"]


def load_into(store: GraphStore) -> None:
    """Replace the KIK data and the vocabulary in ``store`` with the contents of graph_data/ and ontology/."""
    files = graphdata.data_files()
    data = graphdata.load_data(files)
    ontology = graphdata.load_ontology()
    store.replace_graph(str(GRAPH_KIK), data)
    store.replace_graph(str(GRAPH_ONTOLOGY), ontology)
    meta = graphdata.Graph()
    meta.add((GRAPH_META, KIK.fingerprint, Literal(graphdata.fingerprint(files))))
    store.replace_graph(str(GRAPH_META), meta)


def stored_fingerprint(store: GraphStore) -> str | None:
    """The data fingerprint the store was built from, or None."""
    result = store.select("SELECT ?f WHERE { GRAPH ?g { ?m kik:fingerprint ?f } }", {"m": GRAPH_META, "g": GRAPH_META})
    return str(result.rows[0]["f"]) if result.rows else None


def _internal_graphs(path: Path, force: bool) -> dict[str, graphdata.Graph]:
    """History and office graphs of an existing store at ``path`` (kept across a rebuild).

    Refuses (StoreError) when the store holds edits not yet written back, unless ``force``.
    """
    if not path.exists():
        return {}
    try:
        old = OxigraphStore(path)
    except StoreError as exc:
        if "anderen Prozess" in str(exc):
            raise
        return {}
    try:
        pending = unsaved_edits(old)
        if pending and not force:
            raise StoreError(f"Der Speicher {path} enthält {pending} Änderung(en), die noch nicht nach graph_data/ "
                             "zurückgeschrieben sind. Bitte zuerst `kik-graph writeback` ausführen.")
        kept = {str(g): old.graph(str(g)) for g in (GRAPH_HISTORY, GRAPH_OFFICE)}
        kept[str(GRAPH_OFFICE)].remove((GRAPH_META, KIK.pendingChange, None))
        return kept
    finally:
        old.close()
        del old


def build_store(path: Path, *, force: bool = False) -> OxigraphStore:
    """Build a fresh store at ``path`` from graph_data/ (built aside, then swapped in).

    The change history and office records of an existing store are kept; a store with edits not yet written
    back is not rebuilt unless ``force``.
    """
    _recover_interrupted_swap(path)
    kept = _internal_graphs(path, force)
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store = OxigraphStore(staging)
        load_into(store)
        for graph_iri, graph in kept.items():
            if len(graph):
                store.replace_graph(graph_iri, graph)
        store.flush()
        store.close()
        del store
    except (StoreError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"Der Speicher {path} konnte nicht aufgebaut werden: {describe_os_error(exc)}") from exc
    # swap without a moment in which no complete store exists: old store aside, new one in, old one deleted
    previous = _previous(path)
    shutil.rmtree(previous, ignore_errors=True)
    if path.exists():
        path.rename(previous)
    staging.rename(path)
    shutil.rmtree(previous, ignore_errors=True)
    return OxigraphStore(path)


def _previous(path: Path) -> Path:
    """Where build_store keeps the old store during the swap."""
    return path.with_name(path.name + ".vorher")


def _recover_interrupted_swap(path: Path) -> None:
    """Finish a swap of build_store that a killed process left: put the old store back if the new one never
    arrived, otherwise remove the old one."""
    previous = _previous(path)
    if not previous.exists():
        return
    if path.exists():
        shutil.rmtree(previous, ignore_errors=True)
    else:
        log.warning("Ein Neuaufbau von %s wurde unterbrochen – der vorige Speicher wird wieder eingesetzt.", path)
        previous.rename(path)


def _open_embedded(path: Path, *, refresh: bool) -> OxigraphStore:
    _recover_interrupted_swap(path)
    if not path.exists():
        log.info("Kein Speicher unter %s – wird aus graph_data/ aufgebaut.", path)
        return build_store(path)
    try:
        store = OxigraphStore(path)
        current = stored_fingerprint(store)
    except StoreError as exc:
        if "anderen Prozess" in str(exc) or is_resource_problem(exc):
            raise
        broken = path.with_name(f"{path.name}.defekt-{int(time.time())}")
        log.warning("Speicher %s ist beschädigt (%s) – beiseitegelegt als %s und aus graph_data/ neu aufgebaut.",
                    path, exc, broken)
        path.rename(broken)
        return build_store(path)
    if current is None:
        log.warning("Speicher %s enthält keine KIK-Daten – wird aus graph_data/ aufgebaut.", path)
        load_into(store)
    elif refresh and current != graphdata.fingerprint():
        pending = unsaved_edits(store)
        if pending:
            log.error("graph_data/ hat sich geändert, aber der Speicher %s enthält %d Änderung(en) des Amts, die noch "
                      "nicht zurückgeschrieben sind – die KIK-Daten werden NICHT ersetzt (sonst gingen sie verloren). "
                      "Bitte `kik-graph writeback` ausführen: es führt beide Stände zusammen.", path, pending)
        else:
            log.info("graph_data/ hat sich geändert – KIK-Daten im Speicher %s werden ersetzt.", path)
            load_into(store)
    return store


_RESOURCE_PROBLEMS = ("no space left", "file too large", "disk quota", "read-only file system", "permission denied")


def is_resource_problem(exc: BaseException) -> bool:
    """True when an error comes from the machine (full disk, file size limit, permissions), not from a broken store.

    Such a store is intact and must not be set aside and rebuilt: that would hide the office's history and edits.
    """
    texts = [str(exc), str(exc.__cause__ or "")]
    return any(marker in text.lower() for text in texts for marker in (*_RESOURCE_PROBLEMS, "kein platz"))


def describe_os_error(exc: BaseException) -> str:
    """A short German description of an operating-system error."""
    text = str(exc).lower()
    if "no space left" in text or "file too large" in text or "disk quota" in text:
        return "Datenträger voll (kein freier Speicherplatz oder Dateigrößen-Limit erreicht). Bitte Platz schaffen."
    if "read-only" in text or "permission denied" in text:
        return "keine Schreibberechtigung für das Verzeichnis."
    return str(exc)


def unsaved_edits(store: GraphStore) -> int:
    """Number of edits in the store not yet written back to graph_data/ (see kik_graph.writeback)."""
    result = store.select("SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?m kik:pendingChange ?c } }",
                          {"g": KIKG["office"], "m": GRAPH_META})
    return int(result.rows[0]["n"]) if result.rows else 0


def open_store(path: Path | None = None, *, endpoint: str | None = None, refresh: bool = True) -> GraphStore:
    """Open the configured store.

    A remote endpoint (argument or ``KIK_GRAPH_ENDPOINT``) wins; otherwise the embedded Oxigraph store at ``path``
    (or ``KIK_GRAPH_STORE``, default ``var/store``) is opened, built from graph_data/ when missing or corrupt,
    and refreshed when graph_data/ changed.
    """
    endpoint = endpoint or remote_endpoint()
    if endpoint:
        from kik_graph.store.sparql_store import SparqlEndpointStore

        return SparqlEndpointStore.from_environment(endpoint)
    return _open_embedded(Path(path) if path else default_store_path(), refresh=refresh)
