"""The JSON Schemas shipped with mmpgate, and validation that reports the JSON path of each error."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located

METRICS = "metrics.schema.json"
THRESHOLDS = "thresholds.schema.json"
CONFIG = "config.schema.json"
VERDICT = "verdict.schema.json"
ASSIGNMENT = "assignment.schema.json"


def _schema_text(name: str) -> str:
    packaged = resources.files("mmpgate").joinpath("schemas").joinpath(name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Editable installs run from the source tree, where the schemas sit at the top level.
    source_tree = Path(__file__).resolve().parents[3] / "schemas" / name
    return source_tree.read_text(encoding="utf-8")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """Return a packaged schema, parsed."""
    schema: dict[str, Any] = json.loads(_schema_text(name))
    return schema


def json_path(parts: Any) -> str:
    """Render a jsonschema error path as `$.a.b[0]`."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(instance: Any, name: str, *, file: object) -> None:
    """Raise InputError naming the file, the first failing JSON path and what was expected."""
    import jsonschema  # kept out of the plugin's import time

    schema = load_schema(name)
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = sorted(
        validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message)
    )
    if errors:
        error = _deepest(errors[0])
        raise InputError(located(file, json_path(error.absolute_path), _expected(error)))


#: Alternatives (`oneOf: [null, {$ref: coverage}]`): the error of the branch the value was meant for.
_ALTERNATIVES = frozenset({"oneOf", "anyOf"})


def _deepest(error: Any) -> Any:
    """For an error among alternatives, the error of the branch whose type the value has (an
    object against `null | coverage` is judged as a coverage); else the error itself."""
    while error.validator in _ALTERNATIVES and error.context:
        here = list(error.absolute_path)
        branches = [
            sub
            for sub in error.context
            if not (sub.validator == "type" and list(sub.absolute_path) == here)
        ]
        if not branches:
            return error
        error = min(branches, key=lambda sub: (-len(sub.absolute_path), sub.message))
    return error


def _expected(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"unexpected key: {error.message}"
    if error.validator == "required":
        return f"missing key: {error.message}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        return f"expected a number {word[error.validator]} {error.validator_value}, got {error.instance!r}"
    if error.validator in _ALTERNATIVES or error.validator == "type":
        return f"expected {_kinds(error.validator_value)}, got {_short(error.instance)}"
    return f"expected {error.validator} {error.validator_value!r}, got {_short(error.instance)}"[
        :300
    ]


def _kinds(value: Any) -> str:
    """`['string', 'null']` or a list of alternatives, in words."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        names = [
            v if isinstance(v, str) else v.get("type") or v.get("$ref", "?").rsplit("/", 1)[-1]
            for v in value
        ]
        return " or ".join(str(name) for name in names)
    return repr(value)[:100]


def _short(instance: Any) -> str:
    text = repr(instance)
    return text if len(text) <= 80 else f"{text[:77]}..."
