"""The `mmpgate` command line: one subcommand per module in `mmpgate.commands`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mmpgate import __version__
from mmpgate.errors import ExitCode, MmpgateError, one_line

#: Subcommands, each a module `mmpgate.commands.<name>` with `register(subparsers)` and `execute(args)`.
COMMANDS: tuple[str, ...] = (
    "run",
    "combine",
    "collect",
    "check",
    "ci",
    "doctor",
    "report",
    "export",
    "plan",
    "init",
    "quarantine",
    "history",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep its one-line message and usage."""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand registered."""
    parser = _Parser(prog="mmpgate", description="Per-group pytest metrics and a regression gate.")
    parser.add_argument("--version", action="version", version=f"mmpgate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"mmpgate.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 pass, 1 gate failed, 2 usage/config/input error)."""
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in arguments:
        cut = arguments.index("--")
        arguments, passthrough = arguments[:cut], arguments[cut + 1 :]
    args = parser.parse_args(arguments)
    if passthrough and not getattr(args, "accepts_passthrough", False):
        parser.error(f"{args.command} takes no pytest arguments after --")
    args.passthrough = passthrough
    try:
        code: int = args.execute(args)
    except MmpgateError as exc:
        print(f"mmpgate {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
        return int(ExitCode.USAGE_ERROR)
    except KeyboardInterrupt:
        print(f"mmpgate {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
