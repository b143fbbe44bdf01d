"""`mmpgate export --format ctrf|junit`: a run's results for tools that read those formats."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from mmpgate.errors import ExitCode

FORMATS = ("ctrf", "junit")


def register(subparsers: Any) -> None:
    """Add the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="write the run as CTRF JSON or as one merged JUnit XML with file and line",
        description="Convert a results directory: CTRF JSON (group as the test type, real "
        "retries only, one runId across shards) or one JUnit XML of every group.",
    )
    parser.add_argument("--format", choices=FORMATS, required=True, help="ctrf or junit")
    parser.add_argument(
        "--metrics",
        type=Path,
        default=Path("mmpgate-results"),
        metavar="DIR",
        help="results directory (default: mmpgate-results)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="file to write (default: stdout)"
    )
    parser.add_argument(
        "--run-id",
        default=None,
        metavar="ID",
        help="CTRF runId shared by every shard (default: the Actions run, else the git commit)",
    )
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Convert and write; exit 2 on bad input or an output that is one of the inputs."""
    from mmpgate.metrics.reading import check_output, group_documents
    from mmpgate.metrics.writing import write_text

    if args.output is not None:
        check_output(args.output, [args.metrics])
    documents = group_documents(args.metrics)
    if args.format == "ctrf":
        import json

        from mmpgate.export.ctrf import ctrf_document

        text = json.dumps(ctrf_document(documents, os.environ, args.run_id), indent=2) + "\n"
    else:
        from mmpgate.export.junit import junit_xml

        text = junit_xml(documents)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text(args.output, text)
    return int(ExitCode.OK)
