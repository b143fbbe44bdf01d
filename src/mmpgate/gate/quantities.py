"""Parsing and printing of the quantities in thresholds and verdicts: rates, durations, percents.

Rates are kept as exact fractions and durations/percents as decimals, so that a threshold means what
was written (`0.5%` is exactly 1/200) and no float noise decides a boundary.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

#: Durations are compared and printed in milliseconds; coverage in hundredths of a percent.
SECONDS_QUANTUM = Decimal("0.001")
PERCENT_QUANTUM = Decimal("0.01")

#: A number written in thresholds has at most this many digits (a 5,000-digit duration is a typo).
MAX_DIGITS = 30
#: Rounding works at this precision: any finite double (up to ~1.8e308) keeps its milliseconds.
_CONTEXT = Context(prec=400, Emax=999_999, Emin=-999_999)

_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
_DURATION = re.compile(
    r"^\s*(?=[0-9])(?:(?P<h>[0-9]+(?:\.[0-9]+)?)h)?\s*(?:(?P<m>[0-9]+(?:\.[0-9]+)?)m)?\s*"
    r"(?:(?P<s>[0-9]+(?:\.[0-9]+)?)s?)?\s*$"
)


class UnitError(ValueError):
    """A value that is not the quantity expected; the message says what was expected."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def exact(value: int | float | str | Decimal) -> Decimal:
    """The decimal a number was written as (0.1 stays 0.1, not the nearest binary float)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def parse_rate(value: object, *, allow_above_one: bool = False) -> Fraction:
    """A fraction 0..1 (`0.05`) or a percent string (`"5%"`) as an exact fraction."""
    if _is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value)
        number = exact(value)
        if not number.is_finite() or number < 0:
            raise UnitError(f"expected a rate of 0 or more, got {value!r}")
        if number > 1:
            raise UnitError(
                f"expected a fraction between 0 and 1 or a percent string, got {value!r}; "
                f"write '{value}%' for {value} percent"
            )
        return Fraction(number)
    if isinstance(value, str):
        _check_digits(value)
        match = _PERCENT.match(value)
        if match is None:
            raise UnitError(
                f"expected a fraction between 0 and 1 or a percent string like '5%', got {value!r}"
            )
        rate = Fraction(Decimal(match.group(1))) / 100
        if rate > 1 and not allow_above_one:
            raise UnitError(f"expected a percent between 0% and 100%, got {value!r}")
        return rate
    raise UnitError(
        f"expected a fraction between 0 and 1 or a percent string like '5%', got {value!r}"
    )


def _check_digits(text: str) -> None:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_DIGITS:
        raise UnitError(
            f"expected a number of at most {MAX_DIGITS} digits, got a string of {len(text)} "
            f"characters ({text[:20]}...)"
        )


def _check_number(value: int | float) -> None:
    if isinstance(value, int) and value.bit_length() > 100:  # about 30 digits
        raise UnitError(f"expected a number of at most {MAX_DIGITS} digits")


def parse_duration(value: object) -> Decimal:
    """Seconds (`90`, `1.5`) or hours/minutes/seconds (`"90s"`, `"2m"`, `"1h30m"`) as seconds."""
    if _is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value)
        number = exact(value)
        if not number.is_finite() or number < 0:
            raise UnitError(f"expected a duration of 0 seconds or more, got {value!r}")
        return number
    if isinstance(value, str):
        _check_digits(value)
        match = _DURATION.match(value)
        if match is not None:
            parts = match.groupdict()
            return sum(
                (
                    Decimal(parts[key]) * scale
                    for key, scale in (("h", 3600), ("m", 60), ("s", 1))
                    if parts[key]
                ),
                Decimal(0),
            )
    raise UnitError(f"expected seconds or a duration like '90s', '2m' or '1h30m', got {value!r}")


def parse_percent_points(value: object) -> Decimal:
    """A percent (or percentage points) between 0 and 100, written as a number."""
    if _is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value)
        number = exact(value)
        if number.is_finite() and 0 <= number <= 100:
            return number
    raise UnitError(f"expected a number of percent between 0 and 100, got {value!r}")


def round_seconds(seconds: float | Decimal) -> Decimal:
    """Seconds to milliseconds, half to even: the value that is compared and printed."""
    return exact(seconds).quantize(SECONDS_QUANTUM, rounding=ROUND_HALF_EVEN, context=_CONTEXT)


def round_percent(percent: float | Decimal) -> Decimal:
    """A percent to hundredths, half to even: the value that is compared and printed."""
    return exact(percent).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN, context=_CONTEXT)


def decimal_text(value: Fraction | Decimal, places: int = 6) -> str:
    """A plain decimal string without exponent or trailing zeros (`0.05`, `1`, `0.333333`)."""
    number = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else value
    )
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUND_HALF_EVEN, context=_CONTEXT):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent_text(rate: Fraction) -> str:
    """A rate as a percent with two decimals, more when two would hide a non-zero rate."""
    percent = rate * 100
    for places in (2, 4, 6):
        text = decimal_text(percent, places)
        if rate == 0 or text != "0":
            return f"{Decimal(text):.{places}f}%" if places == 2 else f"{text}%"
    return f"{decimal_text(percent, 8)}%"


def seconds_text(seconds: Decimal) -> str:
    """Seconds with millisecond precision (`12.345s`); whole minutes as written (`15m`, `1h30m`)."""
    rounded = round_seconds(seconds)
    if 60 <= rounded < 10**9 and rounded % 60 == 0:
        hours, minutes = divmod(int(rounded) // 60, 60)
        return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return f"{rounded:f}s"
