"""`mmpgate combine`: sum the groups' metrics and combine their coverage data.

The total's coverage comes from `coverage combine` of the groups' data files, never from an average
of group percentages: groups measure different numbers of lines.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.metrics.coverage_xml import read_totals
from mmpgate.metrics.document import (
    Coverage,
    GroupSummary,
    MetricsDocument,
    new_document,
    new_duration,
    slowest_of,
    sum_counts,
)
from mmpgate.metrics.environment import describe
from mmpgate.metrics.files import (
    TOTAL_COVERAGE_DATA,
    TOTAL_COVERAGE_XML,
    TOTAL_FILE,
    coverage_data_name,
    metrics_file_name,
    read_group_documents,
)
from mmpgate.metrics.io import write_json
from mmpgate.metrics.names import TOTAL


def sum_groups(docs: Sequence[MetricsDocument]) -> MetricsDocument:
    """A total document from group documents (pure): counts summed, wall times summed.

    Wall times add up because groups run one after another. Coverage is left None: `combine`
    fills it from combined coverage data.
    """
    groups: dict[str, GroupSummary] = {
        doc["group"]: GroupSummary(
            counts=doc["counts"],
            rates=doc["rates"],
            duration=doc["duration"],
            coverage=doc["coverage"],
            complete=doc["complete"],
        )
        for doc in docs
    }
    incomplete = sorted(d["group"] for d in docs if not d["complete"])
    collected = [d["collected"] for d in docs]
    return new_document(
        kind=TOTAL,
        group=TOTAL,
        complete=bool(docs) and not incomplete,
        stopped_early=any(d["stopped_early"] for d in docs),
        interrupted=any(d["interrupted"] for d in docs),
        reason=f"incomplete groups: {', '.join(incomplete)}" if incomplete else None,
        collected=None if None in collected else sum(c for c in collected if c is not None),
        counts=sum_counts(d["counts"] for d in docs),
        duration=new_duration(
            sum(d["duration"]["wall"] for d in docs), sum(d["duration"]["tests_sum"] for d in docs)
        ),
        slowest=slowest_of((s["duration"], s["nodeid"]) for d in docs for s in d["slowest"]),
        environment=describe(None, workers=0, started=time.time(), producer="combine"),
        source={},
        groups=groups,
    )


def load_groups(directory: Path) -> list[MetricsDocument]:
    """Every group document of a results directory (see `metrics.files.read_group_documents`)."""
    return [document for _, document in read_group_documents(directory)]


def combine_coverage(directory: Path, groups: Sequence[str]) -> Coverage | None:
    """Combine `.coverage.<group>` data files into `coverage.total.xml`; None when there are none."""
    data_files = [
        directory / coverage_data_name(g)
        for g in groups
        if (directory / coverage_data_name(g)).is_file()
    ]
    if not data_files:
        return None
    import coverage

    total_data = directory / TOTAL_COVERAGE_DATA
    total_data.unlink(missing_ok=True)
    cov = coverage.Coverage(data_file=str(total_data))
    try:
        cov.combine([str(p) for p in data_files], keep=True)
        cov.save()
        xml = directory / TOTAL_COVERAGE_XML
        cov.xml_report(outfile=str(xml), ignore_errors=True)
    except coverage.exceptions.CoverageException as exc:
        raise InputError(located(directory, "", f"coverage combine failed: {exc}")) from exc
    return read_totals(xml)


def combine(
    directory: Path,
    *,
    require_complete: bool = True,
    preloaded: Mapping[Path, MetricsDocument] | None = None,
) -> MetricsDocument:
    """Write `metrics.total.json` (and `coverage.total.xml`) for a results directory."""
    started = time.time()
    docs = [document for _, document in read_group_documents(directory, preloaded)]
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
    total["environment"] = describe(None, workers=0, started=started, producer="combine")
    total["source"] = {d["group"]: metrics_file_name(d["group"]) for d in docs}
    write_json(directory / TOTAL_FILE, total)
    return total
