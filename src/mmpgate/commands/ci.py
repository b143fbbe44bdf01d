"""`mmpgate ci`: the main job in one command: run every group, combine, check."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mmpgate.commands.options import add_common, with_retries
from mmpgate.report import FORMATS


def register(subparsers: Any) -> None:
    """Add the `ci` subcommand."""
    parser = subparsers.add_parser(
        "ci",
        usage="mmpgate ci [GROUP ...] [options] [-- PYTEST_ARGS ...]",
        help="run every group, combine and check: the gate decides the exit code",
        description="run --all, combine, check. Every group runs even when an earlier one failed, "
        "unless --fail-fast. Arguments after -- go to pytest.",
    )
    add_common(parser)
    parser.add_argument(
        "--thresholds",
        default="thresholds.yml",
        type=Path,
        metavar="FILE",
        help="thresholds file (default: ./thresholds.yml)",
    )
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="DIR_OR_FILE",
        help="metrics of an earlier run (overrides `regression.baseline`)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        dest="fmt",
        help="verdict format on stdout (default: text)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        default=None,
        type=Path,
        help="also write the JSON verdict to FILE",
    )
    from mmpgate.commands.check import add_flaky_options

    add_flaky_options(parser)
    parser.set_defaults(execute=execute, accepts_passthrough=True)


def execute(args: argparse.Namespace) -> int:
    """The gate's exit code: 0 pass, 1 failed, 2 configuration or input error."""
    from mmpgate.combine import combine
    from mmpgate.gate.check import run_check
    from mmpgate.gate.thresholds import load_thresholds
    from mmpgate.metrics.files import TOTAL_FILE
    from mmpgate.run.project import load_project
    from mmpgate.run.runner import output_dir, run_groups, select_groups

    # Every configuration is validated before the first group runs: a typo costs no suite time.
    load_thresholds(args.thresholds)
    project = load_project(Path.cwd(), args.config)
    groups = with_retries(select_groups(project, args.groups, args.run_all), args.retries)
    output = output_dir(project.root, project.output, args.results_dir)
    results = run_groups(
        project,
        groups,
        output,
        args.passthrough,
        fail_fast=args.fail_fast,
        whole_suite=not args.groups,
    )
    # Each file is parsed once: the documents the runner read go on to combine and the gate.
    held = {r.files.metrics: r.metrics for r in results if r.metrics is not None}
    # Incomplete groups are combined too: the gate, not combine, turns them into a failed verdict.
    held[output / TOTAL_FILE] = combine(output, require_complete=False, preloaded=held)
    baseline = Path(args.baseline) if args.baseline else None
    return run_check(
        args.thresholds,
        metrics_dir=output,
        baseline=baseline,
        fmt=args.fmt,
        output=args.output,
        quarantine=Path(args.quarantine) if args.quarantine else None,
        history=args.history,
        preloaded=held,
    )
