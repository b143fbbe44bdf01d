"""The check service: load thresholds, metrics and a baseline, evaluate, report (`check` and `ci`)."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mmpgate.errors import ExitCode, UsageError
from mmpgate.report import FORMATS

if TYPE_CHECKING:
    from mmpgate.metrics.document import MetricsDocument


def run_check(
    thresholds_path: Path,
    metrics_dir: Path | None = None,
    baseline: Path | None = None,
    fmt: str = "text",
    output: Path | None = None,
    *,
    stdout: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    preloaded: Mapping[Path, MetricsDocument] | None = None,
) -> int:
    """Load, evaluate, report; return 0 (pass) or 1 (a rule failed). Input errors raise MmpgateError.

    `preloaded` documents (by path) are not parsed again (`mmpgate ci` already holds them).
    Relative `metrics:` and `regression.baseline:` paths in the thresholds file are taken from the
    current directory, like the command-line options.
    """
    # Imported here so that building the CLI's parser stays cheap for every other command.
    from mmpgate import github
    from mmpgate.gate.rules import evaluate
    from mmpgate.gate.thresholds import load_thresholds
    from mmpgate.metrics.files import DEFAULT_RESULTS_DIR
    from mmpgate.metrics.io import write_json
    from mmpgate.metrics.results import load_baseline, load_metrics_dir
    from mmpgate.report import render, verdict_json
    from mmpgate.trends import point_of_set

    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    environ = os.environ if env is None else env
    out = sys.stdout if stdout is None else stdout
    thresholds = load_thresholds(thresholds_path)
    directory = metrics_dir or Path(thresholds.metrics or DEFAULT_RESULTS_DIR)
    baseline_path = baseline or (
        Path(thresholds.regression.baseline) if thresholds.regression.baseline else None
    )
    if baseline_path is not None:
        thresholds = dataclasses.replace(
            thresholds,
            regression=dataclasses.replace(thresholds.regression, baseline=str(baseline_path)),
        )
    metrics = load_metrics_dir(directory, preloaded)
    previous = load_baseline(baseline_path) if baseline_path is not None else None
    verdict = evaluate(metrics, thresholds, previous)
    trend = (
        (point_of_set(previous, "baseline"), point_of_set(metrics, "now"))
        if previous is not None
        else ()
    )
    out.write(render(verdict, fmt, trend=trend))
    out.flush()
    if output is not None:
        write_json(output, verdict_json(verdict))
    github.write_outputs(github.verdict_outputs(verdict), environ)
    github.append_summary(verdict, environ, trend)
    # Annotations are workflow commands on a stream the runner reads; keep JSON on stdout clean.
    github.emit_annotations(verdict, sys.stderr if fmt == "json" else out, environ)
    return int(ExitCode.OK if verdict.passed else ExitCode.GATE_FAILED)
