"""The corpora through the CLI: the original suite's patterns at their exact lines, the clean suite
with no finding, and the corpora never collected as tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "doctor"

#: (file, a unique piece of the reported line, rule): the original plan's patterns.
ORIGINAL = [
    ("tests/conftest.py", 'DEFAULT_TRACKING_URI = "sqlite:///tests', "shared-tracking-store"),
    (
        "tests/conftest.py",
        'run(["pkill", "-f", "mlflow.server"], check=False)\n    subprocess.run(["pkill", "-f", "uvicorn',
        "global-kill",
    ),
    (
        "tests/conftest.py",
        'subprocess.run(["pkill", "-f", "uvicorn.*mlflow"], check=False)\n    result',
        "global-kill",
    ),
    ("tests/conftest.py", '["pgrep", "-f", "mlflow.server"]', "global-kill"),
    ("tests/conftest.py", "os.kill(int(pid), signal.SIGKILL)", "global-kill"),
    (
        "tests/conftest.py",
        'run(["pkill", "-f", "mlflow.server"], check=False)\n    os.system',
        "global-kill",
    ),
    ("tests/conftest.py", "os.system('pkill -f \"uvicorn.*mlflow\"')", "global-kill"),
    (
        "tests/conftest.py",
        'run(["pkill", "-f", "mlflow.server"], check=False)\n    subprocess.run("pkill',
        "global-kill",
    ),
    (
        "tests/conftest.py",
        "subprocess.run(\"pkill -f 'uvicorn.*mlflow'\", shell=True",
        "global-kill",
    ),
    ("tests/conftest.py", '"--port",', "fixed-port"),
    ("tests/conftest.py", "time.sleep(5)", "sleep-after-start"),
    ("tests/conftest.py", "process.terminate()", "terminate-top-only"),
    ("tests/utils/settings.py", 'tracking_uri: str = "sqlite:///tests', "shared-tracking-store"),
    (
        "tests/utils/mlflow_context.py",
        'tracking_uri: str = "sqlite:///tests',
        "shared-tracking-store",
    ),
    ("tests/utils/mlflow_context.py", '"--port=5001"', "fixed-port"),
    (
        "tests/utils/mlflow_context.py",
        "mlflow.set_tracking_uri(self.tracking_uri)",
        "global-state-without-restore",
    ),
    ("tests/utils/mlflow_context.py", "time.sleep(3)", "sleep-after-start"),
    ("tests/utils/mlflow_context.py", "self.server.terminate()", "terminate-top-only"),
    ("tests/utils/mlflow_context.py", '["pgrep", "-f", "mlflow.server"]', "global-kill"),
    ("tests/utils/mlflow_context.py", "os.kill(int(pid), signal.SIGTERM)", "global-kill"),
    ("tests/utils/mlflow_context.py", "proc.kill()", "global-kill"),
    ("tests/utils/mlflow_context.py", "shutil.rmtree(ARTIFACT_ROOT", "shared-scratch-dir"),
    ("tests/integration/mlflow_server_cases.py", "port=8000))", "fixed-port"),
    ("tests/integration/mlflow_server_cases.py", "time.sleep(2)", "sleep-after-start"),
    (
        "tests/integration/mlflow_server_cases.py",
        "def test_server_is_healthy(",
        "unmarked-server-fixture",
    ),
    (
        "tests/integration/mlflow_server_cases.py",
        "def test_predict_logs_a_run(",
        "unmarked-server-fixture",
    ),
    ("tests/integration/mlflow_server_cases.py", 'sqlite3.connect("tests/', "shared-database"),
]


def _line_of(path: Path, piece: str) -> int:
    """The 1-based line where `piece` starts; it must occur exactly once in the file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(piece) == 1, f"{piece!r} must occur once in {path}"
    return text[: text.index(piece)].count("\n") + 1


def test_original_suite_patterns_found_at_their_lines(monkeypatch, capsys):
    """Every pattern of the original plan's suite is reported at its line, and nothing else."""
    root = CORPUS / "original"
    monkeypatch.chdir(root)
    assert main(["doctor", "--format", "json"]) == 1
    found = {
        (f["path"], f["line"], f["rule"]) for f in json.loads(capsys.readouterr().out)["findings"]
    }
    wanted = {(name, _line_of(root / name, piece), rule) for name, piece, rule in ORIGINAL}
    assert len(wanted) == len(ORIGINAL)
    assert found == wanted


def test_original_suite_mlflow_context_exit_kills_servers(monkeypatch, capsys):
    """The test context's `__exit__` is where its pgrep, os.kill and psutil kill are reported."""
    root = CORPUS / "original"
    monkeypatch.chdir(root)
    assert main(["doctor", "tests/utils/mlflow_context.py", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    source = (root / "tests/utils/mlflow_context.py").read_text().splitlines()
    exit_start = next(i for i, line in enumerate(source, 1) if "def __exit__" in line)
    kills = [f["line"] for f in findings if f["rule"] == "global-kill"]
    assert len(kills) == 3
    assert all(line > exit_start for line in kills)


def test_clean_suite_has_no_finding(monkeypatch, capsys):
    """The same suite written with mmpgate's fixtures gives no finding and exit code 0."""
    monkeypatch.chdir(CORPUS / "clean")
    assert main(["doctor", "tests"]) == 0
    out = capsys.readouterr().out
    files = len(list((CORPUS / "clean" / "tests").rglob("*.py")))
    assert out.splitlines()[1:] == [f"mmpgate doctor: no findings in {files} file(s)"]


def test_corpus_is_never_collected_as_tests(pytester):
    """pytest collects nothing from the corpora: they are data."""
    result = pytester.runpytest_inprocess(
        "--collect-only", "-q", "-p", "no:cacheprovider", str(CORPUS)
    )
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["no tests collected*"])
