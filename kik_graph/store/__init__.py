"""Opening the configured store: the embedded Oxigraph store (default) or a remote SPARQL endpoint."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from rdflib import Literal

from kik_graph import graphdata
from kik_graph.config import default_store_path, remote_endpoint
from kik_graph.namespaces import GRAPH_KIK, GRAPH_ONTOLOGY, KIK, KIKG
from kik_graph.store.base import GraphStore, QueryTimeout, SelectResult, StoreError
from kik_graph.store.oxigraph_store import OxigraphStore

log = logging.getLogger("kik_graph.store")

GRAPH_META = KIKG["meta"]

__all__ = ["GraphStore", "OxigraphStore", "QueryTimeout", "SelectResult", "StoreError", "open_store", "build_store",
           "load_into", "stored_fingerprint", "GRAPH_META"]


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


def build_store(path: Path) -> OxigraphStore:
    """Build a fresh store at ``path`` from graph_data/ (built aside, then swapped in)."""
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    store = OxigraphStore(staging)
    load_into(store)
    store.flush()
    store.close()
    del store
    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)
    return OxigraphStore(path)


def _open_embedded(path: Path, *, refresh: bool) -> OxigraphStore:
    if not path.exists():
        log.info("Kein Speicher unter %s – wird aus graph_data/ aufgebaut.", path)
        return build_store(path)
    try:
        store = OxigraphStore(path)
        current = stored_fingerprint(store)
    except StoreError as exc:
        if "anderen Prozess" in str(exc):
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
        log.info("graph_data/ hat sich geändert – KIK-Daten im Speicher %s werden ersetzt.", path)
        load_into(store)
    return store


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
