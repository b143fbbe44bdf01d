"""`mmpgate init --from-run` margins: each limit from the measured figure, rounded as stated."""

from __future__ import annotations

from mmpgate.init.render import Limits, Measured, thresholds_text


def test_margins_round_the_stated_way() -> None:
    """90 % of tests down, skip rate + 2 points up, 2x wall (>= +60 s) up to 10 s, coverage - 2 down."""
    limits = Limits.from_run(Measured(tests=57, skipped=3, wall=12.3, coverage=81.7))
    assert limits == Limits(min_tests=51, max_skip_rate=8, max_duration=80, min_coverage=79)
    long = Limits.from_run(Measured(tests=1, skipped=0, wall=300.0, coverage=None))
    assert long == Limits(min_tests=1, max_skip_rate=2, max_duration=600, min_coverage=None)


def test_starter_file_names_every_group_and_comments_every_line() -> None:
    """Without a run: the groups are required, and every key line carries a comment."""
    text = thresholds_text(["unit", "e2e"])
    assert "require_groups: [unit, e2e]" in text
    keys = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert all("#" in line for line in keys)
