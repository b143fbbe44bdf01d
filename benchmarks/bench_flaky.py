"""Flaky-test features at scale: retries' cost, `history add`, and the history rules of `check`.

1. Retries cost only failed tests: pytest processes counted (a conftest logs each controller's
   pid) for a group with no failure and with two failures, `--retries 3` against no retries.
2. `history add` of a 100,000-test run against `json.load` of the same metrics file: seconds and
   peak RSS, each in its own process, timed inside it (interpreter start-up excluded from both).
3. The history rules of `check` on 10,000 tests (100 flaky now, 50 quarantined) against stores
   of 10, 100 and 1,000 recorded runs of 10,000 tests: the cost must follow this run, not the
   history's length (largest within 1.5x of the smallest).
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import median, table

from mmpgate.flaky.history import open_store
from mmpgate.flaky.retries import Attempt, merge
from mmpgate.metrics.writing import write_json
from mmpgate.record import Recorder, RunFacts

ENVIRONMENT = {
    "python": None, "platform": None, "pytest": None, "xdist": None, "workers": 2,
    "git_commit": "c0", "command": [], "started": None, "finished": None, "producer": "bench",
}  # fmt: skip


def metrics_document(tests: int, flaky: int) -> dict:
    """A unit group of `tests` tests, the first `flaky` failed in the run and passed 2/2 alone."""
    recorder = Recorder()
    for index in range(tests):
        category = "failed" if index < flaky else "passed"
        nodeid = f"tests/unit/pkg{index % 40}/test_mod{index % 500}.py::test_case_{index}"
        for when in ("setup", "call", "teardown"):
            recorder.add_test_report(
                nodeid=nodeid, when=when, category=category if when == "call" else "",
                duration=0.001, counts=when == "call", message=None, line=1,
            )  # fmt: skip
    document = recorder.build(
        RunFacts(group="unit", exit_status=1 if flaky else 0, interrupted=False,
                 stopped_early=False, collected=tests, wall=10.0, environment=ENVIRONMENT,
                 coverage=None, source={})
    )  # fmt: skip
    if not flaky:
        return document  # type: ignore[return-value]
    tried = {e["nodeid"]: [Attempt("passed", 0.1, None)] * 2 for e in document["tests"][:flaky]}
    return merge(document, tried, max_attempts=2, processes=2 * flaky)  # type: ignore[return-value,arg-type]


def measure(code: str, setup: str = "") -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `code`, timed inside a fresh interpreter after `setup`."""
    wrapped = (
        "import resource, time\n" + setup + "\nstart = time.perf_counter()\n" + code + "\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapped], capture_output=True, text=True, check=True
    )
    seconds, rss = done.stdout.split()[-2:]
    return float(seconds), int(rss) / 1024


def bench_retries(work: Path) -> str:
    """Processes and wall time of `mmpgate run`, with and without --retries 3."""
    project = work / "retries"
    (project / "tests" / "unit").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "b"\nversion = "0"\n[tool.mmpgate]\ncoverage = false\n'
        '[tool.mmpgate.groups.unit]\npath = "tests/unit"\nworkers = 0\n'
    )
    (project / "conftest.py").write_text(
        "import os\n\ndef pytest_configure(config):\n    if not hasattr(config, 'workerinput'):\n"
        "        with open(os.path.join(os.path.dirname(__file__), 'pids.log'), 'a') as f:\n"
        "            f.write(f'{os.getpid()}\\n')\n"
    )
    rows = []
    for failing in (0, 2):
        body = "".join(f"def test_{i}():\n    assert {i} >= {failing}\n\n" for i in range(200))
        (project / "tests" / "unit" / "test_many.py").write_text(body)
        for retries in ("0", "3"):
            log = project / "pids.log"
            log.unlink(missing_ok=True)
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "mmpgate", "run", "--retries", retries],
                cwd=project, capture_output=True, check=False,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            processes = len(log.read_text().split())
            rows.append((failing, retries, processes, f"{seconds:.2f}"))
    return table(["failing tests", "--retries", "pytest processes", "wall s"], rows)


def bench_add(work: Path, tests: int, runs: int) -> str:
    """history add vs json.load on one metrics file of `tests` tests."""
    results = work / "results"
    results.mkdir()
    write_json(results / "metrics.unit.json", metrics_document(tests, flaky=100))  # type: ignore[arg-type]
    path = results / "metrics.unit.json"
    rows: dict[str, list[tuple[float, float]]] = {"json.load": [], "history add (new store)": [],
                                                  "history add (tests known)": []}  # fmt: skip
    for round_ in range(runs):
        store = work / f"store-{round_}.sqlite"
        rows["json.load"].append(measure(f"json.load(open({str(path)!r}))", "import json"))
        add = f"main(['history', 'add', {str(results)!r}, '--store', {str(store)!r}, '--run-id', 'r{{}}'])"
        # Imports come before the timer, as json's does: a command's start-up is measured elsewhere.
        setup = (
            "from mmpgate.cli import main\nimport mmpgate.commands.history, mmpgate.flaky.history.sqlite, "
            "mmpgate.flaky.history.records, mmpgate.metrics.io, jsonschema"
        )
        rows["history add (new store)"].append(measure(add.format(1), setup))
        rows["history add (tests known)"].append(measure(add.format(2), setup))
    base = median([s for s, _ in rows["json.load"]])
    lines = [
        (name, f"{median([s for s, _ in values]):.2f}", f"{median([s for s, _ in values]) / base:.2f}",
         f"{median([m for _, m in values]):.0f}")
        for name, values in rows.items()
    ]  # fmt: skip
    return table(["variant", "median s", "ratio to json.load", "peak RSS MiB"], lines)


def build_store(path: Path, runs: int, tests: int) -> None:
    """A SQLite history of `runs` runs of `tests` tests (rows written in bulk, same schema)."""
    open_store(path).close()  # creates and migrates
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO tests (id, grp, nodeid) VALUES (?, 'unit', ?)",
            ((i + 1, f"tests/unit/pkg{i % 40}/test_mod{i % 500}.py::test_case_{i}") for i in range(tests)),
        )  # fmt: skip
        for run in range(1, runs + 1):
            conn.execute(
                "INSERT INTO runs (id, run_key, commit_sha, branch, recorded_at, tests) "
                "VALUES (?, ?, ?, 'main', '2026-12-01T00:00:00+00:00', ?)",
                (run, f"r{run}", f"c{run}", tests),
            )
            # Every 7th test is flaky now and then; the rest pass.
            conn.executemany(
                "INSERT INTO results VALUES (?, ?, ?, 0, 0, 0.01)",
                ((run, i + 1, 2 if (i % 7 == 0 and run % 3 == 0) else 0) for i in range(tests)),
            )
    conn.close()


def bench_rules(work: Path, tests: int, sizes: list[int], runs: int) -> str:
    """`check --history` on one run of `tests` tests against stores of each size."""
    now = work / "now"
    now.mkdir()
    write_json(now / "metrics.unit.json", metrics_document(tests, flaky=100))  # type: ignore[arg-type]
    (work / "thresholds.yml").write_text("version: 1\ndefaults:\n  max_failure_rate: 1\n")
    entries = "".join(
        f"  - {{test: 'tests/unit/pkg{i % 40}/test_mod{i % 500}.py::test_case_{i}', reason: r, "
        f"owner: o, issue: i, expires: 2099-01-01}}\n"
        for i in range(200, 250)
    )
    (work / "quarantine.yml").write_text("version: 1\nquarantine:\n" + entries)
    rows = []
    timings: dict[int, float] = {}
    for size in sizes:
        store = work / f"history-{size}.sqlite"
        build_store(store, size, tests)
        setup = "from mmpgate.gate.check import run_check\nimport io, mmpgate.gate.rules, mmpgate.flaky.history.facts, jsonschema"
        code = (
            f"run_check(__import__('pathlib').Path({str(work / 'thresholds.yml')!r}), "
            f"metrics_dir=__import__('pathlib').Path({str(now)!r}), history={str(store)!r}, "
            "stdout=io.StringIO(), env={})"
        )
        seconds = [measure(code, setup)[0] for _ in range(runs)]
        timings[size] = median(seconds)
    smallest = timings[sizes[0]]
    for size in sizes:
        rows.append((size, f"{timings[size]:.3f}", f"{timings[size] / smallest:.2f}"))
    return table(["recorded runs", "median s (check --history)", "ratio to 10 runs"], rows)


def main() -> None:
    """Run the three benchmarks and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=100_000, help="tests in the history add run")
    parser.add_argument("--rule-tests", type=int, default=10_000, help="tests per recorded run")
    parser.add_argument("--runs", type=int, default=3, help="rounds per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-flaky-") as scratch:
        work = Path(scratch)
        print("## retries\n\n" + bench_retries(work) + "\n")
        print(
            f"## history add of {args.tests:,} tests\n\n"
            + bench_add(work, args.tests, args.runs)
            + "\n"
        )
        print(
            f"## history rules of check, {args.rule_tests:,} tests\n\n"
            + bench_rules(work, args.rule_tests, [10, 100, 1000], args.runs)
        )


if __name__ == "__main__":
    main()
