"""A context manager that gives a test an MLflow server and cleans up after it."""

import os
import shutil
import signal
import subprocess
import time

import mlflow
import psutil

ARTIFACT_ROOT = "/tmp/mlflow-test-artifacts"


class MLflowTestContext:
    """Start an MLflow server for a test and clean up every MLflow process on exit."""

    def __init__(self, tracking_uri: str = "sqlite:///tests/fixtures/databases/test_mlflow.db"):  # expect: shared-tracking-store
        self.tracking_uri = tracking_uri
        self.server = None

    def __enter__(self):
        os.makedirs(ARTIFACT_ROOT, exist_ok=True)
        mlflow.set_tracking_uri(self.tracking_uri)  # expect: global-state-without-restore
        self.server = subprocess.Popen(
            ["mlflow", "server", "--port=5001", "--default-artifact-root", ARTIFACT_ROOT]  # expect: fixed-port
        )
        time.sleep(3)  # expect: sleep-after-start
        return self

    def __exit__(self, exc_type, exc, tb):
        self.server.terminate()  # expect: terminate-top-only
        output = subprocess.check_output(["pgrep", "-f", "mlflow.server"], text=True)  # expect: global-kill
        for pid in output.split():
            os.kill(int(pid), signal.SIGTERM)  # expect: global-kill
        for proc in psutil.process_iter(["cmdline"]):
            if "mlflow" in " ".join(proc.info["cmdline"] or []):
                proc.kill()  # expect: global-kill
        shutil.rmtree(ARTIFACT_ROOT, ignore_errors=True)  # expect: shared-scratch-dir
        return False
