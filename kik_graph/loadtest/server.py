"""Starting the app for a load test: a free loopback port, a temporary store, readiness check, clean stop."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kik_graph.config import PROJECT_ROOT


class AppStartError(RuntimeError):
    """The app did not become ready; the message contains the end of its log."""


@dataclass
class RunningApp:
    """A started app: its URL, process, log file and (if created) the login of a temporary viewer account."""

    url: str
    process: subprocess.Popen
    log_path: Path
    login: tuple[str, str] | None = None

    @property
    def pid(self) -> int:
        """Process id of the app."""
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the app wrote."""
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server process: terminate, and kill it if it has not ended after 15 seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def wait_ready(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; raise AppStartError on timeout or exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppStartError(f"Die App hat sich beendet (Exit {process.returncode}).")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise AppStartError(f"Die App war nach {timeout:g} s nicht bereit ({url}).")


@contextmanager
def running_app(app: Path | None = None, *, store: Path | None = None, port: int | None = None,
                ready_timeout: float = 90.0, extra_env: dict[str, str] | None = None,
                viewer_account: bool = False, options: dict[str, str] | None = None) -> Iterator[RunningApp]:
    """Run ``streamlit run app.py`` on 127.0.0.1 with its own store; stop it afterwards.

    Without ``store`` a temporary directory is used (the app builds the store from graph_data/ on first use)
    and removed at the end. The app's output goes to a log file next to the store. With ``viewer_account``
    the app gets its own accounts file with one viewer account (random password) for the office users.
    ``options`` are further Streamlit settings, e.g. ``{"runner.postScriptGC": "false"}``.
    """
    app = app or PROJECT_ROOT / "app.py"
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="kik-loadtest-"))
    env = {**os.environ, "KIK_GRAPH_STORE": str(store or workdir / "store"), **(extra_env or {})}
    env.pop("KIK_GRAPH_ENDPOINT", None)
    login = None
    if viewer_account:
        from kik_graph.auth.accounts import add_user

        login = ("lasttest", secrets.token_urlsafe(24))
        add_user(login[0], "viewer", login[1], path=workdir / "users.toml")
        env["KIK_GRAPH_USERS"] = str(workdir / "users.toml")
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    for name, value in (options or {}).items():
        command += [f"--{name}", value]
    log_path = workdir / "app.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=app.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    running = RunningApp(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, login=login)
    try:
        try:
            wait_ready(running.url, process, ready_timeout)
        except AppStartError as exc:
            raise AppStartError(f"{exc}\n{running.log_tail()}") from None
        yield running
    finally:
        stop_process(process)
        shutil.rmtree(workdir, ignore_errors=True)
