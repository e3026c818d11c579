"""Login sessions with expiry and password login – independent of Streamlit.

Failed logins are rate-limited by :mod:`kik_graph.auth.ratelimit` (optionally shared through a file).

Everything takes a clock (``now`` callables returning seconds) so that expiry and lockouts can be tested.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kik_graph.auth.accounts import AccountFile
from kik_graph.auth.passwords import dummy_verify, verify_password
from kik_graph.auth.ratelimit import RateLimiter, counters_path

__all__ = ["IDLE", "MAX_AGE", "LoginError", "RateLimiter", "Session", "counters_path", "oidc_session",
           "password_login"]

Clock = Callable[[], float]

#: A session ends after this many seconds in total, or after IDLE seconds without activity.
MAX_AGE = 8 * 3600
IDLE = 30 * 60


@dataclass
class Session:
    """A logged-in user: account id, role, how they logged in, and when."""

    account: str
    role: str
    method: str  # "local" or "oidc"
    started: float
    last_seen: float

    def expired(self, now: float, *, max_age: float = MAX_AGE, idle: float = IDLE) -> bool:
        """True when the session is too old or was idle too long."""
        return now - self.started > max_age or now - self.last_seen > idle

    def touch(self, now: float) -> None:
        """Record activity."""
        self.last_seen = now


class LoginError(Exception):
    """Login refused; the message is safe to show (never says whether the account exists)."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


GENERIC_FAILURE = "Anmeldung fehlgeschlagen: Kennung oder Passwort ist falsch."


def password_login(accounts: AccountFile, account_id: str, password: str, limiter: RateLimiter, *,
                   client: str = "", clock: Clock = time.time) -> Session:
    """Check a password login; raise LoginError (rate-limited per account and per client) or return a Session."""
    account_id = (account_id or "").strip().casefold()[:100]
    keys = [f"account:{account_id}"] + ([f"client:{client}"] if client else [])
    wait = max(limiter.retry_after(k) for k in keys)
    if wait > 0:
        raise LoginError(f"Zu viele Fehlversuche – bitte in {int(wait // 60) + 1} Minute(n) erneut versuchen.", wait)
    account = accounts.accounts.get(account_id)
    if account is None or not account.password:
        dummy_verify(password or "")
        ok = False
    else:
        ok = verify_password(password or "", account.password)
    if not ok:
        for k in keys:
            limiter.failure(k)
        raise LoginError(GENERIC_FAILURE)
    for k in keys:
        limiter.success(k)
    now = clock()
    return Session(account=account.id, role=account.role, method="local", started=now, last_seen=now)


def oidc_session(accounts: AccountFile, email: str, subject: str, *, clock: Clock = time.time) -> Session | None:
    """The session of a user logged in through OIDC: role from the account with that e-mail, else the default."""
    account = accounts.by_email(email) if email else None
    now = clock()
    if account is not None:
        return Session(account=account.id, role=account.role, method="oidc", started=now, last_seen=now)
    if accounts.oidc_default_role:
        ident = (email or subject or "").strip()[:100]
        if ident:
            return Session(account=ident, role=accounts.oidc_default_role, method="oidc", started=now, last_seen=now)
    return None
