"""Time and peak memory of `mmpgate report` on a 100,000-test run, and of opening its page.

Compared, in the same run, with a plain `json.load` of the same three group files (the least any
reader of them costs). Each variant runs in its own child process; peak memory is the child's
ru_maxrss. The browser row is headless Chromium opening the page over the DevTools protocol,
probing every chart and taking a full-page screenshot (the browser test's own steps). Medians.

    python benchmarks/bench_report.py --runs 3
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

from _common import median, table

ROOT = Path(__file__).resolve().parents[1]

VARIANTS: dict[str, str] = {
    "python only (imports)": "import json, sys, mmpgate.htmlreport.service",
    "json.load, one at a time": (
        "import json, sys; from pathlib import Path\n"
        "for f in sorted(Path(sys.argv[1], 'results').glob('*.json')):\n"
        "    doc = json.load(open(f, encoding='utf-8'))"
    ),
    "mmpgate report": (
        "import sys; from pathlib import Path; from mmpgate.cli import main\n"
        "root = Path(sys.argv[1])\n"
        "sys.exit(main(['report', '--metrics', str(root / 'results'), '--output', str(root / 'r.html')]))"
    ),
    "chromium opens and checks the page": (
        f"import sys; sys.path.insert(0, {str(ROOT / 'tests' / 'support')!r})\n"
        "from pathlib import Path; from browser import Browser\n"
        "with Browser() as b:\n"
        "    problems = b.check_page(Path(sys.argv[1], 'r.html')).problems()\n"
        "sys.exit(1 if problems else 0)"
    ),
}


def measure(code: str, root: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    started = time.perf_counter()
    # cwd is the temp dir: a thresholds.yml in the caller's directory would add a verdict.
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(root)], cwd=root, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"variant failed: {code.splitlines()[-1]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    """Generate the run, measure every variant `--runs` times, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        code = f"import sys; sys.path.insert(0, {str(ROOT / 'tests' / 'support')!r})\n"
        code += "from pathlib import Path; from big_run import write_run\n"
        code += f"write_run(Path({str(root / 'results')!r}))"
        subprocess.run([sys.executable, "-c", code], check=True)
        size = sum(p.stat().st_size for p in (root / "results").iterdir())
        results: dict[str, list[tuple[float, int]]] = {v: [] for v in VARIANTS}
        for _ in range(options.runs):
            for variant, snippet in VARIANTS.items():
                results[variant].append(measure(snippet, root))
        page = (root / "r.html").stat().st_size
    base = median([r[0] for r in results["json.load, one at a time"]])
    rows = [
        [
            variant,
            f"{median([r[0] for r in runs]):.2f}",
            f"{median([r[0] for r in runs]) / base:.2f}x",
            f"{median([r[1] for r in runs]) / 1024:.0f}",
        ]
        for variant, runs in results.items()
    ]
    print(f"100,000 tests in 3 group files, {size / 1e6:.1f} MB; page {page / 1e3:.0f} KB\n")
    print(table(["variant", "seconds", "vs json.load", "peak MiB"], rows))


if __name__ == "__main__":
    main()
