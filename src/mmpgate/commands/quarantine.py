"""`mmpgate quarantine add TEST ... | list`: edit and show quarantine.yml without hand-editing YAML."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from mmpgate.errors import ExitCode, UsageError

DEFAULT_FILE = "quarantine.yml"


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def register(subparsers: Any) -> None:
    """Add the `quarantine` subcommand and its actions."""
    parser = subparsers.add_parser(
        "quarantine",
        help="add a test to quarantine.yml (it still runs; its failures do not block) or list it",
        description="Quarantined tests still run; their failures are listed, not counted. Each "
        "entry has a reason, an owner, an issue and an expiry, after which it fails the gate.",
    )
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="add or list"
    )
    add = actions.add_parser("add", help="add or replace one entry (written atomically)")
    add.add_argument("test", metavar="TEST", help="node id or node-id prefix (module, class)")
    add.add_argument("--reason", required=True, help="why it is quarantined")
    add.add_argument("--owner", required=True, help="who releases it, e.g. @ml-platform")
    add.add_argument("--issue", required=True, help="URL or reference of the fix's issue")
    add.add_argument(
        "--expires", required=True, type=_date, metavar="YYYY-MM-DD", help="last day it holds"
    )
    add.add_argument(
        "--file",
        type=Path,
        default=Path(DEFAULT_FILE),
        metavar="FILE",
        help=f"default {DEFAULT_FILE}",
    )
    add.set_defaults(execute=execute_add)
    show = actions.add_parser("list", help="print the entries, expired ones marked")
    show.add_argument(
        "--file",
        type=Path,
        default=Path(DEFAULT_FILE),
        metavar="FILE",
        help=f"default {DEFAULT_FILE}",
    )
    show.set_defaults(execute=execute_list)


def execute_add(args: argparse.Namespace) -> int:
    """Validate, add, write atomically, print one line."""
    from mmpgate.flaky.quarantine import Entry, add_entry

    for name in ("test", "reason", "owner", "issue"):
        if not str(getattr(args, name)).strip():
            raise UsageError(f"--{name}: expected a non-empty value")
    entry = Entry(args.test, args.reason, args.owner, args.issue, args.expires)
    result, replaced = add_entry(args.file, entry, today=dt.datetime.now(dt.timezone.utc).date())
    verb = "replaced" if replaced else "added"
    print(
        f"mmpgate quarantine: {verb} {args.test} (owner {args.owner}, expires "
        f"{args.expires.isoformat()}) -> {args.file} ({len(result.entries)} entries)"
    )
    return int(ExitCode.OK)


def execute_list(args: argparse.Namespace) -> int:
    """Print every entry; exit 1 when one has expired."""
    from mmpgate.flaky.quarantine import load_quarantine

    quarantine = load_quarantine(args.file, required=True)
    today = dt.datetime.now(dt.timezone.utc).date()
    expired = 0
    for entry in quarantine.entries:
        state = "EXPIRED" if entry.expired(today) else "holds"
        expired += entry.expired(today)
        print(
            f"{entry.test}  [{state} until {entry.expires.isoformat()}]  owner {entry.owner}  "
            f"issue {entry.issue}  reason: {entry.reason}"
        )
    print(f"mmpgate quarantine: {len(quarantine.entries)} entries, {expired} expired ({args.file})")
    return int(ExitCode.GATE_FAILED if expired else ExitCode.OK)
