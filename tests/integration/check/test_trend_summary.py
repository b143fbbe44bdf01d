"""`mmpgate check` with a baseline: the markdown verdict and the job summary carry trend charts."""

from __future__ import annotations

from mmpgate.cli import main
from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import load_thresholds
from mmpgate.github import summary_markdown
from mmpgate.metrics.results import load_baseline, load_metrics_dir
from mmpgate.trends import point_of_set

BEFORE = "def test_one():\n    assert True\n\ndef test_two():\n    assert True\n"
NOW = "def test_one():\n    assert True\n\ndef test_two():\n    assert False\n"
THRESHOLDS = "version: 1\nregression: {max_new_failures: 5}\n"


def test_markdown_and_summary_draw_the_failure_rate_against_the_baseline(
    pytester, record, capsys, monkeypatch
):
    """A failure since the baseline: a Mermaid failure-rate chart in stdout and in the summary."""
    record("unit", BEFORE, directory="baseline")
    record("unit", NOW, directory="results")
    pytester.makefile(".yml", thresholds=THRESHOLDS)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = [
        "check",
        str(pytester.path / "thresholds.yml"),
        "--metrics",
        str(pytester.path / "results"),
    ]
    main([*args, "--baseline", str(pytester.path / "baseline"), "--format", "markdown"])
    out = capsys.readouterr().out
    for text in (out, summary.read_text()):
        assert "```mermaid\nxychart-beta" in text
        assert 'title "Failure rate (%) over the last 2 runs"' in text
        assert 'x-axis ["baseline", "now"]' in text
        assert "line [0, 50]" in text


def test_no_baseline_no_chart(pytester, record, capsys):
    """Without a baseline or history there is nothing to draw."""
    record("unit", NOW)
    pytester.makefile(".yml", thresholds="version: 1\n")
    main(
        [
            "check",
            str(pytester.path / "thresholds.yml"),
            "--metrics",
            str(pytester.path / "results"),
            "--format",
            "markdown",
        ]
    )
    assert "mermaid" not in capsys.readouterr().out


def test_charts_give_way_before_the_table_is_cut(pytester, record):
    """A budget that fits the table but not the charts keeps the table whole and drops the charts."""
    record("unit", BEFORE, directory="baseline")
    record("unit", NOW, directory="results")
    pytester.makefile(".yml", thresholds=THRESHOLDS)
    thresholds = load_thresholds(pytester.path / "thresholds.yml")
    now, before = (
        load_metrics_dir(pytester.path / "results"),
        load_baseline(pytester.path / "baseline"),
    )
    verdict = evaluate(now, thresholds, before)
    trend = (point_of_set(before, "baseline"), point_of_set(now, "now"))
    full = summary_markdown(verdict, trend=trend)
    bare = summary_markdown(verdict, trend=())
    assert "mermaid" in full
    squeezed = summary_markdown(verdict, budget=len(bare.encode()), trend=trend)
    assert squeezed == bare
