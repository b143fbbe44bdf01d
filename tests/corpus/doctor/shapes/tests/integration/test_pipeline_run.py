"""Runs of the pipeline from a config file the test writes."""

import subprocess
import sys

import mlflow

from tests.helpers.settings import use_shared_store

SHARED_CONFIG = """
pipeline:
  name: nightly
  database: sqlite:///shared.db  # expect: shared-database
"""


def test_run_from_a_yaml_config(tmp_path):
    config = tmp_path / "pipeline.yml"
    config.write_text(SHARED_CONFIG)
    subprocess.run([sys.executable, "-m", "mlpipe", "--config", str(config)], check=True)


def test_run_from_a_toml_config(tmp_path):
    config = tmp_path / "pipeline.toml"
    config.write_text('[store]\nurl = "sqlite:///runs/registry.db"\n')  # expect: shared-database
    subprocess.run([sys.executable, "-m", "mlpipe", "--config", str(config)], check=True)


def test_run_from_an_ini_config(tmp_path):
    with open(tmp_path / "pipeline.ini", "w") as handle:
        handle.write("[db]\nurl = sqlite:////var/tmp/mlpipe.db\n")  # expect: shared-database


def test_run_from_a_private_config(tmp_path):
    config = tmp_path / "pipeline.yml"
    config.write_text(f"pipeline:\n  database: sqlite:///{tmp_path}/run.db\n")
    subprocess.run([sys.executable, "-m", "mlpipe", "--config", str(config)], check=True)


def test_logs_to_the_shared_store():
    use_shared_store()


def test_tracking_uri_from_the_fixture(mlflow_tracking, tmp_path):
    mlflow.set_tracking_uri(mlflow_tracking.tracking_uri)
    mlflow.set_experiment("pipeline")
