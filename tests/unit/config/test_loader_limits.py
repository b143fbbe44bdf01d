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


@pytest.mark.parametrize(
    ("name", "text", "where", "kind"),
    [
        ("pyproject.toml", f"[tool.mmpgate]\nslowest = {LONG}\n", "line 2 column 11", "TOML"),
        ("mmpgate.yml", f"slowest: {LONG}\n", "line 1 column 10", "YAML"),
    ],
    ids=["toml", "yaml"],
)
def test_a_long_integer_names_its_line(
    tmp_path: Path, name: str, text: str, where: str, kind: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    load = load_toml if kind == "TOML" else load_yaml
    message = _error(lambda: load(path, name))
    assert message == (
        f"{path}: {where}: expected valid {kind} (expected an integer of at most "
        f"{MAX_INT_DIGITS} digits, got 5000)"
    )
    assert "set_int_max_str_digits" not in message


def test_a_long_digit_run_inside_a_toml_string_is_a_string(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[tool.mmpgate]\noutput = "{LONG}"\n')
    assert load_toml(path, "pyproject.toml")["tool"]["mmpgate"]["output"] == LONG
