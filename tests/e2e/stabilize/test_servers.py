"""Real servers through the fixtures: uvicorn, mlflow server, and the start-up/stop faults."""

from __future__ import annotations

import socket
import sys
import textwrap

import httpx
import psutil
import pytest

from mmpgate.stabilize.servers import ServerStartError
from mmpgate.stabilize.specs import HttpReady, ReservedPort, ServerSpec, TcpReady

APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    return {"ok": True}
"""

# Listens on the given port, ignores SIGTERM, forks a child and a setsid grandchild.
STUBBORN = textwrap.dedent(
    """
    import http.server, os, signal, subprocess, sys
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    kids = [subprocess.Popen([sys.executable, "-c", c]) for c in (
        "import time; time.sleep(300)", "import os, time; os.setsid(); time.sleep(300)")]
    open(sys.argv[2], "w").write(" ".join(str(k.pid) for k in kids))
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


def _gone(pid):
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_uvicorn_app_serves_on_its_read_back_port_and_stops(server_factory, tmp_path):
    """A FastAPI app under real uvicorn answers on the port read from its log; stop leaves none."""
    (tmp_path / "tinyapp.py").write_text(APP)
    server = server_factory.uvicorn("tinyapp:app", app_dir=tmp_path)
    assert server.port not in (None, 0)
    assert httpx.get(server.url + "/").json() == {"ok": True}
    result = server.stop()
    assert result.killed == ()
    assert result.exit_code == -15  # uvicorn re-raises SIGTERM after a graceful shutdown
    assert all(_gone(pid) for pid in result.terminated)


def test_server_ignoring_sigterm_with_setsid_grandchild_is_fully_stopped(server_factory, tmp_path):
    """SIGTERM is ignored, so SIGKILL follows the grace period; both children end too."""
    kids = tmp_path / "kids"
    spec = ServerSpec(
        argv=(sys.executable, "-c", STUBBORN, "{port}", str(kids)), grace=1.0, name="stubborn"
    )
    server = server_factory.start(spec)
    child, escaped = (int(p) for p in kids.read_text().split())
    result = server.stop()
    assert server.pid in result.killed
    assert {child, escaped} <= set(result.terminated)
    assert all(_gone(pid) for pid in (server.pid, child, escaped))


@pytest.mark.parametrize("code", [0, 3])
def test_server_exiting_at_once_fails_fast_with_code_and_log(server_factory, code):
    """An early exit (0 included) is reported with its code and log, long before the timeout."""
    timeout = 60.0
    script = f"print('booting'); raise SystemExit({code})"
    spec = ServerSpec(argv=(sys.executable, "-c", script, "{port}"), startup_timeout=timeout)
    with pytest.raises(ServerStartError) as info:
        server_factory.start(spec)
    assert f"exited during start-up with exit code {code}" in str(info.value)
    assert "booting" in str(info.value)
    # The message names the exit, not the timeout: the start did not wait for the deadline.


def test_server_never_ready_fails_at_the_timeout_with_log(server_factory):
    """A process that never listens fails after the start-up timeout, log tail included."""
    script = "import time; print('stuck', flush=True); time.sleep(300)"
    spec = ServerSpec(
        argv=(sys.executable, "-c", script, "{port}"), readiness=TcpReady(), startup_timeout=2.0
    )
    with pytest.raises(ServerStartError, match=r"(?s)not ready after .* 2 s.*stuck"):
        server_factory.start(spec)


def test_taken_preferred_port_is_skipped_and_the_other_listener_untouched(server_factory, tmp_path):
    """With the preferred port held by another process the server gets another port."""
    with socket.socket() as foreign:
        foreign.bind(("127.0.0.1", 0))
        foreign.listen()
        taken = foreign.getsockname()[1]
        kids = tmp_path / "kids"
        spec = ServerSpec(
            argv=(sys.executable, "-c", STUBBORN, "{port}", str(kids)),
            port=ReservedPort(preferred=taken),
            readiness=HttpReady("/"),
            grace=0.5,
        )
        server = server_factory.start(spec)
        assert server.port != taken
        foreign.settimeout(1)
        with socket.create_connection(("127.0.0.1", taken)):
            pass  # the other program still owns its port


def test_mlflow_server_with_one_worker_answers_health(server_factory):
    """A real `mlflow server --workers 1` becomes healthy and leaves nothing behind."""
    server = server_factory.mlflow()
    assert httpx.get(server.url + "/health").text.strip() == "OK"
    tree = [server.pid, *(p.pid for p in psutil.Process(server.pid).children(recursive=True))]
    result = server.stop()
    assert set(tree) <= set(result.terminated)
    assert all(_gone(pid) for pid in tree)
