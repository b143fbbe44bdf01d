"""The mlflow_tracking fixture in real pytest runs (pytester subprocesses, real MLflow stores)."""

from __future__ import annotations

import pytest

CONCURRENT_TESTS = 30
CONCURRENT = """
import mlflow
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_logs_runs(mlflow_tracking, n):
    for step in range(3):
        with mlflow.start_run() as run:
            mlflow.log_param("n", n)
            mlflow.log_metric("step", step)
            mlflow.log_text(f"test {{n}}", "note.txt")
    runs = mlflow.search_runs(experiment_ids=["0"], output_format="list")
    assert len(runs) == 3  # only this test's runs: nobody else writes to this store
    assert run.info.artifact_uri.startswith(str(mlflow_tracking.root))
    client = mlflow.MlflowClient()
    client.create_registered_model(f"model-{{n}}")
    assert [m.name for m in client.search_registered_models()] == [f"model-{{n}}"]
"""


def test_many_tests_write_runs_concurrently_without_lock_errors(pytester: pytest.Pytester) -> None:
    """30 tests on 2 workers each write runs and a model to MLflow: all pass, no 'database is locked'."""
    pytester.makepyfile(test_concurrent=CONCURRENT.format(count=CONCURRENT_TESTS))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=CONCURRENT_TESTS)
    assert "database is locked" not in result.stdout.str() + result.stderr.str()


LEAK = """
import mlflow


def test_a_leaks_a_run(mlflow_tracking):
    mlflow.start_run()


def test_b_starts_clean(mlflow_tracking):
    assert mlflow.active_run() is None
    assert mlflow.search_runs(experiment_ids=["0"], output_format="list") == []
"""

RESTORE = """
import os
import mlflow
import pytest

BEFORE = {name: os.environ.get(name) for name in
          ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_EXPERIMENT_ID",
           "MLFLOW_EXPERIMENT_NAME", "MLFLOW_ALLOW_FILE_STORE")}


@pytest.mark.mlflow_tracking(store="sqlite")
def test_a_inside(mlflow_tracking, tmp_path):
    assert os.environ["MLFLOW_TRACKING_URI"] == mlflow_tracking.tracking_uri
    assert os.environ["MLFLOW_REGISTRY_URI"] == mlflow_tracking.registry_uri
    assert "MLFLOW_EXPERIMENT_NAME" not in os.environ
    assert "MLFLOW_EXPERIMENT_ID" not in os.environ
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ
    assert mlflow.get_tracking_uri() == mlflow_tracking.tracking_uri
    assert mlflow.get_registry_uri() == mlflow_tracking.registry_uri
    assert mlflow_tracking.tracking_uri.startswith("sqlite:///")
    assert str(tmp_path) in mlflow_tracking.tracking_uri
    mlflow.set_experiment("changed-by-the-test")
    os.environ["MLFLOW_EXPERIMENT_NAME"] = "also-changed"


def test_b_after():
    after = {name: os.environ.get(name) for name in BEFORE}
    assert after == BEFORE
    assert BEFORE["MLFLOW_TRACKING_URI"] == "sqlite:///outer.db"
    assert BEFORE["MLFLOW_EXPERIMENT_NAME"] == "outer-experiment"
    assert mlflow.get_tracking_uri() == "sqlite:///outer.db"


def test_c_not_isolated_without_the_fixture():
    assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///outer.db"
"""

FILE_STORE = """
import os
import mlflow


def test_file_store_from_the_option(mlflow_tracking, tmp_path):
    assert mlflow_tracking.kind.value == "file"
    assert mlflow_tracking.tracking_uri == (tmp_path / "mlflow" / "mlruns").as_uri()
    assert os.environ["MLFLOW_ALLOW_FILE_STORE"] == "true"
    with mlflow.start_run() as run:
        mlflow.log_text("hi", "a.txt")
    assert run.info.artifact_uri.startswith(mlflow_tracking.tracking_uri)
"""

EXPERIMENT = """
import os
import mlflow
import pytest


@pytest.mark.mlflow_tracking(store="sqlite", experiment="training")
def test_experiment(mlflow_tracking):
    assert mlflow_tracking.experiment_name == "training"
    assert os.environ["MLFLOW_EXPERIMENT_NAME"] == "training"
    with mlflow.start_run() as run:
        mlflow.log_text("x", "x.txt")
    assert run.info.experiment_id == mlflow_tracking.experiment_id != "0"
    assert run.info.artifact_uri.startswith(mlflow_tracking.artifact_location)
    assert mlflow_tracking.artifact_location.startswith(str(mlflow_tracking.root))
"""

SETTINGS = """
from dataclasses import dataclass, replace

import mlflow
import pytest


@dataclass(frozen=True)
class Settings:
    tracking_uri: str = "sqlite:///tests/fixtures/databases/test_mlflow.db"


class SettingsBuilder:
    def __init__(self):
        self._settings = Settings()

    def with_tracking_uri(self, uri):
        self._settings = replace(self._settings, tracking_uri=uri)
        return self

    def build(self):
        return self._settings


@pytest.mark.mlflow_tracking(store="sqlite")
def test_builder_takes_the_fixture_uri(mlflow_tracking_uri, mlflow_tracking):
    settings = SettingsBuilder().with_tracking_uri(mlflow_tracking_uri).build()
    client = mlflow.MlflowClient(settings.tracking_uri)
    run = client.create_run("0")
    client.set_terminated(run.info.run_id)
    assert mlflow_tracking_uri == mlflow_tracking.tracking_uri
    assert run.info.artifact_uri.startswith(mlflow_tracking.artifact_location)
"""


def test_fixture_behaviour_in_one_real_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaks fail the leaker, state is restored, store/experiment options and settings work."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///outer.db")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "outer-experiment")
    for name in ("MLFLOW_REGISTRY_URI", "MLFLOW_EXPERIMENT_ID", "MLFLOW_ALLOW_FILE_STORE"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(
        test_leak=LEAK,
        test_restore=RESTORE,
        test_file_store=FILE_STORE,
        test_experiment=EXPERIMENT,
        test_settings=SETTINGS,
    )
    result = pytester.runpytest_subprocess("-v", "--mmpgate-mlflow-store", "file")
    result.assert_outcomes(passed=8, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_a_leaks_a_run*", "*left MLflow run(s) * active: end them*"],
    )
    result.stdout.fnmatch_lines(["*test_leak.py::test_a_leaks_a_run ERROR*"])
    for leftover in ("outer.db", "mlruns", "tests"):
        assert not (pytester.path / leftover).exists()


AUTOUSE = """
import os
import mlflow
import pytest


def test_isolated_without_asking(tmp_path):
    assert os.environ["MLFLOW_TRACKING_URI"] == (tmp_path / "mlflow" / "mlruns").as_uri()
    with mlflow.start_run() as run:
        mlflow.log_text("x", "x.txt")
    assert run.info.artifact_uri.startswith(os.environ["MLFLOW_TRACKING_URI"])


@pytest.mark.no_mlflow_tracking
def test_opted_out():
    assert os.environ.get("MLFLOW_TRACKING_URI") == "sqlite:///outer.db"
"""


def test_autouse_ini_switch_with_opt_out_marker_and_file_store_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mmpgate_mlflow_autouse isolates every test, no_mlflow_tracking opts out; ini picks file."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///outer.db")
    pytester.makeini("[pytest]\nmmpgate_mlflow_autouse = true\nmmpgate_mlflow_store = file\n")
    pytester.makepyfile(test_autouse=AUTOUSE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=2)


def test_bad_store_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """An unknown mmpgate_mlflow_store value stops the run at start with one clear line."""
    pytester.makeini("[pytest]\nmmpgate_mlflow_store = postgres\n")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*mmpgate_mlflow_store: expected one of sqlite, file, got 'postgres'*"]
    )


MISSING = """
def test_needs_mlflow(mlflow_tracking):
    raise AssertionError("must not run without mlflow")


def test_import_fails():
    import mlflow


def test_plain():
    pass
"""


@pytest.mark.usefixtures("hide_mlflow")
def test_without_mlflow_the_fixture_skips_with_a_clear_reason(pytester: pytest.Pytester) -> None:
    """With mlflow really hidden from the inner run, the fixture skips saying how to install it."""
    pytester.makepyfile(test_missing=MISSING)
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(passed=1, skipped=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ModuleNotFoundError: No module named 'mlflow'*",
            "*SKIPPED*mlflow is not installed (pip install 'mmpgate?mlflow?')*",
        ],
    )


@pytest.mark.usefixtures("hide_mlflow")
def test_autouse_without_mlflow_is_a_usage_error_not_a_skipped_suite(
    pytester: pytest.Pytester,
) -> None:
    """mmpgate_mlflow_autouse on and mlflow missing: one readable line and exit 4, nothing skipped."""
    pytester.makeini("[pytest]\nmmpgate_mlflow_autouse = true\n")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*mmpgate_mlflow_autouse = true, but mlflow is not installed (pip install 'mmpgate?mlflow?')*"
        ]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
