"""Local accounts in a TOML file (``$KIK_GRAPH_USERS`` or ``var/users.toml``): id, role, password hash, e-mail.

The file holds only salted scrypt hashes. ``email`` links an account to a login through the city's identity
provider (OIDC), so its role applies there too. File format::

    [oidc]
    default_role = ""          # role for OIDC users without an account entry ("" = no access)

    [users.mmuster]
    role = "editor"            # viewer, editor or admin
    password = "scrypt$16384$8$1$…$…"
    email = "m.muster@kempten.de"
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kik_graph.auth.passwords import check_strength, hash_password
from kik_graph.config import PROJECT_ROOT
from kik_graph.terms import InvalidInput, shorten

ROLES = ("viewer", "editor", "admin")
_RANK = {role: n for n, role in enumerate(ROLES)}
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
_EMAIL = re.compile(r"^[^@\s\"<>]{1,64}@[^@\s\"<>]{1,190}\.[A-Za-z]{2,}$")


def users_path() -> Path:
    """The accounts file: ``KIK_GRAPH_USERS`` or ``var/users.toml`` in the project."""
    return Path(os.environ.get("KIK_GRAPH_USERS", PROJECT_ROOT / "var" / "users.toml"))


def has_role(role: str | None, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (viewer < editor < admin)."""
    return role in _RANK and _RANK[role] >= _RANK[needed]


@dataclass
class Account:
    """One local account."""

    id: str
    role: str
    password: str = ""
    email: str = ""


@dataclass
class AccountFile:
    """The accounts and the OIDC default role."""

    accounts: dict[str, Account] = field(default_factory=dict)
    oidc_default_role: str = ""

    def by_email(self, email: str) -> Account | None:
        """The account with this e-mail address (case-insensitive)."""
        wanted = (email or "").strip().casefold()
        return next((a for a in self.accounts.values() if a.email and a.email.casefold() == wanted), None)


def check_id(account_id: str) -> str:
    """Validate an account id: 2–50 characters, lower-case letters, digits, ``._-``."""
    value = (account_id or "").strip()
    if not _ID.match(value):
        raise InvalidInput(f"Kennung {shorten(value)!r}: erlaubt sind 2–50 Kleinbuchstaben, Ziffern, Punkt, _ und -.")
    return value


def check_role(role: str) -> str:
    """Validate a role name."""
    if role not in ROLES:
        raise InvalidInput(f"Rolle {shorten(str(role))!r}: erlaubt sind {', '.join(ROLES)}.")
    return role


def load(path: Path | None = None) -> AccountFile:
    """Read the accounts file (a missing file means: no local accounts)."""
    path = path or users_path()
    if not path.exists():
        return AccountFile()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: Kontodatei nicht lesbar ({exc}).") from exc
    result = AccountFile(oidc_default_role=str(data.get("oidc", {}).get("default_role", "") or ""))
    if result.oidc_default_role and result.oidc_default_role not in ROLES:
        raise InvalidInput(f"{path}: [oidc] default_role {result.oidc_default_role!r} ist keine Rolle.")
    for account_id, entry in (data.get("users") or {}).items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not _ID.match(account_id):
            raise InvalidInput(f"{path}: Eintrag [users.{shorten(account_id)}] ist unvollständig oder ungültig.")
        if "password_plain" in entry or ("password" in entry and not str(entry["password"]).startswith("scrypt$")):
            raise InvalidInput(f"{path}: [users.{account_id}] enthält kein gültiges Passwort-Hash "
                               "(Klartext ist nicht erlaubt; `kik-graph user passwd` setzt es).")
        result.accounts[account_id] = Account(id=account_id, role=entry["role"], password=str(entry.get("password", "")),
                                              email=str(entry.get("email", "")))
    return result


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(accounts: AccountFile, path: Path | None = None) -> None:
    """Write the accounts file atomically, readable only by its owner."""
    path = path or users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# kik-graph: lokale Konten (verwaltet mit `kik-graph user …`; nur Passwort-Hashes, kein Klartext)", "",
             "[oidc]", f"default_role = {_quote(accounts.oidc_default_role)}", ""]
    for account_id in sorted(accounts.accounts):
        a = accounts.accounts[account_id]
        lines += [f"[users.{_quote(check_id(a.id))}]", f"role = {_quote(check_role(a.role))}"]
        if a.password:
            lines.append(f"password = {_quote(a.password)}")
        if a.email:
            lines.append(f"email = {_quote(a.email)}")
        lines.append("")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(account_id: str, role: str, password: str | None, *, email: str = "", path: Path | None = None) -> Account:
    """Add an account (a password is required unless it is an OIDC-only account with an e-mail)."""
    data = load(path)
    account_id = check_id(account_id)
    if account_id in data.accounts:
        raise InvalidInput(f"Konto {account_id!r} gibt es schon (Passwort ändern: kik-graph user passwd).")
    email = email.strip()
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"E-Mail {shorten(email)!r} ist keine gültige Adresse.")
    if not password and not email:
        raise InvalidInput("Ein Konto braucht ein Passwort oder eine E-Mail-Adresse für die Anmeldung über OIDC.")
    if password:
        check_strength(password)
    account = Account(id=account_id, role=check_role(role), password=hash_password(password) if password else "",
                      email=email)
    data.accounts[account_id] = account
    save(data, path)
    return account


def remove_user(account_id: str, *, path: Path | None = None) -> None:
    """Remove an account."""
    data = load(path)
    if account_id not in data.accounts:
        raise InvalidInput(f"Konto {shorten(account_id)!r} gibt es nicht.")
    del data.accounts[account_id]
    save(data, path)


def set_password(account_id: str, password: str, *, path: Path | None = None) -> None:
    """Set a new password (stored as a fresh salted hash)."""
    data = load(path)
    if account_id not in data.accounts:
        raise InvalidInput(f"Konto {shorten(account_id)!r} gibt es nicht.")
    check_strength(password)
    data.accounts[account_id].password = hash_password(password)
    save(data, path)


def set_role(account_id: str, role: str, *, path: Path | None = None) -> None:
    """Change the role of an account."""
    data = load(path)
    if account_id not in data.accounts:
        raise InvalidInput(f"Konto {shorten(account_id)!r} gibt es nicht.")
    data.accounts[account_id].role = check_role(role)
    save(data, path)
