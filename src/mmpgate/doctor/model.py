"""The values `mmpgate doctor` works with: rules, findings and their severities."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    """How a finding is annotated in GitHub (both make `doctor` exit 1)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: a stable kebab-case id, what it finds, and which mmpgate feature replaces it."""

    id: str
    severity: Severity
    title: str
    message: str
    fix: str


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One pattern found at one line; ordered by path, line, then rule id."""

    path: str
    line: int
    rule: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, str | int]:
        """The JSON form: path, line, rule, message, fix."""
        return {
            "path": self.path,
            "line": self.line,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
        }
