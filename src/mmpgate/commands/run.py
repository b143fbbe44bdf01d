"""`mmpgate run [GROUP ...] [--all] [--results-dir DIR] [-- PYTEST_ARGS]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mmpgate.commands.options import add_common, with_retries


def register(subparsers: Any) -> None:
    """Add the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        usage="mmpgate run [GROUP ...] [options] [-- PYTEST_ARGS ...]",
        help="run the test groups with metrics and coverage",
        description="Run each group in its own pytest process. Arguments after -- go to pytest.",
    )
    add_common(parser)
    parser.set_defaults(execute=execute, accepts_passthrough=True)


def execute(args: argparse.Namespace) -> int:
    """Run the groups; the exit code is pytest's (the first non-zero one)."""
    from mmpgate.run.project import load_project
    from mmpgate.run.runner import first_failure, output_dir, run_groups, select_groups

    project = load_project(Path.cwd(), args.config)
    groups = with_retries(select_groups(project, args.groups, args.run_all), args.retries)
    output = output_dir(project.root, project.output, args.results_dir)
    results = run_groups(project, groups, output, args.passthrough, fail_fast=args.fail_fast)
    return first_failure(results)
