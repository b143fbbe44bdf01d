"""`mmpgate history add [DIR] | show`: record runs' per-test outcomes; print rates over the last N."""

from __future__ import annotations

import argparse
from typing import Any

from mmpgate.errors import ExitCode

DEFAULT_STORE = "mmpgate-history.sqlite"
STORE_HELP = f"a SQLite file (default {DEFAULT_STORE}) or a postgresql:// URL"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {number}")
    return number


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected 0 to 1, got {number}")
    return number


def register(subparsers: Any) -> None:
    """Add the `history` subcommand and its actions."""
    parser = subparsers.add_parser(
        "history",
        help="record a run's per-test outcomes in the run history; show flaky tests across runs",
        description="The history is a SQLite file (default ./mmpgate-history.sqlite) or a "
        "postgresql:// URL (--store), for jobs that write concurrently.",
    )
    actions = parser.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="add or show"
    )
    add = actions.add_parser("add", help="record the run in a results directory")
    add.add_argument(
        "directory",
        nargs="?",
        default="mmpgate-results",
        metavar="DIR",
        help="results directory with metrics.<group>.json (default: mmpgate-results)",
    )
    add.add_argument("--store", default=DEFAULT_STORE, metavar="PATH_OR_URL", help=STORE_HELP)
    add.add_argument("--run-id", default=None, help="unique run key (default: Actions run id)")
    add.add_argument("--commit", default=None, help="commit (default: the metrics' git commit)")
    add.add_argument("--branch", default=None, help="branch (default: Actions ref, else git)")
    add.add_argument(
        "--keep-runs",
        type=_positive,
        default=None,
        metavar="N",
        help="retention: keep only the newest N runs (default: keep all)",
    )
    add.set_defaults(execute=execute_add)
    show = actions.add_parser("show", help="failure, flaky and flip rates per test")
    show.add_argument("--store", default=DEFAULT_STORE, metavar="PATH_OR_URL", help=STORE_HELP)
    show.add_argument("--last", type=_positive, default=50, metavar="N", help="runs (default 50)")
    show.add_argument(
        "--flip-threshold",
        type=_fraction,
        default=0.3,
        metavar="RATE",
        help="flip rate from which a test is flaky (flip_rate definition, default 0.3)",
    )
    show.add_argument(
        "--min-runs",
        type=_positive,
        default=10,
        metavar="N",
        help="runs the flip_rate definition needs (default 10)",
    )
    show.add_argument("--all", action="store_true", help="every test, not only the red ones")
    show.add_argument("--format", choices=("text", "json"), default="text", help="default text")
    show.set_defaults(execute=execute_show)


def execute_add(args: argparse.Namespace) -> int:
    """Read every group file, record them as one run, apply retention; print one line."""
    from pathlib import Path

    from mmpgate.flaky.history import ResultRecord, open_store
    from mmpgate.flaky.history.records import group_files, records_of, run_identity
    from mmpgate.metrics.io import load_metrics

    records: list[ResultRecord] = []
    commit = None
    for path in group_files(Path(args.directory)):
        document = load_metrics(path)
        commit = commit or document["environment"].get("git_commit")
        records.extend(records_of(document))
        del document
    run = run_identity(args.run_id, args.commit, args.branch, commit)
    with open_store(args.store) as store:
        info = store.add_run(run, records)
        pruned = store.prune(args.keep_runs) if args.keep_runs else 0
        source = store.source
    kept = f", {pruned} old runs pruned" if pruned else ""
    print(
        f"mmpgate history: recorded run {info.run_key} ({info.tests} tests, commit "
        f"{info.commit or 'unknown'}, branch {info.branch or 'unknown'}){kept} -> {source}"
    )
    return int(ExitCode.OK)


def execute_show(args: argparse.Namespace) -> int:
    """Print per-test rates over the last N runs and which definition calls a test flaky."""
    import json

    from mmpgate.flaky.history import Definitions, open_store

    definitions = Definitions(
        last=args.last, flip_threshold=args.flip_threshold, min_runs=args.min_runs
    )
    with open_store(args.store, create=False) as store:
        runs = store.recent_runs(args.last)
        stats = store.test_stats(definitions)
        source = store.source
    shown = [s for s in stats if args.all or s.failures or s.flaky_runs or s.flips]
    if args.format == "json":
        document = {
            "store": source,
            "runs": len(runs),
            "definitions": {
                "same_commit": "passed and failed on the same commit (a flaky run counts)",
                "flip_rate": f">= {definitions.flip_threshold} over >= {definitions.min_runs} runs",
            },
            "tests": [
                {
                    "group": s.group,
                    "nodeid": s.nodeid,
                    "runs": s.runs,
                    "failure_rate": s.failure_rate,
                    "flaky_rate": s.flaky_rate,
                    "flip_rate": s.flip_rate,
                    "flaky_by": list(s.flaky_by),
                }
                for s in shown
            ],
        }
        print(json.dumps(document, indent=2, sort_keys=True))
        return int(ExitCode.OK)
    print(
        f"mmpgate history: {len(runs)} runs in {source}; flaky by same_commit (passed and failed "
        f"on one commit) or flip_rate (>= {definitions.flip_threshold:g} over >= "
        f"{definitions.min_runs} runs)"
    )
    print(f"{'group':<12} {'runs':>4} {'fail':>6} {'flaky':>6} {'flip':>6}  flaky by   test")
    for s in shown:
        print(
            f"{s.group:<12} {s.runs:>4} {_rate(s.failure_rate)} {_rate(s.flaky_rate)} "
            f"{_rate(s.flip_rate)}  {','.join(s.flaky_by) or '-':<10} {s.nodeid}"
        )
    return int(ExitCode.OK)


def _rate(value: float | None) -> str:
    return f"{'-':>6}" if value is None else f"{value:>6.1%}"
