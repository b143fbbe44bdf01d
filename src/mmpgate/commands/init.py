"""`mmpgate init [--from-run]`: a starter configuration and a commented thresholds.yml."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mmpgate.errors import ExitCode


def register(subparsers: Any) -> None:
    """Add the `init` subcommand."""
    parser = subparsers.add_parser(
        "init",
        help="write [tool.mmpgate] (or mmpgate.yml) and a commented thresholds.yml for this project",
        description="Look at the test directories, markers, packages, coverage configuration and "
        "CI files, then write what is missing. An existing file is never overwritten.",
    )
    parser.add_argument(
        "--from-run",
        action="store_true",
        help="run every group once and set the thresholds from what it measured, with margins",
    )
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Detect, write, and print what was found and the next two commands."""
    from mmpgate.init.service import NEXT, init_project

    result = init_project(Path.cwd(), from_run=args.from_run)
    found = result.found
    for group in found.groups:
        print(f"mmpgate init: group {group.name}: {group.why}")
    package = ", ".join(found.packages) or "none (coverage off)"
    print(f"mmpgate init: package: {package}" + (" (src layout)" if found.src_layout else ""))
    if found.workflows:
        print(
            f"mmpgate init: CI: .github/workflows has {', '.join(found.workflows)}; "
            "the README's 'Use it in GitHub Actions' shows the step to add"
        )
    for path in result.written:
        print(f"mmpgate init: wrote {path.name}")
    for path in result.kept:
        print(f"mmpgate init: kept {path.name} as it is (never overwritten)")
    print("next:")
    for command in NEXT:
        print(f"  {command}")
    return int(ExitCode.OK)
