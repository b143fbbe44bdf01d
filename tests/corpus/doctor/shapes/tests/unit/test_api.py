"""The serving entry point, with the server patched out: fixed ports reach no real server."""

import subprocess
import threading
from unittest import mock

import pytest
import uvicorn
from click.testing import CliRunner

from mlpipe import api
from mlpipe.api import app
from mlpipe.cli import cli


@mock.patch("mlpipe.api.uvicorn.run")
def test_serve_passes_host_and_port(run):
    api.serve(host="0.0.0.0", port=8000)
    run.assert_called_once_with(app, host="0.0.0.0", port=8000)


def test_cli_serve_uses_the_port_option(mocker):
    serve = mocker.patch("mlpipe.cli.serve")
    result = CliRunner().invoke(cli, ["serve", "--port", "8000"])
    assert result.exit_code == 0
    serve.assert_called_once_with(port=8000)


class FakePopen:
    def __init__(self, argv, **kwargs):
        self.argv = argv


def test_launcher_builds_the_server_command(monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    proc = subprocess.Popen(["mlflow", "server", "--port", "5000"])
    assert proc.argv[-1] == "5000"


@pytest.fixture
def patched_uvicorn(monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)


def test_serve_through_a_patching_fixture(patched_uvicorn):
    api.serve(port=8001)


class TestPatchedClass:
    @mock.patch.object(uvicorn, "run")
    def test_serve_patched_on_the_method(self, run):
        uvicorn.run(app, host="127.0.0.1", port=8002)
        run.assert_called_once()


def test_cli_serve_for_real():
    proc = subprocess.Popen(["mlpipe", "serve", "--port", "8000"])  # expect: fixed-port
    proc.wait()


def test_uvicorn_in_a_thread_for_real():
    thread = threading.Thread(
        target=uvicorn.run, args=(app,), kwargs={"host": "127.0.0.1", "port": 8003}  # expect: fixed-port
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8004))  # expect: fixed-port
    thread.start()
    server.should_exit = True
