"""Wall-time overhead of recording metrics on a generated suite of trivial tests.

Every variant runs the same pytest with the same plugins loaded (plugin autoloading is off and the
plugins are named with -p), so the only difference is the option that switches a plugin's
recording on: none (baseline), `--mmpgate-metrics`, `--report-log` (pytest-reportlog) or
`--json-report` (pytest-json-report). The variants alternate within each round, in an order that
rotates from round to round, and the figure reported is the median over rounds of each round's
ratio to the baseline of the same round (paired, so machine noise between rounds cancels out).

    python benchmarks/bench_plugin_overhead.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table, write_suite

#: Loaded in every variant, so that loading costs are the same everywhere.
PLUGINS = (
    "mmpgate.plugin",
    "pytest_reportlog.plugin",
    "pytest_metadata.plugin",
    "pytest_jsonreport.plugin",
    "xdist.plugin",
)
VARIANTS: dict[str, tuple[str, ...]] = {
    "baseline": (),
    "mmpgate": ("--mmpgate-metrics={out}/metrics.json", "--mmpgate-group=bench"),
    "pytest-reportlog": ("--report-log={out}/report.jsonl",),
    "pytest-json-report": ("--json-report", "--json-report-file={out}/report.json"),
}


def command(suite: Path, out: Path, workers: int, variant: str) -> list[str]:
    """The pytest command line of one variant."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    for plugin in PLUGINS:
        args += ["-p", plugin]
    args += ["-n", str(workers)]
    args += [arg.format(out=out) for arg in VARIANTS[variant]]
    return [*args, str(suite)]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, xdist workers included) of one run.

    CPU time is reported beside wall time because on a shared machine it is far less disturbed by
    other load; a failing run stops the benchmark.
    """
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(
            f"benchmark run failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}"
        )
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu


def measure(
    suite: Path, work: Path, workers: int, runs: int
) -> dict[str, list[tuple[float, float]]]:
    """Per variant: each round's (wall, CPU) seconds."""
    names = list(VARIANTS)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_ in range(runs):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            out = work / f"{name}-{workers}-{round_}"
            out.mkdir()
            times[name].append(timed(command(suite, out, workers, name), work))
    return times


HEADER = (
    "workers",
    "variant",
    "median wall s",
    "wall ratio (paired median)",
    "median CPU s",
    "CPU ratio (paired median)",
)


def main() -> int:
    """Run the benchmark and print a markdown table, one worker count at a time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="rounds per worker count (>= 5 advised)"
    )
    parser.add_argument("--tests", type=int, default=5000, help="tests in the generated suite")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2], help="-n values")
    args = parser.parse_args()
    print(f"{args.tests} trivial tests, {args.runs} alternating rounds per worker count\n")
    print(table(HEADER, []), flush=True)
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-") as tmp:
        work = Path(tmp)
        suite = work / "suite"
        write_suite(suite, args.tests)
        timed(command(suite, work, 0, "baseline"), work)  # warm the file cache and bytecode
        for workers in args.workers:
            times = measure(suite, work, workers, args.runs)
            base = times["baseline"]
            for name, values in times.items():
                wall = [w / b[0] for (w, _c), b in zip(values, base, strict=True)]
                cpu = [c / b[1] for (_w, c), b in zip(values, base, strict=True)]
                row = (
                    f"-n {workers}",
                    name,
                    f"{median([w for w, _ in values]):.2f}",
                    f"{median(wall):.3f}",
                    f"{median([c for _, c in values]):.2f}",
                    f"{median(cpu):.3f}",
                )
                print(table(HEADER, [row]).splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
