"""The values the history stores and returns (frozen, slotted)."""

from __future__ import annotations

import dataclasses
import enum

DEFAULT_FILE = "mmpgate-history.sqlite"


class Status(enum.IntEnum):
    """A test's result in one run, as stored (a small integer per row)."""

    PASSED = 0
    FAILED = 1
    FLAKY = 2
    SKIPPED = 3


@dataclasses.dataclass(frozen=True, slots=True)
class NewRun:
    """A run to record."""

    run_key: str
    commit: str | None
    branch: str | None
    recorded_at: str  # UTC ISO 8601


@dataclasses.dataclass(frozen=True, slots=True)
class RunInfo:
    """A recorded run."""

    id: int
    run_key: str
    commit: str | None
    branch: str | None
    recorded_at: str
    tests: int


@dataclasses.dataclass(frozen=True, slots=True)
class ResultRecord:
    """One test of one run."""

    group: str
    nodeid: str
    status: Status
    attempts: int  # retries made (0: not retried)
    passed_attempts: int
    duration: float


@dataclasses.dataclass(frozen=True, slots=True)
class Observation:
    """A test's status in one recorded run (oldest first in every list)."""

    run: int
    commit: str | None
    status: Status


@dataclasses.dataclass(frozen=True, slots=True)
class Definitions:
    """The two definitions of "flaky across runs", named in every answer.

    - same_commit: on one commit the test both passed and failed (a flaky run counts: it did both);
    - flip_rate: outcome changes between consecutive runs / (runs - 1) >= `flip_threshold`, over at
      least `min_runs` runs (skips are not runs).
    """

    last: int = 50
    flip_threshold: float = 0.3
    min_runs: int = 10


DEFAULT_DEFINITIONS = Definitions()


@dataclasses.dataclass(frozen=True, slots=True)
class Rates:
    """Rates of one test over the last runs of the window."""

    group: str
    nodeid: str
    runs: int
    failures: int
    flaky_runs: int
    flips: int
    same_commit: bool
    flip_flaky: bool

    @property
    def failure_rate(self) -> float | None:
        """Runs that failed (every attempt) / runs; None when it never ran."""
        return self.failures / self.runs if self.runs else None

    @property
    def flaky_rate(self) -> float | None:
        """Runs in which it failed, then passed / runs."""
        return self.flaky_runs / self.runs if self.runs else None

    @property
    def flip_rate(self) -> float | None:
        """Changes between pass and fail from one run to the next / (runs - 1)."""
        return self.flips / (self.runs - 1) if self.runs > 1 else None

    @property
    def flaky_by(self) -> tuple[str, ...]:
        """The definitions under which the test is flaky across runs."""
        return tuple(
            name
            for name, hit in (("same_commit", self.same_commit), ("flip_rate", self.flip_flaky))
            if hit
        )
