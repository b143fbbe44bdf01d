"""`mmpgate doctor [PATH ...]`: find what makes a suite flaky in parallel, before it flakes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mmpgate.errors import ExitCode

#: `mmpgate.doctor.report.Format` values, kept here so the CLI builds without importing doctor.
FORMATS = ("text", "json", "github", "sarif")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `doctor` subcommand."""
    parser = subparsers.add_parser(
        "doctor",
        help="statically check tests for patterns that break parallel runs",
        description=(
            "Parse Python files (no import, no execution) and report global process kills, "
            "shared stores, fixed ports, shared scratch dirs, home-made locks, environment and "
            "process state left changed, sleeps instead of readiness checks, top-only stops and "
            "unmarked users of wide-scoped server fixtures. Without PATH: tests/ plus the "
            "project's own packages, named on the first line. "
            "Exit 0 when clean, 1 with findings, 2 on bad input."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to check (default: tests and the project's own packages: "
        "[tool.mmpgate] coverage_source, the coverage source, or the packages next to tests/)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=FORMATS[0],
        help="text (grouped by file), json, github (workflow annotations) or sarif "
        "(SARIF 2.1.0 for GitHub code scanning)",
    )
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Scan, print the report, and return 0 (clean) or 1 (findings)."""
    from mmpgate.doctor import Format, load, render, scan, scope
    from mmpgate.doctor.pytest_ini import mlflow_autouse

    config = load(Path.cwd())
    checked = scope.given(args.paths) if args.paths else scope.default(Path.cwd())
    result = scan(list(checked.paths), config, mlflow_autouse=mlflow_autouse(Path.cwd()))
    sys.stdout.write(render(result.findings, result.files, Format(args.format), checked))
    return int(ExitCode.GATE_FAILED if result.findings else ExitCode.OK)
