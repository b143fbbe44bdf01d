"""The one way mmpgate reads a configuration file: bytes -> safe YAML or TOML -> JSON types.

`thresholds.yml`, `quarantine.yml`, `mmpgate.yml` and `[tool.mmpgate]` all come through here, so a
file that is too large, not UTF-8, not valid YAML/TOML, has a duplicate key, an integer too long to
read, a non-finite number, a non-string key or too deep a nesting gets the same one-line error
(file, line or JSON path, what was expected) whichever command reads it. The caller then checks the
document's shape against its schema.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mmpgate.config.schemas import json_path
from mmpgate.errors import ConfigError, located

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: Limits on what a configuration file may be (documented in the README's reliability section).
MAX_CONFIG_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 100_000
#: Longest integer literal read (Python refuses more than 4,300 digits; no setting needs 20).
MAX_INT_DIGITS = 100


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of a configuration file; `what` names it in errors ("thresholds file")."""
    try:
        if path.is_dir():
            raise ConfigError(located(path, "", f"expected a {what}, found a directory"))
        if path.exists() and not path.is_file():
            raise ConfigError(located(path, "", f"expected a {what}, found a special file"))
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                located(path, "", f"expected a {what} of at most 1 MiB, it has {size:,} bytes")
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(located(path, "", f"{what} not found")) from None
    except OSError as exc:
        raise ConfigError(located(path, "", f"cannot be read ({exc.strerror or exc})")) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            located(path, "", f"expected UTF-8 text, byte {exc.start} is not")
        ) from None


def _strict_loader(dates_as_text: bool = False) -> Any:
    """A SafeLoader that refuses duplicate keys and over-long integers instead of guessing.

    With `dates_as_text`, a bare `2027-01-31` stays that text (quarantine.yml's `expires`), for
    the schema and `date.fromisoformat` to judge.
    """
    import yaml  # kept out of the plugin's import time

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the base class reports it
                if earlier is not None:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {earlier.start_mark.line + 1}); "
                        "expected each key once",
                        key_node.start_mark,
                    )
                seen[key] = key_node
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: Any) -> Any:
            digits = sum(ch.isdigit() for ch in str(node.value))
            if digits > MAX_INT_DIGITS:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"expected an integer of at most {MAX_INT_DIGITS} digits, got {digits}",
                    node.start_mark,
                )
            return super().construct_yaml_int(node)

    StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
    if dates_as_text:
        StrictLoader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
    return StrictLoader


def parse_yaml(text: str, path: object, *, dates_as_text: bool = False) -> Any:
    """YAML text to JSON types (strings, numbers, booleans, null, lists, string-keyed maps)."""
    import yaml

    try:
        document = yaml.load(text, Loader=_strict_loader(dates_as_text))  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "$"
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        raise ConfigError(located(path, where, f"expected valid YAML ({problem})")) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ConfigError(
            located(path, "$", f"expected valid YAML ({type(exc).__name__})")
        ) from None
    check_json_types(document, path)
    return document


def parse_toml(text: str, path: object) -> dict[str, Any]:
    """TOML text to JSON types (dates and times are refused: no setting takes one)."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(located(path, "", f"expected valid TOML ({exc})")) from None
    except RecursionError:
        raise ConfigError(
            located(path, "", f"expected valid TOML nested at most {MAX_DEPTH} deep")
        ) from None
    except ValueError:  # an integer past Python's own digit limit (4,300)
        long = re.search(f"[0-9_]{{{MAX_INT_DIGITS + 1},}}", text)
        where = "$"
        if long is not None:
            line = text.count("\n", 0, long.start()) + 1
            where = f"line {line} column {long.start() - (text.rfind(chr(10), 0, long.start()) + 1) + 1}"
        digits = len(long[0].replace("_", "")) if long is not None else "more"
        raise ConfigError(
            located(
                path,
                where,
                f"expected valid TOML (expected an integer of at most {MAX_INT_DIGITS} digits, "
                f"got {digits})",
            )
        ) from None
    check_json_types(document, path)
    return document


def load_yaml(path: Path, what: str) -> Any:
    """Read and parse a YAML configuration file."""
    return parse_yaml(read_text(path, what), path)


def load_toml(path: Path, what: str) -> dict[str, Any]:
    """Read and parse a TOML configuration file."""
    return parse_toml(read_text(path, what), path)


def check_json_types(document: Any, path: object) -> None:
    """Refuse anything JSON cannot hold, and documents too large or too deep to be a setting."""
    nodes = 0
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, where = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or len(where) > MAX_DEPTH:
            raise ConfigError(
                located(
                    path,
                    json_path(where),
                    "expected a small document (too large or too deeply nested: at most "
                    f"{MAX_NODES:,} values, {MAX_DEPTH} levels)",
                )
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ConfigError(
                        located(path, json_path(where), f"expected string keys, got {key!r}")
                    )
                stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, index)) for index, item in enumerate(value))
        elif isinstance(value, float) and (
            value != value or value in (float("inf"), float("-inf"))
        ):
            raise ConfigError(
                located(path, json_path(where), f"expected a finite number, got {value!r}")
            )
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            raise ConfigError(
                located(
                    path,
                    json_path(where),
                    f"expected a string, number, list or mapping, got {type(value).__name__} {value!s:.40}",
                )
            )
