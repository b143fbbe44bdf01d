"""`mmpgate run [GROUP ...] [--all] [--results-dir DIR] [--shard K/N [--durations-from PATH]]`."""

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
    parser.add_argument(
        "--shard",
        metavar="K/N",
        default=None,
        help="run shard K of N of the one GROUP given (files named <group>.shard-<k>of<n>)",
    )
    parser.add_argument(
        "--durations-from",
        metavar="PATH",
        type=Path,
        default=None,
        help="balance the shards by an earlier run's durations: its results directory, a "
        "metrics file or its metrics.total.json (default: split by count)",
    )
    parser.set_defaults(execute=execute, accepts_passthrough=True)


def execute(args: argparse.Namespace) -> int:
    """Run the groups; the exit code is pytest's (the first non-zero one)."""
    from mmpgate.errors import UsageError
    from mmpgate.run.project import load_project
    from mmpgate.run.runner import first_failure, output_dir, run_groups, select_groups

    shard = None
    if args.shard is not None:
        from mmpgate.shard.split import parse_shard

        try:
            shard = parse_shard(args.shard)
        except ValueError as exc:
            raise UsageError(f"--shard: {exc}") from None
        if len(args.groups) != 1:
            raise UsageError("--shard: give exactly one GROUP (a shard is a part of one group)")
    elif args.durations_from is not None:
        raise UsageError("--durations-from: only with --shard K/N")
    project = load_project(Path.cwd(), args.config)
    groups = with_retries(select_groups(project, args.groups, args.run_all), args.retries)
    output = output_dir(project.root, project.output, args.results_dir)
    durations = args.durations_from
    if durations is not None and not durations.is_absolute():
        durations = (Path.cwd() / durations).resolve()
    results = run_groups(
        project,
        groups,
        output,
        args.passthrough,
        fail_fast=args.fail_fast,
        shard=shard,
        durations_from=durations,
        whole_suite=not args.groups,
    )
    return first_failure(results)
