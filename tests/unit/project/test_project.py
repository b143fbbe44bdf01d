"""The project configuration: defaults, declared groups and configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpgate.errors import ConfigError
from mmpgate.run.project import detect_sources, has_coverage_source_config, load_project


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_give_three_groups_with_unit_parallel(tmp_path: Path) -> None:
    """Without configuration: unit, integration, e2e at tests/<name>, unit with -n auto, others serial."""
    project = load_project(tmp_path)
    assert [(g.name, g.paths, g.workers, g.declared) for g in project.groups] == [
        ("unit", ("tests/unit",), "auto", False),
        ("integration", ("tests/integration",), None, False),
        ("e2e", ("tests/e2e",), None, False),
    ]
    assert project.output == "mmpgate-results"


def test_declared_groups_in_pyproject(tmp_path: Path) -> None:
    """[tool.mmpgate.groups] replaces the defaults, keeping order, workers and args."""
    write(
        tmp_path / "pyproject.toml",
        '[tool.mmpgate]\noutput = "out"\n[tool.mmpgate.groups.fast]\npaths = ["a", "b"]\nworkers = 2\n'
        '[tool.mmpgate.groups.slow]\npath = "c"\nargs = ["-m", "not flaky"]\n',
    )
    project = load_project(tmp_path)
    assert [(g.name, g.paths, g.workers, g.args) for g in project.groups] == [
        ("fast", ("a", "b"), "2", ()),
        ("slow", ("c",), None, ("-m", "not flaky")),
    ]
    assert project.output == "out"


def test_mmpgate_yml_is_read(tmp_path: Path) -> None:
    """mmpgate.yml takes the same keys as [tool.mmpgate]."""
    write(tmp_path / "mmpgate.yml", "groups:\n  unit:\n    path: t/u\n    workers: 0\n")
    (group,) = load_project(tmp_path).groups
    assert (group.name, group.paths, group.workers) == ("unit", ("t/u",), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[tool.mmpgate]\noutptu = "x"\n',
            "tool.mmpgate.outptu: unknown key (did you mean 'output'?)",
        ),
        (
            "[tool.mmpgate.groups.unit]\nworker = 2\n",
            "tool.mmpgate.groups.unit.worker: unknown key (did you mean 'workers'?)",
        ),
        (
            '[tool.mmpgate.groups.unit]\nworkers = "many"\n',
            "tool.mmpgate.groups.unit.workers: expected 'auto' or an integer",
        ),
        (
            "[tool.mmpgate.groups.unit]\npath = 3\n",
            "tool.mmpgate.groups.unit.path: expected a string or a list of strings",
        ),
        ("[tool.mmpgate]\ncoverage = 1\n", "tool.mmpgate.coverage: expected true or false"),
        ("[tool.mmpgate.groups.total]\n", "tool.mmpgate.groups.total: expected a group name"),
        ("[tool.mmpgate\n", "pyproject.toml: expected valid TOML"),
    ],
)
def test_configuration_errors_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    """Each configuration mistake is one ConfigError naming the file and the key."""
    write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert "pyproject.toml" in str(info.value)
    assert expected in str(info.value)


def test_yaml_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    """A broken mmpgate.yml is reported with its name, not a traceback."""
    write(tmp_path / "mmpgate.yml", "groups: [unclosed\n")
    with pytest.raises(ConfigError, match=r"mmpgate\.yml: line 2 column 1: expected valid YAML"):
        load_project(tmp_path)


def test_coverage_source_detected_from_src_layout(tmp_path: Path) -> None:
    """Packages under src/ are the coverage source when the project names none."""
    write(tmp_path / "src" / "pkg_a" / "__init__.py", "")
    write(tmp_path / "src" / "not_a_package" / "x.py", "")
    assert detect_sources(tmp_path) == ("pkg_a",)
    assert load_project(tmp_path).coverage_source == ("pkg_a",)


def test_flat_layout_detection_skips_tests(tmp_path: Path) -> None:
    """Without src/, top-level packages other than tests are the source."""
    write(tmp_path / "app" / "__init__.py", "")
    write(tmp_path / "tests" / "__init__.py", "")
    assert detect_sources(tmp_path) == ("app",)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[tool.coverage.run]\nsource = ['x']\n"),
        (".coveragerc", "[run]\nsource = x\n"),
        ("setup.cfg", "[coverage:run]\nsource = x\n"),
    ],
)
def test_project_coverage_config_stays_in_force(tmp_path: Path, name: str, text: str) -> None:
    """When the project's coverage config names a source, mmpgate passes none of its own."""
    write(tmp_path / name, text)
    write(tmp_path / "src" / "pkg" / "__init__.py", "")
    assert has_coverage_source_config(tmp_path)
    assert load_project(tmp_path).coverage_source is None


def test_explicit_coverage_source_wins(tmp_path: Path) -> None:
    """coverage_source in [tool.mmpgate] overrides detection."""
    write(tmp_path / "pyproject.toml", '[tool.mmpgate]\ncoverage_source = ["one", "two"]\n')
    write(tmp_path / "src" / "pkg" / "__init__.py", "")
    assert load_project(tmp_path).coverage_source == ("one", "two")


def test_config_schema_and_loader_know_the_same_keys(tmp_path: Path) -> None:
    """Every key the shipped config schema describes is accepted; one it does not is refused."""
    from mmpgate.config.schemas import CONFIG, load_schema

    schema = load_schema(CONFIG)
    assert schema["additionalProperties"] is False
    write(tmp_path / "mmpgate.yml", "output: out\ncoverage: false\nslowest: 3\ndoctor: {}\n")
    assert load_project(tmp_path).output == "out"
    write(tmp_path / "mmpgate.yml", "doctorr: {}\n")
    with pytest.raises(ConfigError, match=r"\$\.doctorr: unknown key \(did you mean 'doctor'\?\)"):
        load_project(tmp_path)
