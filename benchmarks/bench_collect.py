"""Time and peak memory of `mmpgate collect` on a large generated JUnit XML, beside plain parsers.

Each variant runs in its own child process; its peak memory is that child's ru_maxrss (from
`os.wait4`), so imports and the interpreter count the same way for every variant, and the "python
only" row shows what the interpreter with those imports costs before reading anything. Variants
alternate within each round; the medians over rounds are reported, as ratios to
`xml.etree.ElementTree.parse` measured in the same run.

    python benchmarks/bench_collect.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table, write_junit

VARIANTS: dict[str, str] = {
    "python only (imports)": (
        "import xml.etree.ElementTree, defusedxml.ElementTree, mmpgate.collect.build, sys"
    ),
    "xml.etree.ElementTree.parse": (
        "import sys, xml.etree.ElementTree as ET; "
        "root = ET.parse(sys.argv[1]).getroot(); "
        "print(sum(1 for _ in root.iter('testcase')))"
    ),
    "defusedxml.ElementTree.parse": (
        "import sys, defusedxml.ElementTree as ET; "
        "root = ET.parse(sys.argv[1]).getroot(); "
        "print(sum(1 for _ in root.iter('testcase')))"
    ),
    "mmpgate collect, read + count only": (
        "import sys; from pathlib import Path; "
        "from mmpgate.collect.build import Inputs, collect; "
        "print(collect(Inputs(junit=Path(sys.argv[1]), group='bench')).document['counts'])"
    ),
    "mmpgate collect": (
        "import sys; from mmpgate.cli import main; "
        "sys.exit(main(['collect', '--junit', sys.argv[1], '--group', 'bench', "
        "'--output', sys.argv[2]]))"
    ),
}
BASELINE = "xml.etree.ElementTree.parse"


def run_child(code: str, junit: Path, output: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(junit), str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        sys.exit(f"variant failed ({child.returncode}): {code}\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def main() -> int:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating rounds")
    parser.add_argument("--cases", type=int, default=200_000, help="test cases in the JUnit XML")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-") as tmp:
        junit = Path(tmp) / "junit.xml"
        write_junit(junit, args.cases)
        size = junit.stat().st_size
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in VARIANTS}
        names = list(VARIANTS)
        for round_ in range(args.runs):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                output = Path(tmp) / f"metrics-{round_}.json"
                results[name].append(run_child(VARIANTS[name], junit, output))
    base_time = median([t for t, _ in results[BASELINE]])
    base_rss = median([r for _, r in results[BASELINE]])
    rows = []
    for name, values in results.items():
        seconds = median([t for t, _ in values])
        rss = median([r for _, r in values])
        rows.append(
            (
                name,
                f"{seconds:.2f}",
                f"{seconds / base_time:.2f}",
                f"{rss / 2**20:.0f}",
                f"{rss / base_rss:.2f}",
            )
        )
    print(f"{args.cases} test cases, JUnit XML of {size / 2**20:.1f} MiB, {args.runs} rounds\n")
    header = ("variant", "median s", "time ratio", "peak RSS MiB", "RSS ratio")
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
