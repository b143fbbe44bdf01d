"""The check service: load thresholds, metrics and a baseline, evaluate, report (`check` and `ci`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mmpgate.errors import ConfigError, ExitCode, UsageError, located
from mmpgate.report import FORMATS

if TYPE_CHECKING:
    from mmpgate.gate.flaky_rules import FlakyInputs
    from mmpgate.gate.thresholds import Thresholds
    from mmpgate.metrics.document import MetricsDocument
    from mmpgate.metrics.results import MetricsSet


def run_check(
    thresholds_path: Path,
    metrics_dir: Path | None = None,
    baseline: Path | None = None,
    fmt: str = "text",
    output: Path | None = None,
    *,
    quarantine: Path | None = None,
    history: str | None = None,
    today: dt.date | None = None,
    stdout: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    preloaded: Mapping[Path, MetricsDocument] | None = None,
    groups: Sequence[str] | None = None,
) -> int:
    """Load, evaluate, report; return 0 (pass) or 1 (a rule failed). Input errors raise MmpgateError.

    `preloaded` documents (by path) are not parsed again (`mmpgate ci` already holds them).
    Relative `metrics:`, `regression.baseline:`, `quarantine:` and `history:` paths in the
    thresholds file are taken from the current directory, like the command-line options; the
    default quarantine file is `quarantine.yml` beside the thresholds file (missing: empty).
    """
    # Imported here so that building the CLI's parser stays cheap for every other command.
    from mmpgate import github
    from mmpgate.gate.rules import evaluate
    from mmpgate.gate.thresholds import load_thresholds
    from mmpgate.metrics.results import load_baseline, load_metrics_dir
    from mmpgate.metrics.writing import refuse_inputs, write_json
    from mmpgate.report import render, verdict_json
    from mmpgate.run.project import configured_output
    from mmpgate.trends import RunPoint, point_of_set, points_from_history

    if fmt not in FORMATS:
        raise UsageError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    environ = os.environ if env is None else env
    out = sys.stdout if stdout is None else stdout
    thresholds = load_thresholds(thresholds_path)
    # --metrics, else the thresholds' `metrics:`, else [tool.mmpgate] output, else the default.
    directory = metrics_dir or (
        Path(thresholds.metrics) if thresholds.metrics else configured_output(Path.cwd())
    )
    baseline_path = baseline or (
        Path(thresholds.regression.baseline) if thresholds.regression.baseline else None
    )
    if baseline_path is not None:
        thresholds = dataclasses.replace(
            thresholds,
            regression=dataclasses.replace(thresholds.regression, baseline=str(baseline_path)),
        )
    github.check_outputs_file(environ)
    if output is not None:
        inputs: dict[str, Path | None] = {"thresholds": thresholds_path, "baseline": baseline_path}
        for read in (directory, baseline_path):
            if read is not None and read.is_dir():
                inputs.update((f"metrics ({p.name})", p) for p in read.glob("metrics.*.json"))
        refuse_inputs(output, inputs)
    if groups is not None:
        thresholds = only_groups(thresholds, groups)
    metrics = load_metrics_dir(directory, preloaded, groups)
    check_groups_present(thresholds, metrics)
    previous = load_baseline(baseline_path) if baseline_path is not None else None
    flaky = _flaky_inputs(thresholds_path, thresholds, metrics, quarantine, history, today)
    verdict = evaluate(metrics, thresholds, previous, flaky)
    store = history or thresholds.history
    if store is not None:
        trend: tuple[RunPoint, ...] = (*points_from_history(store), point_of_set(metrics, "now"))
    elif previous is not None:
        trend = (point_of_set(previous, "baseline"), point_of_set(metrics, "now"))
    else:
        trend = ()
    out.write(render(verdict, fmt, trend=trend))
    out.flush()
    if output is not None:
        write_json(output, verdict_json(verdict))
    github.write_outputs(github.verdict_outputs(verdict), environ)
    github.append_summary(verdict, environ, trend)
    # Annotations are workflow commands on a stream the runner reads; keep JSON on stdout clean.
    github.emit_annotations(verdict, sys.stderr if fmt == "json" else out, environ)
    return int(ExitCode.OK if verdict.passed else ExitCode.GATE_FAILED)


def _flaky_inputs(
    thresholds_path: Path,
    thresholds: Thresholds,
    metrics: MetricsSet,
    quarantine: Path | None,
    history: str | None,
    today: dt.date | None,
) -> FlakyInputs:
    from mmpgate.flaky.quarantine import DEFAULT_FILE, load_quarantine
    from mmpgate.gate.flaky_rules import FlakyInputs

    given = quarantine or (Path(thresholds.quarantine) if thresholds.quarantine else None)
    path = given or thresholds_path.parent / DEFAULT_FILE
    held = load_quarantine(path, required=given is not None)
    facts = None
    store = history or thresholds.history
    if store is not None:
        from mmpgate.flaky.history.facts import history_facts

        facts = history_facts(store, metrics, held)
    return FlakyInputs(
        quarantine=held,
        today=today or dt.datetime.now(dt.timezone.utc).date(),
        history=facts,
    )


def only_groups(thresholds: Thresholds, groups: Sequence[str]) -> Thresholds:
    """Thresholds for a partial run: the named groups' rules, no total (it sums every group)."""
    from mmpgate.gate.thresholds import Rules

    return dataclasses.replace(
        thresholds,
        require_groups=tuple(g for g in thresholds.require_groups if g in groups),
        groups={name: rules for name, rules in thresholds.groups.items() if name in groups},
        total=Rules(),
    )


def check_groups_present(thresholds: Thresholds, metrics: MetricsSet) -> None:
    """A group with rules in thresholds.yml that no metrics file has is a typo or a missing run."""
    import difflib

    for name in sorted(thresholds.groups):
        if name in metrics.groups:
            continue
        close = difflib.get_close_matches(name, list(metrics.groups), n=1)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else f"groups with metrics: {', '.join(metrics.groups) or 'none'}"
            "; run the group, or gate the others with `--groups`"
        )
        raise ConfigError(
            located(
                thresholds.source,
                f"$.groups.{name}",
                f"no metrics file in {metrics.source} has group {name!r}; {hint}",
            )
        )
