"""Writing export files all-or-nothing: a failed write (full disk, size limit) leaves neither a truncated file nor a
temporary one behind."""

from __future__ import annotations

from pathlib import Path


def write_atomic(path: Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """Write ``content`` to ``path.tmp`` and rename it to ``path``; on any error remove the temporary file and
    re-raise (an existing ``path`` is left as it was)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding=encoding)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
