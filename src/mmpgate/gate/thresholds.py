"""Loading thresholds.yml: YAML to JSON types, unit normalisation, friendly key errors, schema.

Every problem is collected with its JSON path; the first one by path is reported as one line
(with a count of the others), so the same file always gives the same message.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from mmpgate.config import loader as config_loader
from mmpgate.config.loader import read_text
from mmpgate.errors import ConfigError, InputError, located
from mmpgate.gate.quantities import (
    UnitError,
    exact,
    parse_duration,
    parse_percent_points,
    parse_rate,
)
from mmpgate.metrics.names import group_name_problem

THRESHOLDS_VERSION = 1


class MissingPolicy(enum.Enum):
    """What a missing baseline does to the verdict."""

    PASS = "pass"  # noqa: S105  (a policy name, not a password)
    WARN = "warn"
    FAIL = "fail"


@dataclasses.dataclass(frozen=True, slots=True)
class Rules:
    """Rules for one group or for the total; None means the rule is not checked."""

    max_failure_rate: Fraction | None = None
    max_skip_rate: Fraction | None = None
    min_tests: int | None = None
    max_duration: Decimal | None = None
    min_coverage: Decimal | None = None
    max_reruns: int | None = None
    max_flaky: int | None = None
    max_new_flaky: int | None = None
    max_quarantined: int | None = None

    def over(self, base: Rules) -> Rules:
        """These rules, with every unset one taken from `base`."""
        merged = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            merged[field.name] = getattr(base, field.name) if value is None else value
        return Rules(**merged)


#: What a group is held to when neither `defaults` nor the group says otherwise.
BUILTIN_GROUP_RULES = Rules(max_failure_rate=Fraction(0), min_tests=1)


@dataclasses.dataclass(frozen=True, slots=True)
class SlowTest:
    """A test is slower when it takes >= factor x and >= min_seconds more than in the baseline."""

    factor: Decimal = Decimal(2)
    min_seconds: Decimal = Decimal(1)
    max_count: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Regression:
    """Rules against a baseline; None means the rule is not checked."""

    baseline: str | None = None
    on_missing_baseline: MissingPolicy = MissingPolicy.WARN
    max_duration_increase: Fraction | None = None
    #: The absolute floor of max_duration_increase (like slow_test.min_seconds for one test).
    min_duration_increase: Decimal | None = None
    max_coverage_drop: Decimal | None = None
    max_skip_rate_increase: Fraction | None = None
    max_new_failures: int | None = None
    max_removed_tests: int | None = None
    max_newly_skipped: int | None = None
    slow_test: SlowTest | None = None

    @property
    def active(self) -> bool:
        """True when at least one rule needs a baseline."""
        return any(
            getattr(self, f.name) is not None
            for f in dataclasses.fields(self)
            if f.name not in ("baseline", "on_missing_baseline", "min_duration_increase")
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Thresholds:
    """A validated, normalised thresholds file."""

    version: int = THRESHOLDS_VERSION
    metrics: str | None = None
    require_groups: tuple[str, ...] = ()
    defaults: Rules = Rules()
    groups: Mapping[str, Rules] = dataclasses.field(default_factory=dict)
    total: Rules = Rules()
    regression: Regression = Regression()
    source: str = "thresholds.yml"
    #: quarantine.yml to read (None: the one beside the thresholds file, when it exists).
    quarantine: str | None = None
    #: Run history (a SQLite path or a postgresql:// URL) for max_new_flaky and releases.
    history: str | None = None

    def rules_for(self, group: str) -> Rules:
        """The group's own rules over `defaults` over the built-in defaults."""
        own = self.groups.get(group, Rules())
        return own.over(self.defaults.over(BUILTIN_GROUP_RULES))


# -- schema of the keys (what the walker knows; the JSON Schema file says the same) -------------

_Parser = Callable[[Any], Any]


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise UnitError(f"expected a whole number of 0 or more, got {value!r}")


def _text(value: Any) -> str:
    if isinstance(value, str) and value:
        return value
    raise UnitError(f"expected a non-empty string, got {value!r}")


def _factor(value: Any) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = exact(value)
        if number.is_finite() and number >= 1:
            return number
    raise UnitError(f"expected a factor of 1 or more, got {value!r}")


def _policy(value: Any) -> MissingPolicy:
    try:
        return MissingPolicy(value)
    except ValueError:
        raise UnitError(f"expected one of pass, warn, fail, got {value!r}") from None


RULE_KEYS: dict[str, _Parser] = {
    "max_failure_rate": parse_rate,
    "max_skip_rate": parse_rate,
    "min_tests": _count,
    "max_duration": parse_duration,
    "min_coverage": parse_percent_points,
    "max_reruns": _count,
    "max_flaky": _count,
    "max_new_flaky": _count,
    "max_quarantined": _count,
}
SLOW_TEST_KEYS: dict[str, _Parser] = {
    "factor": _factor,
    "min_seconds": parse_duration,
    "max_count": _count,
}
REGRESSION_KEYS: dict[str, _Parser] = {
    "baseline": _text,
    "on_missing_baseline": _policy,
    "max_duration_increase": lambda v: parse_rate(v, allow_above_one=True),
    "min_duration_increase": parse_duration,
    "max_coverage_drop": parse_percent_points,
    "max_skip_rate_increase": parse_rate,
    "max_new_failures": _count,
    "max_removed_tests": _count,
    "max_newly_skipped": _count,
    "slow_test": dict,  # a mapping, walked with SLOW_TEST_KEYS
}
TOP_KEYS: tuple[str, ...] = (
    "version", "metrics", "require_groups", "defaults", "groups", "total", "regression",
    "quarantine", "history",
)  # fmt: skip
ALL_KEYS: tuple[str, ...] = tuple(
    sorted({*TOP_KEYS, *RULE_KEYS, *REGRESSION_KEYS, *SLOW_TEST_KEYS})
)


# -- loading --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Problem:
    path: tuple[str | int, ...]
    message: str

    @property
    def where(self) -> str:
        out = "$"
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out


def load_thresholds(path: Path) -> Thresholds:
    """Read, normalise and validate a thresholds file; ConfigError (one line) when it is wrong."""
    return thresholds_from_document(parse_yaml(read_text(path, "thresholds file"), path), path)


def parse_yaml(text: str, path: object) -> Any:
    """Thresholds YAML text to JSON types; an empty file is an error of its own."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise ConfigError(
            located(path, "$", "expected a mapping with `version: 1`, the file is empty")
        )
    return config_loader.parse_yaml(text, path)


def thresholds_from_document(document: Any, path: object) -> Thresholds:
    """Normalise a JSON-typed document; every problem gets its JSON path, the first is raised."""
    problems: list[_Problem] = []
    if not isinstance(document, dict):
        raise ConfigError(
            located(path, "$", f"expected a mapping with `version: 1`, got {_kind(document)}")
        )
    _unknown_keys(document, TOP_KEYS, (), problems)
    if "version" not in document:
        problems.append(_Problem(("version",), "missing key: expected `version: 1`"))
    elif document["version"] != THRESHOLDS_VERSION or isinstance(document["version"], bool):
        problems.append(
            _Problem(
                ("version",), f"expected version {THRESHOLDS_VERSION}, got {document['version']!r}"
            )
        )
    metrics = _field(document, "metrics", _text, (), problems)
    quarantine = _field(document, "quarantine", _text, (), problems)
    history = _field(document, "history", _text, (), problems)
    require = _group_list(document.get("require_groups"), problems)
    defaults = _rules(document.get("defaults"), ("defaults",), problems)
    total = _rules(document.get("total"), ("total",), problems)
    groups: dict[str, Rules] = {}
    raw_groups = document.get("groups")
    if raw_groups is not None and not isinstance(raw_groups, dict):
        problems.append(
            _Problem(
                ("groups",), f"expected a mapping of group name to rules, got {_kind(raw_groups)}"
            )
        )
    elif raw_groups:
        for name, rules in raw_groups.items():
            problem = group_name_problem(name)
            if problem is not None:
                problems.append(_Problem(("groups", name), problem))
            groups[name] = _rules(rules, ("groups", name), problems)
    regression = _regression(document.get("regression"), problems)
    if problems:
        problems.sort(key=lambda p: ([str(part) for part in p.path], p.message))
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
            if len(problems) > 1
            else ""
        )
        raise ConfigError(located(path, first.where, first.message + more))
    _schema_backstop(document, path)
    return Thresholds(
        metrics=metrics,
        require_groups=require,
        defaults=defaults,
        groups=groups,
        total=total,
        regression=regression,
        source=str(path),
        quarantine=quarantine,
        history=history,
    )


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(
        type(value), repr(value)
    )


def _unknown_keys(
    mapping: dict[str, Any], valid: Any, where: tuple[str | int, ...], problems: list[_Problem]
) -> None:
    for key in mapping:
        if key not in valid:
            close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; expected one of {', '.join(sorted(valid))}"
            )
            problems.append(_Problem((*where, key), f"unknown key '{key}'{hint}"))


def _field(
    mapping: dict[str, Any],
    key: str,
    parse: _Parser,
    where: tuple[str | int, ...],
    problems: list[_Problem],
) -> Any:
    if key not in mapping:
        return None
    try:
        return parse(mapping[key])
    except UnitError as exc:
        problems.append(_Problem((*where, key), str(exc)))
        return None


def _group_list(value: Any, problems: list[_Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(
            _Problem(("require_groups",), f"expected a list of group names, got {_kind(value)}")
        )
        return ()
    names: list[str] = []
    for index, name in enumerate(value):
        problem = group_name_problem(name)
        if problem is not None:
            problems.append(_Problem(("require_groups", index), problem))
        elif name in names:
            problems.append(
                _Problem(
                    ("require_groups", index), f"expected each group once, '{name}' is repeated"
                )
            )
        else:
            names.append(name)
    return tuple(names)


def _rules(value: Any, where: tuple[str | int, ...], problems: list[_Problem]) -> Rules:
    if value is None:
        return Rules()
    if not isinstance(value, dict):
        problems.append(_Problem(where, f"expected a mapping of rules, got {_kind(value)}"))
        return Rules()
    _unknown_keys(value, RULE_KEYS, where, problems)
    return Rules(
        **{key: _field(value, key, parse, where, problems) for key, parse in RULE_KEYS.items()}
    )


def _regression(value: Any, problems: list[_Problem]) -> Regression:
    where: tuple[str | int, ...] = ("regression",)
    if value is None:
        return Regression()
    if not isinstance(value, dict):
        problems.append(
            _Problem(where, f"expected a mapping of regression rules, got {_kind(value)}")
        )
        return Regression()
    _unknown_keys(value, REGRESSION_KEYS, where, problems)
    parsed = {
        key: _field(value, key, parse, where, problems)
        for key, parse in REGRESSION_KEYS.items()
        if key != "slow_test"
    }
    slow: SlowTest | None = None
    raw_slow = value.get("slow_test")
    if raw_slow is not None:
        if not isinstance(raw_slow, dict):
            problems.append(
                _Problem(
                    (*where, "slow_test"),
                    f"expected a mapping with factor and min_seconds, got {_kind(raw_slow)}",
                )
            )
        else:
            _unknown_keys(raw_slow, SLOW_TEST_KEYS, (*where, "slow_test"), problems)
            fields = {
                key: _field(raw_slow, key, parse, (*where, "slow_test"), problems)
                for key, parse in SLOW_TEST_KEYS.items()
            }
            slow = SlowTest(**{key: item for key, item in fields.items() if item is not None})
    policy = parsed.pop("on_missing_baseline") or MissingPolicy.WARN
    return Regression(on_missing_baseline=policy, slow_test=slow, **parsed)


def _schema_backstop(document: dict[str, Any], path: object) -> None:
    # The walker above gives the friendlier messages; the schema (also used by editors) must agree.
    from mmpgate.config.schemas import THRESHOLDS, validate

    try:
        validate(document, THRESHOLDS, file=path)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
