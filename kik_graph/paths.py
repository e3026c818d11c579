"""Checking file and directory paths given on the command line (``--store``, ``--out``, ``-o``, ``--file`` …).

Every path option goes through :func:`checked_path` before anything is read or written. A path that cannot
work (empty, NUL byte, unencodable character, name too long), that hides control or bidi characters, that
points into a system directory or that has the wrong type (a file where a directory is expected, a
directory full of other files where a store is expected) is refused with :class:`InvalidInput`, whose message
names the option and the path (shortened). Nothing is created here; :func:`make_dir` creates a checked
directory and reports failures the same way.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path

from kik_graph.terms import InvalidInput, shorten

#: Longest path accepted (Linux PATH_MAX is 4096 bytes including the terminating NUL).
MAX_PATH_BYTES = 4000
#: Longest name of one path component (Linux NAME_MAX).
MAX_NAME_BYTES = 255
#: Room a store name needs for the suffixes the store adds (``.building``, ``.defekt-<time>``).
STORE_SUFFIX_BYTES = 20
#: Directories kik-graph never writes into (nor treats as a store): the root and the operating system.
SYSTEM_DIRS = ("/etc", "/proc", "/sys", "/dev", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/usr",
               "/run", "/var/run", "/var/lib/dpkg", "/var/lib/apt")
#: Control characters and bidi overrides/isolates: they disguise a file name on the screen.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Files of an embedded (RocksDB-based Oxigraph) store directory; one of them marks a (possibly damaged) store.
_STORE_FILES = ("CURRENT", "IDENTITY", "LOCK")
_STORE_PREFIXES = ("MANIFEST-", "OPTIONS-")


class PathKind(Enum):
    """What a path option names; decides the checks beyond the common ones."""

    OUTPUT_FILE = "output_file"  #: a file that is written (may exist: overwritten; its directory must exist)
    DATA_FILE = "data_file"      #: a file that is read and rewritten (missing directories are created)
    OUTPUT_DIR = "output_dir"    #: a directory that is created if missing and written into
    STORE = "store"              #: the embedded store directory (missing: built; existing: must be a store)


def _refuse(option: str, value: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{option}: ungültiger Pfad {shorten(value)!r} ({reason}).")


def _in_system_dir(resolved: str) -> bool:
    return resolved == os.sep or any(resolved == d or resolved.startswith(d + os.sep) for d in SYSTEM_DIRS)


def checked_path(value: object, option: str, kind: PathKind) -> Path:
    """Return ``value`` as a :class:`Path` after checking it for use as ``kind``; else raise InvalidInput.

    ``option`` (e.g. ``"--out"``) starts the message, so the user knows which option to correct.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{option}: Pfad fehlt.")
    if "\x00" in value:
        raise _refuse(option, value, "enthält ein Nullzeichen")
    try:
        raw = os.fsencode(value)
    except UnicodeError:
        raise _refuse(option, value, "enthält ein nicht kodierbares Zeichen") from None
    if len(raw) > MAX_PATH_BYTES:
        raise InvalidInput(f"{option}: Pfad ist zu lang ({len(raw)} Bytes, erlaubt sind {MAX_PATH_BYTES}).")
    limit = MAX_NAME_BYTES - (STORE_SUFFIX_BYTES if kind is PathKind.STORE else 0)
    longest = max(len(part) for part in raw.split(b"/"))
    if longest > limit:
        raise _refuse(option, value, f"ein Name ist {longest} Bytes lang, erlaubt sind {limit}")
    if _HIDDEN.search(value):
        raise _refuse(option, value, "enthält Steuer- oder Richtungszeichen")
    path = Path(value)
    try:
        resolved = os.path.realpath(path)
        exists = path.exists()
        is_dir = path.is_dir()
        is_file = path.is_file()
    except (OSError, ValueError) as exc:
        raise _refuse(option, value, getattr(exc, "strerror", None) or str(exc)) from None
    if _in_system_dir(resolved):
        raise _refuse(option, value, "Systemverzeichnis – dorthin schreibt kik-graph nicht")
    if kind in (PathKind.OUTPUT_FILE, PathKind.DATA_FILE):
        if is_dir:
            raise _refuse(option, value, "ist ein Verzeichnis, erwartet wird eine Datei")
        if exists and not is_file:
            raise _refuse(option, value, "ist keine gewöhnliche Datei")
        parent = path.parent
        if kind is PathKind.OUTPUT_FILE and not parent.is_dir():
            raise _refuse(option, value, f"das Verzeichnis {shorten(str(parent))!r} gibt es nicht")
    elif exists and not is_dir:
        raise _refuse(option, value, "ist eine Datei, erwartet wird ein Verzeichnis")
    elif kind is PathKind.STORE and exists and _foreign_directory(path):
        raise _refuse(option, value, "ist kein Speicherverzeichnis: enthält andere Dateien")
    # a store is built beside its path (NAME.building): "." or "x/.." must become a path with a name
    return Path(os.path.abspath(path)) if kind is PathKind.STORE else path


def _foreign_directory(path: Path) -> bool:
    """True for a non-empty directory that is not an embedded store (the store would set it aside)."""
    try:
        names = {entry.name for entry in os.scandir(path)}
    except OSError:
        return True
    return bool(names) and not any(name in _STORE_FILES or name.startswith(_STORE_PREFIXES) or name.endswith(".sst")
                                   for name in names)


def make_dir(path: Path, option: str) -> Path:
    """Create the checked directory ``path`` (with parents); failures become InvalidInput naming ``option``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"{option} {shorten(str(path))!r}: Verzeichnis kann nicht angelegt werden "
                           f"({exc.strerror or exc}).") from exc
    return path
