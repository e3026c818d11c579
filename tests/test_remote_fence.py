"""The seqlock of kik_graph.store.sparql_fence without a server: reads overlapping a switch are repeated, readers
wait while a switch runs, writers always end their marker unless the endpoint may still be applying the change."""

from __future__ import annotations

import time

import pytest

from kik_graph.store.base import QueryTimeout, StoreError
from kik_graph.store.sparql_fence import BEGAN, ENDED, SWITCH_GRAPH, Marker, ReadFence, parse_marker


def _marker(*triples: tuple[str, str, str]) -> Marker:
    return Marker(frozenset(triples))


def _began(node: str, seconds_left: float) -> tuple[str, str, str]:
    return (node, BEGAN, f"{time.time() + seconds_left:017.3f}")


def _fence(looks: list[Marker], sent: list[str] | None = None, timeout: float = 5) -> ReadFence:
    def read_marker() -> Marker:
        return looks.pop(0) if len(looks) > 1 else looks[0]

    return ReadFence(read_marker, (sent if sent is not None else []).append, timeout=timeout, update_timeout=30)


def test_a_read_during_which_a_switch_committed_is_repeated():
    old, new = _marker(("n1", ENDED, "1")), _marker(("n2", ENDED, "1"))
    fence = _fence([old, new, new])  # before the first read, after it (changed!), after the second read
    runs: list[int] = []
    assert fence.read(lambda: runs.append(len(runs)) or len(runs)) == 2
    assert len(runs) == 2


def test_readers_wait_while_a_switch_runs_and_ignore_an_expired_one():
    running = _marker(_began("n1", 60))
    done = _marker(_began("n1", 60), ("n1", ENDED, "1"))
    fence = _fence([running, running, done, done])
    assert fence.read(lambda: "gelesen") == "gelesen"
    assert _marker(_began("n1", -1)).switching is False  # the writer died: its marker has expired
    with pytest.raises(QueryTimeout, match="umgeschaltet"):
        _fence([running], timeout=0.3).read(lambda: "nie")


def test_a_switch_is_ended_unless_the_endpoint_may_still_be_applying_it():
    sent: list[str] = []
    fence = _fence([_marker()], sent)
    with fence.switch():
        pass
    assert BEGAN in sent[0] and ENDED in sent[1] and sent[2].startswith("DELETE")  # begin, end, forget older ones
    sent.clear()
    with pytest.raises(StoreError), fence.switch():
        raise StoreError("Umschalten abgelehnt")
    assert BEGAN in sent[0] and ENDED in sent[1]
    sent.clear()
    with pytest.raises(QueryTimeout), fence.switch():
        raise QueryTimeout("keine Antwort")
    assert len(sent) == 1 and BEGAN in sent[0]  # readers keep waiting until the marker expires
    assert all(f"<{SWITCH_GRAPH}>" in text for text in sent)


def test_marker_answers_are_parsed_defensively():
    data = {"results": {"bindings": [{"s": {"value": "n"}, "p": {"value": ENDED}, "o": {"value": "1"}},
                                     {"a": {"value": "x"}}]}}
    assert parse_marker(data).token == frozenset({("n", ENDED, "1")})
    assert parse_marker({"boolean": True}).token == frozenset()
