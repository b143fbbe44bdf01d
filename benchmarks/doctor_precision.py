"""Precision and recall of `mmpgate doctor` over its whole corpus, per rule, as a markdown table.

The truth is the `# expect: rule-id` comment on each line that must be reported; every other
finding is a false positive. Each corpus is scanned the way a user runs it: from its root, with
the default scope. Reproduce from the repository root:

    python benchmarks/doctor_precision.py            # print the table
    python benchmarks/doctor_precision.py --check benchmarks/README.md   # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from mmpgate.doctor import load, scan, scope
from mmpgate.doctor.pytest_ini import mlflow_autouse

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "doctor"
START, END = "<!-- doctor-precision:start -->", "<!-- doctor-precision:end -->"
_EXPECT = re.compile(r"#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)")

Triple = tuple[str, int, str]


def corpora() -> list[Path]:
    """Every corpus project: a directory under the corpus root holding a `tests/` directory."""
    return sorted(path for path in CORPUS.iterdir() if (path / "tests").is_dir())


def expected(root: Path) -> set[Triple]:
    """The (path, line, rule) triples marked with `# expect:` in a corpus project."""
    marked: set[Triple] = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                relative = path.relative_to(root).as_posix()
                marked.update((relative, number, rule.strip()) for rule in match[1].split(","))
    return marked


@contextlib.contextmanager
def _inside(directory: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def found(root: Path) -> set[Triple]:
    """What `mmpgate doctor` (default scope) reports in a corpus project."""
    with _inside(root):
        here = Path.cwd()
        result = scan(
            list(scope.default(here).paths), load(here), mlflow_autouse=mlflow_autouse(here)
        )
    return {(f.path.replace(os.sep, "/"), f.line, f.rule) for f in result.findings}


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.2f}" if total else "n/a"


def table() -> str:
    """The markdown table: per rule true positives, false positives, misses, precision, recall."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for root in corpora():
        want, got = expected(root), found(root)
        for _, _, rule in got & want:
            tp[rule] += 1
        for _, _, rule in got - want:
            fp[rule] += 1
        for _, _, rule in want - got:
            fn[rule] += 1
    rules = sorted(set(tp) | set(fp) | set(fn))
    names = ", ".join(f"`{root.name}/`" for root in corpora())
    lines = [
        f"Corpora: {names}.",
        "",
        "| Rule | Found and expected | False positives | Missed | Precision | Recall |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        hits = tp[rule]
        lines.append(
            f"| `{rule}` | {hits} | {fp[rule]} | {fn[rule]} | "
            f"{_ratio(hits, hits + fp[rule])} | {_ratio(hits, hits + fn[rule])} |"
        )
    hits, false, missed = sum(tp.values()), sum(fp.values()), sum(fn.values())
    lines.append(
        f"| **all** | {hits} | {false} | {missed} | "
        f"{_ratio(hits, hits + false)} | {_ratio(hits, hits + missed)} |"
    )
    return "\n".join(lines)


def block_in(readme: Path) -> str:
    """The table between the markers in a README ('' when the markers are missing)."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return ""
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def main(argv: list[str] | None = None) -> int:
    """Print the table, or with --check compare it with the README's copy (exit 1 if stale)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, metavar="README", help="compare, do not print")
    args = parser.parse_args(argv)
    current = table()
    if args.check is None:
        print(current)
        return 0
    if block_in(args.check) != current:
        print(
            f"{args.check}: the doctor precision table is stale; re-run this script",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
