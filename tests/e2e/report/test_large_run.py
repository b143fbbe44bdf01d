"""The report of a 100,000-test run: small, and it opens cleanly in the browser."""

from __future__ import annotations

from pathlib import Path

from big_run import write_run
from browser import Browser

from mmpgate.cli import main
from mmpgate.htmlreport.model import LIST_LIMIT
from mmpgate.metrics.reading import group_documents


def test_report_of_100000_tests_opens_with_every_chart(tmp_path: Path, capsys) -> None:
    """Generated from 100,000 tests, the page lists the first failures and counts the rest."""
    results = tmp_path / "results"
    tests = write_run(results)
    page = tmp_path / "report.html"
    assert main(["report", "--metrics", str(results), "--output", str(page)]) == 0
    assert f"{tests} tests" in capsys.readouterr().out
    with Browser() as browser:
        opened = browser.check_page(page)
    assert opened.problems() == []
    assert {c.name for c in opened.charts} >= {"outcomes", "coverage", "wall-time", "slowest"}
    failing = sum(
        1 for doc in group_documents(results) for e in doc.data["tests"] if e["outcome"] == "failed"
    )
    assert failing > LIST_LIMIT
    text = page.read_text()
    assert f"Failing tests ({failing})" in text
    assert f"… and {failing - LIST_LIMIT} more" in text
    assert page.stat().st_size < sum(p.stat().st_size for p in results.iterdir()) / 20
