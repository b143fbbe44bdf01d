"""The reader of pytest's summary line that the case matrix compares against."""

from __future__ import annotations

import pytest

ZERO = dict.fromkeys(
    ("passed", "failed", "errors", "skipped", "xfailed", "xpassed", "deselected", "reruns"), 0
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("==== 1 failed, 1 error in 0.12s ====", {"failed": 1, "errors": 1}),
        ("== 2 failed, 3 passed, 4 rerun in 1.00s ==", {"failed": 2, "passed": 3, "reruns": 4}),
        (
            "== 1 skipped, 2 xfailed, 1 xpassed, 5 deselected, 3 warnings in 0.50s ==",
            {"skipped": 1, "xfailed": 2, "xpassed": 1, "deselected": 5},
        ),
        ("= 4 errors in 0.01s =", {"errors": 4}),
        ("==== no tests ran in 0.01s ====", {}),
    ],
)
def test_summary_words_become_counts(summary_counts, line, expected):
    """Each of pytest's words lands on its counts key; absent words are 0; warnings are no count."""
    nouns = pytest.RunResult.parse_summary_nouns([line])
    assert summary_counts(nouns) == {**ZERO, **expected}


def test_unknown_word_is_refused(summary_counts):
    """A word the reader does not know fails loudly instead of being dropped."""
    nouns = pytest.RunResult.parse_summary_nouns(["== 1 passed, 2 flaked in 0.10s =="])
    with pytest.raises(ValueError, match="flaked"):
        summary_counts(nouns)


def test_header_collected_reads_serial_and_xdist(run_metrics, pytester):
    """collected comes from pytest's own header, serial and under xdist."""
    pytester.makepyfile(test_case="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    assert run_metrics("-k", "test_a").pytest_collected == 2
    assert run_metrics(mode="xdist").pytest_collected == 2
