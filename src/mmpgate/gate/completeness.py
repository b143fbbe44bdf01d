"""The `assigned` row: each collected test ran in exactly one group (pure).

Read from `assignment.json`, which only a run of every group writes (`mmpgate run --all`, `ci`);
without it there is no row: a run of some groups cannot tell.
"""

from __future__ import annotations

from mmpgate.gate.verdict import Result, Row
from mmpgate.metrics.assignment import problems
from mmpgate.metrics.document import Assignment
from mmpgate.metrics.names import TOTAL

RULE = "assigned"


def assignment_rows(assignment: Assignment | None) -> list[Row]:
    """One row: pass, warn (`unassigned: allow`) or fail, naming the tests."""
    if assignment is None:
        return []
    found = problems(assignment)
    if not found:
        detail = f"each of the {assignment['collected']} collected tests ran in exactly one group"
        return [Row(RULE, TOTAL, Result.PASS, detail=detail)]
    if assignment["policy"] == "allow":
        return [Row(RULE, TOTAL, Result.WARN, detail="; ".join(found) + ' (unassigned = "allow")')]
    return [Row(RULE, TOTAL, Result.FAIL, detail="; ".join(found))]
