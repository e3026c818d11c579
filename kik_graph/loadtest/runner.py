"""Virtual users: each opens its own Streamlit session over the websocket and loops actions with think times.

Directory users are anonymous visitors; office users log in first (a local account) because the office pages
are only served to logged-in staff. Each session first opens the app root and reads the navigation the server
sends, to find the url path of every page visible to it (the visitor's default page is served at "").
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import random
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from kik_graph.loadtest.actions import Action, assign_kinds, build_actions, effective_mix, login_page_path
from kik_graph.loadtest.protocol import STREAM_PATH, SUBPROTOCOL, RunObserver, rerun_message

#: Most error texts kept as examples in the result.
MAX_ERROR_SAMPLES = 20
#: System load (1 min) per core from which a run is marked as measured on a busy machine.
BUSY_LOAD_PER_CORE = 0.75
#: Largest websocket frame accepted (a page with big tables sends frames of several MB).
MAX_FRAME_BYTES = 64 * 1024 * 1024


class NotLoopback(ValueError):
    """The target is not a loopback address; load tests may only run against the local machine."""


class SessionSetupError(RuntimeError):
    """A virtual user could not start: login refused or no page of its kind visible."""


def check_loopback(url: str) -> str:
    """Return the websocket URL of the app at ``url``; raise :class:`NotLoopback` for any non-loopback host.

    Only literal loopback addresses (127.0.0.0/8, ::1) and ``localhost`` (mapped to 127.0.0.1) are allowed;
    names are never resolved, so a DNS entry cannot point the load at another machine.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "ws"):
        raise NotLoopback(f"--url {url!r}: nur http:// oder ws:// auf der eigenen Maschine ist erlaubt.")
    host = parts.hostname or ""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NotLoopback(f"--url {url!r}: Host {host or '(leer)'!r} ist keine Loopback-Adresse; "
                          "erlaubt sind 127.0.0.1, ::1 und localhost.") from None
    if not address.is_loopback:
        raise NotLoopback(f"--url {url!r}: {host} ist keine Loopback-Adresse; Lasttests nur gegen die eigene "
                          "Maschine (127.0.0.1, ::1, localhost).")
    try:
        port = parts.port or 80
    except ValueError:
        raise NotLoopback(f"--url {url!r}: ungültiger Port.") from None
    netloc = f"[{host}]:{port}" if address.version == 6 else f"{host}:{port}"
    base = parts.path.rstrip("/")
    return f"ws://{netloc}{base}{STREAM_PATH}"


@dataclass
class LoadTestConfig:
    """Parameters of one load test run.

    ``login`` is (account, password) of a local account with at least the viewer role, used by office users.
    """

    url: str
    users: int = 10
    duration: float = 30.0
    mix: dict[str, float] = field(default_factory=lambda: {"directory": 0.8, "office": 0.2})
    think: tuple[float, float] = (0.2, 1.0)
    timeout: float = 30.0
    max_actions: int | None = None
    ramp_up: float = 2.0
    warmup: bool = True
    seed: int = 1
    server_pid: int | None = None
    login: tuple[str, str] | None = field(default=None, repr=False)


@dataclass
class LoadTestResult:
    """Timings (ms) and errors per action label, plus totals."""

    config: LoadTestConfig
    mix: dict[str, float]
    user_kinds: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: int = 0
    connection_errors: int = 0
    warmup_ms: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float | None = None
    server_threads: int | None = None
    load_average: tuple[float, float] = (0.0, 0.0)

    @property
    def total_actions(self) -> int:
        """Number of completed or failed actions (warm-up excluded)."""
        return sum(len(v) for v in self.samples.values())

    @property
    def total_errors(self) -> int:
        """Actions with at least one error plus failed connections and session starts."""
        return sum(self.errors.values()) + self.connection_errors

    def record(self, action: Action, ms: float, errors: list[str], warnings: int = 0) -> None:
        """Store one action's time and its errors."""
        self.samples[action.label].append(ms)
        self.warnings += warnings
        if errors:
            self.errors[action.label] += 1
            for text in errors:
                self.error_kinds[text.split(":", 1)[0]] += 1
                if len(self.error_samples) < MAX_ERROR_SAMPLES:
                    self.error_samples.append(f"{action.label}?{action.query_string}: {text}")

    def connection_failed(self, text: str, kind: str = "connection") -> None:
        """Count a websocket that could not be opened or was dropped, or a session that could not start."""
        self.connection_errors += 1
        self.error_kinds[kind] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"{kind}: {text}")


async def _open(ws_url: str) -> ClientConnection:
    return await connect(ws_url, subprotocols=[SUBPROTOCOL], max_size=MAX_FRAME_BYTES, open_timeout=30,
                         ping_interval=None, compression=None)


async def _run(ws: ClientConnection, message: bytes, timeout: float) -> tuple[float, RunObserver]:
    observer = RunObserver()
    start = time.perf_counter()
    await ws.send(message)
    async with asyncio.timeout(timeout):
        while not observer.feed(await ws.recv()):
            pass
    return (time.perf_counter() - start) * 1000, observer


async def run_action(ws: ClientConnection, action: Action, timeout: float,
                     paths: dict[str, str] | None = None) -> tuple[float, RunObserver]:
    """Run one page view on an open session; return its time in ms and what was observed.

    Raises TimeoutError when the script does not finish within ``timeout`` seconds.
    """
    path = action.url_path(paths or {})
    return await _run(ws, rerun_message(path if path is not None else action.page_key, action.query_string), timeout)


async def start_session(ws: ClientConnection, kind: str, login: tuple[str, str] | None,
                        timeout: float) -> dict[str, str]:
    """Log in (office users), open the app root and return title → url path of the pages this session sees."""
    if kind == "office":
        if login is None:
            raise SessionSetupError("Büro-Nutzer*innen brauchen ein Konto (--user, KIK_LOADTEST_PASSWORD)")
        await log_in(ws, *login, timeout=timeout)
    _, seen = await _run(ws, rerun_message(""), timeout)
    if seen.errors:
        raise SessionSetupError(f"Startseite: {seen.errors[0]}")
    return {page.title: page.url_path for page in seen.pages}


async def log_in(ws: ClientConnection, account: str, password: str, *, timeout: float) -> None:
    """Fill in and submit the login form like a browser (text inputs and the form's submit button)."""
    path = login_page_path()
    _, form = await _run(ws, rerun_message(path), timeout)
    inputs = [w for w in form.widgets if w.kind == "text_input"]
    secret = next((w for w in inputs if w.password), None)
    user = next((w for w in inputs if not w.password), None)
    submit = next((w for w in form.widgets if w.submit), None)
    if not (secret and user and submit):
        raise SessionSetupError(f"Anmeldeseite /{path} ohne Anmeldeformular (lokale Konten nicht aktiv?)")
    _, answer = await _run(ws, rerun_message(path, "", {user.id: account, secret.id: password, submit.id: True}),
                           timeout)
    if answer.errors:
        raise SessionSetupError(f"Anmeldung: {answer.errors[0]}")
    if not any(w.kind == "button" and not w.submit for w in answer.widgets):  # logged in: the logout button
        raise SessionSetupError(f"Anmeldung als {account!r} abgelehnt")


async def _virtual_user(index: int, kind: str, cfg: LoadTestConfig, ws_url: str, actions: list[Action],
                        result: LoadTestResult, deadline: float, budget: list[int | None]) -> None:
    rng = random.Random(cfg.seed * 1000 + index)
    await asyncio.sleep(cfg.ramp_up * index / max(cfg.users, 1))

    def more() -> bool:
        return time.monotonic() < deadline and (budget[0] is None or budget[0] > 0)

    while more():
        try:
            async with await _open(ws_url) as ws:
                paths = await start_session(ws, kind, cfg.login, cfg.timeout)
                visible = [a for a in actions if a.url_path(paths) is not None]
                if not visible:
                    raise SessionSetupError(f"keine Seite der Art {kind!r} sichtbar")
                while more():
                    if budget[0] is not None:
                        budget[0] -= 1
                    action = rng.choice(visible)
                    try:
                        ms, seen = await run_action(ws, action, cfg.timeout, paths)
                    except TimeoutError:
                        result.record(action, cfg.timeout * 1000, [f"timeout: keine Antwort in {cfg.timeout:g} s"])
                        break  # the old run may still send messages: start a new session
                    result.record(action, ms, seen.errors, len(seen.warnings))
                    await asyncio.sleep(rng.uniform(*cfg.think))
        except SessionSetupError as exc:
            result.connection_failed(str(exc)[:200], "session")
            return
        except (OSError, WebSocketException, TimeoutError) as exc:
            result.connection_failed(f"{type(exc).__name__}: {exc}"[:200])
            await asyncio.sleep(1.0)


async def _warm_up(ws_url: str, kind: str, actions: list[Action], cfg: LoadTestConfig,
                   result: LoadTestResult) -> None:
    """Run every page of ``kind`` once in one session (fills the app's caches); times are kept apart."""
    first: dict[str, Action] = {}
    for action in actions:
        first.setdefault(action.label, action)
    timeout = max(cfg.timeout, 120.0)
    async with await _open(ws_url) as ws:
        paths = await start_session(ws, kind, cfg.login, timeout)
        for label, action in first.items():
            if action.url_path(paths) is not None:
                ms, _ = await run_action(ws, action, timeout, paths)
                result.warmup_ms[label] = ms


def _cpu_seconds(pid: int) -> tuple[float, int] | None:
    """CPU seconds (user + system) and thread count of process ``pid`` from /proc, or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[17])


async def run_load_test_async(cfg: LoadTestConfig, actions: dict[str, list[Action]] | None = None) -> LoadTestResult:
    """Run the load test described by ``cfg`` (see :func:`run_load_test`)."""
    ws_url = check_loopback(cfg.url)
    actions = actions if actions is not None else build_actions()
    mix = effective_mix(cfg.mix, actions)
    notes = []
    if "office" in mix and cfg.login is None:
        notes.append("Büro-Seiten ausgelassen: sie brauchen eine Anmeldung (--user und KIK_LOADTEST_PASSWORD "
                     "oder --start-app).")
        mix = effective_mix(cfg.mix, actions, available={"directory"})
    if not mix:
        raise ValueError("Keine Aktionen: die App hat keine Seiten der gewünschten Arten "
                         f"({', '.join(k for k, v in cfg.mix.items() if v > 0)}).")
    kinds = assign_kinds(cfg.users, mix)
    result = LoadTestResult(config=cfg, mix=mix, notes=notes,
                            user_kinds={k: kinds.count(k) for k in sorted(set(kinds))})
    if cfg.warmup:
        for kind in sorted(set(kinds)):
            try:
                await _warm_up(ws_url, kind, actions[kind], cfg, result)
            except SessionSetupError as exc:
                result.connection_failed(f"Aufwärmen: {exc}"[:200], "session")
                return result
            except (OSError, WebSocketException, TimeoutError) as exc:
                result.connection_failed(f"Aufwärmen: {type(exc).__name__}: {exc}"[:200])
                return result
    load_before = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load_before >= BUSY_LOAD_PER_CORE * cores:
        result.notes.append(f"Achtung: die Maschine war schon vor dem Test ausgelastet (Last {load_before:.1f} bei "
                            f"{cores} Kernen) – die Zeiten enthalten das Warten auf fremde Prozesse.")
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = _cpu_seconds(cfg.server_pid) if cfg.server_pid else None
    start = time.monotonic()
    budget: list[int | None] = [cfg.max_actions]  # shared by all users
    rng = random.Random(cfg.seed)
    rng.shuffle(kinds)  # office and directory users start interleaved
    await asyncio.gather(*(_virtual_user(i, kind, cfg, ws_url, actions[kind], result, start + cfg.duration, budget)
                           for i, kind in enumerate(kinds)))
    result.elapsed = time.monotonic() - start
    result.load_average = (load_before, os.getloadavg()[0])
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    server_after = _cpu_seconds(cfg.server_pid) if cfg.server_pid else None
    if server_before and server_after:
        result.server_cpu_s = server_after[0] - server_before[0]
        result.server_threads = server_after[1]
    return result


def run_load_test(cfg: LoadTestConfig, actions: dict[str, list[Action]] | None = None) -> LoadTestResult:
    """Run ``cfg.users`` virtual users against the app for ``cfg.duration`` seconds (or ``cfg.max_actions``).

    Users are split into directory visitors and office users by ``cfg.mix``; each opens its own Streamlit
    session (office users log in) and loops: pick an action of its kind, run it, wait a think time.
    Raises :class:`NotLoopback` for non-loopback URLs and ValueError when there is nothing to do.
    """
    return asyncio.run(run_load_test_async(cfg, actions))
