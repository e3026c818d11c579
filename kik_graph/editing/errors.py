"""Errors of the editing layer. Each carries everything a person needs to fix the problem."""

from __future__ import annotations

from dataclasses import dataclass, field

from kik_graph.terms import InvalidInput


@dataclass(frozen=True)
class EditProblem:
    """One problem of an edit or an import: what is wrong and where (resource, property, row, column)."""

    message: str
    resource: str = ""
    path: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column:
            where.append(f"Spalte {self.column!r}")
        if not where and self.resource:
            where.append(self.resource + (f" – {self.path}" if self.path else ""))
        prefix = ", ".join(where)
        value = f" (Wert: {self.value})" if self.value else ""
        return f"{prefix}: {self.message}{value}" if prefix else f"{self.message}{value}"


class EditRejected(InvalidInput):
    """An edit was refused; nothing was changed. ``problems`` lists every reason."""

    def __init__(self, message: str, problems: list[EditProblem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[EditProblem] = list(problems or [])

    def text(self) -> str:
        """The message followed by one line per problem."""
        lines = [str(self.args[0])]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)


class ValidationFailed(EditRejected):
    """The new state does not conform to the SHACL shapes (or to a rule checked before them)."""


@dataclass
class OtherChange:
    """The change that got in the way of a save (for the conflict message)."""

    change: str
    account: str
    time: str
    summary: str
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


class EditConflict(EditRejected):
    """The resource was changed by someone else since it was read; the second save is refused."""

    def __init__(self, message: str, resource: str, other: OtherChange | None) -> None:
        super().__init__(message, [EditProblem(message=message, resource=resource)])
        self.resource = resource
        self.other = other

    def text(self) -> str:
        """The message with the other change (who, when, what)."""
        lines = [str(self.args[0])]
        if self.other:
            lines.append(f"  Andere Änderung: {self.other.summary} ({self.other.account}, {self.other.time})")
            lines.extend(f"    - {t}" for t in self.other.removed)
            lines.extend(f"    + {t}" for t in self.other.added)
        return "\n".join(lines)
