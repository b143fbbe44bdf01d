"""The `assignment.json` document: which collected tests no group ran, and which two groups ran
(written by `mmpgate run --all`, see `mmpgate.run.assignment`; read by the gate)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.metrics.document import Assignment, InTwoGroups
from mmpgate.metrics.files import ASSIGNMENT_FILE
from mmpgate.metrics.format import FORMAT_VERSION
from mmpgate.metrics.io import read_json

POLICIES = ("fail", "allow")
KIND = "assignment"
#: How many test IDs a line names (the file lists them all).
SHOWN = 10


def assign(
    collected: Iterable[str],
    ran: Mapping[str, Iterable[str]],
    policy: str,
    error: str | None = None,
) -> Assignment:
    """Compare the whole suite's IDs with the IDs each group ran (pure)."""
    suite = set(collected)
    by_test: dict[str, list[str]] = {}
    for group, nodeids in sorted(ran.items()):
        for nodeid in set(nodeids):
            by_test.setdefault(nodeid, []).append(group)
    return Assignment(
        format=FORMAT_VERSION,
        kind=KIND,
        groups=sorted(ran),
        collected=len(suite),
        unassigned=sorted(suite - by_test.keys()) if error is None else [],
        multiple=[
            InTwoGroups(nodeid=nodeid, groups=groups)
            for nodeid, groups in sorted(by_test.items())
            if len(groups) > 1 and error is None
        ],
        policy=policy,
        error=error,
    )


def problems(assignment: Assignment) -> list[str]:
    """What is wrong with the groups, one sentence each (empty: every test in exactly one)."""
    if assignment["error"] is not None:
        return [f"group completeness unknown: {assignment['error']}"]
    found = []
    unassigned, multiple = assignment["unassigned"], assignment["multiple"]
    if unassigned:
        found.append(
            f"{len(unassigned)} of {assignment['collected']} collected tests ran in no group: "
            f"{_listed(unassigned)}"
        )
    if multiple:
        names = [f"{m['nodeid']} ({', '.join(m['groups'])})" for m in multiple]
        tests = "test" if len(multiple) == 1 else "tests"
        found.append(f"{len(multiple)} {tests} ran in more than one group: {_listed(names)}")
    return found


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown if len(names) <= SHOWN else f"{shown} and {len(names) - SHOWN} more"


def load(directory: Path, groups: Sequence[str]) -> Assignment | None:
    """The directory's `assignment.json`, validated; None when there is none. One written for
    other groups than the directory's files is refused (an older run's)."""
    path = directory / ASSIGNMENT_FILE
    if not path.exists() and not path.is_symlink():
        return None
    from mmpgate.config.schemas import ASSIGNMENT, validate

    data: Any = read_json(path)
    validate(data, ASSIGNMENT, file=path)
    if data["groups"] != sorted(groups):
        raise InputError(
            located(
                path,
                "$.groups",
                f"expected the groups of the directory's files {sorted(groups)}, got "
                f"{data['groups']} (an older run's: run `mmpgate run --all` again, or delete it)",
            )
        )
    assignment: Assignment = data
    return assignment
