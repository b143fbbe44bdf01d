"""`[tool.mmpgate.doctor]` loading: defaults, valid tables, and one-line errors for bad ones."""

from __future__ import annotations

import pytest

from mmpgate.doctor.config import DoctorConfig, load
from mmpgate.errors import ConfigError


def test_missing_pyproject_gives_defaults(tmp_path):
    """Without pyproject.toml nothing is ignored or excluded."""
    assert load(tmp_path) == DoctorConfig()


def test_table_read(tmp_path):
    """ignore and exclude are read from the doctor table; other mmpgate tables are left alone."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mmpgate]\noutput = "x"\n[tool.mmpgate.doctor]\n'
        'ignore = ["fixed-port"]\nexclude = ["tests/corpus"]\n'
    )
    assert load(tmp_path) == DoctorConfig(frozenset({"fixed-port"}), ("tests/corpus",))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'ignore = ["no-such-rule"]',
            "tool.mmpgate.doctor.ignore[0]: unknown rule id 'no-such-rule'",
        ),
        ('ignore = "fixed-port"', "tool.mmpgate.doctor.ignore: expected a list of strings"),
        ("exclude = [1]", "tool.mmpgate.doctor.exclude: expected a list of strings"),
        ("select = []", "tool.mmpgate.doctor.select: unknown key (expected ignore, exclude)"),
    ],
)
def test_bad_table_is_one_config_error(tmp_path, table, message):
    """Each mistake names the file, the key path and what was expected."""
    (tmp_path / "pyproject.toml").write_text(f"[tool.mmpgate.doctor]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert str(caught.value) == f"pyproject.toml: {message}"


def test_invalid_toml_is_a_config_error(tmp_path):
    """A pyproject.toml that is not TOML is a ConfigError naming the file."""
    (tmp_path / "pyproject.toml").write_text("[tool.mmpgate.doctor\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: expected valid TOML \(Expected"):
        load(tmp_path)


def test_doctor_block_in_mmpgate_yml_is_read(tmp_path):
    """`doctor:` in mmpgate.yml is honoured like [tool.mmpgate.doctor], not silently ignored."""
    (tmp_path / "mmpgate.yml").write_text("doctor:\n  ignore: [fixed-port]\n  exclude: ['x/*']\n")
    assert load(tmp_path) == DoctorConfig(frozenset({"fixed-port"}), ("x/*",))


def test_bad_doctor_block_in_mmpgate_yml_names_its_path(tmp_path):
    """A wrong `doctor:` block in mmpgate.yml is an error at its JSON path."""
    (tmp_path / "mmpgate.yml").write_text("doctor:\n  ignore: [no-such-rule]\n")
    with pytest.raises(
        ConfigError, match=r"mmpgate\.yml: \$\.doctor\.ignore\[0\]: unknown rule id"
    ):
        load(tmp_path)
