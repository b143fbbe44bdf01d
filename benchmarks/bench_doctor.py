"""`mmpgate doctor` over a generated suite of 2,000 test files, against `grep -rn` as the floor.

Both scan the same tree in the same run, alternating, several times; the medians and their ratio
are printed as markdown. Reproduce from the repository root:

    python benchmarks/bench_doctor.py [--files 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: What a reviewer would grep for by hand: the floor any static scan is compared with.
GREP_PATTERN = r"pkill|pgrep|killall|process_iter|sqlite:///|TRACKING_URI|--port|port=|time\.sleep|terminate\(\)|rmtree|scope=\"(session|module)\""

HEADER = '''"""Generated test module {index}."""

import json
import os
import subprocess
import time

import pytest
import requests

from app.service import predict, train
'''

UNIT_TESTS = [
    """
def test_predict_{n}(tmp_path):
    model = train(tmp_path / "model.pkl", rows=[1, 2, 3])
    assert predict(model, [1]) == [1]
    assert (tmp_path / "model.pkl").exists()
""",
    """
@pytest.mark.parametrize("value", [1, 2, 3, 5, 8])
def test_values_{n}(value, tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps({{"value": value}}))
    assert json.loads(path.read_text())["value"] == value
""",
    """
class TestService{n}:
    def test_health(self, client):
        response = client.get("/health")
        assert response.status_code == 200

    def test_schema(self, client):
        assert set(client.get("/schema").json()) >= {{"inputs", "outputs"}}
""",
    """
def test_rows_{n}():
    rows = [{{"id": i, "score": i / 10}} for i in range(20)]
    assert max(row["score"] for row in rows) == 1.9
""",
]

#: Integration packages (the last tenth) also hold server tests.
SERVER_TEST = """
@pytest.mark.server
def test_server_{n}(api_server):
    assert requests.get(f"{{api_server}}/health", timeout=5).ok
"""

BAD_TESTS = [
    """
def test_cleanup_{n}():
    subprocess.run(["pkill", "-f", "mlflow.server"], check=False)
""",
    """
def test_fixed_server_{n}():
    proc = subprocess.Popen(["mlflow", "server", "--port", "5000"])
    time.sleep(3)
    proc.terminate()
""",
    """
def test_shared_db_{n}():
    import mlflow
    mlflow.set_tracking_uri("sqlite:///tests/fixtures/databases/test_mlflow.db")
""",
]

CONFTEST = '''"""Fixtures of package {index}."""

import subprocess

import pytest


@pytest.fixture(scope="session")
def api_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("api") / "server.log"
    with open(log, "wb") as output:
        proc = subprocess.Popen(["uvicorn", "app:app", "--port", "0"], stdout=output,
                                start_new_session=True)
    yield "http://127.0.0.1:0"
    proc.wait()


@pytest.fixture
def client():
    from fastapi.testclient import TestClient
    from app.main import app
    with TestClient(app) as test_client:
        yield test_client
'''


def generate(root: Path, files: int, *, packages: int = 40, seed: int = 7) -> None:
    """`files` test modules in `packages` packages, each with a conftest; 1 test in 20 is bad."""
    rng = random.Random(seed)
    for package in range(packages):
        directory = root / "tests" / f"pkg{package:02d}"
        directory.mkdir(parents=True)
        (directory / "conftest.py").write_text(CONFTEST.format(index=package))
    for index in range(files):
        package = index % packages
        clean = UNIT_TESTS + ([SERVER_TEST] if package >= packages * 9 // 10 else [])
        parts = [HEADER.format(index=index)]
        for n in range(8):
            pool = BAD_TESTS if rng.random() < 0.05 else clean
            parts.append(rng.choice(pool).format(n=n))
        path = root / "tests" / f"pkg{package:02d}" / f"test_mod{index:04d}.py"
        path.write_text("".join(parts))


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return elapsed, cpu, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    grep = shutil.which("grep")
    if grep is None:
        raise SystemExit("grep not found on PATH")
    root = Path(tempfile.mkdtemp(prefix="bench-doctor-"))
    try:
        generate(root, args.files)
        lines = sum(len(p.read_text().splitlines()) for p in (root / "tests").rglob("*.py"))
        doctor_cmd = [sys.executable, "-m", "mmpgate", "doctor", "tests", "--format", "json"]
        grep_cmd = [grep, "-rn", "-E", GREP_PATTERN, "tests"]
        runs: dict[str, list[tuple[float, float]]] = {"doctor": [], "grep": []}
        findings = matches = 0
        for _ in range(args.repeat):
            wall, cpu, out = timed(doctor_cmd, root)
            runs["doctor"].append((wall, cpu))
            findings = len(json.loads(out)["findings"])
            wall, cpu, out = timed(grep_cmd, root)
            runs["grep"].append((wall, cpu))
            matches = len(out.splitlines())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    wall = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in runs.items()}
    load = os.getloadavg()[0]
    print(
        f"Tree: {args.files} test modules + 40 conftest.py, {lines} lines; {args.repeat} runs "
        f"each, alternating; load average at the end {load:.1f} on {os.cpu_count()} CPUs."
    )
    print()
    print("| Tool | Median wall (s) | Median CPU (s) | Output |")
    print("|---|---|---|---|")
    print(
        f"| `mmpgate doctor tests --format json` | {wall['doctor']:.2f} | {cpu['doctor']:.2f} "
        f"| {findings} findings |"
    )
    print(
        f"| `grep -rn -E PATTERN tests` (floor) | {wall['grep']:.2f} | {cpu['grep']:.2f} "
        f"| {matches} matching lines |"
    )
    print()
    print(
        f"Ratio doctor / grep: {wall['doctor'] / wall['grep']:.0f}x wall, "
        f"{cpu['doctor'] / max(cpu['grep'], 1e-3):.0f}x CPU."
    )


if __name__ == "__main__":
    main()
