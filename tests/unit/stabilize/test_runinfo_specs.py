"""Run tags and server command construction."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mmpgate.stabilize import runinfo
from mmpgate.stabilize.specs import (
    PORT_PLACEHOLDER,
    HttpReady,
    LogReady,
    NoPort,
    ReadBackPort,
    ReservedPort,
    ServerSpec,
    TcpReady,
    feast_serve_spec,
    mlflow_server_spec,
    uvicorn_spec,
)


def test_carries_run_matches_exact_ids_only():
    """A run id matches itself or an outer-id token, never a prefix or substring."""
    env = {runinfo.RUN_ID: "mmp-1-aa", runinfo.OUTER_RUN_IDS: "mmp-0-bb outer-x"}
    assert runinfo.carries_run(env, "mmp-1-aa")
    assert runinfo.carries_run(env, "outer-x")
    assert not runinfo.carries_run(env, "mmp-1-a")
    assert not runinfo.carries_run(env, "outer")
    assert not runinfo.carries_run(env, "")


def test_nested_outer_ids_keep_the_enclosing_run():
    """A nested run records the enclosing run's id after that run's own outer ids."""
    env = {runinfo.RUN_ID: "inner", runinfo.OUTER_RUN_IDS: "outer"}
    assert runinfo.nested_outer_ids(env) == "outer inner"
    assert runinfo.nested_outer_ids({}) == ""


def test_env_patch_restores_set_and_unset_values():
    """EnvPatch puts back previous values and removes variables that did not exist."""
    env = {"A": "1"}
    patch = runinfo.EnvPatch(env)
    patch.set("A", "2")
    patch.set("B", "3")
    patch.set("A", "4")
    assert env == {"A": "4", "B": "3"}
    patch.restore()
    assert env == {"A": "1"}


def test_uvicorn_spec_binds_port_zero_and_reads_it_back():
    """uvicorn gets --port 0 and a GET probe; the port comes from its log line."""
    spec = uvicorn_spec("pkg.app:app", app_dir=Path("src"), health_path="/health")
    assert spec.argv[:4] == (sys.executable, "-m", "uvicorn", "pkg.app:app")
    assert spec.argv[spec.argv.index("--port") + 1] == "0"
    assert spec.argv[spec.argv.index("--app-dir") + 1] == "src"
    assert spec.readiness == HttpReady("/health")
    assert isinstance(spec.port, ReadBackPort)
    assert spec.command(None) == list(spec.argv)


def test_mlflow_spec_uses_one_worker_and_a_reserved_port(tmp_path):
    """mlflow server runs with --workers 1, the given store, and {port} filled in at start."""
    spec = mlflow_server_spec(backend_store_uri="sqlite:///x.db", artifact_root=tmp_path)
    argv = spec.command(5123)
    assert argv[argv.index("--workers") + 1] == "1"
    assert argv[argv.index("--port") + 1] == "5123"
    assert argv[argv.index("--backend-store-uri") + 1] == "sqlite:///x.db"
    assert argv[argv.index("--default-artifact-root") + 1] == tmp_path.as_uri()
    assert spec.readiness == HttpReady("/health")
    assert isinstance(spec.port, ReservedPort)


def test_feast_spec_serves_the_repo_with_one_worker(tmp_path):
    """feast serve gets the repo (-c), host, reserved port and one worker."""
    spec = feast_serve_spec(tmp_path)
    argv = spec.command(6001)
    assert argv[1:4] == ["-c", str(tmp_path), "serve"]
    assert argv[argv.index("-p") + 1] == "6001"
    assert argv[argv.index("-h") + 1] == "127.0.0.1"
    assert argv[argv.index("-w") + 1] == "1"
    assert spec.cwd == tmp_path
    assert spec.readiness == HttpReady("/health")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"argv": ()}, "must not be empty"),
        ({"argv": ("srv",)}, PORT_PLACEHOLDER),
        ({"argv": ("srv",), "port": NoPort(), "readiness": TcpReady()}, "log line"),
        ({"argv": ("srv", "{port}"), "startup_timeout": 0}, "startup_timeout"),
    ],
)
def test_server_spec_rejects_inconsistent_settings(kwargs, message):
    """A spec that could never start or be probed is refused when it is built."""
    with pytest.raises(ValueError, match=message):
        ServerSpec(**kwargs)


def test_server_spec_accepts_a_log_probe_without_port():
    """A portless server probed by a log line is a valid spec."""
    spec = ServerSpec(argv=("srv",), port=NoPort(), readiness=LogReady("up"))
    assert spec.command(None) == ["srv"]
