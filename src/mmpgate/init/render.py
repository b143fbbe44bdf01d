"""The text `mmpgate init` writes: a `[tool.mmpgate]` table (or mmpgate.yml) and thresholds.yml.

Every line carries a comment saying what it does and why init chose the value. With a measured
first run, the limits follow from it by the margins named in `MARGINS`.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence

from mmpgate.init.detect import Detected, DetectedGroup
from mmpgate.metrics.files import DEFAULT_RESULTS_DIR

MARGINS = (
    "min_tests: 90% of the tests that ran (rounded down); "
    "max_skip_rate: the measured rate + 2 points (rounded up to a whole percent); "
    "max_duration: twice the measured wall time, at least 60 s more (rounded up to 10 s); "
    "min_coverage: the measured percent - 2 points (rounded down)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Measured:
    """One group's (or the total's) figures from the first run."""

    tests: int
    skipped: int
    wall: float
    coverage: float | None


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The limits init writes for a measured group."""

    min_tests: int
    max_skip_rate: int  # percent
    max_duration: int  # seconds
    min_coverage: int | None

    @classmethod
    def from_run(cls, measured: Measured) -> Limits:
        """The measured figures widened by MARGINS."""
        skip = measured.skipped / measured.tests * 100 if measured.tests else 0.0
        return cls(
            min_tests=max(1, math.floor(measured.tests * 0.9)),
            max_skip_rate=min(100, math.ceil(skip + 2)),
            max_duration=math.ceil(max(2 * measured.wall, measured.wall + 60) / 10) * 10,
            min_coverage=(
                max(0, math.floor(measured.coverage - 2)) if measured.coverage is not None else None
            ),
        )


def _q(value: object) -> str:
    return json.dumps(value)


def _line(text: str, comment: str, width: int = 40) -> str:
    return f"{text.ljust(width)} # {comment}"


def _coverage_lines(found: Detected, toml: bool) -> list[str]:
    sep = " = " if toml else ": "
    if not found.packages:
        return [
            _line(
                f"coverage{sep}false",
                "no package found: nothing of yours to measure",
            )
        ]
    where = "src/" if found.src_layout else ""
    lines = [
        _line(
            f"coverage{sep}true", f"measure coverage per group (package {where}{found.packages[0]})"
        )
    ]
    if found.coverage_config:
        lines.append(
            "# coverage_source is not set: your coverage configuration names the source and stays in force"
        )
    else:
        lines.append(
            _line(
                f"coverage_source{sep}{_q(list(found.packages))}",
                "what coverage measures (the packages found)",
            )
        )
    return lines


def _group_lines(group: DetectedGroup, toml: bool) -> list[str]:
    # One list of settings, written as TOML keys (`key = value`) or YAML keys (`    key: value`).
    head, key = (
        (f"[tool.mmpgate.groups.{group.name}]", "{} =") if toml else (f"  {group.name}:", "    {}:")
    )
    settings = [
        ("paths", _q(list(group.paths)), f"found: {group.why}"),
        (
            "workers",
            _q("auto") if group.parallel else "0",
            "parallel with pytest-xdist"
            if group.parallel
            else "serial: wider tests often share servers or files",
        ),
    ]
    if group.args:
        settings.append(("args", _q(list(group.args)), "selects this group's tests by marker"))
    return [head, *(_line(f"{key.format(name)} {value}", why) for name, value, why in settings)]


def config_text(found: Detected, toml: bool) -> str:
    """The `[tool.mmpgate]` table (toml) or the whole mmpgate.yml."""
    head = "# Written by `mmpgate init` from what it found in the project; edit freely."
    sep = " = " if toml else ": "
    lines = ["", head, "[tool.mmpgate]"] if toml else [head]
    lines.append(
        _line(
            f"output{sep}{_q(DEFAULT_RESULTS_DIR)}",
            "where `mmpgate run` writes; combine, check and report read it",
        )
    )
    lines += _coverage_lines(found, toml)
    if toml:
        for group in found.groups:
            lines += ["", *_group_lines(group, toml=True)]
    else:
        lines.append("groups:                                  # in the order they run")
        for group in found.groups:
            lines += _group_lines(group, toml=False)
    return "\n".join(lines) + "\n"


def thresholds_text(
    names: Sequence[str],
    measured: Mapping[str, Measured] | None = None,
    total: Measured | None = None,
) -> str:
    """A starter thresholds.yml for the groups `names`, commented line by line; limits from
    `measured` when given."""
    out = [
        "# mmpgate thresholds: `mmpgate check` (and `mmpgate ci`) fail when a rule below is broken.",
        "# Written by `mmpgate init`" + (" from a first measured run." if measured else "."),
    ]
    if measured:
        out.append(f"# Margins over the measured run: {MARGINS}.")
    out += [
        _line("version: 1", "the format of this file (1 is the only one)"),
        _line(
            f"metrics: {DEFAULT_RESULTS_DIR}", "where the metrics are read (--metrics overrides)"
        ),
        _line(
            f"require_groups: [{', '.join(names)}]", "each must have run, completely, with tests"
        ),
        "defaults:                                # every group, unless the group says otherwise",
        _line("  max_failure_rate: 0", "(failed + errors) / tests: one failure fails the gate"),
        _line("  min_tests: 1", "a group in which no test ran fails"),
    ]
    if not measured:
        out += [
            _line("  max_skip_rate: 10%", "skipped / tests"),
            "  # max_duration: 10m                    # wall time of a group's run; `init --from-run` measures it",
            "  # min_coverage: 80                     # percent; `init --from-run` measures it",
        ]
    if measured:
        out.append("groups:")
        for name in names:
            figures = measured.get(name)
            if figures is None:
                continue
            limits = Limits.from_run(figures)
            out.append(f"  {name}:")
            out.append(_line(f"    min_tests: {limits.min_tests}", f"{figures.tests} ran"))
            out.append(
                _line(
                    f"    max_skip_rate: {limits.max_skip_rate}%",
                    f"{figures.skipped} of {figures.tests} skipped",
                )
            )
            out.append(
                _line(f"    max_duration: {limits.max_duration}s", f"took {figures.wall:.1f}s")
            )
            if limits.min_coverage is not None and figures.coverage is not None:
                out.append(
                    _line(
                        f"    min_coverage: {limits.min_coverage}",
                        f"measured {figures.coverage:.2f}%",
                    )
                )
    if total is not None and total.coverage is not None:
        minimum = max(0, math.floor(total.coverage - 2))
        out += [
            "total:                                   # all groups together",
            _line(
                f"  min_coverage: {minimum}", f"combined coverage measured {total.coverage:.2f}%"
            ),
        ]
    out += [
        "# regression:                            # compare with an earlier run's results (uncomment)",
        "#   baseline: baseline-results           # a results directory or metrics file",
        "#   on_missing_baseline: warn            # pass | warn | fail when there is none",
        "#   max_new_failures: 0                  # tests failing now that passed then",
        "#   max_removed_tests: 0                 # tests that ran then and not now",
    ]
    return "\n".join(out) + "\n"
