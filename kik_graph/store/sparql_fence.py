"""Readers never see a half-switched graph, also on endpoints whose queries see no snapshot (Virtuoso).

One SPARQL update operation is one transaction on Virtuoso, Fuseki, GraphDB and Oxigraph – but only Virtuoso lets a
*reader* see a mixture: its default isolation READ COMMITTED reads "the last committed state" row by row, without a
snapshot of the whole query, so a query that runs while a ``DELETE … INSERT …`` commits counts some rows before and
the rest after the commit (measured on Virtuoso 7.2.5: 20001 triples while 10000 were replaced by 10001; 40001 while
30000 were replaced by 30001). ``DefaultIsolation = 4`` (REPEATABLE READ) would make the server lock instead, but then
readers and the switch deadlock (``SR172: Transaction deadlocked``), so kik-graph keeps the server default and
uses a seqlock over plain SPARQL 1.1 instead:

* **writers** (``publish``, edits) insert a *began* marker into the graph :data:`SWITCH_GRAPH` before the change
  (with a deadline after which readers ignore it, in case the writer dies), change the data, then insert an
  *ended* marker and remove the markers of earlier switches;
* **readers** remember the marker triples seen before a read, run the read (one or several requests) and read the
  markers again: if they differ, a switch committed meanwhile and the read is repeated; while a switch is running
  they wait (at most their query timeout, then a clear :class:`QueryTimeout`).

Markers are only ever added during a switch, so every switch changes the set of marker triples and no reader can
mistake an old state for the current one. The marker graph lies outside the dataset (queries name their graphs).
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from kik_graph.store.base import QueryTimeout, StoreError

#: The graph that holds the switch markers (outside every dataset graph).
SWITCH_GRAPH = "urn:kik-graph:switch"
BEGAN = f"{SWITCH_GRAPH}#began"
ENDED = f"{SWITCH_GRAPH}#ended"
MARKER_QUERY = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SWITCH_GRAPH}> {{ ?s ?p ?o }} }}"
#: Seconds a reader sleeps between two looks at a running switch (first, maximum).
POLL = (0.05, 0.25)
#: Extra seconds after the writer's update timeout until readers ignore a began marker without an ended marker.
GRACE = 60.0

log = logging.getLogger("kik_graph.store")
T = TypeVar("T")


@dataclass(frozen=True)
class Marker:
    """The marker triples seen at one moment."""

    token: frozenset[tuple[str, str, str]]

    @property
    def switching(self) -> bool:
        """True while a switch began, has not ended and its deadline has not passed."""
        ended = {s for s, p, _o in self.token if p == ENDED}
        now = time.time()
        for s, p, o in self.token:
            if p == BEGAN and s not in ended:
                try:
                    if float(o) > now:
                        return True
                except ValueError:
                    continue
        return False


def parse_marker(data: dict) -> Marker:
    """The marker from a SPARQL JSON answer to :data:`MARKER_QUERY` (rows without s/p/o are ignored)."""
    rows = data.get("results", {}).get("bindings", []) if isinstance(data, dict) else []
    found = set()
    for row in rows:
        try:
            found.add((row["s"]["value"], row["p"]["value"], row["o"]["value"]))
        except (KeyError, TypeError):
            continue
    return Marker(frozenset(found))


def _stamp(seconds: float) -> str:
    return f"{seconds:017.3f}"  # fixed width: compares as text and as number


class ReadFence:
    """The seqlock of one store: :meth:`read` for readers, :meth:`switch` for writers."""

    def __init__(self, read_marker: Callable[[], Marker], send: Callable[[str], None], *, timeout: float,
                 update_timeout: float) -> None:
        self._read_marker = read_marker
        self._send = send
        self.timeout = timeout
        self.update_timeout = update_timeout
        self._last: Marker | None = None

    def look(self) -> Marker:
        """Read the markers now (and remember them for the next read)."""
        marker = self._read_marker()
        self._last = marker
        return marker

    def _wait_until_quiet(self, give_up: float) -> Marker:
        pause = POLL[0]
        while True:
            marker = self.look()
            if not marker.switching:
                return marker
            if time.monotonic() + pause > give_up:
                raise QueryTimeout(f"Der Datensatz wird gerade umgeschaltet (Veröffentlichen oder Bearbeiten) und "
                                   f"war nach {self.timeout:g} s noch nicht fertig (Zeitlimit KIK_GRAPH_TIMEOUT); "
                                   "bitte gleich noch einmal versuchen.")
            time.sleep(pause)
            pause = min(pause * 2, POLL[1])

    def read(self, run: Callable[[], T]) -> T:
        """Run ``run`` (one or several requests) so that no switch committed while it ran; repeat it otherwise."""
        give_up = time.monotonic() + self.timeout
        before = self._last  # read before this call started, so valid as the "before" look
        while True:
            if before is None or before.switching:
                before = self._wait_until_quiet(give_up)
            result = run()
            after = self.look()
            if after.token == before.token:
                return result
            log.info("Umschaltung während des Lesens – Anfrage wird wiederholt.")
            before = after
            if time.monotonic() > give_up:
                raise QueryTimeout(f"Der Datensatz wurde während des Lesens wiederholt umgeschaltet; nach "
                                   f"{self.timeout:g} s abgebrochen (Zeitlimit KIK_GRAPH_TIMEOUT).")

    @contextlib.contextmanager
    def switch(self) -> Iterator[None]:
        """Mark the body (one or several updates that change dataset graphs) as a switch for readers."""
        node = f"{SWITCH_GRAPH}:{uuid.uuid4().hex}"
        deadline = time.time() + self.update_timeout + GRACE
        self._send(f'INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ <{node}> <{BEGAN}> "{_stamp(deadline)}" }} }}')
        try:
            yield
        except QueryTimeout:
            # the endpoint may still be applying the change: readers keep waiting (until the deadline)
            raise
        except BaseException:
            self._end(node, failing=True)
            raise
        self._end(node, failing=False)

    def _end(self, node: str, *, failing: bool) -> None:
        try:
            self._send(f'INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ <{node}> <{ENDED}> "{_stamp(time.time())}" }} }}')
        except StoreError as exc:
            if failing:  # the original error matters more
                log.warning("Umschalt-Merker konnte nicht beendet werden: %s", exc)
                return
            raise StoreError(f"Die Änderung ist gespeichert, aber der Umschalt-Merker in <{SWITCH_GRAPH}> konnte "
                             f"nicht beendet werden ({exc}); Lesende warten bis zu seinem Ablauf.") from exc
        try:  # forget earlier switches (ended ones and those whose deadline passed)
            self._send(f"DELETE {{ GRAPH <{SWITCH_GRAPH}> {{ ?n ?p ?o }} }} WHERE {{ GRAPH <{SWITCH_GRAPH}> {{ ?n ?p ?o }} "
                       f"{{ GRAPH <{SWITCH_GRAPH}> {{ ?n <{ENDED}> ?e }} }} UNION "
                       f'{{ GRAPH <{SWITCH_GRAPH}> {{ ?n <{BEGAN}> ?d }} FILTER (STR(?d) < "{_stamp(time.time())}") }} '
                       f"FILTER (?n != <{node}>) }}")
        except StoreError as exc:
            log.info("Alte Umschalt-Merker nicht entfernt: %s", exc)
