"""`mmpgate run [GROUP ...] [--all] [--output DIR] [-- PYTEST_ARGS]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `run` and `ci`."""
    parser.add_argument("groups", nargs="*", metavar="GROUP", help="groups to run (default: all)")
    parser.add_argument(
        "--all", action="store_true", dest="run_all", help="run every configured group"
    )
    parser.add_argument(
        "--output", metavar="DIR", default=None, help="results directory (default: mmpgate-results)"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=None,
        help="mmpgate.yml or pyproject.toml to read",
    )
    parser.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop after the first group whose pytest run failed",
    )


def register(subparsers: Any) -> None:
    """Add the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run the test groups with metrics and coverage",
        description="Run each group in its own pytest process. Arguments after -- go to pytest.",
    )
    add_common(parser)
    parser.set_defaults(execute=execute, accepts_passthrough=True)


def output_dir(project_root: Path, configured: str, given: str | None) -> Path:
    """The results directory, resolved (symlinked checkouts included)."""
    path = Path(given or configured)
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def execute(args: argparse.Namespace) -> int:
    """Run the groups; the exit code is pytest's (the first non-zero one)."""
    from mmpgate.project import load_project
    from mmpgate.runner import first_failure, run_groups, select_groups

    project = load_project(Path.cwd(), args.config)
    groups = select_groups(project, args.groups, args.run_all)
    output = output_dir(project.root, project.output, args.output)
    results = run_groups(project, groups, output, args.passthrough, fail_fast=args.fail_fast)
    return first_failure(results)
