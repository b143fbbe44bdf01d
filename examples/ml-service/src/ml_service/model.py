"""The model: a straight line fitted by least squares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    """y = slope * x + intercept."""

    slope: float
    intercept: float

    def predict(self, x: float) -> float:
        return self.slope * x + self.intercept


def fit(xs: Sequence[float], ys: Sequence[float]) -> Line:
    """Least-squares line through the points; needs two or more distinct x values."""
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys differ in length: {len(xs)} != {len(ys)}")
    if len(set(xs)) < 2:
        raise ValueError("need at least two distinct x values")
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return Line(slope=slope, intercept=mean_y - slope * mean_x)


def mean_squared_error(line: Line, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Mean squared residual of the line on the points."""
    return sum((line.predict(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs)
