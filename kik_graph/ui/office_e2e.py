"""Running the real app for end-to-end tests and benchmarks: a Streamlit server on a free loopback port and
a headless Debian Chromium (driven by Playwright) that must never reach beyond loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from kik_graph.config import PROJECT_ROOT
from kik_graph.loadtest.server import free_port, stop_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def start_app(store_path: Path, port: int, log_path: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``streamlit run app.py`` headless on ``port`` (no usage statistics, no file watcher)."""
    streamlit = Path(sys.executable).parent / "streamlit"
    env = {**os.environ, "KIK_GRAPH_STORE": str(store_path), **(extra_env or {})}
    log = log_path.open("w")
    return subprocess.Popen(
        [str(streamlit), "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--global.developmentMode", "false"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 90.0) -> float:
    """Wait for ``/_stcore/health``; returns the seconds it took. Raises when the server died or timed out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"Streamlit ist beendet (Exit {process.returncode}).")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:  # noqa: S310 - loopback
                if response.read().strip() == b"ok":
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("Streamlit kam nicht hoch.")


def stop_app(process: subprocess.Popen) -> None:
    """Stop the server started by :func:`start_app`."""
    stop_process(process)


@contextmanager
def running_app(workdir: Path, log_name: str, extra_env: dict[str, str] | None = None,
                artifacts: Path | None = None) -> Iterator[str]:
    """Run the app on a free loopback port with the store in ``workdir/store``; yield its base URL.

    Afterwards the server log is copied to ``artifacts/log_name`` (if given) and a traceback in it fails.
    """
    port = free_port()
    log_path = workdir / "streamlit.log"
    process = start_app(workdir / "store", port, log_path, extra_env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        stop_app(process)
        server_log = log_path.read_text(errors="replace")
        if artifacts is not None:
            artifacts.mkdir(parents=True, exist_ok=True)
            (artifacts / log_name).write_text(server_log)
    if "Traceback" in server_log:
        raise AssertionError(server_log[-3000:])


def outbound(requests: list[str]) -> list[str]:
    """Requests that would leave the machine (anything but loopback, data:, blob:, about:)."""
    bad = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome-error"):
            continue
        if parts.hostname not in LOCAL_HOSTS:
            bad.append(url)
    return bad
