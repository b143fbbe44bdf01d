"""Stability of examples/ml-service against its problem copy, and the server lock's speed-up.

Runs each suite N times at each worker count with `mmpgate run`, counts passing runs and the
processes each run left behind (found by a per-run token in their environment), then times the
stabilized integration group at -n 2 (server lock) against -n 1 in the same invocation.

    python benchmarks/bench_stability.py --runs 20 --workers 2 4 --output bench-stability.md
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
STABLE = ROOT / "examples" / "ml-service"
PROBLEM = STABLE / "problem"
TOKEN_VARIABLES = ("MMPGATE_RUN_ID", "MLSERVICE_PROBLEM_TOKEN")


@dataclass(frozen=True, slots=True)
class RunResult:
    """One suite run: exit code, wall seconds, processes it left alive."""

    exit_code: int
    seconds: float
    residual: int


def tagged(token: str) -> list[psutil.Process]:
    """Processes of this user whose environment carries `token` (exact match)."""
    me = os.getuid()
    found = []
    for process in psutil.process_iter(["uids"]):
        try:
            if process.info["uids"] is None or process.info["uids"].real != me:
                continue
            env = process.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        outer = env.get("MMPGATE_OUTER_RUN_IDS", "").split()
        if token in outer or any(env.get(name) == token for name in TOKEN_VARIABLES):
            found.append(process)
    return found


def clean_up(processes: Sequence[psutil.Process]) -> None:
    """Kill what a run left behind, so the next run starts from nothing."""
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGKILL)
    psutil.wait_procs(list(processes), timeout=10)


def run_suite(project: Path, workers: int, groups: Sequence[str], output: Path) -> RunResult:
    """`mmpgate run GROUPS -- -n WORKERS` in `project`; residual processes counted after it."""
    token = f"bench-{uuid.uuid4().hex}"
    env = {**os.environ, "MMPGATE_RUN_ID": token, "MLSERVICE_PROBLEM_TOKEN": token}
    command = [sys.executable, "-m", "mmpgate", "run", *groups, "--results-dir", str(output)]
    command += ["--", "-n", str(workers), "-p", "no:cacheprovider"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    time.sleep(1.0)  # let processes that are exiting on their own finish
    left = tagged(token)
    clean_up(left)
    return RunResult(exit_code=done.returncode, seconds=seconds, residual=len(left))


def timed_pytest(project: Path, args: Sequence[str]) -> tuple[int, float]:
    """Exit code and wall seconds of one pytest run in `project`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        check=False,
    )
    return done.returncode, time.perf_counter() - started


def stability_rows(
    runs: int, workers: Sequence[int], groups: Sequence[str], out: Path
) -> list[str]:
    """One markdown row per (suite, worker count)."""
    rows = []
    for label, project in (("stabilized", STABLE), ("problem copy", PROBLEM)):
        for count in workers:
            results = [
                run_suite(project, count, groups, out / f"{label[:4]}-{count}-{i}")
                for i in range(runs)
            ]
            passed = sum(result.exit_code == 0 for result in results)
            residual = sum(result.residual for result in results)
            dirty = sum(result.residual > 0 for result in results)
            mean = sum(result.seconds for result in results) / len(results)
            rows.append(
                f"| {label} | -n {count} | {passed}/{runs} | {residual} | {dirty}/{runs} "
                f"| {mean:.1f} |"
            )
            print(rows[-1], flush=True)
    return rows


def lock_ratio_row() -> str:
    """The stabilized integration group at -n 2 with the server lock against -n 1."""
    code_2, seconds_2 = timed_pytest(STABLE, ["tests/integration", "-n", "2"])
    code_1, seconds_1 = timed_pytest(STABLE, ["tests/integration", "-n", "1"])
    return (
        f"| {seconds_2:.1f} (exit {code_2}) | {seconds_1:.1f} (exit {code_1}) "
        f"| {seconds_1 / seconds_2:.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--groups", nargs="+", default=["--all"])
    parser.add_argument("--results", type=Path, default=Path("bench-stability-results"))
    parser.add_argument("--output", type=Path, default=None, help="write the markdown here too")
    parser.add_argument("--skip-ratio", action="store_true")
    args = parser.parse_args(argv)
    results = args.results.resolve()
    lines = [
        f"Runs per cell: {args.runs}; groups: {' '.join(args.groups)}; cpus: {os.cpu_count()}",
        "",
        "| suite | workers | passing runs | residual processes | runs leaving any | mean s |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    lines += stability_rows(args.runs, args.workers, args.groups, results)
    if not args.skip_ratio:
        ratio = [
            "",
            "| integration -n 2 + server lock (s) | integration -n 1 (s) | speed-up |",
            "|---|---|---|",
            lock_ratio_row(),
        ]
        print("\n".join(ratio), flush=True)
        lines += ratio
    if args.output is not None:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
