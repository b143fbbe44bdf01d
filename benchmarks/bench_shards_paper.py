"""Balance on paper: mmpgate's split vs pytest-split's two algorithms on the same durations.

For N = 2, 4, 8 it reports each split's slowest shard over the lower bound max(total / N, longest
test). Durations come from metrics files of real runs (`--metrics FILE ...`) and from a generated
long-tailed suite of 5,000 tests (Pareto, alpha 1.2, seeded). pytest-split is needed only here:

    python -m pip install pytest-split
    python benchmarks/bench_shards_paper.py --metrics mmpgate-results/metrics.unit.json
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from mmpgate.shard.durations import load_durations
from mmpgate.shard.split import Collected, split


class _Item(NamedTuple):
    nodeid: str


def generated(count: int = 5000, seed: int = 7) -> dict[str, float]:
    """A long-tailed suite: most tests take milliseconds, a few take many seconds."""
    rng = random.Random(seed)
    return {
        f"tests/test_m{i // 25}.py::test_{i}": round(rng.paretovariate(1.2) * 0.02, 6)
        for i in range(count)
    }


def _with_classes(durations: Mapping[str, float]) -> list[Collected]:
    tests = []
    for nodeid in durations:
        parts = nodeid.split("::")
        cls = "::".join(parts[:2]) if len(parts) > 2 else None
        tests.append(Collected(nodeid=nodeid, module=parts[0], cls=cls))
    return tests


def ratios(durations: Mapping[str, float], shards: int) -> dict[str, float]:
    """Slowest shard / lower bound for each algorithm."""
    from pytest_split import algorithms

    items = [_Item(nodeid) for nodeid in durations]
    bound = max(sum(durations.values()) / shards, max(durations.values()))
    results: dict[str, float] = {}
    for name, algorithm in (
        ("pytest-split least_duration", algorithms.Algorithms.least_duration.value),
        ("pytest-split duration_based_chunks", algorithms.Algorithms.duration_based_chunks.value),
    ):
        groups = algorithm(shards, items, dict(durations))
        results[name] = max(group.duration for group in groups) / bound
    free = [Collected(nodeid=n, module=n) for n in durations]
    results["mmpgate (tests)"] = max(split(free, durations, shards).predicted) / bound
    results["mmpgate (classes kept together)"] = (
        max(split(_with_classes(durations), durations, shards).predicted) / bound
    )
    return results


def table(suites: Mapping[str, Mapping[str, float]], counts: Sequence[int]) -> str:
    """One markdown row per suite and N."""
    header = None
    rows = []
    for suite, durations in suites.items():
        for shards in counts:
            found = ratios(durations, shards)
            if header is None:
                header = ["suite", "tests", "N", *found]
            rows.append(
                [suite, str(len(durations)), str(shards), *(f"{v:.4f}" for v in found.values())]
            )
    assert header is not None
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--metrics", nargs="*", type=Path, default=[], help="metrics files of real runs"
    )
    parser.add_argument("--shards", nargs="*", type=int, default=[2, 4, 8])
    args = parser.parse_args()
    suites: dict[str, Mapping[str, float]] = {}
    for path in args.metrics:
        group = json.loads(path.read_text(encoding="utf-8"))["group"]
        durations = load_durations(path, group)
        if durations is not None:
            suites[f"{path.parent.name}/{path.name}"] = dict(durations.seconds)
    suites["generated long tail"] = generated()
    print(table(suites, args.shards))


if __name__ == "__main__":
    main()
