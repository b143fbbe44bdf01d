"""The `server` lock: hand-over latency after a clean release vs after SIGKILL of the holder,
and the wall-time cost of the lock around trivial marked tests vs the same tests unmarked.

(a) A chain of processes each takes the named lock (`mmpgate.stabilize.locks.NamedLock`, the
    machinery behind `@pytest.mark.server`): while one holds it the next is already waiting; the
    holder is then either told to release or killed with SIGKILL, alternately, so both kinds share
    the machine's conditions. Latency = the waiter's `acquired` time in the lock's events log
    (`<dir>/<name>.events.jsonl`) minus the holder's `released` event time (clean release) or the
    moment just before `kill()` (SIGKILL).
(b) A generated suite of trivial tests is run by pytest with every module marked
    `@pytest.mark.server` and unmarked, in alternating paired rounds; the figure is the median of
    each round's wall-time ratio marked / unmarked.

    python benchmarks/bench_lock.py [--handovers 20] [--tests 200] [--runs 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table

LOCK_NAME = "bench"

# Announces it is about to wait, takes the lock, says so, then releases when told (or is killed).
LINK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from mmpgate.stabilize.locks import NamedLock
    lock = NamedLock(Path(sys.argv[1]), sys.argv[2])
    print("waiting", flush=True)
    lock.acquire(timeout=120, worker="bench", nodeid=sys.argv[3])
    print("held", flush=True)
    if sys.stdin.readline().strip() == "release":
        lock.release()
    """
)


def _link(directory: Path, label: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LINK, str(directory), LOCK_NAME, label],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "waiting":
        sys.exit(f"lock process {label} did not start")
    return proc


def _expect_held(proc: subprocess.Popen[str], label: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "held":
        sys.exit(f"lock process {label} did not get the lock (said {line!r})")


def _events(directory: Path) -> list[dict[str, object]]:
    path = directory / f"{LOCK_NAME}.events.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def handovers(directory: Path, count: int, settle: float) -> dict[str, list[float]]:
    """Latencies (seconds) of `count` clean and `count` SIGKILL hand-overs, interleaved."""
    latencies: dict[str, list[float]] = {"clean release": [], "SIGKILL": []}
    holder = _link(directory, "link-0")
    _expect_held(holder, "link-0")
    for index in range(1, 2 * count + 1):
        kind = "SIGKILL" if index % 2 == 0 else "clean release"
        label = f"link-{index}"
        waiter = _link(directory, label)
        time.sleep(settle)  # the waiter is inside acquire(), polling the lock
        if kind == "SIGKILL":
            stopped_at = time.time()
            holder.kill()
        else:
            assert holder.stdin is not None
            holder.stdin.write("release\n")
            holder.stdin.flush()
        _expect_held(waiter, label)
        holder.wait()
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()
        events = _events(directory)
        acquired = next(e for e in reversed(events) if e["event"] == "acquired")
        if acquired["nodeid"] != label:
            sys.exit(f"events log out of step: expected {label}, found {acquired['nodeid']}")
        previous = acquired["previous"]
        if kind == "clean release":
            released = next(
                e for e in reversed(events) if e["event"] == "released" and e["pid"] == holder.pid
            )
            stopped_at = float(str(released["since"]))
            if previous is not None:
                sys.exit("a clean release left a holder record behind")
        elif not acquired["previous_died"]:
            sys.exit("the waiter did not record that the killed holder died holding the lock")
        latencies[kind].append(float(str(acquired["since"])) - stopped_at)
        holder = waiter
    assert holder.stdin is not None
    holder.stdin.write("release\n")
    holder.stdin.close()
    holder.wait()
    if holder.stdout is not None:
        holder.stdout.close()
    return latencies


def write_suite(directory: Path, tests: int, *, marked: bool, per_module: int = 20) -> None:
    """`tests` trivial passing tests, every module marked with the server lock or none."""
    directory.mkdir(parents=True)
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    head = "import pytest\n\npytestmark = pytest.mark.server\n\n\n" if marked else ""
    for module in range(0, tests, per_module):
        count = min(per_module, tests - module)
        body = "".join(f"def test_{module + i}():\n    assert True\n\n\n" for i in range(count))
        (directory / f"test_gen_{module // per_module:04d}.py").write_text(
            head + body, encoding="utf-8"
        )


def timed_run(suite: Path, workers: int, lock_dir: Path) -> float:
    """Wall seconds of one pytest run of `suite` (a failing run stops the benchmark)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers)]
    cmd += [f"--mmpgate-lock-dir={lock_dir}", str(suite)]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=suite, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(
            f"benchmark run failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}"
        )
    return elapsed


def lock_cost(work: Path, tests: int, workers: int, runs: int) -> dict[str, list[float]]:
    """Per variant, each round's wall seconds; rounds alternate which variant goes first."""
    suites = {}
    for name, marked in (("unmarked", False), ("marked server", True)):
        suites[name] = work / name.replace(" ", "-")
        write_suite(suites[name], tests, marked=marked)
    times: dict[str, list[float]] = {name: [] for name in suites}
    names = list(suites)
    for name in names:  # warm-up: bytecode and file cache
        timed_run(suites[name], workers, work / f"warm-{name.replace(' ', '-')}-{workers}")
    for round_ in range(runs):
        order = names if round_ % 2 == 0 else names[::-1]
        for name in order:
            lock_dir = work / f"locks-{name.replace(' ', '-')}-{workers}-{round_}"
            times[name].append(timed_run(suites[name], workers, lock_dir))
            acquired = [
                line
                for path in lock_dir.glob("*.events.jsonl")
                for line in path.read_text(encoding="utf-8").splitlines()
                if '"event": "acquired"' in line
            ]
            expected = tests if name == "marked server" else 0
            if len(acquired) != expected:
                sys.exit(f"{name}: expected {expected} lock acquisitions, found {len(acquired)}")
    return times


def main() -> int:
    """Run both measurements and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handovers", type=int, default=20, help="hand-overs of each kind")
    parser.add_argument("--settle", type=float, default=0.3, help="seconds a waiter waits first")
    parser.add_argument("--tests", type=int, default=200, help="tests in the generated suite")
    parser.add_argument("--runs", type=int, default=5, help="paired rounds per worker count")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="-n values")
    args = parser.parse_args()
    if args.handovers < 1 or args.runs < 1 or args.tests < 1:
        parser.error("--handovers, --runs and --tests must be at least 1")
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-lock-") as tmp:
        work = Path(tmp)
        print(f"(a) lock hand-over latency, {args.handovers} of each kind, interleaved\n")
        latencies = handovers(work / "handover", args.handovers, args.settle)
        rows = [
            (kind, len(values), f"{median(values) * 1000:.1f}", f"{max(values) * 1000:.1f}")
            for kind, values in latencies.items()
        ]
        print(table(("previous holder", "hand-overs", "median ms", "max ms"), rows))
        print(
            f"\n(b) {args.tests} trivial tests, marked `server` vs unmarked, "
            f"{args.runs} paired rounds\n",
            flush=True,
        )
        header = (
            "workers",
            "variant",
            "median wall s",
            "wall ratio to unmarked (paired median)",
            "extra ms per test (paired median)",
        )
        print(table(header, []), flush=True)
        for workers in args.workers:
            times = lock_cost(work, args.tests, workers, args.runs)
            base = times["unmarked"]
            for name, values in times.items():
                ratios = [v / b for v, b in zip(values, base, strict=True)]
                extra = [(v - b) / args.tests * 1000 for v, b in zip(values, base, strict=True)]
                row = (
                    f"-n {workers}",
                    name,
                    f"{median(values):.2f}",
                    f"{median(ratios):.3f}",
                    f"{median(extra):.2f}",
                )
                print(table(header, [row]).splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    os.environ.pop("PYTEST_ADDOPTS", None)  # the same pytest options for every variant
    sys.exit(main())
