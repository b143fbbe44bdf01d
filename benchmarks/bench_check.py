"""Time and peak memory of `mmpgate check` on three groups of 100,000 tests plus a same-size baseline.

Compared, in the same run, with a plain `json.load` of the same six files: once keeping every
document (what a tool holding the run in memory does) and once one file at a time (the least any
reader of these files can hold), and with msgspec's raw decode (no types) one file at a time.
Each variant runs in its own child process; CPU time (user + system) and peak memory (ru_maxrss)
come from `os.wait4`, and a "python only" row shows what the interpreter with the imports costs
before reading anything. Variants alternate within each round; a ratio is the median over the
rounds of (variant / `json.load`, all six kept, of the same round), with its range.

    python benchmarks/bench_check.py --tests 100000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table

from mmpgate.metrics.writing import write_json
from mmpgate.record import Recorder, RunFacts

GROUPS = ("unit", "integration", "e2e")
THRESHOLDS = """\
version: 1
require_groups: [unit, integration, e2e]
defaults: {max_failure_rate: 5%, max_skip_rate: 15%, min_tests: 1, max_duration: 1h}
total: {max_failure_rate: 5%, max_duration: 3h}
regression:
  on_missing_baseline: fail
  max_duration_increase: 20%
  max_skip_rate_increase: 2%
  max_new_failures: 0
  max_removed_tests: 0
  max_newly_skipped: 0
  slow_test: {factor: 2.0, min_seconds: 1.0}
"""
LOAD = (
    "import json, sys; from pathlib import Path; files = sorted(Path(sys.argv[1]).rglob('*.json'))"
)
VARIANTS: dict[str, str] = {
    "python only (imports)": "import json, sys, mmpgate.commands.check",
    "json.load, all six kept": LOAD
    + "\ndocs = [json.load(open(f, encoding='utf-8')) for f in files]",
    "json.load, one at a time": LOAD
    + "\nfor f in files:\n    doc = json.load(open(f, encoding='utf-8'))",
    "msgspec raw decode, one at a time": "import msgspec, sys; from pathlib import Path\n"
    "for f in sorted(Path(sys.argv[1]).rglob('*.json')):\n    doc = msgspec.json.decode(f.read_bytes())",
    "mmpgate check": (
        "import sys, os; from pathlib import Path; from mmpgate.gate.check import run_check\n"
        "root = Path(sys.argv[1])\n"
        "with open(os.devnull, 'w') as out:\n"
        "    code = run_check(root / 'thresholds.yml', root / 'results', root / 'baseline', stdout=out)\n"
        "sys.exit(0 if code in (0, 1) else 3)"
    ),
}


def _document(group: str, tests: int, seed: int, *, baseline: bool) -> dict[str, Any]:
    rng = random.Random(seed)
    recorder = Recorder()
    for index in range(tests):
        if baseline and index % 5000 == 0:
            continue  # tests the current run added since the baseline
        nodeid = f"tests/{group}/pkg{index % 40}/test_mod{index % 997}.py::test_case_{index}[p{index % 7}]"
        roll = rng.random()
        category = "passed" if roll < 0.97 else "failed" if roll < 0.98 else "skipped"
        seconds = rng.random() * 0.02 * (3 if not baseline and index % 20_000 == 1 else 1)
        when = "setup" if category == "skipped" else "call"
        message = (
            "assert 2 == 3"
            if category == "failed"
            else "skipped"
            if category == "skipped"
            else None
        )
        recorder.add_test_report(
            nodeid=nodeid,
            when=when,
            category=category,
            duration=seconds,
            counts=True,
            message=message,
            line=10,
        )
    facts = RunFacts(
        group=group, exit_status=1, interrupted=False, stopped_early=False, collected=tests,
        wall=600.0 + rng.random(), environment={
            "python": "3", "platform": "linux", "pytest": "9", "xdist": "3", "workers": 2, "git_commit": None,
            "command": [], "started": None, "finished": None, "producer": "bench"},
        coverage=None, source={},
    )  # fmt: skip
    return recorder.build(facts)


def generate(root: Path, tests: int) -> None:
    """thresholds.yml, results/ and baseline/ with three groups of `tests` tests each."""
    (root / "thresholds.yml").write_text(THRESHOLDS, encoding="utf-8")
    for number, group in enumerate(GROUPS):
        write_json(
            root / "results" / f"metrics.{group}.json",
            _document(group, tests, number, baseline=False),
        )
        write_json(
            root / "baseline" / f"metrics.{group}.json",
            _document(group, tests, number, baseline=True),
        )


def measure(code: str, root: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, str(root)])
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"variant failed: {code.splitlines()[-1]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    """Generate the files, run every variant `--runs` times, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100_000, help="tests per group")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate", metavar="DIR", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.generate:
        generate(Path(options.generate), options.tests)
        return
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        # Generated in a child: a forked child's peak RSS starts at its parent's, so the parent
        # must stay small for the measurements to mean anything.
        command = [sys.executable, __file__, "--tests", str(options.tests), "--generate", name]
        subprocess.run(command, check=True)
        size = sum(path.stat().st_size for path in root.rglob("*.json"))
        results: dict[str, list[tuple[float, float, int]]] = {variant: [] for variant in VARIANTS}
        for _ in range(options.runs):
            for variant, code in VARIANTS.items():
                results[variant].append(measure(code, root))
    kept, single = "json.load, all six kept", "json.load, one at a time"

    def paired(variant: str, field: int, against: str) -> str:
        ratios = sorted(
            mine[field] / theirs[field]
            for mine, theirs in zip(results[variant], results[against], strict=True)
        )
        return f"{median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"

    rows = [
        [
            variant,
            f"{median([r[0] for r in runs]):.2f}",
            f"{median([r[1] for r in runs]):.2f}",
            paired(variant, 1, kept),
            paired(variant, 1, single),
            f"{median([r[2] for r in runs]) / 1024:.0f}",
            paired(variant, 2, kept),
            paired(variant, 2, single),
        ]
        for variant, runs in results.items()
    ]
    print(f"{len(GROUPS)} groups x {options.tests} tests + same-size baseline: {size / 2**20:.0f} MiB of JSON,"
          f" {options.runs} paired rounds, python {sys.version.split()[0]}\n")  # fmt: skip
    header = ["variant", "wall s", "CPU s", "CPU vs all kept", "CPU vs one at a time"]
    header += ["peak MiB", "memory vs all kept", "memory vs one at a time"]
    print(table(header, rows))


if __name__ == "__main__":
    main()
