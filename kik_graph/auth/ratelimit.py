"""Failed-login rate limiting, optionally kept in a small JSON file that all app processes share.

With a ``path`` the counters survive restarts and are shared between processes (several Streamlit servers, the
CLI): every read-modify-write happens under an exclusive ``flock`` on ``<path>.lock`` and the file is replaced
atomically. Entries expire by themselves (failures after ``window``, the lockout history ``max_lockout`` after
the last lockout ended), and the file keeps at most ``max_keys`` entries.

A damaged or unreadable counter file never locks everybody out and never stops a login: it is logged clearly
(logger ``kik_graph.auth``), set aside as ``<path>.corrupt`` and counting starts afresh.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kik_graph.auth.accounts import users_path

Clock = Callable[[], float]
log = logging.getLogger("kik_graph.auth")

FORMAT_VERSION = 1
MAX_KEY_LENGTH = 200
#: The lockout count stops growing here (the lockout itself is capped by ``max_lockout`` long before).
MAX_LOCKOUTS = 32

#: One key's state: recent failure times, locked until, number of lockouts so far.
Entry = dict[str, object]


def counters_path() -> Path:
    """The shared counter file: ``KIK_GRAPH_LOGIN_COUNTERS`` or ``login-failures.json`` next to the accounts file."""
    configured = os.environ.get("KIK_GRAPH_LOGIN_COUNTERS")
    return Path(configured) if configured else users_path().with_name("login-failures.json")


def _valid_entry(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    failures, until, count = entry.get("failures", []), entry.get("locked_until", 0.0), entry.get("lockouts", 0)
    numbers = isinstance(failures, list) and all(isinstance(t, int | float) and math.isfinite(t) for t in failures)
    return (numbers and isinstance(until, int | float) and math.isfinite(until) and isinstance(count, int)
            and 0 <= count <= MAX_LOCKOUTS)


@dataclass
class RateLimiter:
    """Failed logins per key (account id, client address): after ``max_failures`` within ``window`` seconds the
    key is locked for ``lockout`` seconds (doubling with each further lockout, at most ``max_lockout``).

    ``path`` (optional) is the shared counter file; without it the counters live in this object only.
    """

    max_failures: int = 5
    window: float = 15 * 60
    lockout: float = 15 * 60
    max_lockout: float = 24 * 3600
    clock: Clock = time.time
    path: Path | None = None
    max_keys: int = 10_000
    _memory: dict[str, Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ public API

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 = now)."""
        now = self.clock()
        with self._state(write=False) as state:
            entry = state.get(key[:MAX_KEY_LENGTH]) or {}
            return max(0.0, float(entry.get("locked_until", 0.0)) - now)

    def failure(self, key: str) -> None:
        """Record a failed attempt."""
        now = self.clock()
        key = key[:MAX_KEY_LENGTH]
        with self._state(write=True) as state:
            entry = state.setdefault(key, {"failures": [], "locked_until": 0.0, "lockouts": 0})
            recent = [t for t in entry["failures"] if now - t < self.window] + [now]
            entry["failures"] = recent
            if len(recent) >= self.max_failures:
                count = int(entry.get("lockouts", 0))
                entry["locked_until"] = now + min(self.max_lockout, self.lockout * (2 ** count))
                entry["lockouts"] = min(count + 1, MAX_LOCKOUTS)
                entry["failures"] = []

    def success(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._state(write=True) as state:
            state.pop(key[:MAX_KEY_LENGTH], None)

    # ------------------------------------------------------------------ storage

    def _expire(self, state: dict[str, Entry], now: float) -> None:
        for key in list(state):
            entry = state[key]
            recent = [t for t in entry.get("failures", []) if now - t < self.window]
            entry["failures"] = recent
            until = float(entry.get("locked_until", 0.0))
            if not recent and until <= now and (not entry.get("lockouts") or now - until > self.max_lockout):
                del state[key]
        if len(state) > self.max_keys:  # keep the most recently active keys
            def last_activity(k: str) -> float:
                return max([float(state[k].get("locked_until", 0.0)), *state[k].get("failures", [])])
            for key in sorted(state, key=last_activity)[: len(state) - self.max_keys]:
                del state[key]

    @contextmanager
    def _state(self, *, write: bool) -> Iterator[dict[str, Entry]]:
        with self._lock:
            if self.path is None:
                yield self._memory
                if write:
                    self._expire(self._memory, self.clock())
                return
            try:
                lock_file = self._open_lock()
            except OSError as exc:
                log.error("Zähler der Fehlversuche: %s ist nicht beschreibbar (%s); es wird nur im Speicher "
                          "dieses Prozesses gezählt.", self.path, exc)
                yield self._memory
                if write:
                    self._expire(self._memory, self.clock())
                return
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
                state = self._read()
                yield state
                if write:
                    self._expire(state, self.clock())
                    self._write(state)
            finally:
                lock_file.close()  # releases the flock

    def _open_lock(self):
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(self.path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        return os.fdopen(fd, "r+")

    def _read(self) -> dict[str, Entry]:
        assert self.path is not None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.error("Zähler der Fehlversuche: %s ist nicht lesbar (%s); es wird neu gezählt.", self.path, exc)
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(
                    data.get("keys"), dict):
                raise ValueError("unbekanntes Format")
            keys = data["keys"]
            if not all(isinstance(k, str) and _valid_entry(v) for k, v in keys.items()):
                raise ValueError("ungültiger Eintrag")
            return keys
        except (UnicodeDecodeError, ValueError) as exc:
            self._set_aside(exc)
            return {}

    def _set_aside(self, exc: Exception) -> None:
        assert self.path is not None
        corrupt = Path(str(self.path) + ".corrupt")
        log.error("Zähler der Fehlversuche: %s ist beschädigt (%s); die Datei wird nach %s verschoben und es wird "
                  "neu gezählt.", self.path, exc, corrupt.name)
        try:
            os.replace(self.path, corrupt)
        except OSError:
            pass

    def _write(self, state: dict[str, Entry]) -> None:
        assert self.path is not None
        payload = json.dumps({"version": FORMAT_VERSION, "keys": state}, sort_keys=True, separators=(",", ":"))
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".login-failures.", suffix=".tmp")
        except OSError as exc:
            log.error("Zähler der Fehlversuche: %s kann nicht geschrieben werden (%s).", self.path, exc)
            return
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            log.error("Zähler der Fehlversuche: %s kann nicht geschrieben werden (%s).", self.path, exc)
