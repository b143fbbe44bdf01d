"""The `report` service: gather the run, the verdict and the trend, write the page atomically."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mmpgate.htmlreport.model import ReportData, gather
from mmpgate.metrics.files import TOTAL_FILE
from mmpgate.metrics.reading import check_output
from mmpgate.trends import RunPoint, ordered, past_runs, point_of, points_from_history


@dataclasses.dataclass(frozen=True, slots=True)
class ReportInputs:
    """What `mmpgate report` was asked to read."""

    metrics: Path
    output: Path
    thresholds: Path | None = None
    baseline: Path | None = None
    runs: Path | None = None
    history: str | None = None


def _trend(inputs: ReportInputs) -> tuple[tuple[RunPoint, ...], str | None]:
    earlier: list[RunPoint] = []
    sources: list[str] = []
    kept: list[Path] = []
    if inputs.history is not None:
        earlier += points_from_history(inputs.history)
        sources.append("the run history")
    if inputs.runs is not None:
        kept = [path.resolve() for path in past_runs(inputs.runs)]
        earlier += [point_of(path) for path in kept]
        sources.append(str(inputs.runs))
    baseline = inputs.baseline
    if baseline is not None and baseline.exists() and baseline.resolve() not in kept:
        earlier.append(point_of(baseline, label="baseline"))
        sources.append(str(baseline))
    if not earlier:
        return (), None
    current = point_of(inputs.metrics)
    current = dataclasses.replace(current, label=f"now {current.label}")
    return (*ordered(earlier), current), " + ".join(sources)


def build(inputs: ReportInputs) -> ReportData:
    """Read every input and decide what the page shows (no writing)."""
    from mmpgate.gate.rules import evaluate
    from mmpgate.gate.thresholds import load_thresholds
    from mmpgate.metrics.io import load_metrics
    from mmpgate.metrics.results import load_baseline, load_metrics_dir

    thresholds = load_thresholds(inputs.thresholds) if inputs.thresholds is not None else None
    verdict = None
    if thresholds is not None:  # the gate's own reading of the run, as `mmpgate check` does
        baseline_path = inputs.baseline or (
            Path(thresholds.regression.baseline) if thresholds.regression.baseline else None
        )
        previous = load_baseline(baseline_path) if baseline_path is not None else None
        verdict = evaluate(load_metrics_dir(inputs.metrics), thresholds, previous)
    trend, source = _trend(inputs)
    total_file = inputs.metrics / TOTAL_FILE
    total_coverage = load_metrics(total_file).get("coverage") if total_file.is_file() else None
    total = float(total_coverage["percent"]) if total_coverage else None
    return gather(
        inputs.metrics,
        thresholds,
        total_coverage=total,
        trend=trend,
        trend_source=source,
        verdict=verdict,
    )


def write_report(inputs: ReportInputs) -> ReportData:
    """Build the page and write it to `inputs.output` (never over one of the inputs)."""
    from mmpgate.htmlreport.page import render_page
    from mmpgate.metrics.writing import write_text

    check_output(inputs.output, [inputs.metrics, inputs.thresholds, inputs.baseline, inputs.runs])
    data = build(inputs)
    write_text(inputs.output, render_page(data))
    return data
