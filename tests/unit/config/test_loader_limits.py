"""The config layer's limits, as one line naming the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpgate.config.loader import MAX_INT_DIGITS, load_toml, load_yaml
from mmpgate.errors import ConfigError

LONG = "9" * 5000


def _error(call: object) -> str:
    with pytest.raises(ConfigError) as caught:
        call()  # type: ignore[operator]
    return str(caught.value)


def test_a_long_integer_in_toml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.mmpgate]\nslowest = {LONG}\n")
    message = _error(lambda: load_toml(path, "pyproject.toml"))
    assert message == (
        f"{path}: line 2 column 11: expected valid TOML (expected an integer of at most "
        f"{MAX_INT_DIGITS} digits, got 5000)"
    )
    assert "set_int_max_str_digits" not in message


def test_a_long_integer_in_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mmpgate.yml"
    path.write_text(f"slowest: {LONG}\n")
    message = _error(lambda: load_yaml(path, "configuration file"))
    assert message == (
        f"{path}: line 1 column 10: expected valid YAML (expected an integer of at most "
        f"{MAX_INT_DIGITS} digits, got 5000)"
    )


def test_a_long_digit_run_inside_a_toml_string_is_a_string(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[tool.mmpgate]\noutput = "{LONG}"\n')
    assert load_toml(path, "pyproject.toml")["tool"]["mmpgate"]["output"] == LONG
