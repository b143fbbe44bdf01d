"""`mmpgate report` through main(): what it reads, what it refuses, what the page holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpgate.cli import main


@pytest.fixture
def results(pytester: pytest.Pytester) -> Path:
    """A real pytest run's metrics: passing, failing (with markup in its message) and skipped."""
    pytester.makepyfile(
        test_sample="""
        import pytest
        def test_ok(): pass
        def test_bad(): assert 0, "<img src=x onerror=alert(1)>"
        @pytest.mark.skip(reason="later")
        def test_later(): pass
        """
    )
    out = pytester.path / "results" / "metrics.unit.json"
    pytester.runpytest_subprocess(f"--mmpgate-metrics={out}", "-p", "no:cacheprovider")
    return out.parent


def test_page_is_self_contained_and_escapes_messages(results: Path, tmp_path: Path) -> None:
    """No script, no external URL, a CSP that forbids fetches, and the message as text."""
    page = tmp_path / "r.html"
    assert main(["report", "--metrics", str(results), "--output", str(page)]) == 0
    text = page.read_text()
    assert "<script" not in text
    assert "default-src 'none'" in text
    assert "src=" not in text.replace("&lt;img src=x", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_thresholds_add_limits_and_the_verdict(results: Path, tmp_path: Path) -> None:
    """With thresholds the page shows the gate's verdict and draws the limits."""
    thresholds = tmp_path / "t.yml"
    thresholds.write_text("version: 1\ndefaults: {max_failure_rate: 10%, max_skip_rate: 50%}\n")
    page = tmp_path / "r.html"
    code = main(
        [
            "report",
            "--metrics",
            str(results),
            "--thresholds",
            str(thresholds),
            "--output",
            str(page),
        ]
    )
    assert code == 0
    text = page.read_text()
    assert "mmpgate gate: FAIL" in text
    assert 'class="limit"' in text


def test_refuses_to_write_over_an_input(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--output pointing at a metrics file is a usage error (exit 2), the file is untouched."""
    target = results / "metrics.unit.json"
    before = target.read_bytes()
    assert main(["report", "--metrics", str(results), "--output", str(target)]) == 2
    assert "would write over an input" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_bad_metrics_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken metrics file names the file and the JSON path, without a traceback."""
    (tmp_path / "metrics.unit.json").write_text(json.dumps({"format": 99}))
    assert main(["report", "--metrics", str(tmp_path), "--output", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "$.format" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_missing_thresholds_file_is_a_usage_error(results: Path, tmp_path: Path) -> None:
    """An explicit --thresholds that does not exist is refused (the default one is optional)."""
    args = ["report", "--metrics", str(results), "--thresholds", str(tmp_path / "no.yml")]
    assert main([*args, "--output", str(tmp_path / "r.html")]) == 2
