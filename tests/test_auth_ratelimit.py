"""Failed-login counters in a shared file: they survive restarts, are shared by processes, expire, and a damaged
file neither locks anybody out nor stops a login."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import time

import pytest

from kik_graph.auth import accounts
from kik_graph.auth.ratelimit import RateLimiter, counters_path
from kik_graph.auth.sessions import LoginError, password_login
from tests.fixtures.editing import PASSWORD, all_text


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limiter(path, clock, **kwargs) -> RateLimiter:
    return RateLimiter(max_failures=5, window=900, lockout=900, clock=clock, path=path, **kwargs)


def fail_five_times(data, path, clock, account="eddi") -> None:
    for _ in range(5):
        with pytest.raises(LoginError, match="falsch"):
            password_login(data, account, "falsch", limiter(path, clock), client="10.0.0.9", clock=clock)


def test_a_lockout_survives_a_restart(users_file, tmp_path):
    data, clock, path = accounts.load(users_file), Clock(), tmp_path / "login-failures.json"
    fail_five_times(data, path, clock)  # a fresh limiter object (a "restart") for every attempt
    restarted = limiter(path, clock)
    with pytest.raises(LoginError, match="Zu viele Fehlversuche") as locked:
        password_login(data, "eddi", PASSWORD, restarted, clock=clock)
    assert locked.value.retry_after == pytest.approx(900)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and PASSWORD not in path.read_text()
    clock.now += 901
    assert password_login(data, "eddi", PASSWORD, limiter(path, clock), clock=clock).role == "editor"
    assert "account:eddi" not in json.loads(path.read_text())["keys"]  # success forgets the account's failures


def test_a_lockout_survives_a_new_process(users_file, tmp_path):
    data, path = accounts.load(users_file), tmp_path / "login-failures.json"
    fail_five_times(data, path, time.time)
    script = ("import sys\nfrom pathlib import Path\nfrom kik_graph.auth.ratelimit import RateLimiter\n"
              "print(int(RateLimiter(path=Path(sys.argv[1])).retry_after('account:eddi')))\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120,
                          check=True)
    assert 800 < int(done.stdout.strip()) <= 900


def test_two_instances_share_the_count(tmp_path):
    clock, path = Clock(), tmp_path / "login-failures.json"
    first, second = limiter(path, clock), limiter(path, clock)
    for n in range(4):
        (first if n % 2 else second).failure("account:vera")
    assert first.retry_after("account:vera") == 0 and second.retry_after("account:vera") == 0
    second.failure("account:vera")  # the fifth failure, counted together with the four before
    assert first.retry_after("account:vera") == pytest.approx(900)
    first.success("account:vera")
    assert second.retry_after("account:vera") == 0


def test_concurrent_processes_lose_no_failure(tmp_path):
    path = tmp_path / "login-failures.json"
    script = ("import sys\nfrom pathlib import Path\nfrom kik_graph.auth.ratelimit import RateLimiter\n"
              "r = RateLimiter(max_failures=10_000, window=3600, path=Path(sys.argv[1]))\n"
              "for _ in range(40):\n    r.failure('client:10.0.0.1')\n")
    workers = [subprocess.Popen([sys.executable, "-c", script, str(path)]) for _ in range(3)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    keys = json.loads(path.read_text())["keys"]
    assert len(keys["client:10.0.0.1"]["failures"]) == 120  # file locking: no lost update


def test_old_entries_expire_from_the_file(tmp_path):
    clock, path = Clock(), tmp_path / "login-failures.json"
    counter = limiter(path, clock, max_lockout=3600)
    counter.failure("account:alt")
    for _ in range(5):
        counter.failure("account:gesperrt")
    assert set(json.loads(path.read_text())["keys"]) == {"account:alt", "account:gesperrt"}
    clock.now += 901
    counter.failure("account:neu")
    assert set(json.loads(path.read_text())["keys"]) == {"account:gesperrt", "account:neu"}  # lockout history kept
    clock.now += 3600 + 1
    counter.failure("account:neu2")
    assert set(json.loads(path.read_text())["keys"]) == {"account:neu2"}


def test_the_file_keeps_at_most_max_keys_entries(tmp_path):
    clock, path = Clock(), tmp_path / "login-failures.json"
    counter = limiter(path, clock, max_keys=50)
    for n in range(120):
        clock.now += 1
        counter.failure(f"account:spray{n}")
    keys = json.loads(path.read_text())["keys"]
    assert len(keys) == 50 and "account:spray119" in keys and "account:spray0" not in keys


@pytest.mark.parametrize("content", [b"{nicht json", b'{"version": 1, "keys": {"account:eddi": {"locked_until": "nie"}}}',
                                     b'{"version": 99, "keys": {}}', b"\xff\xfe\x00", b"[]"])
def test_a_damaged_counter_file_is_logged_and_locks_nobody_out(users_file, tmp_path, caplog, content):
    data, clock, path = accounts.load(users_file), Clock(), tmp_path / "login-failures.json"
    path.write_bytes(content)
    with caplog.at_level(logging.ERROR, logger="kik_graph.auth"):
        session = password_login(data, "eddi", PASSWORD, limiter(path, clock), client="10.0.0.1", clock=clock)
    assert session.role == "editor"
    assert any("Zähler der Fehlversuche" in r.getMessage() and str(path) in r.getMessage() and "beschädigt"
               in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert (tmp_path / "login-failures.json.corrupt").read_bytes() == content  # kept for inspection
    fail_five_times(data, path, clock, account="vera")  # counting starts afresh and works again
    assert json.loads(path.read_text())["keys"]["account:vera"]["lockouts"] == 1


def test_counter_file_lives_next_to_the_accounts_file(users_file, monkeypatch, tmp_path):
    assert counters_path() == users_file.with_name("login-failures.json")
    monkeypatch.setenv("KIK_GRAPH_LOGIN_COUNTERS", str(tmp_path / "x" / "zaehler.json"))
    assert counters_path() == tmp_path / "x" / "zaehler.json"


def test_the_app_keeps_a_lockout_across_a_restart(users_file):
    from streamlit.testing.v1 import AppTest

    from kik_graph.ui import auth_ui

    login = "from kik_graph.ui.auth_ui import login_page\nlogin_page()\n"
    auth_ui.rate_limiter.clear()
    try:
        at = AppTest.from_string(login, default_timeout=60).run()
        for _ in range(5):
            at.text_input[0].input("vera")
            at.text_input[1].input("falsch")
            at.button[0].click().run()
        auth_ui.rate_limiter.clear()  # as after a server restart: no limiter object survives
        at = AppTest.from_string(login, default_timeout=60).run()
        at.text_input[0].input("vera")
        at.text_input[1].input(PASSWORD)
        at.button[0].click().run()
        assert "Zu viele Fehlversuche" in all_text(at) and auth_ui.SESSION_KEY not in at.session_state
        assert "account:vera" in json.loads(users_file.with_name("login-failures.json").read_text())["keys"]
    finally:
        auth_ui.rate_limiter.clear()


def test_a_long_attack_stays_locked_and_the_file_stays_valid(tmp_path, caplog):
    clock, path = Clock(), tmp_path / "login-failures.json"
    counter = limiter(path, clock, max_lockout=3600)
    with caplog.at_level(logging.ERROR, logger="kik_graph.auth"):
        for round_ in range(40):  # 40 lockouts in a row: growing to the maximum, never an overflow or a reset
            for _ in range(5):
                counter.failure("client:10.6.6.6")
            wait = counter.retry_after("client:10.6.6.6")
            assert wait == pytest.approx(min(3600, 900 * 2 ** round_)), round_
            clock.now += wait + 1
    assert not caplog.records and not (tmp_path / "login-failures.json.corrupt").exists()
