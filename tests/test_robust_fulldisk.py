"""Full disk while the office works: a CLI edit, ``export --out`` and ``writeback`` (issue 7).

What a user relies on: when the disk is full (or a file size limit is reached) in the middle of one of these,
the command ends with a clear German message and an exit code – no traceback – and nothing is left half
written: the store keeps its old state (and still works once there is room), ``graph_data/`` is either fully old
or fully new, and an export directory holds no truncated files.

Two ways to make the disk "full": RLIMIT_FSIZE (every write beyond N bytes of a file fails with EFBIG; runs
everywhere) and a small tmpfs filled up (needs root; fails in CI when it cannot be mounted, see
``tests.test_robust_faults.tmpfs``). For the edits the fault is switched on right before the store write, in the
real CLI process (:data:`FAULT_CLI`), so the command gets past opening the store and fails exactly when it writes.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kik_graph.config import PATHS, PROJECT_ROOT
from kik_graph.namespaces import GRAPH_KIK, GRAPH_OFFICE
from tests import test_robust_faults as faults
from tests.test_robust_faults import _assert_clear_store_error, _cli, _env, _limit_file_size, _no_space_message, _Opened

pytestmark = pytest.mark.slow

built_store = faults.built_store  # fixtures: a built store (copied before use) and tmpfs("8m") → mount point
tmpfs = faults.tmpfs

GRAPH_HISTORY = "https://w3id.org/kik-graph/graph/history"

#: ``kik-graph ARGS`` that makes the disk full right before the first write of the store: with
#: KIK_TEST_FAULT=fsize by a file size limit of 1 byte, with KIK_TEST_FAULT=fill by filling the file system of
#: KIK_TEST_FILL (a file of that name takes all free space). Prints ``@@ fault`` when it did.
FAULT_CLI = faults.cli_with_store_proxy("""
class Proxy(Passthrough):
    def update(self, update, **options):
        fault = os.environ["KIK_TEST_FAULT"]
        if fault == "fsize":
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))
        else:
            stat = os.statvfs(os.path.dirname(os.environ["KIK_TEST_FILL"]))
            with open(os.environ["KIK_TEST_FILL"], "wb") as filler:
                try:
                    filler.write(b"\\0" * (stat.f_bavail * stat.f_frsize))
                except OSError:
                    pass
        print("@@ fault", flush=True)
        return self._inner.update(update, **options)
""")

#: CLI edits (one store write each) tried on a full disk.
EDITS = {
    "status": ["status", "--measure", "SB-7.2", "--set", "umgesetzt", "--note", "Voller Datenträger"],
    "assign": ["assign", "--measure", "SB-1.1", "--actor", "vhs Kempten", "--role", "partner"],
}


def _state(path: Path) -> dict[str, frozenset]:
    """Every statement of the KIK, office and history graphs of the store at ``path``."""
    with _Opened(path) as store:
        return {g: frozenset(store.graph(g)) for g in (str(GRAPH_KIK), str(GRAPH_OFFICE), GRAPH_HISTORY)}


def _run_with_fault(store: Path, args: list[str], fault: str, fill: Path | None = None) -> subprocess.CompletedProcess:
    env = _env() | {"KIK_GRAPH_USER": "robust", "KIK_TEST_FAULT": fault}
    if fill is not None:
        env["KIK_TEST_FILL"] = str(fill)
    return subprocess.run([sys.executable, "-c", FAULT_CLI, "--store", str(store), *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=PROJECT_ROOT)


def _check_edit_refused_and_store_intact(store: Path, edit: str, done: subprocess.CompletedProcess,
                                         before: dict[str, frozenset]) -> None:
    assert "@@ fault" in done.stdout, f"die Änderung kam nicht bis zum Schreiben: {done.stderr[-1500:]}"
    _assert_clear_store_error(done)
    assert _no_space_message(done.stderr), done.stderr[-800:]
    assert not list(store.parent.glob(f"{store.name}.defekt-*")), "intakter Speicher wurde beiseitegelegt"
    assert _state(store) == before, "halb geschrieben: der Speicher hat sich trotz Fehler geändert"
    again = _cli(["--store", str(store), *EDITS[edit]])  # with room again the same edit works
    assert again.returncode == 0, again.stderr[-1500:]
    assert _state(store)[str(GRAPH_KIK)] != before[str(GRAPH_KIK)]


@pytest.mark.parametrize("edit", list(EDITS))
def test_edit_with_a_file_size_limit_gives_a_clear_error_and_changes_nothing(built_store: Path, tmp_path: Path,
                                                                            edit: str) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    before = _state(store)
    done = _run_with_fault(store, EDITS[edit], "fsize")
    _check_edit_refused_and_store_intact(store, edit, done, before)


@pytest.mark.parametrize("edit", list(EDITS))
def test_edit_on_a_full_disk_gives_a_clear_error_and_changes_nothing(built_store: Path, tmpfs, edit: str) -> None:
    disk = tmpfs("64m")
    store = disk / "store"
    shutil.copytree(built_store, store)
    before = _state(store)
    done = _run_with_fault(store, EDITS[edit], "fill", fill=disk / "fuellung")
    (disk / "fuellung").unlink()
    _check_edit_refused_and_store_intact(store, edit, done, before)


# ------------------------------------------------------------------------------------------------ export --out
EXPORT_DATES = ["--issued", "2024-01-01", "--modified", "2024-01-02", "--no-check"]
@pytest.fixture(scope="module")
def reference_export(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete export on a disk with room (same dates), to compare what a full disk leaves behind."""
    out = tmp_path_factory.mktemp("export-reference") / "out"
    done = _cli(["--store", str(built_store), "export", "--out", str(out), *EXPORT_DATES])
    assert done.returncode == 0, done.stderr[-1500:]
    return out


def _check_export_refused_without_partial_files(out: Path, reference: Path, done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode != 0, "Export meldet Erfolg, obwohl der Datenträger voll war"
    last = done.stderr.strip().splitlines()[-1]  # after the progress lines: the error
    assert last.startswith(("Fehler", "Speicher nicht verfügbar")), done.stderr[-800:]
    assert _no_space_message(done.stderr), done.stderr[-800:]
    left = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(left) < len([p for p in reference.rglob("*") if p.is_file()]), "es fehlt nichts – kein Fehlerfall"
    for name in left:  # every file that is there is complete: byte for byte the file of a complete export
        assert (reference / name).is_file(), f"halbe Datei liegen geblieben: {name}"
        assert filecmp.cmp(out / name, reference / name, shallow=False), f"abgeschnittene Datei: {name}"


def test_export_with_a_file_size_limit_leaves_no_partial_files(built_store: Path, reference_export: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    largest = max(p.stat().st_size for p in reference_export.rglob("*") if p.is_file())
    done = _cli(["--store", str(built_store), "export", "--out", str(out), *EXPORT_DATES],
                preexec=_limit_file_size(largest // 2))
    _check_export_refused_without_partial_files(out, reference_export, done)


def test_export_to_a_full_disk_leaves_no_partial_files(built_store: Path, reference_export: Path, tmpfs) -> None:
    total = sum(p.stat().st_size for p in reference_export.rglob("*") if p.is_file())
    disk = tmpfs(f"{max(total // 2 // 1024, 64)}k")
    out = disk / "out"
    done = _cli(["--store", str(built_store), "export", "--out", str(out), *EXPORT_DATES])
    _check_export_refused_without_partial_files(out, reference_export, done)


# ------------------------------------------------------------------------------------------------ writeback
def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


#: ``kik-graph ARGS[1:]`` with a file size limit of ARGS[0] bytes switched on when the first temporary file is
#: created – i.e. when ``writeback`` starts writing graph_data/ (the store was opened before).
LIMIT_AT_FIRST_TEMPFILE = """
import resource, signal, sys, tempfile
limit, _mkstemp = int(sys.argv[1]), tempfile.mkstemp

def mkstemp(*args, **options):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return _mkstemp(*args, **options)

tempfile.mkstemp = mkstemp
from kik_graph.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def writeback_case(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A store with two edits that change two files of graph_data/, and what a complete write-back writes."""
    base = tmp_path_factory.mktemp("writeback-full")
    store = base / "store"
    shutil.copytree(built_store, store)
    for edit in EDITS.values():  # status → implementation.ttl (new, small), assign → responsibilities.ttl
        done = _cli(["--store", str(store), *edit], timeout=300)
        assert done.returncode == 0, done.stderr[-1500:]
    complete = base / "complete"
    shutil.copytree(PATHS.graph_data, complete)
    probe = base / "probe-store"
    shutil.copytree(store, probe)
    done = _cli(["--store", str(probe), "writeback", "--directory", str(complete)])
    assert done.returncode == 0, done.stderr[-1500:]
    changed = {name: len(text) for name, text in _snapshot(complete).items()
               if not (PATHS.graph_data / name).exists() or (PATHS.graph_data / name).read_bytes() != text}
    assert set(changed) >= {"implementation.ttl", "responsibilities.ttl"}, changed
    first, *rest = sorted(changed)  # the order in which files are written
    assert changed[first] < min(changed[name] for name in rest), changed
    return {"store": store, "complete": complete, "changed": changed, "first": first,
            "second": min(changed[name] for name in rest)}


def _check_writeback_refused_and_retried(case: dict, store: Path, target: Path, before: dict[str, bytes],
                                         done: subprocess.CompletedProcess) -> None:
    _assert_clear_store_error(done)
    assert _no_space_message(done.stderr) and "keine Datei geändert" in done.stderr, done.stderr[-800:]
    assert _snapshot(target) == before, "graph_data/ halb aktualisiert (oder Zwischendateien liegen geblieben)"
    done = _cli(["--store", str(store), "writeback", "--directory", str(target)])  # with room: all files at once
    assert done.returncode == 0, done.stderr[-1500:]
    assert _snapshot(target) == _snapshot(case["complete"])


def test_writeback_with_a_file_size_limit_leaves_graph_data_fully_old(writeback_case: dict, tmp_path: Path) -> None:
    """The limit lets the first changed file be written but not the second: neither may change."""
    store = tmp_path / "store"
    shutil.copytree(writeback_case["store"], store)
    limit = (writeback_case["changed"][writeback_case["first"]] + writeback_case["second"]) // 2
    target = tmp_path / "graph_data"
    shutil.copytree(PATHS.graph_data, target)
    before = _snapshot(target)
    done = subprocess.run([sys.executable, "-c", LIMIT_AT_FIRST_TEMPFILE, str(limit), "--store", str(store),
                           "writeback", "--directory", str(target)], capture_output=True, text=True, env=_env(),
                          timeout=300, cwd=PROJECT_ROOT)
    _check_writeback_refused_and_retried(writeback_case, store, target, before, done)


def test_writeback_to_a_full_disk_leaves_graph_data_fully_old(writeback_case: dict, tmp_path: Path, tmpfs) -> None:
    """graph_data/ on a disk with room for the first changed file and half of the second: neither may change."""
    store = tmp_path / "store"
    shutil.copytree(writeback_case["store"], store)
    disk = tmpfs("8m")
    target = disk / "graph_data"
    shutil.copytree(PATHS.graph_data, target)
    before = _snapshot(target)
    page = os.statvfs(disk).f_frsize
    pages = -(-writeback_case["changed"][writeback_case["first"]] // page) + -(-writeback_case["second"] // page) // 2
    faults._fill(disk, leave=pages * page)  # disk/fuellung, next to graph_data/
    done = _cli(["--store", str(store), "writeback", "--directory", str(target)])
    (disk / "fuellung").unlink()
    assert not [p for p in os.listdir(target) if p.startswith(".")], "Zwischendateien liegen geblieben"
    _check_writeback_refused_and_retried(writeback_case, store, target, before, done)
