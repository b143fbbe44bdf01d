"""`mmpgate combine`: sums of groups, coverage from combined data, refusal of bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.combine import sum_groups
from mmpgate.metrics.io import load_metrics


def test_total_counts_and_coverage_from_combined_data(sample: pytest.Pytester) -> None:
    """Counts are summed and total coverage comes from coverage combine, not an average."""
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    out = sample.path / "mmpgate-results"
    total = load_metrics(out / "metrics.total.json")
    unit = load_metrics(out / "metrics.unit.json")
    integration = load_metrics(out / "metrics.integration.json")
    assert total["kind"] == "total"
    assert total["counts"]["passed"] == 3
    assert total["counts"]["skipped"] == 1
    assert total["duration"]["wall"] == pytest.approx(
        unit["duration"]["wall"] + integration["duration"]["wall"], abs=1e-5
    )
    assert set(total["groups"]) == {"unit", "integration"}
    # unit covers add, integration covers sub: the union covers more than either group.
    lines = total["coverage"]["lines_covered"]
    assert lines > unit["coverage"]["lines_covered"]
    assert lines > integration["coverage"]["lines_covered"]
    average = (unit["coverage"]["percent"] + integration["coverage"]["percent"]) / 2
    assert total["coverage"]["percent"] != pytest.approx(average)
    assert (out / "coverage.total.xml").is_file()


def test_combine_refuses_incomplete_groups(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """An interrupted group makes combine exit 2 unless --allow-incomplete."""
    (sample.path / "tests" / "unit" / "test_exit.py").write_text(
        "import pytest\n\ndef test_exit():\n    pytest.exit('stop')\n"
    )
    main(["run", "unit", "--", "-n", "0"])
    capsys.readouterr()
    assert main(["combine"]) == 2
    assert "expected complete groups, incomplete: unit" in capsys.readouterr().err
    assert main(["combine", "--allow-incomplete"]) == 0
    assert load_metrics(sample.path / "mmpgate-results" / "metrics.total.json")["complete"] is False


def test_combine_refuses_other_format_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A metrics file of another format version is named with the expected version."""
    (tmp_path / "metrics.unit.json").write_text(json.dumps({"format": 99}))
    assert main(["combine", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "metrics.unit.json: $.format: expected format version 1, got 99" in err


def test_combine_missing_dir_and_empty_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing directory and a directory without metrics are both exit 2 with one line."""
    assert main(["combine", str(tmp_path / "nope")]) == 2
    assert "metrics directory not found" in capsys.readouterr().err
    assert main(["combine", str(tmp_path)]) == 2
    assert "found none" in capsys.readouterr().err


def test_sum_groups_recomputes_rates_and_handles_empty() -> None:
    """Rates of the total come from summed counts; all-empty groups give null rates."""

    def doc(group: str, passed: int, failed: int, wall: float) -> dict[str, object]:
        counts = {
            "passed": passed,
            "failed": failed,
            "errors": 0,
            "skipped": 0,
            "xfailed": 0,
            "xpassed": 0,
            "deselected": 0,
            "reruns": 0,
            "total": passed + failed,
        }
        return {
            "group": group,
            "counts": counts,
            "rates": {},
            "duration": {"wall": wall, "tests_sum": wall},
            "coverage": None,
            "complete": True,
            "stopped_early": False,
            "interrupted": False,
            "collected": passed + failed,
            "slowest": [],
        }

    total = sum_groups([doc("a", 3, 1, 1.5), doc("b", 4, 0, 2.0)])
    assert total["counts"]["total"] == 8
    assert total["rates"]["failure"] == pytest.approx(1 / 8)
    assert total["duration"]["wall"] == pytest.approx(3.5)
    empty = sum_groups([doc("a", 0, 0, 0.1)])
    assert empty["empty"] is True
    assert empty["rates"] == {"failure": None, "skip": None}


def test_combine_expect_requires_exactly_the_planned_groups(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    """--expect (the plan's map) names a missing group and an unplanned one, exit 2."""
    assert main(["run"]) == 0
    capsys.readouterr()
    assert main(["combine", "--expect", '{"unit": 1, "integration": 1}']) == 0
    assert main(["combine", "--allow-incomplete", "--expect", '{"unit": 1, "e2e": 1}']) == 2
    err = capsys.readouterr().err
    assert "missing e2e" in err
    assert "not in the plan: integration" in err
    assert main(["combine", "--expect", "{}"]) == 2
    assert "--expect: expected at least one group" in capsys.readouterr().err


def test_ci_output_is_the_verdict_file_and_results_dir_the_directory(
    sample: pytest.Pytester,
) -> None:
    """`ci --output FILE` writes the JSON verdict, `--results-dir DIR` holds the group files."""
    (sample.path / "thresholds.yml").write_text("version: 1\n")
    code = main(["ci", "--results-dir", "res", "--output", "res/verdict.json"])
    assert code == 0
    verdict = json.loads((sample.path / "res" / "verdict.json").read_text())
    assert verdict["verdict"] == "pass"
    assert (sample.path / "res" / "metrics.unit.json").is_file()
