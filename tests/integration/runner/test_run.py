"""`mmpgate run`: one pytest process per group, the group policy, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics


def test_run_all_writes_every_file_per_group(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each group gets metrics, coverage XML, coverage data and JUnit files; missing default e2e is noted."""
    assert main(["run", "--all"]) == 0
    out = sample.path / "mmpgate-results"
    for group in ("unit", "integration"):
        assert (out / f"metrics.{group}.json").is_file()
        assert (out / f"coverage.{group}.xml").is_file()
        assert (out / f".coverage.{group}").is_file()
        assert (out / f"junit.{group}.xml").is_file()
    assert not (out / "metrics.e2e.json").exists()
    printed = capsys.readouterr().out
    assert "default group 'e2e' skipped: tests/e2e does not exist" in printed
    assert "mmpgate: [1/2] unit: 2 passed" in printed
    assert "mmpgate: [2/2] integration: 1 passed, 1 skipped" in printed
    unit = load_metrics(out / "metrics.unit.json")
    integration = load_metrics(out / "metrics.integration.json")
    assert unit["counts"]["passed"] == 2
    assert (integration["counts"]["passed"], integration["counts"]["skipped"]) == (1, 1)
    assert unit["coverage"] is not None
    assert integration["coverage"] is not None


def test_group_policy_unit_parallel_others_serial(sample: pytest.Pytester) -> None:
    """unit runs under xdist (-n auto), integration serialized (-n 0)."""
    assert main(["run"]) == 0
    out = sample.path / "mmpgate-results"
    assert load_metrics(out / "metrics.unit.json")["environment"]["workers"] >= 1
    assert load_metrics(out / "metrics.integration.json")["environment"]["workers"] == 0


def test_coverage_data_file_is_overridden_visibly(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """COVERAGE_FILE=DIR/.coverage.<group> is announced on the console."""
    main(["run", "unit"])
    assert "COVERAGE_FILE=" in capsys.readouterr().out
    assert (sample.path / "mmpgate-results" / ".coverage.unit").is_file()
    assert not (sample.path / ".coverage").exists()


def test_exit_code_is_pytests(sample: pytest.Pytester) -> None:
    """A failing test makes `run` exit 1, pytest's code, and the metrics are still written."""
    (sample.path / "tests" / "unit" / "test_bad.py").write_text(
        "def test_bad():\n    assert False\n"
    )
    assert main(["run", "unit"]) == 1
    doc = load_metrics(sample.path / "mmpgate-results" / "metrics.unit.json")
    assert doc["counts"]["failed"] == 1
    assert doc["complete"] is True


def test_extra_pytest_args_after_double_dash(sample: pytest.Pytester) -> None:
    """Arguments after -- reach pytest (here a -k deselection)."""
    assert main(["run", "unit", "--", "-k", "zero", "-p", "no:randomly"]) == 0
    doc = load_metrics(sample.path / "mmpgate-results" / "metrics.unit.json")
    assert doc["counts"]["passed"] == 1


def test_project_addopts_stay_in_force(sample: pytest.Pytester) -> None:
    """The project's own pytest addopts apply (a -m filter deselects the unmarked test)."""
    sample.makepyprojecttoml(
        '[project]\nname = "calc"\nversion = "0"\n[tool.pytest.ini_options]\naddopts = "-m \'not slow\'"\n'
        'markers = ["slow: slow"]\n'
    )
    (sample.path / "tests" / "unit" / "test_slow.py").write_text(
        "import pytest\n\n@pytest.mark.slow\ndef test_slow():\n    pass\n"
    )
    assert main(["run", "integration"]) == 0
    assert main(["run", "unit"]) == 0
    doc = load_metrics(sample.path / "mmpgate-results" / "metrics.unit.json")
    assert doc["counts"]["passed"] == 2


def test_stale_files_of_an_earlier_run_are_removed(sample: pytest.Pytester) -> None:
    """A pytest that writes nothing leaves an incomplete placeholder, never the earlier run's metrics."""
    assert main(["run", "unit"]) == 0
    out = sample.path / "mmpgate-results"
    # A usage error stops pytest before its session: it writes no metrics of its own.
    assert main(["run", "unit", "--", "--no-such-option"]) == 4
    doc = load_metrics(out / "metrics.unit.json")
    assert doc["complete"] is False
    assert doc["counts"]["total"] == 0
    assert "without writing metrics" in doc["reason"]
    assert not (out / "coverage.unit.xml").exists()


def test_declared_group_with_missing_path_is_exit_2(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """A declared group whose path does not exist is an error naming the path."""
    sample.makepyprojecttoml('[tool.mmpgate.groups.unit]\npath = "tests/nowhere"\n')
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "test path does not exist: tests/nowhere" in err
    assert "pyproject.toml" in err
    assert "Traceback" not in err


def test_unknown_group_is_exit_2(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for a group that is not configured is a usage error."""
    assert main(["run", "smoke"]) == 2
    assert "unknown group 'smoke'" in capsys.readouterr().err


def test_output_dir_option_and_symlinked_checkout(sample: pytest.Pytester, tmp_path: Path) -> None:
    """--results-dir DIR is honoured and resolved through a symlinked checkout."""
    link = tmp_path / "link"
    link.symlink_to(sample.path, target_is_directory=True)
    sample.chdir()
    import os

    os.chdir(link)
    assert main(["run", "unit", "--results-dir", "res"]) == 0
    assert (sample.path / "res" / "metrics.unit.json").is_file()
    doc = json.loads((sample.path / "res" / "metrics.unit.json").read_text())
    assert doc["group"] == "unit"


def test_ci_parses_each_metrics_file_once(
    sample: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mmpgate ci` runs, combines and gates, reading every metrics file from disk exactly once."""
    from mmpgate.metrics import io

    reads: list[str] = []
    real = io.read_json

    def counting(path: Path):
        reads.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(io, "read_json", counting)
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    assert main(["ci"]) == 0
    assert sorted(reads) == ["metrics.integration.json", "metrics.unit.json"]


def test_a_group_started_from_inside_a_worker_is_no_worker(
    sample: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mmpgate run called from an xdist worker: the group's pytest inherits no PYTEST_XDIST_*."""
    (sample.path / "tests" / "integration" / "test_env.py").write_text(
        "import os\n\ndef test_not_a_worker():\n"
        "    assert 'PYTEST_XDIST_WORKER' not in os.environ\n"
        "    assert 'PYTEST_XDIST_WORKER_COUNT' not in os.environ\n"
    )
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "9")
    assert main(["run", "integration"]) == 0
