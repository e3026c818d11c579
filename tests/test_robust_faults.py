"""Faults: a process killed while writing, a missing or corrupt store, a full disk.

What a user relies on:
- kill -9 during a write leaves every named graph either fully old or fully new after a restart,
- kill -9 during ``kik-graph build`` leaves a store that opens with the complete KIK data,
- a missing or corrupt store is rebuilt from graph_data/ and a log line says so (the broken copy is kept),
- a full disk gives a clear German message and an exit code, never a traceback, and destroys nothing.

The full-disk tests mount a small tmpfs (needs root); without it they skip locally and fail in CI. The
file-size-limit variant (RLIMIT_FSIZE) runs everywhere.
"""

from __future__ import annotations

import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kik_graph.config import PROJECT_ROOT
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store import OxigraphStore, build_store, open_store
from tests.conftest import require_or_skip

pytestmark = pytest.mark.slow

#: Synthetic triples per graph in the kill tests (a replace_graph of this size takes a few seconds).
KILL_TRIPLES = 5000


# ------------------------------------------------------------------------------------------------ helpers
def synthetic(tag: str, n: int = KILL_TRIPLES) -> Graph:
    """A graph of ``n`` triples whose subjects and values carry ``tag`` (same code as the helper script)."""
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"urn:kik-test:{tag}/{i}"), URIRef("urn:kik-test:wert"), Literal(f"{tag} {i} " + "x" * 40)))
    return graph


WRITER = """
import sys, time
from pathlib import Path
from rdflib import Graph, Literal, URIRef
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store import OxigraphStore

path, n = Path(sys.argv[1]), int(sys.argv[2])

def synthetic(tag):
    graph = Graph()
    for i in range(n):
        graph.add((URIRef(f"urn:kik-test:{tag}/{i}"), URIRef("urn:kik-test:wert"), Literal(f"{tag} {i} " + "x" * 40)))
    return graph

graphs = [synthetic("a"), synthetic("b")]
store = OxigraphStore(path)
print("ready", flush=True)
for r in range(1000):
    print(f"begin {r}", flush=True)
    start = time.perf_counter()
    store.replace_graph(str(GRAPH_KIK), graphs[r % 2])
    print(f"end {r} {time.perf_counter() - start:.3f}", flush=True)
"""


def cli_with_store_proxy(proxy: str) -> str:
    """Source of a script that runs ``kik-graph ARGS`` unchanged, except that every OxigraphStore wraps its pyoxigraph
    store in ``Proxy`` – a class that ``proxy`` (source text) derives from ``Passthrough`` to intercept some calls."""
    return """
import os, resource, signal, sys
from kik_graph.store import oxigraph_store

class Passthrough:
    def __init__(self, inner):
        self._inner = inner
    def __getattr__(self, name):
        return getattr(self._inner, name)
""" + proxy + """
_init = oxigraph_store.OxigraphStore.__init__

def _init_proxied(self, *args, **options):
    _init(self, *args, **options)
    self._store = Proxy(self._store)

oxigraph_store.OxigraphStore.__init__ = _init_proxied
from kik_graph.cli import main
sys.exit(main(sys.argv[1:]))
"""


#: Runs ``kik-graph ARGS`` unchanged, but prints ``@@ write-begin KIND SIZE`` / ``@@ write-end`` right around every
#: write of the Oxigraph store on disk (SPARQL update, bulk load, flush), so a test can kill -9 exactly inside one.
MARKED_CLI = cli_with_store_proxy("""
def mark(text):
    print("@@ " + text, flush=True)

class Proxy(Passthrough):
    def _write(self, kind, size, call):
        mark(f"write-begin {kind} {size}")
        result = call()
        mark("write-end")
        return result
    def update(self, update, **options):
        return self._write("update", len(update), lambda: self._inner.update(update, **options))
    def bulk_load(self, *args, **options):
        return self._write("bulk_load", 0, lambda: self._inner.bulk_load(*args, **options))
    def flush(self):
        return self._write("flush", 0, self._inner.flush)
""")


def marked_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``kik-graph ARGS`` with write markers (:data:`MARKED_CLI`); stdout unbuffered for :class:`_Lines`."""
    return subprocess.Popen([sys.executable, "-c", MARKED_CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env or _env(), cwd=PROJECT_ROOT)


#: Loops large SPARQL updates shaped like an edit: the KIK graph's synthetic data "a" is deleted and "b" inserted
#: (or back) and, in the same update, one record per round is added to the history graph.
UPDATE_WRITER = """
import sys, time
from pathlib import Path
from kik_graph.namespaces import GRAPH_KIK
from kik_graph.store import OxigraphStore

path, n = Path(sys.argv[1]), int(sys.argv[2])
HISTORY = "https://w3id.org/kik-graph/graph/history"

def lines(tag):
    return "\\n".join(f'<urn:kik-test:{tag}/{i}> <urn:kik-test:wert> "{tag} {i} {"x" * 40}" .' for i in range(n))

data = {tag: lines(tag) for tag in "ab"}
store = OxigraphStore(path)
store.update(f"INSERT DATA {{ GRAPH <{GRAPH_KIK}> {{ {data['a']} }} }}")
print("ready", flush=True)
for r in range(1000):
    old, new = ("a", "b") if r % 2 == 0 else ("b", "a")
    update = (f"DELETE DATA {{ GRAPH <{GRAPH_KIK}> {{ {data[old]} }} }} ;\\n"
              f"INSERT DATA {{ GRAPH <{GRAPH_KIK}> {{ {data[new]} }}\\n"
              f"  GRAPH <{HISTORY}> {{ <urn:kik-test:runde/{r}> <urn:kik-test:schrieb> \\"{new}\\" }} }}")
    print(f"begin {r}", flush=True)
    start = time.perf_counter()
    store.update(update)
    print(f"end {r} {time.perf_counter() - start:.3f}", flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("KIK_GRAPH_ENDPOINT", None)
    return env


class _Lines:
    """Unbuffered line reader on a child's stdout (so "is there output yet?" is answered exactly)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self.lines: list[str] = []

    def _fill(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        data = os.read(self.fd, 65536)
        if not data:
            pytest.fail(f"Hilfsprozess beendet: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")
        self.buffer += data
        *complete, self.buffer = self.buffer.split(b"\n")
        self.lines.extend(line.decode() for line in complete)

    def expect(self, prefix: str, timeout: float = 120.0) -> str:
        """Skip lines until one starts with ``prefix``; fail on timeout or exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while self.lines:
                line = self.lines.pop(0)
                if line.startswith(prefix):
                    return line
            self._fill(0.5)
        pytest.fail(f"{prefix!r} kam nicht innerhalb von {timeout:g} s")

    def pending(self) -> bool:
        """True when the child has written another line."""
        self._fill(0)
        return bool(self.lines)

    def kill(self) -> str:
        """kill -9 the child we started; return everything it wrote that was not read yet."""
        self.proc.send_signal(signal.SIGKILL)
        rest, _ = self.proc.communicate(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL
        return "\n".join(self.lines) + "\n" + (self.buffer + rest).decode(errors="replace")


def _counts(store: OxigraphStore) -> dict[str, int]:
    return {g: store.triple_count(g) for g in store.named_graphs()}


def _cli(args: list[str], *, preexec: Callable[[], None] | None = None,
         timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kik_graph.cli", *args], capture_output=True, text=True,
                          env=_env(), timeout=timeout, preexec_fn=preexec, cwd=PROJECT_ROOT)


def _assert_clear_store_error(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 3, (done.returncode, done.stderr[-800:])
    assert done.stderr.startswith("Speicher nicht verfügbar:") or "\nSpeicher nicht verfügbar:" in done.stderr


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once; tests copy it before changing or damaging it."""
    path = tmp_path_factory.mktemp("faults") / "store"
    build_store(path).close()
    return path


@pytest.fixture()
def store_copy(built_store: Path, tmp_path: Path) -> Path:
    """A private copy of the built store."""
    target = tmp_path / "store"
    shutil.copytree(built_store, target)
    return target


class _Opened:
    """``with _Opened(path) as store`` – open a store and release it (and its lock) afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store: OxigraphStore | None = None

    def __enter__(self) -> OxigraphStore:
        self.store = OxigraphStore(self.path)
        return self.store

    def __exit__(self, *exc: object) -> None:
        assert self.store is not None
        self.store.close()
        self.store = None


# ------------------------------------------------------------------------------------------------ kill -9
@pytest.mark.parametrize("fraction", [0.3, 0.7])
def test_kill_during_replace_graph_leaves_old_or_new_graph(store_copy: Path, tmp_path: Path, fraction: float) -> None:
    writer = tmp_path / "writer.py"
    writer.write_text(WRITER, encoding="utf-8")
    with _Opened(store_copy) as before_store:
        before = _counts(before_store)
    proc = subprocess.Popen([sys.executable, str(writer), str(store_copy), str(KILL_TRIPLES)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env())
    out = _Lines(proc)
    try:
        out.expect("ready")
        duration = float(out.expect("end 1").split()[2])  # round 1 wrote "b" over "a"; rounds alternate
        delay, round_ = duration * fraction, 2
        for _attempt in range(6):
            out.expect(f"begin {round_}")
            time.sleep(delay)
            if not out.pending():  # still inside replace_graph
                rest = out.kill()
                break
            out.expect(f"end {round_}")  # this write was faster: try the next one a little earlier
            round_, delay = round_ + 1, delay * 0.5
        else:
            pytest.fail("kein Schreibvorgang wurde mittendrin getroffen")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    mid_write = f"end {round_}" not in rest
    with _Opened(store_copy) as after_store:
        kik = set(after_store.graph(str(GRAPH_KIK)))
        after = _counts(after_store)
    old, new = set(synthetic("a")), set(synthetic("b"))
    assert kik in (old, new), f"teilweise geschrieben: {len(kik)} Tripel, {len(kik & old)} alt, {len(kik & new)} neu"
    assert {g: n for g, n in after.items() if g != str(GRAPH_KIK)} == \
           {g: n for g, n in before.items() if g != str(GRAPH_KIK)}
    assert mid_write, "der Prozess war schon fertig – kein Abbruch mitten im Schreiben"


def test_kill_during_a_plain_update_leaves_every_graph_old_or_new(store_copy: Path, tmp_path: Path) -> None:
    """Every edit and import is one ``store.update`` (DELETE/INSERT over the KIK graph plus a history record):
    kill -9 while it runs leaves both graphs together either before or after it."""
    writer = tmp_path / "update_writer.py"
    writer.write_text(UPDATE_WRITER, encoding="utf-8")
    triples = KILL_TRIPLES
    history = "https://w3id.org/kik-graph/graph/history"
    for _attempt in range(4):  # a write that was too fast to be hit is repeated with a bigger one
        target = tmp_path / f"store{_attempt}"
        shutil.copytree(store_copy, target)
        proc = subprocess.Popen([sys.executable, str(writer), str(target), str(triples)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env())
        out = _Lines(proc)
        try:
            out.expect("ready")
            out.expect("end 1")  # two complete rounds: a→b, b→a
            out.expect("begin 2")
            rest = out.kill()  # at once: inside round 2 (a→b)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with _Opened(target) as opened:
            kik = set(opened.graph(str(GRAPH_KIK)))
            rounds = {str(s): str(o) for s, _, o in opened.graph(history)
                      if str(s).startswith("urn:kik-test:runde/")}
        old, new = {t for t in synthetic("a", triples)}, {t for t in synthetic("b", triples)}
        kik_synthetic = {t for t in kik if str(t[0]).startswith("urn:kik-test:")}
        assert kik_synthetic in (old, new), (f"teilweise geschrieben: {len(kik_synthetic & old)} alt, "
                                             f"{len(kik_synthetic & new)} neu")
        expected_rounds = 2 if kik_synthetic == old else 3
        assert len(rounds) == expected_rounds, f"Verlauf passt nicht zu den Daten: {len(rounds)} Runden"
        if "end 2" not in rest:  # killed while round 2 was writing
            return
        assert kik_synthetic == new, "Runde 2 war fertig, ihre Daten fehlen"
        triples *= 2
    pytest.fail("kein Update wurde mitten im Schreiben getroffen (auch nicht mit 8-mal so vielen Tripeln)")


#: Kill points of a build: the n-th write of the store being built (1 KIK data, 2 vocabulary, 3 fingerprint,
#: then the office graph kept from the old store) and the final flush before the swap.
BUILD_KILL_POINTS = {"kik-daten": ("update", 1), "vokabular": ("update", 2), "fingerabdruck": ("update", 3),
                     "flush": ("flush", 1)}


@pytest.mark.parametrize("point", list(BUILD_KILL_POINTS), ids=list(BUILD_KILL_POINTS))
def test_kill_during_build_leaves_a_store_that_opens_complete(store, store_copy: Path, point: str) -> None:
    kind, number = BUILD_KILL_POINTS[point]
    proc = marked_cli(["--store", str(store_copy), "build"])
    out = _Lines(proc)
    try:
        for _ in range(number):
            seen = out.expect(f"@@ write-begin {kind}")
        rest = out.kill()  # asserts the exit by SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert seen and "Speicher aufgebaut" not in rest, "der Build war schon fertig – kein Abbruch mittendrin"
    assert store_copy.with_name(store_copy.name + ".building").exists(), "der Abbruch traf nicht den Bau daneben"
    reopened = open_store(store_copy)
    try:
        assert reopened.triple_count(str(GRAPH_KIK)) == store.triple_count(str(GRAPH_KIK))
        assert reopened.triple_count() == store.triple_count()
    finally:
        reopened.close()
    done = _cli(["--store", str(store_copy), "build"])  # the next build cleans up the half-built copy
    assert done.returncode == 0, done.stderr[-1500:]
    assert not store_copy.with_name(store_copy.name + ".building").exists()


# ------------------------------------------------------------------------------------------------ missing / corrupt
def test_missing_store_is_built_with_a_log_line(store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "neu" / "store"
    with caplog.at_level(logging.INFO, logger="kik_graph.store"):
        opened = open_store(path)
    try:
        assert any("Kein Speicher unter" in r.getMessage() and str(path) in r.getMessage() for r in caplog.records)
        assert opened.triple_count(str(GRAPH_KIK)) == store.triple_count(str(GRAPH_KIK))
    finally:
        opened.close()


def _garbage_current(path: Path) -> None:
    (path / "CURRENT").write_text("kaputt\n")


def _missing_tables(path: Path) -> None:
    for table in sorted(path.glob("*.sst"))[::2]:
        table.unlink()


def _truncated_manifest(path: Path) -> None:
    for manifest in path.glob("MANIFEST-*"):
        manifest.write_bytes(manifest.read_bytes()[:20])


def _zeroed_tables(path: Path) -> None:
    for table in path.glob("*.sst"):
        table.write_bytes(b"\0" * table.stat().st_size)


def _file_instead_of_directory(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("kein Speicher")


CORRUPTIONS = {"current": _garbage_current, "tables-missing": _missing_tables, "manifest": _truncated_manifest,
               "tables-zeroed": _zeroed_tables, "file": _file_instead_of_directory}


@pytest.mark.parametrize("damage", list(CORRUPTIONS), ids=list(CORRUPTIONS))
def test_corrupt_store_is_set_aside_and_rebuilt(store, store_copy: Path, damage: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    CORRUPTIONS[damage](store_copy)
    with caplog.at_level(logging.INFO, logger="kik_graph.store"):
        opened = open_store(store_copy)
    try:
        assert opened.triple_count(str(GRAPH_KIK)) == store.triple_count(str(GRAPH_KIK))
    finally:
        opened.close()
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("beschädigt" in m and "neu aufgebaut" in m and str(store_copy) in m for m in messages), messages
    assert list(store_copy.parent.glob("store.defekt-*")), "die beschädigte Kopie muss zur Analyse erhalten bleiben"


def test_cli_says_when_it_rebuilds_a_corrupt_store(store_copy: Path) -> None:
    _garbage_current(store_copy)
    done = _cli(["--store", str(store_copy), "stats"])
    assert done.returncode == 0, done.stderr
    assert "beschädigt" in done.stderr and "neu aufgebaut" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Measure" in done.stdout


# ------------------------------------------------------------------------------------------------ full disk
def _no_space_message(stderr: str) -> bool:
    return any(s in stderr for s in ("No space left on device", "Speicherplatz", "Datenträger voll", "File too large"))


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_file_size_limit_during_build_gives_a_clear_error(tmp_path: Path) -> None:
    """Runs everywhere: RLIMIT_FSIZE makes every write beyond 200 kB fail like a full disk."""
    target = tmp_path / "store"
    done = _cli(["--store", str(target), "build"], preexec=_limit_file_size(200_000))
    _assert_clear_store_error(done)
    assert _no_space_message(done.stderr)
    assert not target.exists(), "ein halb gebauter Speicher darf nicht an die Stelle des Speichers treten"


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``tmpfs("8m")`` mounts a tmpfs of that size and returns its path (unmounted afterwards)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                              capture_output=True, text=True)
        require_or_skip(done.returncode == 0, f"tmpfs kann nicht eingehängt werden: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _fill(directory: Path, leave: int = 16 * 1024) -> None:
    stat = os.statvfs(directory)
    with open(directory / "fuellung", "wb") as filler:
        filler.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - leave))


def test_full_disk_during_build_gives_a_clear_error(tmpfs) -> None:
    target = tmpfs("1m") / "store"
    done = _cli(["--store", str(target), "build"])
    _assert_clear_store_error(done)
    assert _no_space_message(done.stderr)
    assert not target.exists()


def test_full_disk_at_any_point_of_the_build_gives_a_clear_error(tmpfs) -> None:
    """Disks of growing size run full at later points of the build; each ends clearly or builds completely."""
    failed = []
    for size in ("2m", "4m", "6m", "8m", "10m"):
        target = tmpfs(size) / "store"
        done = _cli(["--store", str(target), "build"])
        if done.returncode == 0:
            with _Opened(target) as built:
                assert built.triple_count(str(GRAPH_KIK)) > 0
            continue
        _assert_clear_store_error(done)
        assert _no_space_message(done.stderr), done.stderr[-800:]
        assert not target.exists()
        failed.append(size)
    assert failed, "kein Datenträger war voll genug – der Test hat keinen Fehlerfall geprüft"


def test_full_disk_does_not_set_an_intact_store_aside(built_store: Path, tmpfs) -> None:
    disk = tmpfs("64m")
    target = disk / "store"
    shutil.copytree(built_store, target)
    with _Opened(target) as opened:
        before = _counts(opened)
    _fill(disk)
    done = _cli(["--store", str(target), "stats"])
    (disk / "fuellung").unlink()
    assert not list(disk.glob("store.defekt-*")), "intakter Speicher wurde beiseitegelegt"
    _assert_clear_store_error(done)
    assert _no_space_message(done.stderr)
    with _Opened(target) as opened:
        assert _counts(opened) == before


def test_full_disk_during_a_write_keeps_the_old_graph(built_store: Path, tmpfs, tmp_path: Path) -> None:
    disk = tmpfs("64m")
    target = disk / "store"
    shutil.copytree(built_store, target)
    writer = tmp_path / "write_big.py"
    writer.write_text(textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from rdflib import Graph, Literal, URIRef
        from kik_graph.namespaces import GRAPH_KIK
        from kik_graph.store import OxigraphStore, StoreError

        store = OxigraphStore(Path(sys.argv[1]))
        big = Graph()
        for i in range(20000):
            big.add((URIRef(f"urn:kik-test:voll/{i}"), URIRef("urn:kik-test:wert"), Literal("v" * 400)))
        stat = os.statvfs(sys.argv[1])
        with open(Path(sys.argv[1]).parent / "fuellung", "wb") as filler:
            filler.write(b"\\0" * max(0, stat.f_bavail * stat.f_frsize - 512 * 1024))
        try:
            store.replace_graph(str(GRAPH_KIK), big)
        except StoreError as exc:
            print(f"Fehler: {exc}")
            sys.exit(3)
        print("geschrieben")
    """), encoding="utf-8")
    with _Opened(target) as opened:
        before = _counts(opened)
        kik_before = set(opened.graph(str(GRAPH_KIK)))
    done = subprocess.run([sys.executable, str(writer), str(target)], capture_output=True, text=True, env=_env(),
                          timeout=300)
    (disk / "fuellung").unlink()
    assert "Traceback" not in done.stderr, done.stderr[-1500:]
    assert done.returncode == 3 and "Fehler: " in done.stdout and _no_space_message(done.stdout), done.stdout
    with _Opened(target) as opened:
        assert _counts(opened) == before
        assert set(opened.graph(str(GRAPH_KIK))) == kik_before
