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
        error = errors[0]
        raise InputError(located(file, json_path(error.absolute_path), _expected(error)))


def _expected(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"unexpected key: {error.message}"
    if error.validator == "required":
        return f"missing key: {error.message}"
    return f"expected {error.validator} {error.validator_value!r}, got {error.instance!r}"[:300]
