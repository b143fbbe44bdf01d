"""The isolated MLflow store keeps MLFLOW_ALLOW_FILE_STORE as the user set it (real MLflow runs)."""

from __future__ import annotations

import pytest

OWN_FILE_STORE = """
import os
import mlflow
from mlflow import MlflowClient


def test_default_store_keeps_the_permission(mlflow_tracking):
    assert mlflow_tracking.kind.value == "sqlite"
    assert os.environ["MLFLOW_ALLOW_FILE_STORE"] == "true"


def test_makes_its_own_file_store(tmp_path):
    own = (tmp_path / "own-mlruns").as_uri()
    client = MlflowClient(own)
    experiment_id = client.create_experiment("own")
    run = client.create_run(experiment_id)
    client.log_param(run.info.run_id, "p", "1")
    client.set_terminated(run.info.run_id)
    assert client.get_run(run.info.run_id).data.params == {"p": "1"}
    assert (tmp_path / "own-mlruns" / experiment_id).is_dir()
    assert os.environ["MLFLOW_TRACKING_URI"].startswith("sqlite:///")


def test_isolated_store_still_works():
    with mlflow.start_run() as run:
        mlflow.log_param("q", "2")
    assert mlflow.get_run(run.info.run_id).data.params == {"q": "2"}
"""

UNSET = """
import os


def test_not_set_when_the_user_did_not(mlflow_tracking):
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ
"""


def test_autouse_with_the_default_store_lets_a_test_make_its_own_file_store(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Autouse + default SQLite store: the user's MLFLOW_ALLOW_FILE_STORE survives for each test."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    pytester.makeini("[pytest]\nmmpgate_mlflow_autouse = true\n")
    pytester.makepyfile(test_own_store=OWN_FILE_STORE)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=3)


def test_the_default_store_does_not_grant_the_permission(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the user's MLFLOW_ALLOW_FILE_STORE, the SQLite store does not set it either."""
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    pytester.makepyfile(test_unset=UNSET)
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
