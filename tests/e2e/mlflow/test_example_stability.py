"""examples/ml-service under xdist: the stabilized suite against the original plan's problem copy."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[3]
STABLE = ROOT / "examples" / "ml-service"
PROBLEM = STABLE / "problem"

pytestmark = pytest.mark.slow


def tagged(token: str) -> list[psutil.Process]:
    """This user's processes whose environment or command line carries `token`."""
    found = []
    for process in psutil.process_iter(["uids", "cmdline"]):
        try:
            if process.info["uids"].real != os.getuid():
                continue
            env = process.environ()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        values = [env.get("MMPGATE_RUN_ID"), env.get("MLSERVICE_PROBLEM_TOKEN")]
        in_cmdline = any(token in part for part in process.info["cmdline"] or [])
        if token in values or token in env.get("MMPGATE_OUTER_RUN_IDS", "").split() or in_cmdline:
            found.append(process)
    return found


def kill(processes: list[psutil.Process]) -> None:
    """Clean up what a check found, so a failed assertion leaves nothing running."""
    for process in processes:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(processes, timeout=10)


def run(project: Path, command: list[str], token: str) -> subprocess.CompletedProcess[str]:
    """A command in `project` whose processes all carry `token`; residue checked by the caller."""
    env = {**os.environ, "MMPGATE_RUN_ID": token, "MLSERVICE_PROBLEM_TOKEN": token}
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=1800
    )


@pytest.mark.parametrize("attempt", range(3))
def test_stabilized_integration_group_passes_with_no_residue(attempt: int, tmp_path: Path) -> None:
    """`mmpgate run integration -- -n 2` on the example: exit 0, no failure, no process left."""
    token = f"e2e-{uuid.uuid4().hex}"
    command = [
        sys.executable,
        "-m",
        "mmpgate",
        "run",
        "integration",
        "--results-dir",
        str(tmp_path),
    ]
    done = run(STABLE, [*command, "--", "-n", "2", "-p", "no:cacheprovider"], token)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    counts = json.loads((tmp_path / "metrics.integration.json").read_text())["counts"]
    assert counts["failed"] == counts["errors"] == counts["skipped"] == 0
    assert counts["passed"] == counts["total"] > 0
    time.sleep(1.0)
    left = tagged(token)
    kill(left)
    assert [process.pid for process in left] == []
    assert "database is locked" not in done.stdout + done.stderr


def test_stabilized_e2e_group_with_a_real_mlflow_server(tmp_path: Path) -> None:
    """The example's e2e group (mlflow server + uvicorn) passes at -n 2 and leaves nothing."""
    token = f"e2e-{uuid.uuid4().hex}"
    command = [sys.executable, "-m", "mmpgate", "run", "e2e", "--results-dir", str(tmp_path)]
    done = run(STABLE, [*command, "--", "-n", "2", "-p", "no:cacheprovider"], token)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    time.sleep(1.0)
    left = tagged(token)
    kill(left)
    assert [process.pid for process in left] == []


def test_problem_copy_kills_the_other_workers_servers() -> None:
    """The problem copy's global pkill SIGTERMs a server it did not start (another worker's).

    Which failure the problem copy's own tests then show depends on how the workers' tests
    overlap in time; what is guaranteed is the kill itself: a stand-in for the other worker's
    server, started before the run with the run's mark in its command line, ends by SIGTERM.
    """
    token = f"e2e-{uuid.uuid4().hex}"
    mark = f"x-mlflow-problem:{token}"
    stand_in = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(3600)",
            "uvicorn",
            "--header",
            mark,
            "mlflow",
        ],
        env={**os.environ, "MLSERVICE_PROBLEM_TOKEN": token},
    )
    try:
        command = [sys.executable, "-m", "pytest", "tests/integration/test_api_server.py"]
        done = run(PROBLEM, [*command, "-n", "2", "-p", "no:cacheprovider"], token)
        kill([p for p in tagged(token) if p.pid != stand_in.pid])
        assert stand_in.wait(timeout=60) == -signal.SIGTERM, done.stdout[-3000:]
    finally:
        if stand_in.poll() is None:
            stand_in.kill()
            stand_in.wait()


def load_problem_conftest(token: str) -> ModuleType:
    """The problem copy's conftest as a plain module (its helpers start the servers)."""
    spec = importlib.util.spec_from_file_location(
        f"problem_conftest_{token}", PROBLEM / "tests" / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_problem_copy_terminate_leaves_mlflow_children_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """terminate() on the problem copy's `mlflow server` leaves its child processes alive."""
    token = f"mlsp-{uuid.uuid4().hex}"
    monkeypatch.setenv("MLSERVICE_PROBLEM_TOKEN", token)
    monkeypatch.chdir(tmp_path)  # the shared relative sqlite:/// file lands in this test's dir
    (tmp_path / "tests" / "fixtures" / "databases").mkdir(parents=True)
    problem = load_problem_conftest(token)
    process, _url = problem.start_mlflow_server(tmp_path / "artifacts")
    try:
        process.terminate()
        process.wait(timeout=60)
        time.sleep(1.0)
        survivors = [p for p in tagged(token) if p.pid != os.getpid()]
        commands = [" ".join(p.cmdline()) for p in survivors]
        assert process.pid not in [p.pid for p in survivors]
        # mlflow 3.x's server starts uvicorn and job consumers (huey); they outlive the parent.
        assert any("mlflow.server" in command for command in commands), commands
    finally:
        kill([p for p in tagged(token) if p.pid != os.getpid()])
