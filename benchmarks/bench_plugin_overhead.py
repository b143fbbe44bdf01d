"""CPU cost of mmpgate's pytest plugins on a generated suite of trivial tests.

Every variant runs the same pytest in an environment where every plugin installed is autoloaded,
as in a user's environment. The baseline disables mmpgate's three plugins (`-p no:mmpgate -p
no:mmpgate_stabilize -p no:mmpgate_mlflow`); the other variants are:

- `installed, unused`: mmpgate's plugins loaded, no option of theirs given (the cost of having
  mmpgate installed);
- `--mmpgate-metrics`: mmpgate's plugins loaded and the recorder on;
- `pytest-reportlog` / `pytest-json-report`: mmpgate's plugins disabled as in the baseline, the
  other recorder on (the same job done by the alternatives, measured in the same rounds).

The variants alternate within each round, in an order that rotates from round to round. The figure
is CPU time (user + system of the pytest process and its workers, from `RUSAGE_CHILDREN` deltas),
far less disturbed by other load on a shared machine than wall time. A ratio is the median over
rounds of (variant / baseline of the same round); the spread is the lowest and highest of those
per-round ratios.

    python benchmarks/bench_plugin_overhead.py --tests 2000 --runs 6
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

DISABLED = ("-p", "no:mmpgate", "-p", "no:mmpgate_stabilize", "-p", "no:mmpgate_mlflow")
VARIANTS: dict[str, tuple[str, ...]] = {
    "plugins disabled (baseline)": DISABLED,
    "installed, unused": (),
    "--mmpgate-metrics": ("--mmpgate-metrics={out}/metrics.json", "--mmpgate-group=bench"),
    "pytest-reportlog": (*DISABLED, "--report-log={out}/report.jsonl"),
    "pytest-json-report": (*DISABLED, "--json-report", "--json-report-file={out}/report.json"),
}
BASELINE = next(iter(VARIANTS))
#: Variables that would change what the runs do; the benchmark runs without them. Without
#: PYTHONDONTWRITEBYTECODE, as in a user's environment, modules are compiled (and pytest's
#: assertion rewriting of plugin modules done) once, in the warm-up run, not in every round.
CLEARED = (
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTHONDONTWRITEBYTECODE",
)


def command(suite: Path, out: Path, workers: int, variant: str) -> list[str]:
    """The pytest command line of one variant."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers)]
    args += [arg.format(out=out) for arg in VARIANTS[variant]]
    return [*args, str(suite)]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return {k: v for k, v in env.items() if not k.startswith(("MMPGATE_", "MMP_"))}


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, xdist workers included) of one run; a
    failing run stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, env=_environment(), capture_output=True, text=True, check=False
    )
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
            out = work / f"{names.index(name)}-{workers}-{round_}"
            out.mkdir()
            times[name].append(timed(command(suite, out, workers, name), work))
    return times


HEADER = (
    "workers",
    "variant",
    "median CPU s",
    "CPU ratio (paired median)",
    "CPU ratio spread (min-max)",
    "median wall s",
    "wall ratio (paired median)",
)


def rows(workers: int, times: dict[str, list[tuple[float, float]]]) -> list[tuple[str, ...]]:
    """One table row per variant, ratios paired with the baseline of the same round."""
    base = times[BASELINE]
    out = []
    for name, values in times.items():
        cpu = [c / b[1] for (_w, c), b in zip(values, base, strict=True)]
        wall = [w / b[0] for (w, _c), b in zip(values, base, strict=True)]
        out.append(
            (
                f"-n {workers}",
                name,
                f"{median([c for _, c in values]):.2f}",
                f"{median(cpu):.3f}",
                f"{min(cpu):.3f}-{max(cpu):.3f}",
                f"{median([w for w, _ in values]):.2f}",
                f"{median(wall):.3f}",
            )
        )
    return out


def main() -> int:
    """Run the benchmark and print a markdown table, one worker count at a time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6, help="rounds per worker count (>= 6)")
    parser.add_argument("--tests", type=int, default=2000, help="tests in the generated suite")
    parser.add_argument("--workers", type=int, nargs="+", default=[0], help="-n values")
    args = parser.parse_args()
    print(f"{args.tests} trivial tests, {args.runs} alternating rounds per worker count\n")
    print(table(HEADER, []), flush=True)
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-") as tmp:
        work = Path(tmp)
        suite = work / "suite"
        write_suite(suite, args.tests)
        for name in VARIANTS:  # warm the file cache and bytecode of every variant
            timed(command(suite, work, 0, name), work)
        for workers in args.workers:
            for row in rows(workers, measure(suite, work, workers, args.runs)):
                print(table(HEADER, [row]).splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
