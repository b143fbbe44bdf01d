"""`mmpgate combine [DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mmpgate.errors import UsageError


def register(subparsers: Any) -> None:
    """Add the `combine` subcommand."""
    parser = subparsers.add_parser(
        "combine",
        help="write metrics.total.json and coverage.total.xml from the groups' files",
        description="Sum the groups' metrics and combine their .coverage.<group> data files.",
    )
    parser.add_argument(
        "directory",
        nargs="?",
        default=None,
        type=Path,
        metavar="DIR",
        help="results directory holding the groups' files "
        "(default: [tool.mmpgate] output, else mmpgate-results)",
    )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="combine incomplete groups too (the total is then marked incomplete)",
    )
    parser.add_argument(
        "--expect",
        metavar="JSON",
        default=None,
        help='require exactly these groups, e.g. \'{"unit": 1, "e2e": 1}\' (`mmpgate plan`\'s expected)',
    )
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Combine; exit 2 on missing, incomplete or mismatched inputs."""
    from mmpgate.combine import combine
    from mmpgate.run.project import configured_output
    from mmpgate.shard.matrix import parse_shards, require_expected

    directory = args.directory or configured_output(Path.cwd())

    expected = None
    if args.expect is not None:
        expected = parse_shards(args.expect, "--expect")
        if not expected:
            raise UsageError("--expect: expected at least one group")
        if directory.is_dir():
            require_expected(directory, expected)
    total = combine(directory, require_complete=not args.allow_incomplete, expected=expected)
    cov = total["coverage"]
    coverage = f", coverage {cov['percent']:.2f}%" if cov else ", no coverage data"
    print(
        f"mmpgate: total of {', '.join(total['groups'])}: {total['counts']['total']} outcomes"
        f" in {total['duration']['wall']:.2f}s{coverage} -> {directory / 'metrics.total.json'}"
    )
    return 0
