"""The shard selection inside pytest: at collection, keep shard K of N and deselect the rest.

Registered only when `--mmpgate-shard` is given. Deselecting (instead of filtering node ids on the
command line) keeps every count pytest's own: the terminal, `-k`/`-m` and the metrics agree. Under
pytest-xdist each worker collects and selects the same shard (the split is deterministic); the
first worker sends what it planned to the controller, which records it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from mmpgate.metrics.document import Shard, ShardDurations, ShardPlan
from mmpgate.shard.durations import Durations, describe, load_durations, match, nodeids_digest
from mmpgate.shard.split import Collected, parse_shard, split

PLUGIN_NAME = "mmpgate-shard"
_WIDE_SCOPES = frozenset(("module", "package", "session"))
EMPTY_SHARD = "empty-shard"


@dataclasses.dataclass(frozen=True, slots=True)
class ShardSpec:
    """Shard `index` of `total` (1-based)."""

    index: int
    total: int


def parse_spec(text: str) -> ShardSpec:
    """`K/N` with 1 <= K <= N, else a usage error saying so."""
    try:
        return ShardSpec(*parse_shard(text))
    except ValueError as exc:
        raise pytest.UsageError(f"--mmpgate-shard: {exc}") from None


def describe_item(item: pytest.Item) -> Collected:
    """The split's view of a collected test: its class, wide fixtures and xdist group."""
    cls = next((node.nodeid for node in item.listchain() if isinstance(node, pytest.Class)), None)
    # Fixture scopes are only reachable through the item's fixture info (no public accessor);
    # without it the module is simply not kept together.
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {}) or {}
    wide = any(
        defs and getattr(defs[-1], "scope", None) in _WIDE_SCOPES for defs in definitions.values()
    )
    marker = item.get_closest_marker("xdist_group")
    group = None
    if marker is not None:
        group = str(marker.args[0] if marker.args else marker.kwargs.get("name", ""))
    return Collected(
        nodeid=item.nodeid,
        module=item.nodeid.split("::", 1)[0],
        cls=cls,
        module_fixture=wide,
        xdist_group=group,
    )


def run_identity(rootdir: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The run a shard belongs to: the commit (GITHUB_SHA, else the checkout's), the CI run id
    (GITHUB_RUN_ID; MMPGATE_SHARD_RUN elsewhere, None when neither is set) and the attempt."""
    from mmpgate.metrics.environment import git_commit

    env = os.environ if environ is None else environ
    attempt = env.get("GITHUB_RUN_ATTEMPT", "")
    return {
        "commit": git_commit(rootdir),
        "run_id": env.get("GITHUB_RUN_ID") or env.get("MMPGATE_SHARD_RUN") or None,
        "attempt": int(attempt) if attempt.isdigit() else 1,
    }


def shard_record(
    spec: ShardSpec,
    collected: list[str],
    durations: Durations | None,
    selected: int,
    matched: int,
    median: float | None,
    predicted: float,
    rootdir: Path,
) -> Shard:
    """The metrics document's `shard` object: which shard of which plan of which run."""
    collection = nodeids_digest(collected)
    source_digest = durations.digest if durations is not None else None
    identity = run_identity(rootdir)
    used = None
    if durations is not None:
        used = ShardDurations(
            source=durations.source, digest=durations.digest, matched=matched, median=median
        )
    return Shard(
        index=spec.index,
        total=spec.total,
        selected=selected,
        attempt=int(identity["attempt"]),
        predicted=round(predicted, 6),
        plan=ShardPlan(
            digest=nodeids_digest([f"{collection}|{source_digest}|{spec.total}"]),
            collection=collection,
            collected=len(collected),
            durations=used,
            commit=identity["commit"],
            run_id=identity["run_id"],
        ),
    )


class ShardSelector:
    """Keeps one shard at collection; makes an empty shard pass with a note."""

    def __init__(
        self, config: pytest.Config, spec: ShardSpec, durations_from: Path | None, group: str
    ) -> None:
        self.config = config
        self.spec = spec
        self.durations_from = durations_from
        self.group = group
        self.record: Shard | None = None
        self.line = ""

    @pytest.hookimpl(trylast=True)  # after -k / -m and other plugins' deselection
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        from mmpgate.errors import MmpgateError

        tests = [describe_item(item) for item in items]
        try:
            durations = (
                load_durations(self.durations_from, self.group) if self.durations_from else None
            )
        except MmpgateError as exc:
            raise pytest.UsageError(f"--mmpgate-durations-from: {exc}") from None
        recorded = match([t.nodeid for t in tests], durations.seconds) if durations else {}
        planned = split(tests, recorded, self.spec.total)
        keep = set(planned.shards[self.spec.index - 1])
        selected = [item for item in items if item.nodeid in keep]
        deselected = [item for item in items if item.nodeid not in keep]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = selected
        self.record = shard_record(
            self.spec,
            [t.nodeid for t in tests],
            durations,
            len(selected),
            len(recorded),
            planned.median,
            planned.predicted[self.spec.index - 1],
            config.rootpath,
        )
        spec = f"{self.spec.index}/{self.spec.total}"
        self.line = (
            f"mmpgate: shard {spec}: {len(selected)} of {len(tests)} tests;"
            f" {describe(durations, len(recorded), len(tests), planned.median)}"
        )
        if not selected:
            self.line += f"; {EMPTY_SHARD}: more shards than tests, this one passes with none"
        workeroutput = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["mmpgate_shard"] = self.record
            workeroutput["mmpgate_shard_line"] = self.line

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None) or {}
        if self.record is None and "mmpgate_shard" in output:
            self.record = output["mmpgate_shard"]
            self.line = output.get("mmpgate_shard_line", "")

    @property
    def empty(self) -> bool:
        """This shard holds no test."""
        return self.record is not None and self.record["selected"] == 0

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.empty and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.OK

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.line:
            terminalreporter.write_line(self.line)
