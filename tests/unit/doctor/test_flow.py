"""One step of data flow: values that reach a patched server, or are only compared, or only a
product's fallback, are not findings; the same values reaching the real thing are."""

from __future__ import annotations

import pytest

CASES = {
    "port-to-patched-popen": {
        "test_x.py": """
            import subprocess
            from unittest import mock

            @mock.patch("subprocess.Popen")
            def test_command(popen):
                subprocess.Popen(["mlflow", "server", "--port", "5000"])
                popen.assert_called_once()

            def test_command_for_real():
                subprocess.Popen(["mlflow", "server", "--port", "5000"])  # expect: fixed-port
        """
    },
    "patched-in-a-same-module-fixture-chain": {
        "test_x.py": """
            import pytest
            import uvicorn

            @pytest.fixture
            def no_server(monkeypatch):
                monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)

            @pytest.fixture
            def app(no_server):
                return object()

            def test_serve(app):
                uvicorn.run(app, port=8000)
        """
    },
    "asserted-mock-from-a-conftest-fixture": {
        "test_x.py": """
            from service import api

            def test_serve(mock_uvicorn):
                api.serve(port=8000)
                mock_uvicorn.run.assert_called_once_with(api.app, host="0.0.0.0", port=8000)

            def test_serve_unmocked(recorder):
                api.serve(port=8000)  # expect: fixed-port
                recorder.assert_called_once()
        """
    },
    "http-patch-call-is-not-a-mock": {
        "test_x.py": """
            import uvicorn

            def test_serve(client, app):
                client.patch("/runs/1", json={})
                uvicorn.run(app, port=8000)  # expect: fixed-port
        """
    },
    "env-uri-only-compared": {
        "test_x.py": """
            from service import Settings

            def test_reads_env(monkeypatch):
                monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///x.db")
                assert Settings.from_env().tracking_uri == "sqlite:///x.db"

            def test_uses_env(monkeypatch):
                monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///y.db")  # expect: shared-tracking-store
                Settings.from_env().start()
        """
    },
    "product-fallback-is-not-a-test-store": {
        "service/settings.py": """
            import os
            URI = os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
        """,
        "tests/helpers.py": """
            import os
            URI = os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")  # expect: shared-tracking-store
        """,
    },
    "pytester-cwd-is-private": {
        "test_x.py": """
            def test_inner_run(pytester, monkeypatch):
                monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///outer.db")
                pytester.runpytest()
        """
    },
    "path-over-the-temp-dir-in-an-fstring": {
        "test_x.py": """
            import os
            import tempfile
            from mlflow import MlflowClient

            ROOT = os.path.join(tempfile.gettempdir(), "shared-runs")

            def test_client():
                MlflowClient(f"file://{ROOT}")  # expect: shared-tracking-store

            def test_private_client(tmp_path):
                MlflowClient(f"file://{tmp_path}/runs")
        """
    },
    "unique-token-pgrep-is-not-global": {
        "test_x.py": """
            import subprocess
            import uuid

            def test_leftovers():
                token = f"leak-{uuid.uuid4().hex}"
                subprocess.run(["pgrep", "-f", token])

            def test_by_name():
                subprocess.run(["pgrep", "-f", "mlflow"])  # expect: global-kill
        """
    },
}


@pytest.mark.parametrize("files", CASES.values(), ids=CASES.keys())
def test_flow_case(check_files, files):
    """Each file's findings are exactly its `# expect:` lines."""
    check_files(files)
