"""An installed but unused mmpgate does nothing per test; using a marker, fixture or option
switches the stabilization machinery on. Observed from inside real pytest runs."""

from __future__ import annotations

import json
import os

import pytest

# The inner run's conftest: every test records what mmpgate set up around it, and each pytest
# process records at its end which mmpgate modules it imported (the controller after its last
# hook; a worker at its session's end, since the controller may stop it right after).
OBSERVER = """
import json, os, sys
from pathlib import Path
import pytest

OUT = Path({out!r})
RUNS = Path({runs!r})
PER_TEST_HOOKS = (
    "pytest_runtest_protocol", "pytest_runtest_setup", "pytest_runtest_call",
    "pytest_runtest_teardown", "pytest_runtest_makereport", "pytest_runtest_logreport",
    "pytest_fixture_setup", "pytest_fixture_post_finalizer", "pytest_report_teststatus",
)
PLUGINS = ("mmpgate-stabilize-session", "mmpgate-metrics-recorder", "mmpgate-mlflow-autouse")

def _who(config):  # not PYTEST_XDIST_WORKER: an outer xdist run's value reaches the controller
    return config.workerinput["workerid"] if hasattr(config, "workerinput") else "main"

def _owner(impl):
    return getattr(impl.plugin, "__name__", None) or type(impl.plugin).__module__

@pytest.fixture(autouse=True)
def _observe(request):
    hooks = request.node.ihook
    seen = {{
        "nodeid": request.node.nodeid,
        "env": {{k: v for k, v in os.environ.items() if k.startswith("MMPGATE_")}},
        "plugins": {{n: request.config.pluginmanager.get_plugin(n) is not None for n in PLUGINS}},
        "hook_owners": sorted(
            {{_owner(impl) for name in PER_TEST_HOOKS for impl in getattr(hooks, name).get_hookimpls()}}
        ),
        "run_dirs": sorted(os.listdir(RUNS)) if RUNS.is_dir() else [],
    }}
    OUT.mkdir(exist_ok=True)
    with open(OUT / f"tests-{{_who(request.config)}}.jsonl", "a") as f:
        f.write(json.dumps(seen) + "\\n")

def _modules(config):
    OUT.mkdir(exist_ok=True)
    names = sorted(m for m in sys.modules if m.startswith("mmpgate"))
    (OUT / f"modules-{{_who(config)}}.json").write_text(json.dumps(names))

@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):  # a worker may be stopped before unconfigure
        _modules(session.config)

@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        _modules(config)
"""

#: The inner runs need neither the cache nor hypothesis's plugin (a second per run).
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
PLAIN = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"
MODES = {"serial": (), "xdist": ("-n", "2")}


@pytest.fixture
def observed(pytester, tmp_path, monkeypatch):
    """Runs pytest in a subprocess with the observer; returns (run, per-test records, modules)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "observed"
    runs = temp / f"mmpgate-{os.getuid()}"
    for name in list(os.environ):
        if name.startswith(("MMPGATE_", "MMP_")):  # an enclosing run's tags are not the inner's
            monkeypatch.delenv(name)
    monkeypatch.setenv("TMPDIR", str(temp))  # the inner run's run directories go here
    pytester.makeconftest(OBSERVER.format(out=str(out), runs=str(runs)))

    def run(*args):
        result = pytester.runpytest_subprocess(*QUIET, *args)
        tests = []
        for path in sorted(out.glob("tests-*.jsonl")):
            tests += [json.loads(line) for line in path.read_text().splitlines()]
        modules = {
            p.stem.split("-", 1)[1]: json.loads(p.read_text()) for p in out.glob("modules-*")
        }
        return result, {t["nodeid"]: t for t in tests}, modules, runs

    return run


@pytest.mark.parametrize("mode", list(MODES))
def test_unused_run_does_no_mmpgate_work_per_test(observed, pytester, mode):
    """No option, marker or fixture: no run dir, no MMPGATE_* tag, no stateful plugin, no
    mmpgate wrapper on any per-test hook, no leak scan in any process."""
    pytester.makepyfile(test_plain=PLAIN)
    result, tests, modules, runs = observed(*MODES[mode])
    result.assert_outcomes(passed=2)
    assert len(tests) == 2
    for seen in tests.values():
        assert seen["env"] == {}
        assert seen["run_dirs"] == []
        assert not any(seen["plugins"].values())
        assert [o for o in seen["hook_owners"] if o.startswith("mmpgate")] == []
    assert set(modules) == ({"main", "gw0", "gw1"} if mode == "xdist" else {"main"})
    for names in modules.values():
        assert "mmpgate.stabilize.session" not in names
        assert "mmpgate.stabilize.leaks" not in names  # the process scan was never loaded
        assert "mmpgate.record" not in names
    assert not runs.exists()


def test_a_directory_named_like_the_marker_switches_nothing_on(observed, pytester):
    """`server` is among the keywords of tests under `server/` (node names are keywords); only
    the marker itself switches the run on."""
    (pytester.path / "server").mkdir()
    (pytester.path / "server" / "test_plain.py").write_text(PLAIN)
    result, tests, modules, runs = observed(*MODES["serial"])
    result.assert_outcomes(passed=2)
    for seen in tests.values():
        assert seen["env"] == {}
        assert not any(seen["plugins"].values())
    assert "mmpgate.stabilize.session" not in modules["main"]
    assert not runs.exists()


SERVER_MARKED = "import pytest\n\n@pytest.mark.server\ndef test_marked():\n    pass\n"
FIXTURE_USER = """
import pytest

@pytest.fixture(scope="module")
def api(module_server_factory):  # a project fixture built on mmpgate's: counted through it
    return module_server_factory

def test_uses_factory(api):
    assert api.servers == []
"""
DYNAMIC = """
import os

def test_asks_late(request):
    run_id = request.getfixturevalue("mmpgate_run_id")
    assert os.environ["MMPGATE_RUN_ID"] == run_id
"""
MODULE_MARKED = "import pytest\n\npytestmark = pytest.mark.server\n\ndef test_marked():\n    pass\n"
CLASS_MARKED = (
    "import pytest\n\n@pytest.mark.server\nclass TestMarked:\n    def test_marked(self):\n"
    "        pass\n"
)
TRIGGERS = {
    "marker": ((SERVER_MARKED,), ()),
    "module marker": ((MODULE_MARKED,), ()),
    "class marker": ((CLASS_MARKED,), ()),
    "fixture": ((FIXTURE_USER,), ()),
    "option": ((), ("--mmpgate-leaks=warn",)),
    "ini": ((), ("-o", "mmpgate_leaks=fail")),
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("trigger", list(TRIGGERS))
def test_a_marker_fixture_or_option_switches_every_test_on(observed, pytester, trigger, mode):
    """One marked test, one user of a server fixture, or the leaks option: every test of the run
    (the plain ones too) is tagged with the run id and its node id inside the run's directory,
    the per-test wrappers are registered, and the controller scans for leaks at the end."""
    sources, args = TRIGGERS[trigger]
    pytester.makepyfile(test_plain=PLAIN, **{f"test_trigger_{i}": s for i, s in enumerate(sources)})
    result, tests, modules, runs = observed(*MODES[mode], *args)
    result.assert_outcomes(passed=2 + len(sources))
    run_ids = {seen["env"]["MMPGATE_RUN_ID"] for seen in tests.values()}
    assert len(run_ids) == 1  # one run, whichever worker ran the test
    for nodeid, seen in tests.items():
        assert seen["env"]["MMPGATE_TEST_NODEID"] == nodeid
        assert seen["run_dirs"] == sorted(run_ids)
        assert seen["plugins"]["mmpgate-stabilize-session"]
        assert "mmpgate.stabilize.session" in seen["hook_owners"]
    assert "mmpgate.stabilize.leaks" in modules["main"]  # the controller's end-of-run scan
    assert list(runs.iterdir()) == []  # and the run's directory is removed at the end


@pytest.mark.parametrize("mode", list(MODES))
def test_a_fixture_asked_for_at_run_time_switches_the_run_on(observed, pytester, mode):
    """`request.getfixturevalue("mmpgate_run_id")` in a test no collection check could see: the
    machinery starts then, the id is the one in the tags, and the end-of-run scan runs."""
    pytester.makepyfile(test_late=DYNAMIC)
    result, tests, modules, _runs = observed(*MODES[mode])
    result.assert_outcomes(passed=1)
    assert "mmpgate.stabilize.leaks" in modules["main"]
    assert next(iter(tests.values()))["env"] == {}  # recorded before the test asked


def test_mlflow_autouse_plugin_only_with_its_ini_key(observed, pytester):
    """The autouse MLflow fixture's plugin is registered only when mmpgate_mlflow_autouse is on."""
    opted_out = "import pytest\n\npytestmark = pytest.mark.no_mlflow_tracking\n\n" + PLAIN
    pytester.makepyfile(test_plain=opted_out)
    result, tests, _modules, _runs = observed("-o", "mmpgate_mlflow_autouse=true")
    result.assert_outcomes(passed=2)
    assert all(seen["plugins"]["mmpgate-mlflow-autouse"] for seen in tests.values())
