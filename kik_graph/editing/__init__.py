"""Editing the graph: validated transactions with PROV-O history, conflict detection and undo.

Entry points: :mod:`.operations` (responsibilities, measure status, indicators, revert), :mod:`.directory`
(institutions, services), :mod:`.transaction` (the commit), :mod:`.history` (reading the change history).
"""

from kik_graph.editing.errors import EditConflict, EditProblem, EditRejected, ValidationFailed
from kik_graph.editing.history import ChangeRecord, changes_since, get_change, pending_changes, resource_history
from kik_graph.editing.state import resource_state, resource_version
from kik_graph.editing.transaction import CommitResult, Transaction, commit

__all__ = ["ChangeRecord", "CommitResult", "EditConflict", "EditProblem", "EditRejected", "Transaction",
           "ValidationFailed", "changes_since", "commit", "get_change", "pending_changes", "resource_history",
           "resource_state", "resource_version"]
