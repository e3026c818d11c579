"""The store over any SPARQL 1.1 endpoint (query + update via SPARQLWrapper): the scale-out path.

The dataset lives in named graphs with the same IRIs as in the embedded store (``GRAPH_KIK``, ``GRAPH_ONTOLOGY``,
…). Every query is sent with ``default-graph-uri`` and ``named-graph-uri`` for exactly these graphs, so that the
default graph is their union (like Oxigraph's ``use_default_graph_as_union``) on every endpoint – Virtuoso, Fuseki,
GraphDB … – and neither the endpoint's own system graphs nor a staging graph of a running upload are seen.

Every HTTP call has a timeout; every failure becomes a :class:`StoreError` (or :class:`QueryTimeout`) with a German
message that says what to check – never a traceback and never a hang.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import math
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from urllib.parse import quote, urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kik_graph import namespaces
from kik_graph.namespaces import KIKG, PREFIXES
from kik_graph.store import sparql_atomic, sparql_fence
from kik_graph.store.base import Bindings, QueryTimeout, SelectResult, StoreError
from kik_graph.store.binding import bind
from kik_graph.terms import is_iri

#: Default time limit of one HTTP request (seconds); ``KIK_GRAPH_TIMEOUT`` overrides it.
DEFAULT_TIMEOUT = 30.0
#: Time limit of one update request (uploads, the swap of a large graph); ``KIK_GRAPH_UPDATE_TIMEOUT`` overrides it.
DEFAULT_UPDATE_TIMEOUT = 300.0
#: Triples per INSERT DATA request when uploading.
DEFAULT_BATCH = 1000
#: Triples per request when uploading with the Graph Store Protocol.
GRAPH_STORE_BATCH = 50000
#: Rows per page when reading a whole graph.
PAGE_SIZE = 10000

log = logging.getLogger("kik_graph.store")
T = TypeVar("T")

_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?\s*:")
_TIMEOUT_WORDS = ("timeout", "timed out", "time limit", "execution time", "zeitlimit")


def dataset_graphs() -> list[str]:
    """The named graphs of the kik-graph dataset: every ``GRAPH_*`` constant plus the store's bookkeeping graph."""
    graphs = {str(value) for name, value in vars(namespaces).items() if name.startswith("GRAPH_")}
    graphs.add(str(KIKG["meta"]))
    return sorted(graphs)


def staging_graph(target: str) -> str:
    """The deterministic staging graph used while replacing ``target`` (one per target, cleaned on next use)."""
    return "urn:kik-graph:staging:" + hashlib.sha1(target.encode("utf-8")).hexdigest()[:20]


def _from_json(binding: dict) -> Node:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang") or binding.get("lang")
        if lang:
            return Literal(value, lang=lang)
        datatype = binding.get("datatype")
        if datatype and datatype not in (str(XSD.string), str(RDF.langString)):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise StoreError(f"Unbekannter Termtyp in der Antwort des SPARQL-Endpunkts: {kind!r}")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _nt(term: Node) -> str:
    if isinstance(term, BNode):  # labels from endpoints (e.g. "nodeID://b1") are not valid N-Triples labels
        return "_:b" + hashlib.sha1(str(term).encode("utf-8")).hexdigest()[:24]
    return term.n3()


class SparqlEndpointStore:
    """:class:`~kik_graph.store.base.GraphStore` over a SPARQL 1.1 query endpoint and update endpoint.

    ``graphs`` are the named graphs whose union is the dataset (default :func:`dataset_graphs`); ``None`` uses the
    endpoint's own default dataset unchanged (e.g. Fuseki with ``tdb:unionDefaultGraph``).

    ``graph_store`` is an optional SPARQL 1.1 Graph Store HTTP Protocol endpoint used only to upload large graphs
    quickly into the staging graph (``"auto"``: derived for Virtuoso's ``/sparql[-auth]``; ``None``: upload with
    SPARQL ``INSERT DATA`` batches). Queries and updates always go through SPARQLWrapper.

    ``consistent_reads`` switches the switch markers of :mod:`~kik_graph.store.sparql_fence` on or off (``None``:
    on exactly when the endpoint answers as Virtuoso, whose queries see no snapshot).
    """

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, auth: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 update_timeout: float = DEFAULT_UPDATE_TIMEOUT, graphs: Sequence[str] | None = (),
                 batch_size: int = DEFAULT_BATCH, graph_store: str | None = "auto",
                 consistent_reads: bool | None = None) -> None:
        for name, url in (("Endpunkt", endpoint), ("Update-Endpunkt", update_endpoint)):
            if url is not None and (not is_iri(url) or not url.lower().startswith(("http://", "https://"))):
                raise StoreError(f"{name} {url!r} ist keine gültige http(s)-Adresse.")
        if timeout <= 0 or update_timeout <= 0:
            raise StoreError("Das Zeitlimit muss größer als 0 Sekunden sein.")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.user = user or None
        self.password = password or ""
        self.auth = (auth or self._guess_auth()).upper()
        if self.auth not in (BASIC, DIGEST):
            raise StoreError(f"Unbekanntes Anmeldeverfahren {auth!r} (erlaubt: basic, digest).")
        self.timeout = float(timeout)
        self.update_timeout = float(update_timeout)
        self.graphs: list[str] | None = (dataset_graphs() if graphs == () else
                                         None if graphs is None else list(graphs))
        self.batch_size = max(1, int(batch_size))
        if graph_store == "auto":
            graph_store = _guess_graph_store(self.update_endpoint)
            self._graph_store_guessed = True
        else:
            self._graph_store_guessed = False
            if graph_store in ("", "none", None):
                graph_store = None
            elif not is_iri(graph_store) or not graph_store.lower().startswith(("http://", "https://")):
                raise StoreError(f"Graph-Store-Adresse {graph_store!r} ist keine gültige http(s)-Adresse.")
        self.graph_store: str | None = graph_store
        self.description = f"SPARQL-Endpunkt ({_host(endpoint)})"
        self._lock = threading.Lock()
        #: the ``Server`` header of the last query answer (tells whether the endpoint is Virtuoso)
        self.server_software = ""
        #: readers and writers use the switch markers of :mod:`sparql_fence` (None: decided on first use)
        self.consistent_reads = consistent_reads
        self._fence = sparql_fence.ReadFence(self._read_marker, lambda text: self._request(text, update=True),
                                             timeout=self.timeout, update_timeout=self.update_timeout)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_environment(cls, endpoint: str) -> SparqlEndpointStore:
        """A store for ``endpoint`` configured from the environment.

        ``KIK_GRAPH_UPDATE_ENDPOINT`` (default: the query endpoint), ``KIK_GRAPH_USER``, ``KIK_GRAPH_PASSWORD``,
        ``KIK_GRAPH_AUTH`` (basic/digest), ``KIK_GRAPH_TIMEOUT`` and ``KIK_GRAPH_UPDATE_TIMEOUT`` (seconds),
        ``KIK_GRAPH_GRAPHS`` (comma-separated graph IRIs, or ``*`` for the endpoint's own default dataset),
        ``KIK_GRAPH_GRAPH_STORE`` (Graph Store Protocol address for fast uploads, ``none`` to switch it off),
        ``KIK_GRAPH_CONSISTENT_READS`` (``1``/``0``; default: on for Virtuoso, see :mod:`sparql_fence`).
        """
        env = os.environ

        def seconds(name: str, default: float) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                raise StoreError(f"{name}={raw!r} ist keine Zahl (Sekunden).") from None
            if not 0 < value <= 86400:
                raise StoreError(f"{name}={raw!r} muss zwischen 0 und 86400 Sekunden liegen.")
            return value

        raw_graphs = env.get("KIK_GRAPH_GRAPHS", "").strip()
        graphs: Sequence[str] | None = ()
        if raw_graphs == "*":
            graphs = None
        elif raw_graphs:
            graphs = [g.strip() for g in raw_graphs.split(",") if g.strip()]
            bad = [g for g in graphs if not is_iri(g)]
            if bad:
                raise StoreError(f"KIK_GRAPH_GRAPHS enthält keine gültige IRI: {bad[0]!r}")
        raw_reads = env.get("KIK_GRAPH_CONSISTENT_READS", "").strip().lower()
        if raw_reads not in ("", "auto", "1", "0", "ja", "nein", "on", "off", "true", "false"):
            raise StoreError(f"KIK_GRAPH_CONSISTENT_READS={raw_reads!r}: erlaubt sind 1 (ein), 0 (aus), auto.")
        consistent = None if raw_reads in ("", "auto") else raw_reads in ("1", "ja", "on", "true")
        return cls(endpoint, update_endpoint=env.get("KIK_GRAPH_UPDATE_ENDPOINT") or None,
                   user=env.get("KIK_GRAPH_USER") or None, password=env.get("KIK_GRAPH_PASSWORD") or None,
                   auth=env.get("KIK_GRAPH_AUTH") or None, timeout=seconds("KIK_GRAPH_TIMEOUT", DEFAULT_TIMEOUT),
                   update_timeout=seconds("KIK_GRAPH_UPDATE_TIMEOUT", DEFAULT_UPDATE_TIMEOUT), graphs=graphs,
                   graph_store=env.get("KIK_GRAPH_GRAPH_STORE", "").strip() or "auto", consistent_reads=consistent)

    def _guess_auth(self) -> str:
        # Virtuoso's authenticated endpoint (/sparql-auth) uses HTTP digest; most other servers use basic.
        return DIGEST if urlsplit(self.update_endpoint).path.rstrip("/").endswith("-auth") else BASIC

    # ------------------------------------------------------------------ HTTP
    def _wrapper(self, *, update: bool, timeout: float | None, dataset: bool) -> SPARQLWrapper:
        url = self.update_endpoint if update else self.endpoint
        wrapper = SPARQLWrapper(url, updateEndpoint=self.update_endpoint, agent="kik-graph")
        wrapper.setMethod(POST)
        wrapper.setTimeout(max(1, math.ceil(timeout or (self.update_timeout if update else self.timeout))))
        if self.user:
            wrapper.setCredentials(self.user, self.password)
            wrapper.setHTTPAuth(self.auth)
        if dataset and not update and self.graphs is not None:
            for graph in self.graphs:
                wrapper.addDefaultGraph(graph)
                wrapper.addNamedGraph(graph)
        return wrapper

    def _request(self, text: str, *, update: bool = False, fmt: str = JSON, timeout: float | None = None,
                 dataset: bool = True) -> bytes:
        """Send one query/update and return the raw response body; translate every failure into StoreError."""
        wrapper = self._wrapper(update=update, timeout=timeout, dataset=dataset)
        wrapper.setQuery(text)
        if not update:
            wrapper.setReturnFormat(fmt)
        url = self.update_endpoint if update else self.endpoint
        limit = timeout or (self.update_timeout if update else self.timeout)
        try:
            with self._lock if wrapper.http_auth == DIGEST and self.user else _nullcontext():
                result = wrapper.query()
                if not update:
                    self.server_software = str(result.response.headers.get("Server", "") or "")
                return result.response.read()
        except TimeoutError as exc:
            setting = "KIK_GRAPH_UPDATE_TIMEOUT" if update else "KIK_GRAPH_TIMEOUT"
            raise QueryTimeout(f"Der SPARQL-Endpunkt {_host(url)} hat nicht innerhalb von {limit:g} s geantwortet "
                               f"(Zeitlimit {setting}).") from exc
        except Unauthorized as exc:
            raise StoreError(f"Anmeldung am SPARQL-Endpunkt {_host(url)} fehlgeschlagen (HTTP 401): Benutzer und "
                             "Passwort prüfen (--user/--password bzw. KIK_GRAPH_USER/KIK_GRAPH_PASSWORD).") from exc
        except EndPointNotFound as exc:
            raise StoreError(f"Unter {_host(url)} gibt es keinen SPARQL-Endpunkt (HTTP 404).") from exc
        except QueryBadFormed as exc:
            raise StoreError(f"Der SPARQL-Endpunkt {_host(url)} hat die Anfrage abgelehnt (HTTP 400): "
                             f"{_first_line(exc)}") from exc
        except URITooLong as exc:
            raise StoreError(f"Die Anfrage ist für den SPARQL-Endpunkt {_host(url)} zu lang (HTTP 414).") from exc
        except EndPointInternalError as exc:
            detail = _first_line(exc)
            if any(word in detail.lower() for word in _TIMEOUT_WORDS):
                raise QueryTimeout(f"Der SPARQL-Endpunkt {_host(url)} hat die Anfrage wegen Zeitüberschreitung "
                                   f"abgebrochen: {detail}") from exc
            raise StoreError(f"Interner Fehler des SPARQL-Endpunkts {_host(url)} (HTTP 500): {detail}") from exc
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise StoreError(f"Kein Zugriff auf den SPARQL-Endpunkt {_host(url)} (HTTP {exc.code}): Benutzer, "
                                 "Passwort und Rechte (z.B. SPARQL_UPDATE) prüfen.") from exc
            if exc.code in (502, 503, 504):
                raise StoreError(f"Der SPARQL-Endpunkt {_host(url)} ist gerade nicht verfügbar (HTTP {exc.code}).") \
                    from exc
            raise StoreError(f"Der SPARQL-Endpunkt {_host(url)} antwortet mit HTTP {exc.code}: {exc.reason}") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise QueryTimeout(f"Der SPARQL-Endpunkt {_host(url)} hat nicht innerhalb von {limit:g} s "
                                   "geantwortet (Zeitlimit KIK_GRAPH_TIMEOUT).") from exc
            raise StoreError(f"Der SPARQL-Endpunkt {_host(url)} ist nicht erreichbar ({reason}). Läuft der Server, "
                             "stimmt die Adresse (KIK_GRAPH_ENDPOINT)?") from exc
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise StoreError(f"Die Verbindung zum SPARQL-Endpunkt {_host(url)} ist abgebrochen: "
                             f"{type(exc).__name__}: {exc}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(f"Der SPARQL-Endpunkt {_host(url)} meldet einen Fehler: {_first_line(exc)}") from exc

    def _json(self, text: str, *, timeout: float | None, dataset: bool = True) -> dict:
        body = self._request(text, timeout=timeout, dataset=dataset)
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"Die Antwort des SPARQL-Endpunkts {_host(self.endpoint)} ist kein SPARQL-JSON-Ergebnis "
                             f"(Anfang: {body[:80]!r}).") from exc

    @staticmethod
    def _bindings(bindings: Bindings | None) -> Bindings | None:
        """Plain literals with non-ASCII characters are sent as ``"…"^^xsd:string`` – the same term in RDF 1.1 –
        because Virtuoso 7.2 garbles non-ASCII simple literals in VALUES (``"Bildungsträger"`` → ``"Bildungstr?ger"``)."""
        if not bindings:
            return bindings
        out = dict(bindings)
        for name, term in bindings.items():
            if isinstance(term, Literal) and term.language is None and term.datatype is None and not str(term).isascii():
                out[name] = Literal(str(term), datatype=XSD.string)
        return out

    @staticmethod
    def _with_prefixes(query: str) -> str:
        declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(query)}
        missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
        return ("\n".join(missing) + "\n" + query) if missing else query

    # ------------------------------------------------------------------ consistent reads (sparql_fence)
    def _read_marker(self) -> sparql_fence.Marker:
        return sparql_fence.parse_marker(self._json(sparql_fence.MARKER_QUERY, timeout=None, dataset=False))

    def _fenced(self) -> bool:
        """Whether reads and writes use the switch markers; ``None`` is decided by one look at the markers."""
        if self.consistent_reads is None:
            self._fence.look()  # also the first "before" look of the fence
            self.consistent_reads = "virtuoso" in self.server_software.lower()
        return self.consistent_reads

    def _read(self, run: Callable[[], T]) -> T:
        return self._fence.read(run) if self._fenced() else run()

    def _switch(self):
        """Context of a change of dataset graphs: readers wait for it or repeat their read (see sparql_fence)."""
        return self._fence.switch() if self._fenced() else _nullcontext()

    # ------------------------------------------------------------------ queries
    def select(self, query: str, bindings: Bindings | None = None, *, limit: int | None = None,
               timeout: float | None = None) -> SelectResult:
        """Run a SELECT query; at most ``limit`` rows are returned (``truncated`` is set when more exist)."""
        text = self._with_prefixes(bind(query, self._bindings(bindings)))
        data = self._read(lambda: self._json(text, timeout=timeout))
        if "results" not in data:
            raise StoreError("Die Abfrage ist keine SELECT-Abfrage.")
        names = list(data.get("head", {}).get("vars", []))
        result = SelectResult(variables=names)
        for row in data["results"].get("bindings", []):
            if limit is not None and len(result.rows) >= limit:
                result.truncated = True
                break
            result.rows.append({name: (_from_json(row[name]) if name in row else None) for name in names})
        return result

    def ask(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> bool:
        """Run an ASK query."""
        text = self._with_prefixes(bind(query, self._bindings(bindings)))
        data = self._read(lambda: self._json(text, timeout=timeout))
        if "boolean" not in data:
            raise StoreError("Die Abfrage ist keine ASK-Abfrage.")
        return bool(data["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None, *, timeout: float | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query into an rdflib graph."""
        text = self._with_prefixes(bind(query, self._bindings(bindings)))
        body = self._read(lambda: self._request(text, fmt=TURTLE, timeout=timeout))
        graph = Graph()
        try:
            graph.parse(data=body.decode("utf-8"), format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise StoreError(f"Die Antwort des SPARQL-Endpunkts ist kein gültiges Turtle: {_first_line(exc)}") from exc
        return graph

    # ------------------------------------------------------------------ writes
    def update(self, update: str, bindings: Bindings | None = None) -> None:
        """Run a SPARQL update request all-or-nothing.

        One operation is one transaction on every common endpoint and is sent as it is. A request with several
        operations (an edit: deletions, insertions, history, pending marker) is run on private copies of the graphs
        it names and swapped in with ONE operation (:mod:`kik_graph.store.sparql_atomic`), because Virtuoso commits
        the operations of a request one by one and a failure in the middle would leave half an edit.
        """
        if bindings:
            raise StoreError("Parameter-Bindung wird für Updates nicht unterstützt; Terme mit rdflib erzeugen.")
        text = self._with_prefixes(update)
        plan = sparql_atomic.analyse(text)
        if not plan.needs_copies:
            if plan.operations > 1:
                log.warning("Update mit %d Operationen wird nicht auf Kopien ausgeführt (%s) – nicht atomar.",
                            plan.operations, plan.unsupported or "kein Graph genannt")
            with self._switch():
                self._request(text, update=True)
            return
        with self._switch():
            sparql_atomic.run_atomically(
                text, plan, send=lambda op: self._request(op, update=True),
                ask=lambda query: bool(self._json(query, timeout=None, dataset=False).get("boolean")))

    def _count(self, graph_iri: str, timeout: float | None = None) -> int:
        data = self._json(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}",
                          timeout=timeout, dataset=False)
        rows = data.get("results", {}).get("bindings", [])
        try:
            return int(rows[0]["n"]["value"]) if rows else 0
        except (KeyError, ValueError) as exc:
            raise StoreError("Der SPARQL-Endpunkt hat keine Tripelzahl geliefert.") from exc

    def triple_count(self, graph_iri: str | None = None) -> int:
        """Number of triples in one named graph, or in all graphs of the dataset (quads, as in Oxigraph)."""
        if graph_iri is not None:
            target = _checked(graph_iri)
            return self._read(lambda: self._count(target))
        if self.graphs is None:
            data = self._read(lambda: self._json(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{sparql_fence.SWITCH_GRAPH}>) }}",
                timeout=None))
            rows = data.get("results", {}).get("bindings", [])
            return int(rows[0]["n"]["value"]) if rows else 0
        graphs = self.graphs
        return self._read(lambda: sum(self._count(g) for g in graphs))

    def graph(self, graph_iri: str) -> Graph:
        """A copy of one named graph, read page by page (keyset paging, so result-size limits do not cut it); with
        consistent reads, all pages show the same state (the read is repeated when a switch committed meanwhile)."""
        target = _checked(graph_iri)
        return self._read(lambda: self._read_graph(target))

    def _read_graph(self, target: str) -> Graph:
        graph = Graph()
        last: str | None = None
        page = PAGE_SIZE
        while True:
            condition = "FILTER(isIRI(?s))" if last is None else \
                f'FILTER(isIRI(?s) && STR(?s) >= "{_escape(last)}")'
            query = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} {condition} }} "
                     f"ORDER BY STR(?s) LIMIT {page}")
            triples = self._triples(query)
            if len(triples) < page:
                for t in triples:
                    graph.add(t)
                break
            final = str(triples[-1][0])
            complete = [t for t in triples if str(t[0]) != final]
            if not complete:  # one subject has more triples than a page: read bigger pages
                page *= 4
                continue
            for t in complete:
                graph.add(t)
            last = final
        offset = 0
        while True:  # triples about blank nodes (rare): plain paging
            triples = self._triples(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} FILTER(isBlank(?s)) }} "
                                    f"ORDER BY ?s ?p ?o LIMIT {PAGE_SIZE} OFFSET {offset}")
            for t in triples:
                graph.add(t)
            if len(triples) < PAGE_SIZE:
                return graph
            offset += PAGE_SIZE

    def _triples(self, query: str) -> list[tuple[Node, Node, Node]]:
        rows = self._json(query, timeout=None, dataset=False).get("results", {}).get("bindings", [])
        try:
            return [(_from_json(r["s"]), _from_json(r["p"]), _from_json(r["o"])) for r in rows]
        except KeyError as exc:
            raise StoreError("Unvollständige Antwort des SPARQL-Endpunkts beim Lesen eines Graphen.") from exc

    def replace_graph(self, graph_iri: str, data: Graph,
                      progress: Callable[[int, int], None] | None = None) -> None:
        """Replace one named graph so that readers see either the old or the new content, never a mixture.

        1. the new triples are uploaded in batches into a staging graph (the target is untouched; if the endpoint
           fails now, the old graph stays as it was),
        2. the staging graph's triple count is verified,
        3. ONE SPARQL operation (``DELETE … INSERT … WHERE``) swaps the content – one operation is one transaction
           on Virtuoso, Fuseki, GraphDB, Oxigraph; it only touches the triples that differ. Virtuoso's readers see
           no snapshot (READ COMMITTED row by row), so with consistent reads the swap is marked as a switch
           (:mod:`~kik_graph.store.sparql_fence`): kik-graph readers wait for it or repeat a read it overlapped,
        4. the target's count is verified and the staging graph dropped.
        """
        target = _checked(graph_iri)
        staging = staging_graph(target)
        expected = len(data)
        self._request(f"DROP SILENT GRAPH <{staging}>", update=True)
        uploaded = False
        if self.graph_store:
            try:
                self._upload_graph_store(staging, data, progress)
                uploaded = True
            except _GraphStoreUnsupported as exc:
                log.info("Graph-Store-Protokoll unter %s nicht nutzbar (%s) – Hochladen per SPARQL INSERT DATA.",
                         self.graph_store, exc)
                self.graph_store = None
                self._request(f"DROP SILENT GRAPH <{staging}>", update=True)
        if not uploaded:
            self._upload_sparql(staging, data, progress)
        staged = self._count(staging)
        if staged != expected:
            self._request(f"DROP SILENT GRAPH <{staging}>", update=True)
            raise StoreError(f"Hochladen unvollständig: im Staging-Graphen liegen {staged} statt {expected} Tripel; "
                             f"der Graph <{target}> wurde nicht verändert.")
        # One operation: remove what is only in the target, add what is only in the staging graph; marked as a
        # switch, so that readers on endpoints without query snapshots (Virtuoso) never see a mixture.
        with self._switch():
            self._request(
                f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{target}> {{ ?s2 ?p2 ?o2 }} }} WHERE {{ "
                f"{{ GRAPH <{target}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ GRAPH <{staging}> {{ ?s ?p ?o }} }} }} UNION "
                f"{{ GRAPH <{staging}> {{ ?s2 ?p2 ?o2 }} FILTER NOT EXISTS {{ GRAPH <{target}> {{ ?s2 ?p2 ?o2 }} }} }} "
                "}", update=True)
        final = self._count(target)
        self._request(f"DROP SILENT GRAPH <{staging}>", update=True)
        if final != expected:
            raise StoreError(f"Nach dem Umschalten enthält <{target}> {final} statt {expected} Tripel.")

    def _upload_sparql(self, staging: str, data: Graph, progress: Callable[[int, int], None] | None) -> None:
        done, expected = 0, len(data)
        for batch in self._batches(data, self.batch_size):
            body = "\n".join(batch)
            if "_:b" in body:  # blank nodes are not allowed in INSERT DATA on some endpoints (Virtuoso)
                text = f"INSERT {{ GRAPH <{staging}> {{\n{body}\n}} }} WHERE {{ }}"
            else:
                text = f"INSERT DATA {{ GRAPH <{staging}> {{\n{body}\n}} }}"
            self._request(text, update=True)
            done += len(batch)
            if progress:
                progress(done, expected)

    def _upload_graph_store(self, staging: str, data: Graph, progress: Callable[[int, int], None] | None) -> None:
        """POST the triples as N-Triples to the Graph Store Protocol endpoint (much faster than INSERT DATA)."""
        url = f"{self.graph_store}?graph={quote(staging, safe='')}"
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        if self.user:
            manager.add_password(None, self.graph_store, self.user, self.password)
            handlers = [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        opener = urllib.request.build_opener(*handlers)
        done, expected = 0, len(data)
        for batch in self._batches(data, GRAPH_STORE_BATCH):
            body = ("\n".join(batch) + "\n").encode("utf-8")
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/n-triples",
                                                      "User-Agent": "kik-graph"})
            try:
                with opener.open(request, timeout=self.update_timeout) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                if done == 0 and exc.code in (400, 404, 405, 415, 501):
                    raise _GraphStoreUnsupported(f"HTTP {exc.code}") from exc
                if exc.code in (401, 403):
                    raise StoreError(f"Anmeldung am Graph-Store {_host(url)} fehlgeschlagen (HTTP {exc.code}): "
                                     "Benutzer und Passwort prüfen.") from exc
                raise StoreError(f"Der Graph-Store {_host(url)} hat das Hochladen abgelehnt (HTTP {exc.code}); "
                                 "der Zielgraph wurde nicht verändert.") from exc
            except TimeoutError as exc:
                raise QueryTimeout(f"Der Graph-Store {_host(url)} hat nicht innerhalb von {self.update_timeout:g} s "
                                   "geantwortet; der Zielgraph wurde nicht verändert.") from exc
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if done == 0 and self._graph_store_guessed and isinstance(exc, urllib.error.URLError) \
                        and not isinstance(reason, (ConnectionError, TimeoutError)):
                    raise _GraphStoreUnsupported(str(reason)) from exc
                raise StoreError(f"Verbindung zum Graph-Store {_host(url)} abgebrochen ({reason}); der Zielgraph "
                                 "wurde nicht verändert.") from exc
            done += len(batch)
            if progress:
                progress(done, expected)

    def _batches(self, data: Graph, size: int) -> Iterable[list[str]]:
        """N-Triples lines in batches; all triples that share a blank node stay in one batch (one request)."""
        plain: list[str] = []
        groups: dict[Node, list[str]] = {}
        parent: dict[Node, Node] = {}

        def find(node: Node) -> Node:
            while parent.get(node, node) != node:
                parent[node] = parent.get(parent[node], parent[node])
                node = parent[node]
            return node

        with_blank = []
        for s, p, o in data:
            line = f"{_nt(s)} {_nt(p)} {_nt(o)} ."
            blanks = [t for t in (s, o) if isinstance(t, BNode)]
            if not blanks:
                plain.append(line)
                continue
            for b in blanks:
                parent.setdefault(b, b)
            if len(blanks) == 2:
                ra, rb = find(blanks[0]), find(blanks[1])
                if ra != rb:
                    parent[ra] = rb
            with_blank.append((blanks[0], line))
        for node, line in with_blank:
            groups.setdefault(find(node), []).append(line)
        batch: list[str] = []
        for group in groups.values():
            if batch and len(batch) + len(group) > size:
                yield batch
                batch = []
            batch.extend(group)
        for line in plain:
            batch.append(line)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    # ------------------------------------------------------------------ misc
    def ping(self, timeout: float | None = None) -> None:
        """Check that the endpoint answers (raises StoreError otherwise)."""
        self.ask("ASK { }", timeout=timeout)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove one named graph (no error if it does not exist)."""
        target = _checked(graph_iri)
        with self._switch():
            self._request(f"DROP SILENT GRAPH <{target}>", update=True)

    def close(self) -> None:
        """Nothing to release (every request opens its own connection)."""


class _GraphStoreUnsupported(Exception):
    """The Graph Store Protocol endpoint does not exist or does not accept N-Triples (fall back to SPARQL)."""


def _guess_graph_store(update_endpoint: str) -> str | None:
    """Virtuoso's Graph Store Protocol endpoint next to its SPARQL endpoint, or None."""
    parts = urlsplit(update_endpoint)
    path = parts.path.rstrip("/")
    for suffix, replacement in (("/sparql-auth", "/sparql-graph-crud-auth"), ("/sparql", "/sparql-graph-crud")):
        if path.endswith(suffix):
            return f"{parts.scheme}://{parts.netloc}{path[: -len(suffix)]}{replacement}"
    return None


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _checked(graph_iri: str) -> str:
    if not is_iri(str(graph_iri)):
        raise StoreError(f"Ungültige Graph-IRI: {str(graph_iri)[:80]!r}")
    return str(graph_iri)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Response:\n", "Response:"):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = text.replace("\\n", "\n").replace("\\'", "'").strip().strip("b'\"")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]
