"""Instructions executed by pytest with mmpgate's plugins, counted by valgrind's cachegrind.

The same variants as `bench_plugin_overhead.py` (same commands, same generated suite), but the
figure is the number of instructions the pytest process and its children execute (cachegrind's
`I refs`, `--trace-children=yes`), not CPU seconds. On a shared machine the CPU time of one run
varies by tens of percent from round to round (another tenant's load changes how fast each
instruction runs), which is wider than the 2-3 % targets; the instruction count does not depend
on the machine's load, and is repeatable to a fraction of a percent, so a ratio of two counts
measures the plugins' own work. It is a proxy: an instruction is not a fixed number of seconds.

    python benchmarks/bench_plugin_instructions.py --tests 2000 --repeats 2

Needs `valgrind` (Debian's package). Runs take ~40x longer than without valgrind; variants run
two at a time (counts do not depend on what runs beside them).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, table, write_suite
from bench_plugin_overhead import BASELINE, VARIANTS, _environment, command

_REFS = re.compile(rb"^summary:\s+(\d+)", re.MULTILINE)


def instructions(cmd: list[str], cwd: Path, out: Path) -> int:
    """Instructions executed by `cmd` and every process it starts; a failing run stops."""
    out.mkdir(parents=True)
    valgrind = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--trace-children=yes",
        f"--cachegrind-out-file={out}/cg.%p",
    ]
    done = subprocess.run(
        [*valgrind, *cmd], cwd=cwd, env=_environment(), capture_output=True, check=False
    )
    if done.returncode != 0:
        sys.exit(
            f"benchmark run failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]!r}"
        )
    total = 0
    for path in out.glob("cg.*"):
        found = _REFS.search(path.read_bytes())
        if found is not None:
            total += int(found[1])
    return total


def main() -> int:
    """Count each variant `--repeats` times and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000, help="tests in the generated suite")
    parser.add_argument("--repeats", type=int, default=2, help="counts per variant")
    parser.add_argument("--jobs", type=int, default=2, help="variants counted at the same time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mmpgate-bench-") as tmp:
        work = Path(tmp)
        suite = work / "suite"
        write_suite(suite, args.tests)
        for name in VARIANTS:  # compile every module once (bytecode caches), as installed code is
            warm = work / f"warm-{list(VARIANTS).index(name)}"
            warm.mkdir()
            subprocess.run(
                command(suite, warm, 0, name),
                cwd=work,
                env=_environment(),
                capture_output=True,
                check=True,
            )
        jobs = [(name, repeat) for repeat in range(args.repeats) for name in VARIANTS]

        def count(job: tuple[str, int]) -> int:
            name, repeat = job
            out = work / f"{list(VARIANTS).index(name)}-{repeat}"
            return instructions(command(suite, out, 0, name), work, out)

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            counts = list(pool.map(count, jobs))
    by_variant: dict[str, list[int]] = {name: [] for name in VARIANTS}
    for (name, _), value in zip(jobs, counts, strict=True):
        by_variant[name].append(value)
    base = median([float(v) for v in by_variant[BASELINE]])
    header = ("variant", "instructions (median, millions)", "ratio", "repeats (millions)")
    rows = [
        (
            name,
            f"{median([float(v) for v in values]) / 1e6:,.1f}",
            f"{median([float(v) for v in values]) / base:.4f}",
            ", ".join(f"{v / 1e6:,.1f}" for v in values),
        )
        for name, values in by_variant.items()
    ]
    print(f"{args.tests} trivial tests at -n 0, instructions counted by cachegrind\n")
    print(table(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
