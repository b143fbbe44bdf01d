"""The pytest plugin: options and hooks only. Records metrics when `--mmpgate-metrics` is given.

Kept cheap to import: it loads in every pytest run of an environment where mmpgate is installed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mmpgate.metrics.format import DEFAULT_SLOWEST

if TYPE_CHECKING:
    from mmpgate.metrics.document import Coverage, Shard
    from mmpgate.record import Recorder

PLUGIN_NAME = "mmpgate-metrics-recorder"


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise pytest.UsageError(f"--mmpgate-slowest: expected an integer, got {value!r}") from None
    if number < 0:
        raise pytest.UsageError(f"--mmpgate-slowest: expected 0 or more, got {number}")
    return number


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mmpgate", "mmpgate per-group metrics")
    group.addoption(
        "--mmpgate-metrics",
        metavar="PATH",
        default=None,
        help="write this run's metrics JSON to PATH (ini: mmpgate_metrics).",
    )
    group.addoption(
        "--mmpgate-group",
        metavar="NAME",
        default=None,
        help="group name recorded in the metrics (ini: mmpgate_group; default: the file name's stem).",
    )
    group.addoption(
        "--mmpgate-slowest",
        metavar="N",
        type=_positive_int,
        default=None,
        help=f"how many slowest tests to list in the metrics (ini: mmpgate_slowest; default {DEFAULT_SLOWEST}).",
    )
    group.addoption(
        "--mmpgate-coverage-xml",
        metavar="PATH",
        default=None,
        help="coverage XML to read the group's coverage from (default: pytest-cov's xml report).",
    )
    group.addoption(
        "--mmpgate-shard",
        metavar="K/N",
        default=None,
        help="run only shard K of N of the collected tests (the rest is deselected).",
    )
    group.addoption(
        "--mmpgate-durations-from",
        metavar="PATH",
        default=None,
        help="balance the shards by the durations in PATH: a results directory, a metrics file "
        "or a metrics.total.json (default: split by count).",
    )
    group.addoption(
        "--mmpgate-list-collected",
        metavar="PATH",
        default=None,
        help="write the collected test IDs to PATH as JSON (mmpgate run --all: group completeness).",
    )
    parser.addini("mmpgate_metrics", "write this run's metrics JSON to this path", default="")
    parser.addini("mmpgate_group", "group name recorded in the metrics", default="")
    parser.addini("mmpgate_slowest", "how many slowest tests to list", default=str(DEFAULT_SLOWEST))
    parser.addini(
        "mmpgate_coverage_xml", "coverage XML to read the group's coverage from", default=""
    )


def _setting(config: pytest.Config, option: str, ini: str) -> Any:
    value = config.getoption(option)
    if value is None or value == "":
        value = config.getini(ini) or None
    return value


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("mmpgate_shard"):
        _register_shard(config)  # on xdist workers too: each collects and keeps the same shard
    listing = config.getoption("mmpgate_list_collected")
    if listing and not hasattr(config, "workerinput"):
        from mmpgate.run.assignment import CollectedLister

        path = Path(listing)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        config.pluginmanager.register(CollectedLister(path), "mmpgate-list-collected")
    if hasattr(config, "workerinput"):
        return  # xdist workers: the controller sees every report again and records there.
    path = _setting(config, "mmpgate_metrics", "mmpgate_metrics")
    if not path:
        return
    metrics_path = Path(path)
    if not metrics_path.is_absolute():
        metrics_path = Path(config.invocation_params.dir) / metrics_path
    group = _setting(config, "mmpgate_group", "mmpgate_group") or _group_from_path(metrics_path)
    from mmpgate.metrics.names import group_name_problem

    problem = group_name_problem(group)
    if problem is not None:
        raise pytest.UsageError(f"--mmpgate-group (or the metrics file's name): {problem}")
    slowest = _setting(config, "mmpgate_slowest", "mmpgate_slowest")
    coverage_xml = _setting(config, "mmpgate_coverage_xml", "mmpgate_coverage_xml")
    recorder = MetricsPlugin(
        config,
        metrics_path=metrics_path,
        group=str(group),
        slowest=_positive_int(str(slowest)),
        coverage_xml=Path(coverage_xml) if coverage_xml else None,
    )
    config.pluginmanager.register(recorder, PLUGIN_NAME)


def _register_shard(config: pytest.Config) -> None:
    from mmpgate.shard.select import PLUGIN_NAME as SHARD_PLUGIN
    from mmpgate.shard.select import ShardSelector, parse_spec

    spec = parse_spec(str(config.getoption("mmpgate_shard")))
    durations = config.getoption("mmpgate_durations_from")
    path = None
    if durations:
        path = Path(durations)
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
    group = _setting(config, "mmpgate_group", "mmpgate_group")
    if not group:
        metrics = _setting(config, "mmpgate_metrics", "mmpgate_metrics")
        group = _group_from_path(Path(metrics)).partition(".shard-")[0] if metrics else "default"
    config.pluginmanager.register(ShardSelector(config, spec, path, str(group)), SHARD_PLUGIN)


def _group_from_path(path: Path) -> str:
    stem = path.name.removesuffix(".json")
    return stem.removeprefix("metrics.") or "default"


class MetricsPlugin:
    """Registered on the controller only, when metrics were asked for."""

    def __init__(
        self,
        config: pytest.Config,
        *,
        metrics_path: Path,
        group: str,
        slowest: int,
        coverage_xml: Path | None,
    ) -> None:
        self.config = config
        self.metrics_path = metrics_path
        self.group = group
        self.coverage_xml = coverage_xml
        from mmpgate.record import Recorder  # imported only in runs that record

        self.recorder: Recorder = Recorder(slowest=slowest)
        self.started_wall = time.time()
        self.started = time.perf_counter()
        self.interruption: BaseException | None = None
        # What the coverage XML looked like before this run: a file still like this at the end
        # was left by an earlier run (this one was interrupted or did not measure coverage).
        self.coverage_before = _file_signature(self._coverage_file())
        self.selected: int | None = None
        self.deselected = 0
        self.workers: set[str] = set()
        # Workers alive at once, at most: a crashed worker's replacement is no extra worker.
        self.live_workers: set[str] = set()
        self.peak_workers = 0
        self.worker_items: int | None = None
        self.written = False
        # The last report pytest_report_teststatus was asked about, and its answer.
        self._status_of: object = None
        self._status: Any = None

    # -- collection -------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started_wall = time.time()
        self.started = time.perf_counter()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed or report.skipped:
            self.recorder.add_collect_report(
                nodeid=report.nodeid,
                failed=report.failed,
                counts=getattr(report, "count_towards_summary", True),
                message=_message(report),
            )

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)
        self.recorder.add_deselected(len(items))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        # Every worker collects the same items; one worker's count is the run's.
        self.worker_items = len(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodeready(self, node: Any) -> None:
        self.workers.add(str(node.gateway.id))
        self.live_workers.add(str(node.gateway.id))
        self.peak_workers = max(self.peak_workers, len(self.live_workers))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        self.live_workers.discard(str(node.gateway.id))

    # -- running ----------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        # The terminal reporter asks this hook about every report just before the (trylast)
        # logreport below: keep its answer rather than asking every plugin a second time.
        status = yield
        self._status_of = report
        self._status = status
        return status

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        when = report.when
        if report.passed and when in ("setup", "teardown"):
            # pytest's own answer for these, two of every test's three reports: skip the hook call.
            category = ""
        else:
            if self._status_of is report:
                status = self._status
            else:  # no terminal reporter asked (-p no:terminal): ask the hook ourselves
                status = self.config.hook.pytest_report_teststatus(
                    report=report, config=self.config
                )
            category = status[0] if status else ""
        lineno = report.location[1]
        self.recorder.add_test_report(
            nodeid=report.nodeid,
            when=when or "",
            category=category,
            duration=float(getattr(report, "duration", 0.0) or 0.0),
            counts=getattr(report, "count_towards_summary", True),
            message=_message(report) if category not in ("", "passed") else None,
            line=lineno + 1 if isinstance(lineno, int) else None,
        )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Fires for Ctrl-C, pytest.exit(), "Interrupted: N errors during collection", and for
        # pytest-xdist's own stop after -x/--maxfail (which `write` tells apart).
        self.interruption = excinfo.value

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.write(session, int(exitstatus))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # pytest did not reach sessionfinish (an internal error): still leave an incomplete file.
        if not self.written:
            self.write(None, None)

    # -- output -----------------------------------------------------------------------------
    def write(self, session: pytest.Session | None, exitstatus: int | None) -> None:
        from mmpgate.metrics.environment import describe  # not needed at import time
        from mmpgate.metrics.writing import write_json

        selected = self.worker_items if self.workers else self.selected
        collected = None if selected is None else selected + self.deselected
        stop_asked = bool(session and (session.shouldfail or session.shouldstop))
        truncated = selected is None or self.recorder.finished_tests < selected
        # pytest-xdist ends a run stopped by -x/--maxfail by raising its own Interrupted (exit
        # status 2): that is a stop the user asked for, not an interruption.
        xdist_stop = stop_asked and _is_xdist_stop(self.interruption)
        interrupted = session is None or (
            not xdist_stop
            and (self.interruption is not None or exitstatus == pytest.ExitCode.INTERRUPTED)
        )
        coverage_file = self._coverage_file()
        from mmpgate.record import RunFacts

        shard = self._shard()
        if shard is not None and session is not None:
            exitstatus = int(session.exitstatus)  # an empty shard passes (not pytest's 5)
            if self.workers:  # the workers deselected the other shards' tests, unseen here
                self.recorder.add_deselected(shard["plan"]["collected"] - shard["selected"])
                collected = shard["plan"]["collected"]
        facts = RunFacts(
            group=self.group,
            exit_status=exitstatus,
            interrupted=interrupted,
            stopped_early=stop_asked and truncated,
            stop_asked=stop_asked,
            collected=collected,
            wall=time.perf_counter() - self.started,
            environment=describe(self.config, workers=self.peak_workers, started=self.started_wall),
            coverage=self._coverage(coverage_file),
            source={
                "producer": "plugin",
                "coverage_xml": str(coverage_file) if coverage_file else None,
            },
            reason="pytest ended before the session finished" if session is None else _note(shard),
            shard=shard,
        )
        write_json(self.metrics_path, self.recorder.build(facts))
        self.written = True

    def _shard(self) -> Shard | None:
        if not self.config.getoption("mmpgate_shard"):
            return None  # not a shard: no need to import the shard selector to find none
        from mmpgate.shard.select import PLUGIN_NAME as SHARD_PLUGIN

        selector = self.config.pluginmanager.get_plugin(SHARD_PLUGIN)
        return None if selector is None else selector.record

    def _coverage_file(self) -> Path | None:
        if self.coverage_xml is not None:
            path = self.coverage_xml
        else:
            reports = getattr(self.config.option, "cov_report", None) or {}
            if not isinstance(reports, dict) or "xml" not in reports:
                return None
            path = Path(reports["xml"] or "coverage.xml")
        if not path.is_absolute():
            path = Path(self.config.invocation_params.dir) / path
        return path

    def _coverage(self, path: Path | None) -> Coverage | None:
        from mmpgate.errors import MmpgateError
        from mmpgate.metrics.coverage_xml import read_totals

        # A coverage XML this session did not (re)write belongs to an earlier run: never report it.
        if path is None or not path.is_file() or _file_signature(path) == self.coverage_before:
            return None
        try:
            return read_totals(path)
        except MmpgateError:
            return None


def _note(shard: Shard | None) -> str | None:
    """The `empty-shard` reason of a shard left without tests (more shards than tests)."""
    if shard is None or shard["selected"]:
        return None
    from mmpgate.shard.select import EMPTY_SHARD

    return (
        f"{EMPTY_SHARD}: shard {shard['index']}/{shard['total']} holds none of the group's "
        f"{shard['plan']['collected']} tests (more shards than tests)"
    )


def _file_signature(path: Path | None) -> tuple[int, int, int, int] | None:
    """Identity and change stamps of a file; None when it does not exist."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _is_xdist_stop(exc: BaseException | None) -> bool:
    """pytest-xdist's Interrupted raised for -x/--maxfail (not for a worker's Ctrl-C or exit)."""
    if exc is None or type(exc).__module__.split(".")[0] != "xdist":
        return False
    return "keyboard-interrupt" not in str(exc)


def _message(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    from mmpgate.record import first_line

    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return first_line(str(longrepr[2]))  # skip: (path, lineno, reason)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return first_line(str(crash.message))
    text = str(longrepr).strip().splitlines()
    return first_line(text[-1] if text else None)
