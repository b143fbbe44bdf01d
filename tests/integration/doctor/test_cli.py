"""`mmpgate doctor` through `main()`: exit codes, formats, default path, config, bad input."""

from __future__ import annotations

import json

import pytest

from mmpgate.cli import main

KILL = 'import subprocess\nsubprocess.run(["pkill", "-f", "mlflow.server"])\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory with a tests/ folder, as the current directory."""
    (tmp_path / "tests").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_path_is_tests(project, capsys):
    """Without PATH and without a package the tests directory is scanned; a finding exits 1."""
    (project / "tests" / "conftest.py").write_text(KILL)
    (project / "elsewhere.py").write_text(KILL)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "mmpgate doctor: checking tests (no package of the project found: tests only)\n"
        "tests/conftest.py\n     2  global-kill  `pkill -f mlflow.server`: "
    )
    assert "elsewhere.py" not in out
    assert out.endswith("mmpgate doctor: 1 finding(s) in 1 of 1 file(s) (global-kill 1)\n")


def test_clean_exit_zero(project, capsys):
    """A clean tree exits 0 and says how many files were read."""
    (project / "tests" / "test_a.py").write_text("def test_a(tmp_path):\n    pass\n")
    assert main(["doctor", "tests"]) == 0
    assert capsys.readouterr().out == (
        "mmpgate doctor: checking tests (as given)\nmmpgate doctor: no findings in 1 file(s)\n"
    )


def test_json_format(project, capsys):
    """--format json prints only the findings document."""
    (project / "tests" / "conftest.py").write_text(KILL)
    assert main(["doctor", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["scope", "findings"]
    [finding] = document["findings"]
    assert set(finding) == {"path", "line", "rule", "message", "fix"}
    assert (finding["path"], finding["line"], finding["rule"]) == (
        "tests/conftest.py",
        2,
        "global-kill",
    )


def test_github_format(project, capsys):
    """--format github prints one annotation per finding, then the summary."""
    (project / "tests" / "conftest.py").write_text(KILL + 'CMD = ["x", "--port", "8000"]\n')
    assert main(["doctor", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines[0].startswith(
        "::error file=tests/conftest.py,line=2,title=mmpgate doctor%3A global-kill::"
    )
    assert lines[1].startswith(
        "::error file=tests/conftest.py,line=3,title=mmpgate doctor%3A fixed-port::"
    )
    assert lines[2].startswith("mmpgate doctor: 2 finding(s)")


def test_missing_path_is_one_line_exit_2(project, capsys):
    """A nonexistent path is one line on stderr, nothing on stdout, exit code 2."""
    assert main(["doctor", "tests", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "mmpgate doctor: error: nope: no such file or directory\n"


def test_missing_default_tests_dir_is_exit_2(tmp_path, monkeypatch, capsys):
    """Without PATH and without a tests directory the error names `tests`."""
    monkeypatch.chdir(tmp_path)
    assert main(["doctor"]) == 2
    assert capsys.readouterr().err == "mmpgate doctor: error: tests: no such file or directory\n"


def test_unparsable_file_is_a_finding_not_a_crash(project, capsys):
    """A syntax error is a `parse-error` finding (exit 1) and the other files are still read."""
    (project / "tests" / "test_bad.py").write_text("def test_x(:\n")
    (project / "tests" / "test_good.py").write_text(KILL)
    assert main(["doctor", "--format", "json"]) == 1
    rules = [(f["path"], f["rule"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert rules == [("tests/test_bad.py", "parse-error"), ("tests/test_good.py", "global-kill")]


def test_config_ignore_and_exclude(project, capsys):
    """pyproject's doctor table ignores rules and excludes paths."""
    (project / "pyproject.toml").write_text(
        '[tool.mmpgate.doctor]\nignore = ["fixed-port"]\nexclude = ["tests/corpus"]\n'
    )
    (project / "tests" / "corpus").mkdir()
    (project / "tests" / "corpus" / "bad.py").write_text(KILL)
    (project / "tests" / "test_a.py").write_text('CMD = ["x", "--port", "8000"]\n')
    assert main(["doctor"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["mmpgate doctor: no findings in 1 file(s)"]


def test_bad_config_is_one_line_exit_2(project, capsys):
    """An unknown rule id in the config is one line naming file and key, exit code 2."""
    (project / "pyproject.toml").write_text('[tool.mmpgate.doctor]\nignore = ["global-kil"]\n')
    assert main(["doctor"]) == 2
    assert capsys.readouterr().err == (
        "mmpgate doctor: error: pyproject.toml: tool.mmpgate.doctor.ignore[0]: "
        "unknown rule id 'global-kil'\n"
    )


def test_unknown_format_is_a_usage_error(project, capsys):
    """An unknown --format is rejected by the parser with exit code 2."""
    with pytest.raises(SystemExit) as caught:
        main(["doctor", "--format", "xml"])
    assert caught.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


RACE = (
    "import shutil, tempfile\nfrom pathlib import Path\n"
    "def export():\n    out = Path(tempfile.gettempdir()) / 'export'\n"
    "    out.mkdir(parents=True, exist_ok=True)\n    (out / 'a.csv').write_text('x')\n"
    "    shutil.rmtree(out)\n"
)


@pytest.mark.parametrize(
    ("pyproject", "package", "origin"),
    [
        ("", "pipeline", "the packages next to tests/"),
        ("", "src/pipeline", "the packages next to tests/"),
        ('[tool.coverage.run]\nsource = ["pipeline"]\n', "pipeline", "the coverage source"),
        (
            '[tool.mmpgate]\ncoverage_source = ["lib/pipeline"]\n',
            "lib/pipeline",
            "[tool.mmpgate] coverage_source",
        ),
    ],
)
def test_default_scope_adds_the_projects_packages(project, capsys, pyproject, package, origin):
    """Without PATH the project's own package is checked too, and the first line says so."""
    if pyproject:
        (project / "pyproject.toml").write_text(pyproject)
    (project / package).mkdir(parents=True)
    (project / package / "__init__.py").write_text("")
    (project / package / "export.py").write_text(RACE)
    assert main(["doctor"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"mmpgate doctor: checking tests, {package} (tests + packages from {origin})"
    assert lines[1] == f"{package}/export.py"
    assert "shared-scratch-dir" in lines[2]


HELPER = "import mlflow\n\ndef use_store(uri):\n    mlflow.set_tracking_uri(uri)\n"


@pytest.mark.parametrize(
    ("config_file", "text", "code"),
    [
        (None, "", 1),
        ("pyproject.toml", "[tool.pytest.ini_options]\nmmpgate_mlflow_autouse = true\n", 0),
        ("pytest.ini", "[pytest]\nmmpgate_mlflow_autouse = true\n", 0),
        ("setup.cfg", "[tool:pytest]\nmmpgate_mlflow_autouse = false\n", 1),
    ],
)
def test_autouse_mlflow_store_owns_the_client_state(project, capsys, config_file, text, code):
    """With mmpgate's autouse MLflow store on, an unrestored set_tracking_uri is no finding."""
    if config_file:
        (project / config_file).write_text(text)
    (project / "tests" / "helpers.py").write_text(HELPER)
    assert main(["doctor", "tests"]) == code
    out = capsys.readouterr().out
    assert ("global-state-without-restore" in out) == bool(code)
