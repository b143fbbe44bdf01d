"""`mmpgate collect`: a metrics file from a JUnit XML, a coverage XML and a pytest console log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mmpgate.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `collect` subcommand."""
    parser = subparsers.add_parser(
        "collect",
        help="build a metrics file from artifacts of a run made without the plugin",
        description=(
            "Build a metrics file from a pytest JUnit XML (required), a coverage XML and a saved "
            "pytest console log. Without the console log the file is marked incomplete: a JUnit "
            "file alone cannot show that the run was whole."
        ),
    )
    parser.add_argument(
        "--junit", required=True, type=Path, metavar="FILE", help="pytest JUnit XML"
    )
    parser.add_argument(
        "--coverage-xml", type=Path, metavar="FILE", help="the group's coverage XML (Cobertura)"
    )
    parser.add_argument(
        "--console-log",
        type=Path,
        metavar="FILE",
        help="saved pytest console output: its summary line and --durations list",
    )
    parser.add_argument("--group", required=True, metavar="NAME", help="group name, e.g. unit")
    parser.add_argument(
        "--slowest", type=int, default=20, metavar="N", help="slowest tests to list (default 20)"
    )
    parser.add_argument("--output", required=True, type=Path, metavar="FILE", help="metrics JSON")
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Build, validate and write the metrics file; print one result line and any mismatches."""
    from mmpgate.collect.build import Inputs, collect  # keeps `--help` fast
    from mmpgate.metrics.writing import refuse_inputs, refuse_other_group, write_json

    refuse_inputs(
        args.output,
        {
            "--junit": args.junit,
            "--coverage-xml": args.coverage_xml,
            "--console-log": args.console_log,
        },
    )
    refuse_other_group(args.output, args.group)
    result = collect(
        Inputs(
            junit=args.junit,
            group=args.group,
            coverage_xml=args.coverage_xml,
            console_log=args.console_log,
            slowest=args.slowest,
        )
    )
    for note in result.notes:
        print(f"mmpgate collect: warning: {note}", file=sys.stderr)
    write_json(args.output, result.document)
    counts = result.document["counts"]
    state = (
        "complete" if result.document["complete"] else f"incomplete ({result.document['reason']})"
    )
    print(
        f"mmpgate collect: {args.group}: {counts['total']} outcomes "
        f"({counts['passed']} passed, {counts['failed']} failed, {counts['errors']} errors, "
        f"{counts['skipped']} skipped, {counts['xfailed']} xfailed, {counts['xpassed']} xpassed), "
        f"{state} -> {args.output}"
    )
    return int(ExitCode.OK)
