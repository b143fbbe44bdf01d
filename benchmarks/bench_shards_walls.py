"""Real shard wall times: `mmpgate run GROUP --shard K/N` as separate processes vs one whole run.

For each suite it runs the whole group once (its metrics are then the durations source), then
every shard of N = 2 and 4 one after another, each its own process as on its own machine, and one
empty shard (more shards than tests) for the start-up cost: process, imports, collection, metrics.
It reports the slowest shard's wall against the bound (whole wall / N + one shard's start-up), and
each shard's predicted seconds (its tests' recorded durations) against its measured wall.

    python benchmarks/bench_shards_walls.py --generated
    python benchmarks/bench_shards_walls.py --project . --group unit -- -n 0
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = """import time

import pytest


@pytest.fixture(scope="module")
def resource(warehouse):
    time.sleep({module_cost})
    return warehouse


{tests}
"""
CONFTEST = """import time

import pytest


@pytest.fixture(scope="session")
def warehouse():
    time.sleep({session_cost})
    return 1
"""


def write_generated(root: Path, modules: int = 12, per_module: int = 10) -> None:
    """A suite whose modules share a 0.3 s module fixture and a 0.5 s session fixture, with
    long-tailed test times (a few tests of a second among many of a few milliseconds)."""
    import random

    rng = random.Random(3)
    tests_dir = root / "tests" / "gen"
    tests_dir.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "gen"\nversion = "0"\n'
        '[tool.mmpgate]\ncoverage = false\n[tool.mmpgate.groups.gen]\npath = "tests/gen"\n'
        "workers = 0\n",
        encoding="utf-8",
    )
    (tests_dir / "conftest.py").write_text(CONFTEST.format(session_cost=0.5), encoding="utf-8")
    for module in range(modules):
        tests = []
        for index in range(per_module):
            seconds = min(round(rng.paretovariate(1.5) * 0.01, 4), 1.2)
            tests.append(f"def test_{index}(resource):\n    time.sleep({seconds})\n")
        text = MODULE.format(module_cost=0.3, tests="\n\n".join(tests))
        (tests_dir / f"test_m{module:02d}.py").write_text(text, encoding="utf-8")


def run(project: Path, *args: str) -> float:
    """Wall seconds of one `mmpgate` process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mmpgate", *args], cwd=project, capture_output=True, check=False
    )
    return time.perf_counter() - started


def measure(
    project: Path, group: str, counts: list[int], extra: list[str]
) -> list[dict[str, object]]:
    """Whole, empty-shard and per-shard walls of one group."""
    results = Path(tempfile.mkdtemp(prefix="shard-bench-"))
    whole_dir = results / "whole"
    whole = run(project, "run", group, "--results-dir", str(whole_dir), "--", *extra)
    print(f"whole run's metrics (durations for bench_shards_paper.py): {whole_dir}", flush=True)
    startup = run(
        project, "run", group, "--shard", "100000/100000", "--results-dir", str(results / "empty"),
        "--", *extra,
    )  # fmt: skip
    rows: list[dict[str, object]] = []
    for total in counts:
        directory = results / f"n{total}"
        walls, predicted, measured = [], [], []
        for index in range(1, total + 1):
            walls.append(
                run(
                    project,
                    "run",
                    group,
                    "--shard",
                    f"{index}/{total}",
                    "--durations-from",
                    str(whole_dir),
                    "--results-dir",
                    str(directory),
                    "--",
                    *extra,
                )
            )
            doc = json.loads(
                (directory / f"metrics.{group}.shard-{index}of{total}.json").read_text()
            )
            predicted.append(doc["shard"]["predicted"])
            measured.append(doc["duration"]["wall"])
        bound = whole / total + startup
        # The whole run's wall holds one start-up already: the stricter bound counts it once.
        strict = (whole - startup) / total + startup
        rows.append(
            {
                "N": total,
                "whole": whole,
                "startup": startup,
                "slowest": max(walls),
                "bound": bound,
                "ratio": max(walls) / bound,
                "strict": max(walls) / strict,
                "walls": walls,
                "predicted": predicted,
                "pytest_walls": measured,
            }
        )
    return rows


def markdown(name: str, rows: list[dict[str, object]]) -> str:
    """The table of one suite."""
    lines = [
        f"**{name}**",
        "",
        "| N | whole wall s | shard start-up s | bound s | slowest shard s | ratio | strict ratio | "
        "per shard: predicted s / pytest wall s / process wall s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        shards = "; ".join(
            f"{p:.2f} / {m:.2f} / {w:.2f}"
            for p, m, w in zip(row["predicted"], row["pytest_walls"], row["walls"], strict=True)  # type: ignore[call-overload]
        )
        lines.append(
            f"| {row['N']} | {row['whole']:.2f} | {row['startup']:.2f} | {row['bound']:.2f} | "
            f"{row['slowest']:.2f} | {row['ratio']:.3f} | {row['strict']:.3f} | {shards} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", action="store_true", help="the generated fixture suite")
    parser.add_argument("--project", type=Path, default=None, help="a project to shard")
    parser.add_argument("--group", default="unit")
    parser.add_argument("--shards", nargs="*", type=int, default=[2, 4])
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    if args.generated:
        root = Path(tempfile.mkdtemp(prefix="shard-gen-"))
        write_generated(root)
        print(markdown("generated: 12 modules x 10 tests, 0.3 s module + 0.5 s session fixture",
                       measure(root, "gen", args.shards, extra)))  # fmt: skip
    if args.project is not None:
        rows = measure(args.project.resolve(), args.group, args.shards, extra)
        print(markdown(f"{args.project.resolve().name}: group {args.group}", rows))


if __name__ == "__main__":
    main()
