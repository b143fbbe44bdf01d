"""`mmpgate combine`: sum the groups' metrics and combine their coverage data.

The total's coverage comes from `coverage combine` of the groups' data files, never from an average
of group percentages: groups measure different numbers of lines.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.metrics.coverage_data import DataFile, combine_data, read_data_file
from mmpgate.metrics.coverage_xml import read_totals
from mmpgate.metrics.document import (
    Coverage,
    GroupSummary,
    MetricsDocument,
    new_counts,
    new_document,
    new_duration,
    process_of,
    slowest_of,
    sum_counts,
)
from mmpgate.metrics.environment import describe
from mmpgate.metrics.files import (
    TOTAL_COVERAGE_DATA,
    TOTAL_COVERAGE_XML,
    TOTAL_FILE,
    GroupFiles,
    coverage_data_name,
    metrics_file_name,
    parse_shard_file,
    read_group_documents,
    shard_files,
)
from mmpgate.metrics.names import TOTAL
from mmpgate.metrics.writing import StagedFiles, dumps, write_json


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
            sum(d["duration"]["wall"] for d in docs),
            sum(d["duration"]["tests_sum"] for d in docs),
            process=process_of(docs, sum),
        ),
        slowest=slowest_of((s["duration"], s["nodeid"]) for d in docs for s in d["slowest"]),
        environment=describe(None, workers=0, started=time.time(), producer="combine"),
        source={},
        groups=groups,
    )


def load_groups(directory: Path) -> list[MetricsDocument]:
    """Every group document of a results directory (see `metrics.files.read_group_documents`)."""
    return [document for _, document in read_group_documents(directory)]


def _combine_data(directory: Path, paths: Sequence[Path], into: str) -> Coverage | None:
    """coverage.py's own combine of data files into `.coverage.<into>` and `coverage.<into>.xml`."""
    data_files = [path for path in paths if path.is_file()]
    if not data_files:
        return None
    import coverage

    target = GroupFiles.of(directory, into)
    combined = target.coverage_data
    combined.unlink(missing_ok=True)
    cov = coverage.Coverage(data_file=str(combined))
    try:
        cov.combine([str(p) for p in data_files], keep=True)
        cov.save()
        xml = target.coverage_xml
        cov.xml_report(outfile=str(xml), ignore_errors=True)
    except coverage.exceptions.CoverageException as exc:
        raise InputError(located(directory, "", f"coverage combine failed: {exc}")) from exc
    return read_totals(xml)


def coverage_files(directory: Path, docs: Sequence[MetricsDocument], root: Path) -> list[DataFile]:
    """The groups' readable `.coverage.<group>` files; a group that measured coverage needs one.

    When some groups have data files and a group whose metrics carry coverage has none, the total
    would silently leave that group's lines out: refused by name.
    """
    found = [directory / coverage_data_name(d["group"]) for d in docs]
    present = [p for p in found if p.exists() or p.is_symlink()]
    if present:
        for doc, path in zip(docs, found, strict=True):
            if doc["coverage"] is not None and path not in present:
                raise InputError(
                    located(
                        path,
                        "",
                        f"coverage data file not found, but {metrics_file_name(doc['group'])} has "
                        "coverage: the total would leave this group's lines out",
                    )
                )
    return [read_data_file(p, root) for p in present]


def combine_shards(
    directory: Path, expected: Mapping[str, int] | None = None, started: float = 0.0
) -> list[str]:
    """Merge each sharded group's `metrics.<g>.shard-<k>of<n>.json` files (and their coverage
    data) into `metrics.<g>.json`; return the groups merged. A group both run whole and sharded
    is an input error: which of the two is the group's result?"""
    from mmpgate.metrics.io import load_metrics
    from mmpgate.shard.merge import ShardFile, choose, merge

    by_group: dict[str, tuple[list[ShardFile], list[str]]] = {}
    for path in shard_files(directory):
        group, index, total = parse_shard_file(path.name)  # type: ignore[misc]
        document = load_metrics(path)
        files, broken = by_group.setdefault(group, ([], []))
        if document["group"] != group:
            raise InputError(
                located(path, "$.group", f"expected '{group}', got {document['group']!r}")
            )
        if "shard" in document:
            files.append(ShardFile(path.name, document))
        else:  # the runner's placeholder: pytest ended without writing its metrics
            broken.append(f"shard {index}/{total} ({path.name}): {document['reason']}")
    for group, (files, broken) in sorted(by_group.items()):
        target = directory / metrics_file_name(group)
        if target.is_file() and "shards" not in load_metrics(target):
            raise InputError(
                located(target, "", f"expected group '{group}' run whole or in shards, not both")
            )
        count = (expected or {}).get(group)
        if files:
            chosen, _ = choose(files, count)
            data = [
                GroupFiles.of(directory, group, (f.shard["index"], f.shard["total"])).coverage_data
                for f in chosen
            ]
            merged = merge(group, files, count, _combine_data(directory, data, group), started)
        else:
            merged = _placeholder(group, started)
        if broken:
            merged["complete"] = False
            merged["reason"] = "; ".join(
                [*broken, *([merged["reason"]] if merged["reason"] else [])]
            )
        write_json(target, merged)
    return sorted(by_group)


def _placeholder(group: str, started: float) -> MetricsDocument:
    return new_document(
        kind="group",
        group=group,
        complete=False,
        reason=None,
        counts=new_counts(),
        duration=new_duration(0.0, 0.0),
        environment=describe(None, workers=0, started=started, producer="combine"),
        source={},
    )


def combine(
    directory: Path,
    *,
    require_complete: bool = True,
    preloaded: Mapping[Path, MetricsDocument] | None = None,
    expected: Mapping[str, int] | None = None,
    root: Path | None = None,
) -> MetricsDocument:
    """Write the total set: `metrics.total.json`, `coverage.total.xml` and `.coverage.total`,
    after merging each sharded group's shards (`expected`: the plan's shard count per group).

    The set is replaced whole or not at all: every file is written to a temporary file first, and
    a target in the way (a directory) is refused before anything is replaced. Coverage source
    paths resolve against `root` (default: the current directory, the checkout).
    """
    started = time.time()
    checkout = (root or Path.cwd()).resolve()
    if directory.is_dir():
        combine_shards(directory, expected, started)
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
    data_files = coverage_files(directory, docs, checkout)
    total["environment"] = describe(None, workers=0, started=started, producer="combine")
    total["source"] = {d["group"]: metrics_file_name(d["group"]) for d in docs}
    xml = directory / TOTAL_COVERAGE_XML
    data = directory / TOTAL_COVERAGE_DATA
    with StagedFiles() as staged:
        metrics_tmp = staged.stage(directory / TOTAL_FILE)
        if data_files:
            totals = combine_data(data_files, checkout, staged.stage(data), staged.stage(xml))
            totals["file"] = str(xml)  # the name it has once the set is in place
            total["coverage"] = totals
        else:
            staged.remove(xml)  # an older run's total coverage is not this run's
            staged.remove(data)
        metrics_tmp.write_text(dumps(total), encoding="utf-8")
    return total
