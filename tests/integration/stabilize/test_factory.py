"""ServerFactory: log naming, run tags in the server's environment, the start hook, timeout
precedence, per-server HOME for feast, default MLflow store, and stop_all newest first.

Servers here are tiny real Python HTTP servers (fast); uvicorn is started once for real. The
feast/mlflow builders are checked by recording the spec they hand to `start` (their real
servers run in the e2e tests).
"""

from __future__ import annotations

import sys
import textwrap

import httpx
import psutil
import pytest

from mmpgate.stabilize import runinfo
from mmpgate.stabilize.factory import ServerFactory, current_tags
from mmpgate.stabilize.specs import ServerSpec

# Serves GET / on argv[1]; on SIGTERM appends argv[2] to the file argv[3] and exits.
RECORDING_SERVER = textwrap.dedent(
    """
    import http.server, signal, sys
    port, label, record = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    def bye(*_):
        with open(record, "a") as f:
            f.write(label + "\\n")
        sys.exit(0)
    signal.signal(signal.SIGTERM, bye)
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(label.encode())
        def log_message(self, *args):
            pass
    http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
    """
)

APP = (
    'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/")\ndef root():\n    return "hi"\n'
)


def spec(label, record, **kw):
    return ServerSpec(
        argv=(sys.executable, "-c", RECORDING_SERVER, "{port}", label, str(record)), **kw
    )


@pytest.fixture
def factory(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    made = ServerFactory(log_dir=tmp_path / "logs", shared_dir=shared)
    yield made
    made.stop_all()


def _gone(pid):
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


class _Recorded(Exception):
    pass


class RecordingFactory(ServerFactory):
    """Keeps the spec a builder hands to start() instead of running it."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.specs = []

    def start(self, spec, *, name=None):
        self.specs.append(spec)
        raise _Recorded


def recorded(factory, build):
    with pytest.raises(_Recorded):
        build()
    return factory.specs[-1]


def test_logs_are_numbered_and_named_after_the_server(factory, tmp_path):
    """Each server logs to `NN-<safe name>.log` in the log dir, numbered in start order."""
    record = tmp_path / "record"
    first = factory.start(spec("one", record), name="api / v1")
    second = factory.start(spec("two", record, name="plain"))
    third = factory.start(spec("three", record), name="///")
    assert [s.log_path.name for s in (first, second, third)] == [
        "00-api-v1.log",
        "01-plain.log",
        "02-server.log",
    ]
    assert all(s.log_path.parent == tmp_path / "logs" for s in (first, second, third))
    assert "--- mmpgate: starting" in first.log_tail()
    assert httpx.get(second.url).text == "two"


def test_server_environment_carries_the_current_run_tags(factory, tmp_path, monkeypatch):
    """The run id, outer ids, test nodeid, worker and owner pid of this moment reach the server."""
    tags = {
        runinfo.RUN_ID: "mmp-test-run",
        runinfo.OUTER_RUN_IDS: "outer-1 outer-2",
        runinfo.TEST_NODEID: "tests/x.py::test_tagged",
        runinfo.WORKER: "gw7",
        runinfo.OWNER_PID: "4242",
    }
    for name, value in tags.items():
        monkeypatch.setenv(name, value)
    assert current_tags() == tags
    server = factory.start(spec("tagged", tmp_path / "record"))
    env = psutil.Process(server.pid).environ()
    assert {name: env.get(name) for name in tags} == tags
    assert env[runinfo.SERVER_ID] == server.server_id


def test_current_tags_leaves_out_unset_names(monkeypatch):
    """Only tags present in the environment are passed on (no empty placeholders)."""
    for name in (runinfo.OUTER_RUN_IDS, runinfo.TEST_NODEID, runinfo.WORKER, runinfo.OWNER_PID):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(runinfo.RUN_ID, "mmp-only")
    assert current_tags() == {runinfo.RUN_ID: "mmp-only"}


def test_on_start_sees_every_server_in_order(tmp_path):
    """The start hook (the plugin's lock binding) is called once per started server."""
    seen = []
    made = ServerFactory(log_dir=tmp_path / "logs", shared_dir=tmp_path, on_start=seen.append)
    try:
        servers = [made.start(spec(label, tmp_path / "record")) for label in ("a", "b")]
        assert seen == servers == made.servers
    finally:
        made.stop_all()


def test_stop_all_stops_newest_first_and_leaves_nothing(factory, tmp_path):
    """stop_all SIGTERMs servers in reverse start order; every process is gone after it."""
    record = tmp_path / "record"
    servers = [factory.start(spec(label, record)) for label in ("first", "second", "third")]
    factory.stop_all()
    stopped = record.read_text().split()
    # Each server gets SIGTERM twice, by group and by pid; whether its handler runs once or twice
    # depends on how fast it exits (under load: twice). The order of the stops is what is sure.
    assert list(dict.fromkeys(stopped)) == ["third", "second", "first"]
    assert all(_gone(s.pid) for s in servers)
    assert not any(s.alive() for s in servers)
    factory.stop_all()  # idempotent: no signal goes anywhere a second time
    assert record.read_text().split() == stopped


def test_uvicorn_timeout_comes_from_the_factory_unless_given(tmp_path):
    """The factory's start-up timeout applies to builders; an explicit argument wins."""
    (tmp_path / "hiapp.py").write_text(APP)
    made = ServerFactory(log_dir=tmp_path / "logs", shared_dir=tmp_path, startup_timeout=45.0)
    try:
        server = made.uvicorn("hiapp:app", app_dir=tmp_path)
        assert server.spec.startup_timeout == 45.0
        assert httpx.get(server.url + "/").json() == "hi"
    finally:
        made.stop_all()
    recording = RecordingFactory(log_dir=tmp_path / "r", shared_dir=tmp_path, startup_timeout=45.0)
    explicit = recorded(recording, lambda: recording.uvicorn("hiapp:app", startup_timeout=7.0))
    assert explicit.startup_timeout == 7.0


def test_builder_defaults_apply_without_a_factory_timeout(tmp_path):
    """Without any configured timeout: 60 s for uvicorn, 120 s for mlflow and feast."""
    made = RecordingFactory(log_dir=tmp_path / "logs", shared_dir=tmp_path)
    assert recorded(made, lambda: made.uvicorn("m:app")).startup_timeout == 60.0
    assert recorded(made, made.mlflow).startup_timeout == 120.0
    assert recorded(made, lambda: made.feast(tmp_path)).startup_timeout == 120.0


def test_feast_gets_its_own_home_and_the_caller_env_wins(tmp_path):
    """Each feast server gets a fresh HOME under the log dir (gunicorn's control socket lives
    there); variables the caller passes are kept and may override HOME."""
    made = RecordingFactory(log_dir=tmp_path / "logs", shared_dir=tmp_path)
    repo = tmp_path / "repo"
    first = recorded(made, lambda: made.feast(repo, env={"FEAST_X": "1"}))
    home = first.env["HOME"]
    assert home == str(tmp_path / "logs" / "feast-home-00")
    assert (tmp_path / "logs" / "feast-home-00").is_dir()
    assert first.env["FEAST_X"] == "1"
    assert first.cwd == repo
    assert "serve" in first.argv
    chosen = recorded(made, lambda: made.feast(repo, env={"HOME": str(tmp_path / "mine")}))
    assert chosen.env["HOME"] == str(tmp_path / "mine")


def test_mlflow_defaults_to_a_fresh_sqlite_store_in_the_log_dir(tmp_path):
    """Without arguments the MLflow server gets a SQLite file and artifact dir of its own."""
    made = RecordingFactory(log_dir=tmp_path / "logs", shared_dir=tmp_path)
    built = recorded(made, made.mlflow)
    store = tmp_path / "logs" / "mlflow-00"
    assert store.is_dir()
    assert f"sqlite:///{store / 'mlflow.db'}" in built.argv
    assert (store / "artifacts").as_uri() in built.argv
    assert built.argv[built.argv.index("--workers") + 1] == "1"
    given = recorded(made, lambda: made.mlflow(backend_store_uri="sqlite:///elsewhere.db"))
    assert "sqlite:///elsewhere.db" in given.argv
