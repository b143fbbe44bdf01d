"""The gate's answer: rows of the verdict table, the figures behind them, and the tests to list."""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal
from fractions import Fraction


class Result(enum.Enum):
    """Result of one rule. Only FAIL fails the gate; WARN is shown and kept in the outputs."""

    PASS = "pass"  # noqa: S105  (a result name, not a password)
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Unit(enum.Enum):
    """How a quantity is printed."""

    RATE = "rate"  # a fraction 0..1, printed as a percent
    PERCENT = "percent"  # coverage, 0..100
    POINTS = "points"  # a difference of percents
    SECONDS = "seconds"
    COUNT = "count"
    RELATIVE = "relative"  # a relative change, printed as a signed percent
    FACTOR = "factor"


@dataclasses.dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit; `counts` keeps the numerator and denominator a rate came from."""

    value: Fraction | Decimal | int
    unit: Unit
    counts: tuple[int, int] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One line of the verdict table."""

    rule: str
    group: str
    result: Result
    measured: Quantity | None = None
    threshold: Quantity | None = None
    baseline: Quantity | None = None
    delta: Quantity | None = None
    #: Why the rule failed, warned or was skipped, in words; also what a rate's counts are.
    detail: str | None = None


def count_row(rule: str, group: str, count: int, limit: int) -> Row:
    """A count rule's row: at most `limit` (a flaky, quarantined, new-failure or slow-test count)."""
    return Row(
        rule,
        group,
        Result.PASS if count <= limit else Result.FAIL,
        measured=Quantity(count, Unit.COUNT),
        threshold=Quantity(limit, Unit.COUNT),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Figures:
    """A group's (or the total's) headline numbers, for outputs and the summary."""

    name: str
    total: int
    failure_rate: Fraction | None
    skip_rate: Fraction | None
    coverage: Decimal | None
    duration: Decimal


@dataclasses.dataclass(frozen=True, slots=True)
class TestNote:
    """A test named in a list: failing, newly failing, removed, newly skipped or slower."""

    group: str
    nodeid: str
    outcome: str
    message: str | None = None
    line: int | None = None
    before: Decimal | None = None
    after: Decimal | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """Everything `evaluate` decided; `passed` is False when any row failed."""

    passed: bool
    rows: tuple[Row, ...]
    groups: tuple[Figures, ...]
    total: Figures | None
    total_source: str | None
    failing: tuple[TestNote, ...] = ()
    new_failures: tuple[TestNote, ...] = ()
    removed: tuple[TestNote, ...] = ()
    newly_skipped: tuple[TestNote, ...] = ()
    slower: tuple[TestNote, ...] = ()
    #: Failed, then passed (evidence in `message`); the new ones among them; quarantined tests
    #: that failed (excluded from the failure rules); entries past their expiry; entries that hold
    #: no test that ran; quarantined tests that passed now and in the recent history.
    flaky: tuple[TestNote, ...] = ()
    new_flaky: tuple[TestNote, ...] = ()
    quarantined: tuple[TestNote, ...] = ()
    expired: tuple[TestNote, ...] = ()
    unmatched: tuple[TestNote, ...] = ()
    release: tuple[TestNote, ...] = ()
    metrics_source: str = ""
    baseline_source: str | None = None
    thresholds_source: str = ""

    @property
    def failed_rows(self) -> tuple[Row, ...]:
        """Rows whose rule failed."""
        return tuple(row for row in self.rows if row.result is Result.FAIL)

    @property
    def warnings(self) -> tuple[Row, ...]:
        """Rows that warned."""
        return tuple(row for row in self.rows if row.result is Result.WARN)
