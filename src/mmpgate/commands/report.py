"""`mmpgate report --output report.html`: one self-contained HTML page of a run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mmpgate.errors import ExitCode, UsageError

DEFAULT_THRESHOLDS = Path("thresholds.yml")


def register(subparsers: Any) -> None:
    """Add the `report` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write one self-contained HTML page of a run: charts, slowest, failing, flaky, trends",
        description="Draw a run's metrics as one HTML file (inline SVG, no script, no network): "
        "per-group outcomes and rates against the thresholds, coverage and wall time against "
        "their limits, the slowest, failing and flaky tests, and trends over earlier runs.",
    )
    parser.add_argument(
        "--metrics",
        type=Path,
        default=Path("mmpgate-results"),
        metavar="DIR",
        help="results directory of the run (default: mmpgate-results)",
    )
    parser.add_argument(
        "--thresholds",
        type=Path,
        default=None,
        metavar="FILE",
        help="thresholds to draw limits and the verdict from (default: ./thresholds.yml if present)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="DIR_OR_FILE",
        help="metrics of an earlier run: compared by the verdict and drawn as a trend point",
    )
    parser.add_argument(
        "--runs",
        type=Path,
        default=None,
        metavar="DIR",
        help="directory of earlier runs' results directories, one per run, drawn as trends",
    )
    parser.add_argument(
        "--history",
        default=None,
        metavar="DB",
        help="run history (`mmpgate history add`): a SQLite file or a postgresql:// URL, "
        "drawn as failure and flaky rate trends",
    )
    parser.add_argument(
        "--output", type=Path, required=True, metavar="FILE", help="the HTML file to write"
    )
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Write the page; print where and what it holds."""
    from mmpgate.htmlreport.service import ReportInputs, write_report

    thresholds = args.thresholds
    if thresholds is None and DEFAULT_THRESHOLDS.is_file():
        thresholds = DEFAULT_THRESHOLDS
    elif thresholds is not None and not thresholds.is_file():
        raise UsageError(f"--thresholds {thresholds}: file not found")
    data = write_report(
        ReportInputs(args.metrics, args.output, thresholds, args.baseline, args.runs, args.history)
    )
    tests = sum(group.total for group in data.groups)
    print(
        f"mmpgate report: {len(data.groups)} groups, {tests} tests, "
        f"{len(data.trend)} runs in the trend -> {args.output}"
    )
    return int(ExitCode.OK)
