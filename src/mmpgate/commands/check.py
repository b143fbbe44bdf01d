"""`mmpgate check [THRESHOLDS]`: gate the metrics of a run against thresholds.yml."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmpgate.report import FORMATS

DEFAULT_THRESHOLDS = "thresholds.yml"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `check` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="gate the metrics of a run against thresholds.yml (exit 0 pass, 1 fail, 2 error)",
        description="Validate thresholds and metrics, evaluate every rule, print the verdict table.",
    )
    parser.add_argument(
        "thresholds",
        nargs="?",
        default=DEFAULT_THRESHOLDS,
        metavar="THRESHOLDS",
        help=f"thresholds file (default: ./{DEFAULT_THRESHOLDS})",
    )
    parser.add_argument(
        "--metrics", metavar="DIR", default=None, help="metrics directory (overrides `metrics:`)"
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR_OR_FILE",
        default=None,
        help="metrics of an earlier run (overrides `regression.baseline`)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="verdict format on stdout (default: text)"
    )
    parser.add_argument(
        "--output", metavar="FILE", default=None, help="also write the JSON verdict to FILE"
    )
    add_flaky_options(parser)
    parser.add_argument(
        "--groups",
        metavar="NAME,...",
        default=None,
        help="gate only these groups (a partial run); the total and other groups are left out",
    )
    parser.set_defaults(execute=execute)


def add_flaky_options(parser: argparse.ArgumentParser) -> None:
    """--quarantine and --history (shared with `ci`)."""
    parser.add_argument(
        "--quarantine",
        metavar="FILE",
        default=None,
        help="quarantine file (overrides `quarantine:`; default: quarantine.yml beside THRESHOLDS)",
    )
    parser.add_argument(
        "--history",
        metavar="PATH_OR_URL",
        default=None,
        help="run history: a SQLite file or a postgresql:// URL (overrides `history:`)",
    )


def execute(args: argparse.Namespace) -> int:
    """Run the gate from parsed arguments."""
    from mmpgate.gate.check import run_check

    return run_check(
        Path(args.thresholds),
        metrics_dir=Path(args.metrics) if args.metrics else None,
        baseline=Path(args.baseline) if args.baseline else None,
        fmt=args.format,
        output=Path(args.output) if args.output else None,
        quarantine=Path(args.quarantine) if args.quarantine else None,
        history=args.history,
        groups=[g for g in args.groups.split(",") if g] if args.groups else None,
    )
