"""A large run's metrics, built through the plugin's own recorder (for the 100,000-test checks)."""

from __future__ import annotations

import random
from pathlib import Path

from mmpgate.metrics.writing import write_json
from mmpgate.record import Recorder, RunFacts

#: Tests per group of the large run: 100,000 in all.
SIZES = {"unit": 50_000, "integration": 30_000, "e2e": 20_000}


def group_document(group: str, tests: int, seed: int) -> dict[str, object]:
    """1 % failing, 0.5 % flaky (failed, then passed on a rerun), 2 % skipped, the rest passing."""
    rng = random.Random(seed)  # noqa: S311  (test data, not security)
    recorder = Recorder()
    for index in range(tests):
        nodeid = f"tests/{group}/pkg{index % 40}/test_mod{index % 997}.py::test_case_{index}"
        roll = rng.random()
        seconds = rng.random() * 0.05
        if roll < 0.01:
            steps = [("call", "failed", "assert 2 == 3")]
        elif roll < 0.015:
            steps = [("call", "rerun", None), ("call", "passed", None)]
        elif roll < 0.035:
            steps = [("setup", "skipped", "not on this platform")]
        else:
            steps = [("call", "passed", None)]
        for when, category, message in steps:
            recorder.add_test_report(
                nodeid=nodeid,
                when=when,
                category=category,
                duration=seconds,
                counts=category != "rerun",
                message=message,
                line=10 + index % 50,
            )
    facts = RunFacts(
        group=group, exit_status=1, interrupted=False, stopped_early=False, collected=tests,
        wall=300.0 + rng.random() * 60, environment={
            "python": "3", "platform": "linux", "pytest": "9", "xdist": "3", "workers": 2,
            "git_commit": None, "command": [], "started": None, "finished": None,
            "producer": "big_run"},
        coverage={"percent": 80.0 + seed, "lines_valid": 1000, "lines_covered": 800 + 10 * seed,
                  "branches_valid": 0, "branches_covered": 0},
        source={},
    )  # fmt: skip
    return recorder.build(facts)


def write_run(directory: Path) -> int:
    """Write the three group files into `directory`; return the number of tests."""
    for seed, (group, tests) in enumerate(SIZES.items()):
        write_json(directory / f"metrics.{group}.json", group_document(group, tests, seed))
    return sum(SIZES.values())
