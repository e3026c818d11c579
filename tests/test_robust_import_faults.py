"""Fault: ``kill -9`` during ``kik-graph import`` (issue 7).

What the office relies on: an import is one transaction. Killing the process at any point – while the file is
read and checked, while SHACL validates, while the store writes – leaves the store, after a restart, either
exactly as before or exactly as after the complete import (data and history together), never in between.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kik_graph.config import PROJECT_ROOT
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store import OxigraphStore, build_store
from tests.test_robust_faults import _env

pytestmark = pytest.mark.slow

GRAPH_HISTORY = "https://w3id.org/kik-graph/graph/history"


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
    """A built store, a large valid statuses file (every measure), the states before/after and the duration."""
    base = tmp_path_factory.mktemp("import-kill")
    store_path = base / "store"
    store = build_store(store_path)
    measures = [str(r["n"]) for r in store.select(
        "SELECT ?n WHERE { ?m a kik:Measure ; skos:notation ?n } ORDER BY ?n").rows]
    store.close()
    lines = ["massnahme;status;datum;notiz"]
    lines += [f"{m};umgesetzt;2024-05-01;Import-Test {i} – „Stand“ mit Anführungszeichen" for i, m in
              enumerate(measures)]
    data = base / "stand.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = base / "reference"
    shutil.copytree(store_path, reference)
    start = time.perf_counter()
    done = _run(reference, data)
    duration = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    return {"store": store_path, "file": data, "before": _state(store_path), "after": _state(reference),
            "duration": duration, "rows": len(measures)}


def _command(store: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "kik_graph.cli", "--store", str(store), "import", "statuses", str(data)]


def _run(store: Path, data: Path) -> subprocess.CompletedProcess:
    env = _env() | {"KIK_GRAPH_USER": "robust"}
    return subprocess.run(_command(store, data), capture_output=True, text=True, env=env, timeout=600,
                          cwd=PROJECT_ROOT)


def test_reference_import_changes_data_and_history(import_setup: dict) -> None:
    before, after = import_setup["before"], import_setup["after"]
    assert before[0] != after[0] and after[1] > before[1]


@pytest.mark.parametrize("fraction", [0.35, 0.6, 0.8, 0.92])
def test_kill_during_import_leaves_old_or_complete_state(import_setup: dict, tmp_path: Path, fraction: float) -> None:
    target = tmp_path / "store"
    shutil.copytree(import_setup["store"], target)
    env = _env() | {"KIK_GRAPH_USER": "robust"}
    proc = subprocess.Popen(_command(target, import_setup["file"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=PROJECT_ROOT)
    try:
        time.sleep(import_setup["duration"] * fraction)
        running = proc.poll() is None
        if running:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    state = _state(target)  # the restart: open the store again
    before, after = import_setup["before"], import_setup["after"]
    if state == before:
        outcome = "alt"
    elif state == after:
        outcome = "neu"
    else:
        changed = len(state[0] ^ before[0])
        pytest.fail(f"teilweise importiert: {changed} Aussagen anders als vorher, Verlauf {state[1]} statt "
                    f"{before[1]} oder {after[1]}")
    if not running:
        assert outcome == "neu", "der Prozess war fertig, der Import muss vollständig sein"
        pytest.skip(f"Import war nach {fraction:.0%} der Referenzzeit schon fertig (Maschine schneller)")
    assert proc.returncode == -signal.SIGKILL
