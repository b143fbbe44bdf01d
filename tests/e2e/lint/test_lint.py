"""ruff and mypy keep the code clean; each is also shown failing on a known-bad file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BAD = Path(__file__).parent / "bad"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed next to {sys.executable}: install the dev extra"
    return found


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean() -> None:
    """ruff finds nothing in src, tests and benchmarks."""
    done = run(tool("ruff"), "check", "src", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    """The code is formatted as ruff formats it."""
    done = run(tool("ruff"), "format", "--check", "src", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    """mypy --strict (configured in pyproject.toml) passes on the package."""
    done = run(tool("mypy"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_fails_on_a_known_bad_file() -> None:
    """The same ruff configuration rejects a file with an unused import."""
    done = run(
        tool("ruff"),
        "check",
        "--no-cache",
        "--config",
        str(ROOT / "pyproject.toml"),
        str(BAD / "unused_import.txt"),
        "--extension",
        "txt:python",
    )
    assert done.returncode == 1
    assert "F401" in done.stdout


def test_mypy_fails_on_a_known_bad_file(tmp_path: Path) -> None:
    """The same mypy configuration rejects a type error."""
    bad = tmp_path / "bad_types.py"
    bad.write_text((BAD / "type_error.txt").read_text())
    done = run(tool("mypy"), "--config-file", str(ROOT / "pyproject.toml"), str(bad), cwd=tmp_path)
    assert done.returncode == 1
    assert "Incompatible return value type" in done.stdout
