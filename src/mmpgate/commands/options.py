"""Options that several subcommands share (argparse wiring only)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by `run` and `ci`."""
    parser.add_argument("groups", nargs="*", metavar="GROUP", help="groups to run (default: all)")
    parser.add_argument(
        "--all", action="store_true", dest="run_all", help="run every configured group"
    )
    parser.add_argument(
        "--results-dir",
        metavar="DIR",
        default=None,
        help="results directory (default: the `output` setting, mmpgate-results)",
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
