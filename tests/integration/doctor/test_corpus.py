"""The corpora through the CLI: every `# expect:` line found and nothing else (the clean suite: no
finding), the diagnoses that matter, the precision table, and the corpora never collected."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from mmpgate.cli import main
from mmpgate.doctor import RULES

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "doctor"
BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _precision_script() -> ModuleType:
    """benchmarks/doctor_precision.py, the one home of the corpus truth (`# expect:` marks)."""
    spec = importlib.util.spec_from_file_location(
        "doctor_precision", BENCHMARKS / "doctor_precision.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRECISION = _precision_script()


@pytest.mark.parametrize("name", ["original", "shapes", "clean"])
def test_corpus_findings_are_exactly_the_marked_lines(name, monkeypatch, capsys):
    """Through the CLI with the default scope, each corpus gives every `# expect:` line's rule
    and nothing else (the clean suite: nothing at all, exit 0)."""
    root = CORPUS / name
    want = PRECISION.expected(root)
    monkeypatch.chdir(root)
    assert main(["doctor", "--format", "json"]) == (1 if want else 0)
    document = json.loads(capsys.readouterr().out)
    got = {(f["path"], f["line"], f["rule"]) for f in document["findings"]}
    assert got == want


def test_every_rule_has_a_positive_in_the_corpus():
    """Each rule but parse-error is shown firing on a known-bad line of some corpus."""
    marked = {rule for root in PRECISION.corpora() for _, _, rule in PRECISION.expected(root)}
    assert set(RULES) - marked == {"parse-error"}


def test_shapes_default_scope_finds_the_product_race(monkeypatch, capsys):
    """The package next to tests/ is in the default scope: its fixed scratch dir is found."""
    monkeypatch.chdir(CORPUS / "shapes")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "mmpgate doctor: checking tests, mlpipe (tests + packages from the packages next to tests/)"
    )
    assert "mlpipe/export.py\n    15  shared-scratch-dir  `<tempdir>/mlpipe-export`" in out


def test_lock_is_diagnosed_as_a_lock_not_a_scratch_dir(monkeypatch, capsys):
    """The mkdir lock gets `home-made-lock` with its real failure modes and the server mark as the
    fix; its release is not reported as a shared scratch dir."""
    monkeypatch.chdir(CORPUS / "shapes")
    assert main(["doctor", "tests/integration/test_locks.py", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["rule"] for f in findings} == {"home-made-lock"}
    mkdir = next(f for f in findings if "`mkdir`" in f["message"])
    assert "kill -9" in mkdir["message"]
    assert "session- or module-scoped" in mkdir["message"]
    assert "@pytest.mark.server" in mkdir["fix"]


def test_guarded_kill_is_a_warning_naming_its_guard(monkeypatch, capsys):
    """An env-gated pkill is a warning (not an error) that names the variable."""
    monkeypatch.chdir(CORPUS / "shapes")
    assert main(["doctor", "tests/conftest.py", "--format", "github"]) == 1
    lines = [
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("::") and "guarded-global-kill" in line
    ]
    assert len(lines) == 2
    assert all(line.startswith("::warning ") for line in lines)
    assert "guarded by `MMP_ENABLE_GLOBAL_KILL`" in lines[0]
    assert "guarded by `MLPIPE_KILL_STRAYS`" in lines[1]


def test_precision_table_in_the_benchmarks_readme_is_current():
    """benchmarks/README.md holds the table the script computes now, meeting the targets."""
    assert PRECISION.block_in(BENCHMARKS / "README.md") == PRECISION.table()
    total = PRECISION.table().splitlines()[-1].split("|")
    precision, recall = float(total[5]), float(total[6])
    assert precision >= 0.9
    assert recall >= 0.9


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


def test_corpus_is_never_collected_as_tests(pytester):
    """pytest collects nothing from the corpora: they are data."""
    result = pytester.runpytest_inprocess(
        "--collect-only", "-q", "-p", "no:cacheprovider", str(CORPUS)
    )
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["no tests collected*"])
