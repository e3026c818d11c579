"""Imports of services, responsibilities, statuses and indicators from CSV or XLSX – all or nothing.

``kik-graph import KIND FILE`` and the import page use :func:`run_import`; :func:`template` gives the empty
template (or, with ``with_data``, the current data in the same format, ready to be edited and imported again).
"""

from __future__ import annotations

import datetime as dt

from kik_graph.editing.transaction import CommitResult, Transaction, commit
from kik_graph.imports.kinds import KINDS, ImportKind, build_import, get_kind
from kik_graph.imports.tables import FORMATS, Table, read_table, write_table
from kik_graph.store.base import GraphStore


def prepare_import(store: GraphStore, kind: str | ImportKind, data: bytes, name: str = "", *,
                   today: dt.date | None = None) -> Transaction:
    """Read and check a file; the transaction is ready to commit (raises EditRejected listing every problem)."""
    spec = kind if isinstance(kind, ImportKind) else get_kind(kind)
    table = read_table(data, name)
    return build_import(store, spec, table, source=name, today=today)


def run_import(store: GraphStore, account: str, kind: str | ImportKind, data: bytes, name: str = "", *,
               today: dt.date | None = None, dry_run: bool = False) -> tuple[Transaction, CommitResult | None]:
    """Import a file in one transaction (nothing is changed if any row has a problem)."""
    tx = prepare_import(store, kind, data, name, today=today)
    if dry_run:
        from kik_graph.editing.errors import ValidationFailed
        from kik_graph.editing.state import canonical
        from kik_graph.editing.transaction import validate_transaction

        for change in tx.changes:
            change.new = canonical(change.new)
        problems = validate_transaction(store, tx)
        if problems:
            raise ValidationFailed(f"Der Import ist ungültig ({len(problems)} Problem(e)).", problems)
        return tx, None
    result = commit(store, tx, account)
    if (kind if isinstance(kind, str) else kind.name) == "services":
        from kik_graph.editing.directory import _invalidate_search

        _invalidate_search()
    return tx, result


def template(kind: str | ImportKind, fmt: str = "xlsx", *, store: GraphStore | None = None) -> bytes:
    """The template of ``kind`` as CSV or XLSX; with ``store`` it is filled with the current data."""
    spec = kind if isinstance(kind, ImportKind) else get_kind(kind)
    rows = spec.export_rows(store) if store is not None else []
    notes = [(c.name, ("Pflicht: " if c.required else "") + c.description) for c in spec.columns]
    return write_table(spec.column_names, rows, fmt, notes=notes, sheet=spec.title)


__all__ = ["FORMATS", "KINDS", "Table", "prepare_import", "read_table", "run_import", "template"]
