"""mmpgate.metrics.format counts and rates."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mmpgate.metrics.document import new_counts, rates_of
from mmpgate.metrics.format import COUNT_KEYS, OUTCOME_KEYS


def test_empty_counts_have_every_key_at_zero():
    """new_counts() names every count key, each 0."""
    assert new_counts() == dict.fromkeys(COUNT_KEYS, 0)


def test_total_leaves_out_deselected_and_reruns():
    """total sums the six outcomes only."""
    counts = new_counts({"passed": 3, "errors": 1, "deselected": 7, "reruns": 5})
    assert counts["total"] == 4


def test_rates_of_an_empty_group_are_null():
    """Total 0 gives null rates, not 0 and not a ZeroDivisionError."""
    assert rates_of(new_counts({"deselected": 3})) == {"failure": None, "skip": None}


def test_rates_worked_example():
    """(failed + errors) / total and skipped / total."""
    counts = new_counts({"passed": 5, "failed": 1, "errors": 1, "skipped": 2, "xfailed": 1})
    assert rates_of(counts) == {"failure": 0.2, "skip": 0.2}


@given(st.fixed_dictionaries({key: st.integers(0, 10**6) for key in OUTCOME_KEYS}))
def test_rates_are_fractions_of_total(outcomes):
    """For any counts, both rates lie in [0, 1] and never exceed 1 together."""
    result = rates_of(new_counts(outcomes))
    if sum(outcomes.values()) == 0:
        assert result == {"failure": None, "skip": None}
    else:
        assert result["failure"] is not None
        assert result["skip"] is not None
        assert 0 <= result["failure"] <= 1
        assert 0 <= result["skip"] <= 1
        assert result["failure"] + result["skip"] <= 1 + 1e-12
