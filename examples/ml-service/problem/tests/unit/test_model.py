"""The line model: fitting, prediction and its errors."""

from __future__ import annotations

import pytest
from ml_service.model import Line, fit, mean_squared_error



def test_fit_recovers_an_exact_line() -> None:
    """Points on y = 2x + 1 give slope 2 and intercept 1."""
    line = fit([0, 1, 2, 3], [1, 3, 5, 7])
    assert line == Line(slope=2.0, intercept=1.0)
    assert mean_squared_error(line, [0, 1, 2, 3], [1, 3, 5, 7]) == 0.0


def test_fit_of_noisy_points_has_a_positive_error() -> None:
    """Points off any single line leave a positive mean squared error."""
    xs, ys = [0, 1, 2, 3], [0, 2, 1, 3]
    line = fit(xs, ys)
    assert line.slope == pytest.approx(0.8)
    assert mean_squared_error(line, xs, ys) > 0


@pytest.mark.parametrize(
    ("xs", "ys", "message"),
    [([1, 2], [1], "differ in length"), ([1, 1], [1, 2], "two distinct x values")],
)
def test_fit_rejects_bad_input(xs: list[float], ys: list[float], message: str) -> None:
    """Mismatched lengths and a single x value are refused with a clear message."""
    with pytest.raises(ValueError, match=message):
        fit(xs, ys)
