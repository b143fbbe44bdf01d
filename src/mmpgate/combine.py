"""`mmpgate combine`: sum the groups' metrics and combine their coverage data.

The total's coverage comes from `coverage combine` of the groups' data files, never from an average
of group percentages: groups measure different numbers of lines.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.metrics.coverage_xml import read_totals
from mmpgate.metrics.format import COUNT_KEYS, FORMAT_VERSION, empty_counts, outcome_total, rates
from mmpgate.metrics.io import load_metrics, write_json

TOTAL = "total"


def sum_groups(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A total document from group documents (pure): counts summed, wall times summed.

    Wall times add up because groups run one after another. Coverage is left None: `combine`
    fills it from combined coverage data.
    """
    counts = empty_counts()
    wall = tests_sum = 0.0
    groups: dict[str, Any] = {}
    for doc in docs:
        for key in COUNT_KEYS:
            counts[key] += doc["counts"][key]
        wall += doc["duration"]["wall"]
        tests_sum += doc["duration"]["tests_sum"]
        groups[doc["group"]] = {
            "counts": doc["counts"],
            "rates": doc["rates"],
            "duration": doc["duration"],
            "coverage": doc["coverage"],
            "complete": doc["complete"],
        }
    counts["total"] = outcome_total(counts)
    complete = bool(docs) and all(d["complete"] for d in docs)
    incomplete = sorted(d["group"] for d in docs if not d["complete"])
    collected = [d["collected"] for d in docs]
    return {
        "format": FORMAT_VERSION,
        "kind": TOTAL,
        "group": TOTAL,
        "complete": complete,
        "stopped_early": any(d["stopped_early"] for d in docs),
        "interrupted": any(d["interrupted"] for d in docs),
        "empty": counts["total"] == 0,
        "exit_status": None,
        "reason": f"incomplete groups: {', '.join(incomplete)}" if incomplete else None,
        "collected": None if None in collected else sum(c for c in collected if c is not None),
        "counts": counts,
        "rates": rates(counts),
        "duration": {"wall": round(wall, 6), "tests_sum": round(tests_sum, 6)},
        "tests": [],
        "slowest": sorted(
            (s for d in docs for s in d["slowest"]), key=lambda s: (-s["duration"], s["nodeid"])
        )[:20],
        "coverage": None,
        "environment": {},
        "source": {},
        "groups": groups,
    }


def group_files(directory: Path) -> list[Path]:
    """The `metrics.<group>.json` files of a results directory (the total excluded), sorted."""
    if not directory.exists():
        raise InputError(located(directory, "", "metrics directory not found"))
    if not directory.is_dir():
        raise InputError(
            located(directory, "", "expected a directory of metrics.<group>.json files")
        )
    return sorted(p for p in directory.glob("metrics.*.json") if p.name != f"metrics.{TOTAL}.json")


def load_groups(directory: Path) -> list[dict[str, Any]]:
    """Load every group file, refusing duplicates, other kinds and other format versions."""
    docs: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path in group_files(directory):
        doc = load_metrics(path)
        if doc["kind"] != "group":
            raise InputError(located(path, "$.kind", f"expected 'group', got {doc['kind']!r}"))
        name = doc["group"]
        if name in seen:
            raise InputError(
                located(path, "$.group", f"group {name!r} is also claimed by {seen[name]}")
            )
        seen[name] = path
        docs.append(doc)
    return docs


def combine_coverage(directory: Path, groups: Sequence[str]) -> dict[str, Any] | None:
    """Combine `.coverage.<group>` data files into `coverage.total.xml`; None when there are none."""
    data_files = [
        directory / f".coverage.{g}" for g in groups if (directory / f".coverage.{g}").is_file()
    ]
    if not data_files:
        return None
    import coverage

    total_data = directory / f".coverage.{TOTAL}"
    total_data.unlink(missing_ok=True)
    cov = coverage.Coverage(data_file=str(total_data))
    try:
        cov.combine([str(p) for p in data_files], keep=True)
        cov.save()
        xml = directory / f"coverage.{TOTAL}.xml"
        cov.xml_report(outfile=str(xml), ignore_errors=True)
    except coverage.exceptions.CoverageException as exc:
        raise InputError(located(directory, "", f"coverage combine failed: {exc}")) from exc
    return read_totals(xml)


def combine(directory: Path, *, require_complete: bool = True) -> dict[str, Any]:
    """Write `metrics.total.json` (and `coverage.total.xml`) for a results directory."""
    started = time.time()
    docs = load_groups(directory)
    if not docs:
        raise InputError(located(directory, "", "expected metrics.<group>.json files, found none"))
    incomplete = [d for d in docs if not d["complete"]]
    if require_complete and incomplete:
        names = ", ".join(f"{d['group']} ({d.get('reason') or 'incomplete'})" for d in incomplete)
        raise InputError(
            located(directory, "$.complete", f"expected complete groups, incomplete: {names}")
        )
    total = sum_groups(docs)
    total["coverage"] = combine_coverage(directory, [d["group"] for d in docs])
    from mmpgate.metrics.environment import describe

    total["environment"] = describe(None, workers=0, started=started, producer="combine")
    total["source"] = {d["group"]: f"metrics.{d['group']}.json" for d in docs}
    write_json(directory / f"metrics.{TOTAL}.json", total)
    return total
