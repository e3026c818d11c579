"""Salted password hashes with scrypt (never plain text); verification in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

#: scrypt cost parameters (n=2^14, r=8, p=1: ~16 MiB, tens of milliseconds).
N, R, P = 2**14, 8, 1
MIN_LENGTH = 10
MAX_LENGTH = 1024
_DUMMY = None


class WeakPassword(ValueError):
    """The password does not meet the minimum requirements."""


def check_strength(password: str) -> None:
    """Raise WeakPassword unless the password has at least MIN_LENGTH characters (and at most MAX_LENGTH)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Das Passwort muss mindestens {MIN_LENGTH} Zeichen lang sein.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen lang sein.")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh 16-byte salt."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison; malformed hashes never match)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(password.encode("utf-8")[:MAX_LENGTH * 4], salt=base64.b64decode(salt, validate=True),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def dummy_verify(password: str) -> None:
    """Spend the time of one verification (for unknown accounts, so timing does not reveal which exist)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_hex(8))
    verify_password(password, _DUMMY)
