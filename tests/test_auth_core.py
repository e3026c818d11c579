"""Local accounts, password hashes, rate limiting and session expiry (with an injectable clock)."""

from __future__ import annotations

import os
import stat

import pytest

from kik_graph.auth import accounts
from kik_graph.auth.passwords import WeakPassword, hash_password, verify_password
from kik_graph.auth.sessions import LoginError, RateLimiter, Session, oidc_session, password_login
from kik_graph.terms import InvalidInput
from tests.fixtures.editing import PASSWORD


class Clock:
    """A settable clock."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_hashes_are_salted_and_verified_in_constant_time():
    first, second = hash_password("korrekt-pferd"), hash_password("korrekt-pferd")
    assert first != second and first.startswith("scrypt$") and "korrekt-pferd" not in first
    assert verify_password("korrekt-pferd", first) and verify_password("korrekt-pferd", second)
    assert not verify_password("falsch", first)
    assert not verify_password("korrekt-pferd", "plain:korrekt-pferd")
    assert not verify_password("x", "scrypt$1$2$3$not-base64$!!")


def test_accounts_file_holds_only_hashes_and_is_private(users_file):
    text = users_file.read_text()
    assert PASSWORD not in text and text.count("scrypt$") == 3
    assert stat.S_IMODE(os.stat(users_file).st_mode) == 0o600
    data = accounts.load(users_file)
    assert {a.id: a.role for a in data.accounts.values()} == {"vera": "viewer", "eddi": "editor", "ada": "admin"}


def test_plain_text_passwords_in_the_file_are_refused(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.max]\nrole = "admin"\npassword = "geheim"\n')
    with pytest.raises(InvalidInput, match="Klartext"):
        accounts.load(path)


def test_account_management(users_file):
    with pytest.raises(WeakPassword):
        accounts.add_user("kurt", "viewer", "kurz", path=users_file)
    with pytest.raises(InvalidInput, match="gibt es schon"):
        accounts.add_user("vera", "viewer", PASSWORD, path=users_file)
    with pytest.raises(InvalidInput, match="Rolle"):
        accounts.add_user("kurt", "chef", PASSWORD, path=users_file)
    with pytest.raises(InvalidInput, match="Kennung"):
        accounts.add_user("Kurt Müller", "viewer", PASSWORD, path=users_file)
    accounts.add_user("olga", "editor", None, email="olga@kempten.de", path=users_file)
    accounts.set_password("vera", "ein-neues-passwort", path=users_file)
    accounts.set_role("vera", "editor", path=users_file)
    data = accounts.load(users_file)
    assert data.accounts["vera"].role == "editor" and data.by_email("OLGA@kempten.de").id == "olga"
    accounts.remove_user("olga", path=users_file)
    assert "olga" not in accounts.load(users_file).accounts
    assert accounts.has_role("admin", "editor") and not accounts.has_role("viewer", "editor")
    assert not accounts.has_role(None, "viewer")


def test_password_login_and_generic_failure(users_file):
    data, clock = accounts.load(users_file), Clock()
    limiter = RateLimiter(clock=clock)
    session = password_login(data, "Eddi", PASSWORD, limiter, clock=clock)
    assert (session.account, session.role, session.method) == ("eddi", "editor", "local")
    with pytest.raises(LoginError) as unknown:
        password_login(data, "niemand", PASSWORD, limiter, clock=clock)
    with pytest.raises(LoginError) as wrong:
        password_login(data, "eddi", "falsch", limiter, clock=clock)
    assert str(unknown.value) == str(wrong.value)  # does not reveal which accounts exist


def test_failed_logins_are_rate_limited_per_account_and_client(users_file):
    data, clock = accounts.load(users_file), Clock()
    limiter = RateLimiter(max_failures=5, window=900, lockout=900, clock=clock)
    for _ in range(5):
        with pytest.raises(LoginError):
            password_login(data, "eddi", "falsch", limiter, client="10.0.0.1", clock=clock)
    with pytest.raises(LoginError, match="Zu viele Fehlversuche") as locked:
        password_login(data, "eddi", PASSWORD, limiter, client="10.0.0.2", clock=clock)  # right password, locked
    assert locked.value.retry_after == pytest.approx(900)
    with pytest.raises(LoginError, match="Zu viele"):
        password_login(data, "vera", PASSWORD, limiter, client="10.0.0.1", clock=clock)  # the client is locked too
    clock.now += 901
    assert password_login(data, "eddi", PASSWORD, limiter, client="10.0.0.2", clock=clock).role == "editor"
    for _ in range(5):
        with pytest.raises(LoginError):
            password_login(data, "vera", "falsch", limiter, clock=clock)
    clock.now += 901
    for _ in range(5):
        with pytest.raises(LoginError):
            password_login(data, "vera", "falsch", limiter, clock=clock)
    assert limiter.retry_after("account:vera") == pytest.approx(1800)  # the second lockout lasts twice as long


def test_failures_outside_the_window_do_not_add_up():
    clock = Clock()
    limiter = RateLimiter(max_failures=3, window=60, clock=clock)
    for _ in range(10):
        limiter.failure("k")
        limiter.failure("k")
        clock.now += 61
    assert limiter.retry_after("k") == 0


def test_sessions_expire_after_max_age_or_idle_time():
    session = Session("eddi", "editor", "local", started=0.0, last_seen=0.0)
    assert not session.expired(29 * 60)
    assert session.expired(31 * 60)  # idle
    for minute in range(0, 8 * 60, 20):
        session.touch(minute * 60.0)
    assert not session.expired(8 * 3600 - 1)
    assert session.expired(8 * 3600 + 1)  # absolute maximum


def test_oidc_roles_come_from_the_accounts_file(users_file):
    accounts.add_user("olga", "editor", None, email="olga@kempten.de", path=users_file)
    data = accounts.load(users_file)
    assert oidc_session(data, "olga@kempten.de", "sub-1").role == "editor"
    assert oidc_session(data, "fremd@example.org", "sub-2") is None  # no default role: no access
    data.oidc_default_role = "viewer"
    assert oidc_session(data, "fremd@example.org", "sub-2").role == "viewer"
