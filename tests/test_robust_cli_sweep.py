"""Issue 7: the whole hostile corpus through every value-taking option of every CLI command.

The sweep walks the real argument parser (``kik_graph.cli.build_parser()``): every subcommand, every option
and positional that takes a value, plus the global options. Commands whose options are swept by
tests/test_robust_edits.py (the editing commands) are skipped here; a new command without an entry in
``BASE`` makes the test fail, so nothing is left out silently.

Per corpus string and option it must hold:
- no traceback and no exception other than the CLI's own exit (run in-process: an escaping exception fails),
- exit code 0, 1, 2 or 3; a refusal (≠ 0) ends with a short, non-empty message on stderr,
- a refusal writes nothing: the store's triple counts, the files of the sandbox and the accounts file unchanged,
- nothing is ever written outside the sandbox (system files, graph_data/ of the project).

The sweep runs in-process against one module-scoped store. The path options get the real checks
(kik_graph/paths.py); the expensive work behind an accepted path (the export itself, the tables, the report,
the privacy filter before publishing, opening another store) is replaced by cached or minimal versions,
because it does not depend on the path. test_dangerous_store_paths_are_refused_by_the_real_opening checks the
real store opening for the dangerous paths.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import io
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import kik_graph.cli
from kik_graph.config import PROJECT_ROOT
from kik_graph.store import OxigraphStore, build_store
from tests.data.hostile_strings import CORPUS
from tests.test_robust_corpus import MAX_MESSAGE, run_cli
from tests.test_robust_edits import WriteWatch

#: An endpoint that does not exist (port 1 refuses at once).
DEAD = "http://127.0.0.1:1/sparql"
#: Commands swept by tests/test_robust_edits.py.
COVERED_ELSEWHERE = {"assign", "unassign", "status", "indicator", "institution", "verify", "revert", "history",
                     "import"}
#: A valid command line per command (path: "directory show"); an option under test replaces its entry here.
BASE: dict[str, list[str]] = {
    "build": ["build"],
    "query": ["query", "measures-for-actor", "--param", "actor=vhs Kempten", "--format", "csv"],
    "validate": ["validate"],
    "stats": ["stats"],
    "search": ["search", "--no-log", "deutsch"],
    "directory categories": ["directory", "categories"],
    "directory show": ["directory", "show", "taff"],
    "directory completeness": ["directory", "completeness"],
    "directory failed-searches": ["directory", "failed-searches"],
    "directory feedback": ["directory", "feedback"],
    "export": ["export", "--out", "exp", "--no-check"],
    "tables": ["tables", "--out", "tbl"],
    "report": ["report"],
    "publish": ["publish", "--endpoint", DEAD, "--timeout", "0.5", "--update-timeout", "0.5"],
    "user": ["user", "list"],
    "writeback": ["writeback", "--check", "--directory", "wb"],
}
#: Extra command lines per command: the value in a context where it gets further than the generic line.
EXTRA: dict[str, list[Callable[[str], list[str]]]] = {
    "query": [lambda v: ["query", "measures-for-actor", "--param", f"actor={v}"],
              lambda v: ["query", "measures", "--param", f"{v}=SB"]],
    "search": [lambda v: ["search", "--", v]],  # without --no-log: a failed search is counted (a write)
    "publish": [lambda v: [*BASE["publish"], "--user", "amt", f"--password={v}"],
                lambda v: [*BASE["publish"], f"--user={v}", "--password", "geheim"]],
    # "user" takes its options first: its optional id would otherwise be matched empty before them
    "user": [lambda v: ["user", "--no-password", "--email", "a@example.org", "--", "add", v],
             lambda v: ["user", "--no-password", f"--email={v}", "add", "neu"],
             lambda v: ["user", "--role", "editor", "--", "role", v],
             lambda v: ["user", "--password-stdin", "--", "passwd", v],
             lambda v: ["user", "--no-password", "--email", "a@example.org", f"--file={v}", "add", "neu"]],
    "report": [lambda v: ["report", "--format", "html", f"--output={v}"]],
}
#: Values that block a reader (device files): validate refuses them, see test_validate_refuses_device_files.
BLOCKING = ("/dev/zero", "/dev/random")
#: Files outside the test's directories that no value may touch.
GUARDED = [Path("/etc/passwd"), Path("/etc/shadow"), Path("/etc/hosts"), PROJECT_ROOT / "graph_data"]


# ------------------------------------------------------------------------------------------------ the parser
@dataclass(frozen=True)
class Slot:
    """One value-taking option or positional of one command."""

    command: str                 # "export", "directory show"; "" for the global options
    dest: str
    option: str | None           # "--out"; None for a positional
    choices: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return f"{self.command or 'global'} {self.option or '<' + self.dest + '>'}"


def _value_actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
            continue
        if action.nargs == 0:
            continue
        yield action


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                if child not in found.values():
                    found[name] = child
    return found


def _slot(command: str, action: argparse.Action) -> Slot:
    option = max(action.option_strings, key=len) if action.option_strings else None
    choices = tuple(action.choices) if action.choices is not None else None
    return Slot(command, action.dest, option, choices)


def all_slots() -> tuple[list[Slot], list[str]]:
    """Every value-taking slot of the real parser and every leaf command (global slots have command "")."""
    parser = kik_graph.cli.build_parser()
    slots = [_slot("", a) for a in _value_actions(parser)]
    commands: list[str] = []

    def walk(prefix: str, p: argparse.ArgumentParser) -> None:
        children = _subparsers(p)
        if prefix:
            slots.extend(_slot(prefix, a) for a in _value_actions(p))
            if not children:
                commands.append(prefix)
        for name, child in children.items():
            walk(f"{prefix} {name}".strip(), child)

    walk("", parser)
    return slots, commands


def argv_for(slot: Slot, value: str) -> list[str]:
    """The base command line of ``slot.command`` with ``value`` in ``slot`` (``--opt=value``, ``-- value``)."""
    base = list(BASE[slot.command])
    if slot.option is None:
        depth = len(slot.command.split())
        head, rest = base[:depth], base[depth:]
        if slot.command == "user" and slot.dest == "action":
            return ["user", "--", value]
        if slot.command == "user":  # the id: with "remove" (nothing is created)
            return ["user", "--", "remove", value]
        return [*head, *_options_only(rest), "--", value]  # the base line's positionals are replaced
    if slot.option in base:
        i = base.index(slot.option)
        del base[i:i + 2]
    return [*base, f"{slot.option}={value}"]


_FLAGS = {"--no-log", "--no-check", "--check", "--free", "--open-now", "--include-ended", "--notes", "--issue",
          "--no-password", "--password-stdin", "--no-vocabulary", "--force", "--list", "--details", "--dry-run",
          "--with-data", "--delete"}


def _options_only(args: list[str]) -> list[str]:
    """The options (with their values) of ``args``, without the positionals."""
    kept: list[str] = []
    i = 0
    while i < len(args):
        if args[i] in _FLAGS:
            kept.append(args[i])
            i += 1
        elif args[i].startswith("-"):
            kept.extend(args[i:i + 2])
            i += 2
        else:
            i += 1
    return kept


def global_argv(slot: Slot, value: str) -> list[list[str]]:
    """Command lines for a global option: with ``stats`` and ``build`` (both open or build the store)."""
    return [[f"{slot.option}={value}", "stats"], [f"{slot.option}={value}", "build"]]


# ------------------------------------------------------------------------------------------------ write fence
class SandboxEscape(BaseException):
    """A write outside the allowed directories was stopped (BaseException: no handler of the CLI hides it)."""


#: While set: the directories writes may go to. An audit hook stops every other write (and every read of a
#: device file) before it happens, so a regression (a path check removed) shows up as a failure instead of
#: overwriting /etc/passwd as root or reading /dev/zero until the memory is exhausted.
_FENCE: list[str] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_WRITE_EVENTS = {"os.mkdir": (0,), "os.rename": (0, 1), "os.replace": (0, 1), "os.remove": (0,), "os.rmdir": (0,),
                 "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.symlink": (1,), "os.link": (1,),
                 "os.utime": (0,), "shutil.rmtree": (0,), "shutil.move": (1,), "shutil.copyfile": (1,),
                 "tempfile.mkstemp": (0,), "tempfile.mkdtemp": (0,)}


def _allowed(target: object) -> bool:
    if isinstance(target, int) or target is None:
        return True
    try:
        real = os.path.realpath(os.fsdecode(target))  # type: ignore[arg-type]
    except (TypeError, ValueError, UnicodeError, OSError):
        return True  # the operation itself fails on such a path
    return "__pycache__" in real or any(real == root or real.startswith(root + os.sep) for root in _FENCE)


def _fence_hook(event: str, args: tuple) -> None:
    if not _FENCE:
        return
    if event == "open":
        path, mode, flags = args
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
        if not writing and isinstance(path, str) and path.startswith("/dev/") and path != "/dev/null":
            # reading /dev/zero never ends (a regression would exhaust the memory instead of failing)
            raise SandboxEscape(f"Gerätedatei gelesen: {path[:100]}")
        targets = (path,) if writing else ()
    elif event in _WRITE_EVENTS:
        targets = tuple(args[i] for i in _WRITE_EVENTS[event] if i < len(args))
    else:
        return
    for target in targets:
        if not _allowed(target):
            raise SandboxEscape(f"Schreibzugriff außerhalb der Testverzeichnisse verhindert: {str(target)[:100]}")


sys.addaudithook(_fence_hook)


@contextlib.contextmanager
def write_fence(*roots: Path) -> Iterator[None]:
    """Stop every write outside ``roots`` (and __pycache__) while active."""
    _FENCE[:] = [os.path.realpath(r) for r in roots]
    try:
        yield
    finally:
        _FENCE.clear()


# ------------------------------------------------------------------------------------------------ sandbox
@dataclass
class Sweep:
    """The shared state of the sweep: store, sandbox, accounts file, stdin text and collected problems."""

    store: OxigraphStore
    watch: WriteWatch
    root: Path
    sandbox: Path
    users: Path
    stdin: str = "Ein-sehr-sicheres-Passwort-2026\n"
    calls: int = 0
    refused: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def files(self) -> dict[str, tuple[int, int] | None]:
        return {str(p): None if p.is_dir() else (p.stat().st_size, p.stat().st_mtime_ns)
                for p in self.sandbox.rglob("*")}

    def users_state(self) -> str:
        return hashlib.sha256(self.users.read_bytes()).hexdigest() if self.users.exists() else ""

    def clean(self, before: dict[str, tuple[int, int] | None]) -> None:
        """Remove what an accepted call created in the sandbox (the next value starts from the same state)."""
        for name in sorted(set(self.files()) - set(before), key=len, reverse=True):
            path = Path(name)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def run(self, label: str, argvs: Callable[[str], list[list[str]]],
            corpus: list[tuple[str, str]] = CORPUS) -> list[str]:
        """Every corpus string through every command line of ``argvs(value)``; returns the problems."""
        problems: list[str] = []
        start = time.perf_counter()
        for kind, value in corpus:
            for argv in argvs(value):
                if problem := self.one(argv, value):
                    problems.append(f"{label} | {kind} {value[:40]!r}: {problem}")
        self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start
        return problems

    def one(self, argv: list[str], value: str) -> str | None:
        mark, files, users = self.watch.mark(), self.files(), self.users_state()
        sys.stdin = io.StringIO(self.stdin)
        self.calls += 1
        try:
            code, _out, err = run_cli(argv)
        except BaseException as exc:  # noqa: BLE001 – an escaping exception is a traceback for the user
            self.clean(files)
            return f"{type(exc).__name__}: {str(exc)[:160]}"
        problem = None
        lines = [line for line in err.splitlines() if line.strip()]
        if code not in (0, 1, 2, 3):
            problem = f"Exit {code}"
        elif "Traceback" in err:
            problem = f"Traceback: {err[-300:]}"
        elif code != 0:
            self.refused += 1
            if not lines:
                problem = f"Exit {code} ohne Meldung"
            elif len(lines[-1]) > MAX_MESSAGE:
                problem = f"Meldung zu lang ({len(lines[-1])} Zeichen)"
            elif self.watch.changed_since(mark):
                problem = f"abgelehnt (Exit {code}), aber den Speicher verändert"
            elif self.files() != files:
                problem = f"abgelehnt (Exit {code}), aber Dateien angelegt/geändert: {lines[-1][:100]}"
            elif self.users_state() != users:
                problem = f"abgelehnt (Exit {code}), aber die Kontodatei verändert"
        self.clean(files)
        return problem


def _guarded_state() -> dict[str, object]:
    state: dict[str, object] = {}
    for path in GUARDED:
        if path.is_dir():
            state[str(path)] = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in path.rglob("*"))
        elif path.exists():
            state[str(path)] = (path.stat().st_size, path.stat().st_mtime_ns)
    state["/tmp/pwned"] = Path("/tmp/pwned").exists()
    return state


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    """The CLI in-process against one store, in an empty working directory three levels below the sandbox
    (so that ``..`` and ``../..`` stay inside it); the expensive work behind accepted paths is cached."""
    import kik_graph.commands.editing
    import kik_graph.commands.graph
    import kik_graph.export.bundle
    import kik_graph.export.tables
    import kik_graph.publish
    import kik_graph.report
    import kik_graph.store

    root = tmp_path_factory.mktemp("cli-sweep")
    store = build_store(root / "store")
    sandbox = root / "sandbox"
    work = sandbox / "a" / "b" / "work"
    work.mkdir(parents=True)
    (root / "users").mkdir()
    users = root / "users" / "users.toml"
    guarded = _guarded_state()
    stdin = sys.stdin

    real_open = kik_graph.commands.graph.open_from_args
    real_open_store = kik_graph.store.open_store
    real_export_all = kik_graph.export.bundle.export_all
    real_public_graph = kik_graph.publish.public_graph
    cached: dict[str, object] = {}

    def open_from_args(args):
        return real_open(args) if args.endpoint else store

    def open_store(path=None, *, endpoint=None, refresh=True):
        return real_open_store(path, endpoint=endpoint, refresh=refresh) if endpoint else store

    def fake_build_store(path, *, force=False):
        return store

    def export_all(source, out_dir, *, base=None, download_url=None, **kwargs):
        from kik_graph.export.bundle import DEFAULT_DOWNLOAD_URL
        from kik_graph.export.rdf import normalise_base

        normalise_base(base)
        normalise_base(download_url or DEFAULT_DOWNLOAD_URL, field="--download-url")
        if "export" not in cached:
            template = root / "export-template"
            template.mkdir()
            cached["export"] = real_export_all(source, template, validate=False)
        (out_dir / "kik.ttl").write_text("# Platzhalter des Tests\n", encoding="utf-8")
        return cached["export"]

    def write_tables(source, out_dir, **kwargs):
        path = out_dir / "massnahmen.csv"
        path.write_text("Platzhalter\n", encoding="utf-8")
        return [path]

    def public_graph(source, report):
        if "public" not in cached:
            cached["public"] = real_public_graph(source, report)
        small = kik_graph.publish.Graph()  # a few real triples: the endpoint is unreachable anyway
        for n, triple in enumerate(cached["public"]):  # type: ignore[attr-defined]
            if n == 5:
                break
            small.add(triple)
        return small

    with pytest.MonkeyPatch.context() as mp:
        kik_graph.cli.build_parser()  # imports every command module before patching
        mp.setattr(kik_graph.cli, "build_parser", functools.lru_cache(maxsize=1)(kik_graph.cli.build_parser))
        mp.setattr(kik_graph.commands.graph, "open_from_args", open_from_args)
        mp.setattr(kik_graph.commands.editing, "open_from_args", open_from_args)
        mp.setattr(kik_graph.commands.graph, "build_store", fake_build_store)
        mp.setattr(kik_graph.store, "open_store", open_store)
        mp.setattr(kik_graph.export.bundle, "export_all", export_all)
        mp.setattr(kik_graph.export.tables, "write_tables", write_tables)
        mp.setattr(kik_graph.report, "build_report", functools.lru_cache(maxsize=16)(kik_graph.report.build_report))
        mp.setattr(kik_graph.publish, "public_graph", public_graph)
        for name in ("KIK_GRAPH_ENDPOINT", "KIK_GRAPH_STORE", "KIK_GRAPH_PASSWORD"):
            mp.delenv(name, raising=False)
        mp.setenv("KIK_GRAPH_USERS", str(users))
        mp.setenv("KIK_GRAPH_USER", "robust")
        mp.chdir(work)
        state = Sweep(store, WriteWatch(store, mp), root, sandbox, users)
        code, _out, err = run_cli(["user", "add", "amt", "--no-password", "--email", "amt@example.org"])
        assert code == 0, err
        for warm_up in (["report"], ["report", "--format", "html"]):  # charts: matplotlib's caches are written now
            assert run_cli(warm_up)[0] == 0
        try:
            with write_fence(tmp_path_factory.getbasetemp()):
                yield state
        finally:
            sys.stdin = stdin
    store.close()
    assert _guarded_state() == guarded, "außerhalb der Testverzeichnisse wurde etwas verändert"


# ------------------------------------------------------------------------------------------------ tests
def test_the_parser_walk_finds_every_command_and_option() -> None:
    slots, commands = all_slots()
    names = {s.name for s in slots}
    assert {"global --store", "global --endpoint", "export --out", "tables --out", "report --output",
            "user --file", "publish --password", "search <text>", "directory failed-searches --since"} <= names
    missing = sorted(set(commands) - COVERED_ELSEWHERE - set(BASE))
    assert not missing, f"Befehle ohne Zeile in BASE (der Sweep deckte sie nicht ab): {missing}"


def _command_slots(command_filter: Callable[[str], bool]) -> list[Slot]:
    slots, _commands = all_slots()
    return [s for s in slots if s.command and s.command.split()[0] not in COVERED_ELSEWHERE
            and command_filter(s.command)]


def _sweep_commands(sweep: Sweep, command_filter: Callable[[str], bool]) -> list[str]:
    problems: list[str] = []
    commands: set[str] = set()
    for slot in _command_slots(command_filter):
        commands.add(slot.command)
        corpus = [(k, v) for k, v in CORPUS if not (slot.command == "validate" and v.startswith(BLOCKING))]
        problems += sweep.run(slot.name, lambda v, s=slot: [argv_for(s, v)], corpus)
    for command in sorted(commands):
        for n, extra in enumerate(EXTRA.get(command, [])):
            problems += sweep.run(f"{command} extra {n + 1}", lambda v, e=extra: [e(v)])
    return problems


def _report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} Problem(e):\n" + "\n".join(problems[:40])


def test_read_commands_survive_the_corpus(sweep: Sweep) -> None:
    """query, validate, stats, build, search, directory …: every option, the whole corpus."""
    _report(_sweep_commands(sweep, lambda c: c.split()[0] in {"query", "validate", "stats", "build", "search",
                                                              "directory"}))


def test_output_commands_survive_the_corpus(sweep: Sweep) -> None:
    """export, tables, report, writeback: every option (paths, IRIs, dates), the whole corpus."""
    _report(_sweep_commands(sweep, lambda c: c in {"export", "tables", "report", "writeback"}))


def test_publish_survives_the_corpus(sweep: Sweep) -> None:
    """publish against an endpoint that does not exist: every option, the whole corpus."""
    _report(_sweep_commands(sweep, lambda c: c == "publish"))


def test_user_commands_survive_the_corpus(sweep: Sweep) -> None:
    """user: action, id, --email, --file, --role and the password from stdin, the whole corpus."""
    problems = _sweep_commands(sweep, lambda c: c == "user")
    sweep.stdin = ""
    for kind, value in CORPUS:
        sweep.stdin = value + "\n"
        if problem := sweep.one(["user", "passwd", "--password-stdin", "amt"], value):
            problems.append(f"user passwd <stdin> | {kind} {value[:40]!r}: {problem}")
    sweep.stdin = "Ein-sehr-sicheres-Passwort-2026\n"
    _report(problems)


def test_global_options_survive_the_corpus(sweep: Sweep) -> None:
    """--store and --endpoint with stats and build (the store opening itself is tested below)."""
    slots, _commands = all_slots()
    problems: list[str] = []
    for slot in (s for s in slots if not s.command):
        problems += sweep.run(slot.name, lambda v, s=slot: global_argv(s, v))
    _report(problems)


@pytest.mark.parametrize("value", ["/", "/etc", "/etc/passwd", "..", "/proc/self/environ", "/dev/zero", "a\x00b",
                                   "x" * 300, "a\ud800b", "a\u202eb", ""])
def test_dangerous_store_paths_are_refused_before_opening(value: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A system directory, a file, a foreign directory or an unusable name as --store is refused before the
    store is opened or built (opening would create database files there or set the "broken store" aside).
    The opening functions are replaced by ones that fail the test: the native store code cannot be fenced."""
    import kik_graph.commands.graph
    import kik_graph.store

    def never(*args, **kwargs):
        raise SandboxEscape(f"Speicher geöffnet/aufgebaut: {args!r:.100}")

    kik_graph.cli.build_parser()
    for module, name in ((kik_graph.store, "_open_embedded"), (kik_graph.store, "build_store"),
                         (kik_graph.store, "OxigraphStore"), (kik_graph.commands.graph, "build_store")):
        monkeypatch.setattr(module, name, never)
    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    guarded = _guarded_state()
    for command in ("stats", "build", "writeback"):
        code, _out, err = run_cli(["--store", value, command, "--check"] if command == "writeback"
                                  else ["--store", value, command])
        assert code == 2, (command, err[-300:])
        assert err.startswith("Fehler: --store") and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == [tmp_path / "a", work]
    assert _guarded_state() == guarded


@pytest.mark.parametrize(("argv", "expected"), [
    (["export", "--out", "a\x00b"], "--out: ungültiger Pfad"),
    (["export", "--out", "x" * 300], "--out: ungültiger Pfad"),
    (["export", "--out", "a\ud800b"], "--out: ungültiger Pfad"),
    (["tables", "--out", "/"], "--out: ungültiger Pfad"),
    (["report", "-o", "name/with/slashes.csv"], "-o/--output: ungültiger Pfad"),
    (["report", "-o", "x" * 300], "-o/--output: ungültiger Pfad"),
    (["report", "-o", "/etc/passwd"], "Systemverzeichnis"),
    (["user", "list", "--file", "x" * 300], "--file: ungültiger Pfad"),
    (["user", "add", "neu", "--no-password", "--email", "a@example.org", "--file", "/etc/passwd"],
     "Systemverzeichnis"),
    (["export", "--out", "exp", "--base", "javascript:alert(1)"], "--base"),
])
def test_refusals_name_the_option(sweep: Sweep, argv: list[str], expected: str) -> None:
    """The review's tracebacks: now exit 2 with a message that names the option, nothing written."""
    before = sweep.files()
    code, _out, err = run_cli(argv)
    assert code == 2 and "Traceback" not in err
    assert err.startswith("Fehler: ") and expected in err, err[:300]
    assert sweep.files() == before


def test_ordinary_paths_still_work(sweep: Sweep) -> None:
    """The checks refuse only unusable paths: new directories, a new accounts file in a new directory work."""
    for argv in (["user", "add", "neu", "--no-password", "--email", "a@example.org", "--file", "neu/konten.toml"],
                 ["export", "--out", "neu/export", "--no-check"], ["tables", "--out", "."],
                 ["report", "-o", "bericht.md"]):
        code, _out, err = run_cli(argv)
        assert code == 0, (argv, err[-300:])
    assert (sweep.sandbox / "a" / "b" / "work" / "neu" / "konten.toml").is_file()
    assert (sweep.sandbox / "a" / "b" / "work" / "bericht.md").read_text(encoding="utf-8").startswith("#")
    sweep.clean({str(p): None for p in sweep.sandbox.rglob("*") if p.name in ("a", "b", "work")})


def test_last_resort_turns_os_errors_into_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError/ValueError the commands did not foresee: a one-line message, exit 2, no traceback."""
    import kik_graph.commands.graph

    def broken(args):
        raise OSError(36, "File name too long", "x" * 5000)

    kik_graph.cli.build_parser()
    monkeypatch.setattr(kik_graph.commands.graph, "open_from_args", broken)
    code, _out, err = run_cli(["stats"])
    assert code == 2 and "Traceback" not in err
    assert err.startswith("Fehler: Datei oder Verzeichnis nicht nutzbar") and len(err) < 300


def test_sweep_size_and_time(sweep: Sweep) -> None:
    """Runs last in this module: reports how many calls the sweep made and how long each part took."""
    assert sweep.calls >= 200 * 40, sweep.calls
    assert sweep.refused > 0
    total = sum(sweep.seconds.values())
    slowest = sorted(sweep.seconds.items(), key=lambda item: -item[1])[:5]
    print(f"\nCLI-Sweep: {sweep.calls} Aufrufe, {sweep.refused} abgelehnt, {total:.1f} s; langsamste: "
          + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest))
