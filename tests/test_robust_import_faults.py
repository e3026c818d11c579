"""Fault: ``kill -9`` during ``kik-graph import`` (issue 7).

What the office relies on: an import is one transaction. Killing the process while the store writes the import
leaves the store, after a restart, either exactly as before or exactly as after the complete import (data and
history together), never in between. The import runs as the real CLI with markers printed right around each
store write (``tests.test_robust_faults.MARKED_CLI``); the test kills it between ``write-begin`` and
``write-end`` and checks that it did (a write too fast to hit is repeated with larger notes).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kik_graph.config import PROJECT_ROOT
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store import OxigraphStore, build_store
from tests.test_robust_faults import _env, _Lines, marked_cli

pytestmark = pytest.mark.slow

GRAPH_HISTORY = "https://w3id.org/kik-graph/graph/history"
#: Length of the note of every imported row, by attempt (longer notes: a longer write, easier to hit).
NOTE_LENGTHS = (200, 1000, 2000)


def _state(path: Path) -> tuple[frozenset, int]:
    """(every statement of the KIK graph, number of history statements) of the store at ``path``."""
    store = OxigraphStore(path)
    try:
        kik = frozenset(store.graph(str(GRAPH_KIK)))
        history = store.triple_count(GRAPH_HISTORY) if GRAPH_HISTORY in store.named_graphs() else 0
        return kik, history
    finally:
        store.close()


@pytest.fixture(scope="module")
def import_setup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A built store, its state and the notations of every measure (rows of the statuses files)."""
    base = tmp_path_factory.mktemp("import-kill")
    store_path = base / "store"
    store = build_store(store_path)
    measures = [str(r["n"]) for r in store.select(
        "SELECT ?n WHERE { ?m a kik:Measure ; skos:notation ?n } ORDER BY ?n").rows]
    store.close()
    return {"base": base, "store": store_path, "before": _state(store_path), "measures": measures, "after": {}}


def _statuses(setup: dict, note_length: int) -> Path:
    """A valid statuses file setting every measure, with notes of ``note_length`` characters."""
    path = setup["base"] / f"stand-{note_length}.csv"
    if not path.exists():
        lines = ["massnahme;status;datum;notiz"]
        for i, measure in enumerate(setup["measures"]):
            note = f"Import-Test {i} – „Stand“ mit Anführungszeichen "
            lines.append(f"{measure};umgesetzt;2024-05-01;{(note * (note_length // len(note) + 1))[:note_length]}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _after(setup: dict, note_length: int) -> tuple[frozenset, int]:
    """The state after a complete import of the file with ``note_length`` notes (computed once on a copy)."""
    if note_length not in setup["after"]:
        reference = setup["base"] / f"reference-{note_length}"
        shutil.copytree(setup["store"], reference)
        done = _run(reference, _statuses(setup, note_length))
        assert done.returncode == 0, done.stderr[-2000:]
        setup["after"][note_length] = _state(reference)
    return setup["after"][note_length]


def _args(store: Path, data: Path) -> list[str]:
    return ["--store", str(store), "import", "statuses", str(data)]


def _run(store: Path, data: Path) -> subprocess.CompletedProcess:
    env = _env() | {"KIK_GRAPH_USER": "robust"}
    return subprocess.run([sys.executable, "-m", "kik_graph.cli", *_args(store, data)], capture_output=True, text=True,
                          env=env, timeout=600, cwd=PROJECT_ROOT)


def test_reference_import_changes_data_and_history(import_setup: dict) -> None:
    before, after = import_setup["before"], _after(import_setup, NOTE_LENGTHS[0])
    assert before[0] != after[0] and after[1] > before[1]


def test_kill_during_the_store_write_of_an_import_leaves_old_or_complete_state(import_setup: dict,
                                                                                tmp_path: Path) -> None:
    before = import_setup["before"]
    for note_length in NOTE_LENGTHS:
        after = _after(import_setup, note_length)
        target = tmp_path / f"store-{note_length}"
        shutil.copytree(import_setup["store"], target)
        proc = marked_cli(_args(target, _statuses(import_setup, note_length)),
                          env=_env() | {"KIK_GRAPH_USER": "robust"})
        out = _Lines(proc)
        try:
            begin = out.expect("@@ write-begin update", timeout=300)
            while int(begin.split()[-1]) < 10_000:  # small writes before the import's own (none expected)
                begin = out.expect("@@ write-begin update", timeout=300)
            rest = out.kill()  # at once, while the store writes; asserts the exit by SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        state = _state(target)  # the restart: open the store again
        if state not in (before, after):
            changed = len(state[0] ^ before[0])
            pytest.fail(f"teilweise importiert: {changed} Aussagen anders als vorher, Verlauf {state[1]} statt "
                        f"{before[1]} oder {after[1]}")
        if "@@ write-end" not in rest:  # the kill landed inside the write
            return
        assert state == after, "das Schreiben war fertig, der Import muss vollständig sein"
    pytest.fail("kein Abbruch mitten im Schreiben des Imports, auch nicht mit den längsten Notizen")
