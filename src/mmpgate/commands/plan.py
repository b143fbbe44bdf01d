"""`mmpgate plan --groups G [--shards JSON] [--stages S]`: the reusable workflow's job matrices."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `plan` subcommand."""
    from mmpgate.shard.matrix import DEFAULT_STAGES, MAX_STAGES

    parser = subparsers.add_parser(
        "plan",
        help="turn groups, shard counts and stages into the reusable workflow's job matrices",
        description=f"Print (and, in GitHub Actions, write as step outputs) stage-1..stage-{MAX_STAGES}: "
        "one JSON matrix per stage, `[]` for an unused stage; and `expected`: group -> shards.",
    )
    parser.add_argument(
        "--groups",
        required=True,
        metavar="NAMES",
        help="groups to run, separated by spaces or commas",
    )
    parser.add_argument(
        "--shards",
        default="",
        metavar="JSON",
        help="shards per group, e.g. '{\"unit\": 4}' (default: 1)",
    )
    parser.add_argument(
        "--stages",
        default=DEFAULT_STAGES,
        metavar="ORDER",
        help=f"stage order; groups it does not name join the last stage (default: {DEFAULT_STAGES!r})",
    )
    parser.add_argument("--json", action="store_true", help="print the outputs as one JSON object")
    parser.set_defaults(execute=execute)


def execute(args: argparse.Namespace) -> int:
    """Print the plan (its outputs as JSON with --json); 2 on a bad group, count or stage."""
    from mmpgate import github
    from mmpgate.shard.matrix import plan_from_text

    planned = plan_from_text(args.groups, args.shards, args.stages)
    outputs = planned.outputs()
    if args.json:
        print(json.dumps(outputs, indent=2))
    else:
        for number, stage in enumerate(planned.stages, start=1):
            print(f"mmpgate plan: stage {number}: {' '.join(job.name for job in stage)}")
    github.write_outputs(outputs)
    return 0
