"""`feast serve` through mmpgate's server fixture: a tiny real feature repository (SQLite online
store, parquet file source), real requests, a clean stop of the whole tree, and a fast failure."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil
import pytest

from mmpgate.stabilize.leaks import find_tagged
from mmpgate.stabilize.runinfo import RUN_ID, SERVER_ID
from mmpgate.stabilize.servers import ServerStartError
from mmpgate.stabilize.specs import feast_executable

pytestmark = pytest.mark.slow

# driver_id -> (conv_rate, trips): what the parquet source holds and the server must serve.
DRIVERS = {1001: (0.5, 10), 1002: (0.25, 20), 1003: (0.75, 30)}

FEATURE_STORE_YAML = """\
project: tiny
registry: data/registry.db
provider: local
online_store:
  type: sqlite
  path: data/online.db
offline_store:
  type: file
entity_key_serialization_version: 3
"""

FEATURES_PY = textwrap.dedent(
    """
    from datetime import timedelta
    from pathlib import Path

    from feast import Entity, FeatureView, Field, FileSource
    from feast.types import Float32, Int64

    driver = Entity(name="driver", join_keys=["driver_id"])
    source = FileSource(
        path=str(Path(__file__).parent / "data" / "driver_stats.parquet"),
        timestamp_field="event_timestamp",
        created_timestamp_column="created",
    )
    driver_stats = FeatureView(
        name="driver_stats",
        entities=[driver],
        ttl=timedelta(days=1),
        schema=[Field(name="conv_rate", dtype=Float32), Field(name="trips", dtype=Int64)],
        source=source,
    )
    """
)


def _require_feast() -> str:
    """The feast CLI; a clear failure (never a skip) when the `feast` extra is not installed."""
    if importlib.util.find_spec("feast") is None:
        pytest.fail(
            "feast is not installed in this environment: install the project with its "
            "'feast' extra (pip install -e '.[dev]') to run the feast serve end-to-end tests",
            pytrace=False,
        )
    return feast_executable()


def write_repo(repo: Path, *, now: datetime) -> None:
    """feature_store.yaml, the feature definitions and a parquet source of DRIVERS."""
    import pandas as pd

    (repo / "data").mkdir(parents=True)
    (repo / "feature_store.yaml").write_text(FEATURE_STORE_YAML, encoding="utf-8")
    (repo / "features.py").write_text(FEATURES_PY, encoding="utf-8")
    frame = pd.DataFrame(
        {
            "driver_id": list(DRIVERS),
            "conv_rate": [rate for rate, _ in DRIVERS.values()],
            "trips": [trips for _, trips in DRIVERS.values()],
            "event_timestamp": [now - timedelta(hours=1)] * len(DRIVERS),
            "created": [now] * len(DRIVERS),
        }
    )
    frame.to_parquet(repo / "data" / "driver_stats.parquet")


@pytest.fixture
def feast_cli() -> str:
    """Path of the feast command (fails the test with a clear message when feast is missing)."""
    return _require_feast()


@pytest.fixture
def applied_repo(feast_cli: str, tmp_path: Path) -> Path:
    """A feature repository registered with a real `feast apply` (nothing materialized yet)."""
    repo = tmp_path / "repo"
    write_repo(repo, now=datetime.now(timezone.utc).replace(microsecond=0))
    home = tmp_path / "apply-home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run(
        [feast_cli, "-c", str(repo), "apply"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"feast apply failed:\n{done.stdout}\n{done.stderr}"
    assert (repo / "data" / "registry.db").exists()
    return repo


def _server_processes(run_id, server_id):
    """Live processes whose environment carries this run's id and this server's id."""
    found = set()
    for proc in psutil.process_iter(["pid", "environ", "status"]):
        env = proc.info.get("environ") or {}
        if proc.info.get("status") == psutil.STATUS_ZOMBIE:
            continue
        if env.get(RUN_ID) == run_id and env.get(SERVER_ID) == server_id:
            found.add(proc.info["pid"])
    return found


def test_feast_serve_materializes_serves_features_and_stops_its_whole_tree(
    server_factory, applied_repo, mmpgate_run_id
):
    """A real feast server (gunicorn + worker) is healthy, materializes the parquet source into
    SQLite, serves the exact values, and SIGTERM stops every process it started, none killed."""
    server = server_factory.feast(applied_repo)
    assert httpx.get(server.url + "/health").status_code == 200

    end = datetime.now(timezone.utc).isoformat()
    materialized = httpx.post(
        server.url + "/materialize-incremental", json={"end_ts": end}, timeout=120
    )
    assert materialized.status_code == 200, materialized.text

    asked = [*DRIVERS, 9999]
    answer = httpx.post(
        server.url + "/get-online-features",
        json={
            "features": ["driver_stats:conv_rate", "driver_stats:trips"],
            "entities": {"driver_id": asked},
        },
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    columns = dict(zip(body["metadata"]["feature_names"], body["results"], strict=True))
    assert columns["driver_id"]["values"] == asked
    assert columns["trips"]["values"] == [trips for _, trips in DRIVERS.values()] + [None]
    assert columns["conv_rate"]["values"] == pytest.approx(
        [rate for rate, _ in DRIVERS.values()] + [None]
    )
    assert columns["trips"]["statuses"] == ["PRESENT"] * len(DRIVERS) + ["NOT_FOUND"]

    tagged = _server_processes(mmpgate_run_id, server.server_id)
    tree = {server.pid, *(p.pid for p in psutil.Process(server.pid).children(recursive=True))}
    assert len(tree) >= 2  # the gunicorn master and at least one worker
    assert tagged == tree  # the tag scan sees exactly the server's tree

    result = server.stop()
    assert result.killed == ()  # graceful: SIGTERM was enough
    assert result.exit_code == 0
    assert tree <= set(result.terminated)
    assert _server_processes(mmpgate_run_id, server.server_id) == set()
    assert "Shutting down: Master" in server.log_tail()


def test_broken_feature_store_yaml_fails_fast_with_exit_code_and_log(
    server_factory, feast_cli, tmp_path, mmpgate_run_id
):
    """feast serve on an unparsable feature_store.yaml: the start fails as soon as the process
    exits, with its exit code and the parser error from the log, long before the timeout."""
    repo = tmp_path / "broken"
    repo.mkdir()
    (repo / "feature_store.yaml").write_text(
        "project: tiny\nprovider: local\nonline_store:\n  path: [unclosed\n", encoding="utf-8"
    )
    timeout = 300.0
    with pytest.raises(ServerStartError) as info:
        server_factory.feast(repo, startup_timeout=timeout)
    message = str(info.value)
    assert "feast serve: exited during start-up with exit code 1 " in message
    assert "expected ',' or ']'" in message  # the YAML parser's own words, from the log tail
    # The message names the exit, not the timeout: the start did not wait for the deadline.
    assert server_factory.servers == []  # a failed start hands back no server to stop later
    assert [p for p in find_tagged(mmpgate_run_id) if str(repo) in p.cmdline] == []
