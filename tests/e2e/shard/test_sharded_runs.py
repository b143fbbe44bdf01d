"""Sharded runs, as separate processes, merge into exactly an unsharded run's numbers; a missing,
duplicated or foreign shard, or a test run twice, fails the gate naming the shard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT = {
    "pyproject.toml": (
        '[project]\nname = "calc"\nversion = "0"\n'
        '[tool.mmpgate.groups.unit]\npath = "tests/unit"\nworkers = 0\n'
    ),
    "conftest.py": (
        "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'src'))\n"
    ),
    "src/calc/__init__.py": (
        "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n\n\n"
        "def mul(a, b):\n    if a == 0:\n        return 0\n    return a * b\n"
    ),
    "tests/unit/test_add.py": (
        "import pytest\nfrom calc import add\n\n\n@pytest.fixture(scope='module')\ndef one():\n"
        "    return 1\n\n\ndef test_a(one):\n    assert add(one, 1) == 2\n\n\n"
        "def test_b(one):\n    assert add(one, 0) == 1\n\n\nclass TestPair:\n"
        "    def test_x(self):\n        assert add(2, 2) == 4\n\n    def test_y(self):\n"
        "        assert add(2, 3) == 5\n\n\n@pytest.mark.parametrize('x', range(6))\n"
        "def test_p(x):\n    assert add(x, 0) == x\n"
    ),
    "tests/unit/test_sub.py": (
        "import pytest\nfrom calc import sub\n\n\ndef test_s():\n    assert sub(3, 1) == 2\n\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n\n\n"
        "@pytest.mark.xfail(reason='known', strict=True)\ndef test_known():\n    assert sub(1, 1) == 1\n\n\n"
        "def test_fails():\n    assert sub(1, 1) == 1\n"
    ),
    "tests/unit/test_skipped_module.py": (
        "import pytest\n\npytest.skip('not here', allow_module_level=True)\n\n\ndef test_never():\n    pass\n"
    ),
    "thresholds.yml": "version: 1\ndefaults:\n  max_failure_rate: 100%\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose unit group has a module fixture, a class, parameters, every outcome."""
    for name, text in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def mmpgate(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m mmpgate ...` in the project, as a separate process."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MMPGATE_SHARD"))
    }
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mmpgate", *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def document(path: Path) -> dict:
    """A metrics file as data."""
    return json.loads(path.read_text(encoding="utf-8"))


def run_shards(project: Path, directory: str, total: int, *extra: str) -> None:
    """Run shards 1..total of the unit group into `directory`, each its own process."""
    for index in range(1, total + 1):
        done = mmpgate(
            project,
            "run",
            "unit",
            "--shard",
            f"{index}/{total}",
            "--results-dir",
            directory,
            *extra,
        )
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert f"mmpgate: shard {index}/{total}:" in done.stdout


@pytest.mark.parametrize("workers", ["0", "2"])
def test_shards_merge_into_exactly_the_unsharded_numbers(project: Path, workers: str) -> None:
    """Counts, collected, coverage and the set of tests of 3 shards equal one whole run's."""
    whole = mmpgate(project, "run", "unit", "--results-dir", "whole", "--", "-n", workers)
    assert whole.returncode == 1, whole.stdout  # test_fails fails, in both
    assert mmpgate(project, "combine", "whole").returncode == 0
    run_shards(project, "sharded", 3, "--durations-from", "whole", "--", "-n", workers)
    combined = mmpgate(project, "combine", "sharded", "--expect", '{"unit": 3}')
    assert combined.returncode == 0, combined.stderr
    one, merged = (
        document(project / "whole/metrics.unit.json"),
        document(project / "sharded/metrics.unit.json"),
    )
    assert merged["complete"] is True, merged["reason"]
    assert merged["counts"] == one["counts"]
    assert merged["collected"] == one["collected"]
    assert {t["nodeid"] for t in merged["tests"]} == {t["nodeid"] for t in one["tests"]}
    for key in ("percent", "lines_valid", "lines_covered"):
        assert merged["coverage"][key] == one["coverage"][key], key
    total_one, total_merged = (
        document(project / "whole/metrics.total.json"),
        document(project / "sharded/metrics.total.json"),
    )
    assert total_merged["counts"] == total_one["counts"]
    assert total_merged["coverage"]["percent"] == total_one["coverage"]["percent"]
    walls = [m["wall"] for m in merged["shards"]["members"]]
    assert merged["duration"]["wall"] == pytest.approx(max(walls))
    assert merged["duration"]["shards_sum"] == pytest.approx(sum(walls))


def gate(project: Path, directory: str) -> subprocess.CompletedProcess[str]:
    """`combine --allow-incomplete` (as the workflow does), then `check`."""
    mmpgate(project, "combine", directory, "--allow-incomplete")
    return mmpgate(project, "check", "thresholds.yml", "--metrics", directory)


def test_a_missing_shard_fails_the_gate_by_name(project: Path) -> None:
    """Shard 2 of 3 not there: the gate fails and says `shard 2/3 missing`."""
    run_shards(project, "res", 3)
    (project / "res/metrics.unit.shard-2of3.json").unlink()
    done = gate(project, "res")
    assert done.returncode == 1
    assert "shard 2/3 missing" in done.stdout


def test_a_duplicated_shard_fails_the_gate_by_name(project: Path) -> None:
    """Shard 1's file also under shard 3's name: shard 1 appears twice, shard 3 is missing."""
    run_shards(project, "res", 3)
    shutil.copy(
        project / "res/metrics.unit.shard-1of3.json", project / "res/metrics.unit.shard-3of3.json"
    )
    done = gate(project, "res")
    assert done.returncode == 1
    assert "shard 1/3 appears twice" in done.stdout
    assert "shard 3/3 missing" in done.stdout


def test_a_shard_of_another_run_fails_the_gate_by_name(project: Path) -> None:
    """A shard written by another CI run belongs to another plan: named, and the gate fails."""
    for index in (1, 2):
        env = {"GITHUB_RUN_ID": "100" if index == 1 else "200"}
        assert mmpgate(
            project, "run", "unit", "--shard", f"{index}/2", "--results-dir", "res", env=env
        ).returncode in (0, 1)
    done = gate(project, "res")
    assert done.returncode == 1
    assert "belongs to another CI run" in done.stdout


def test_a_test_in_two_shards_fails_the_gate_by_name(project: Path) -> None:
    """A test entry found in two shards' files is named with both shards."""
    run_shards(project, "res", 2)
    first, second = (project / f"res/metrics.unit.shard-{k}of2.json" for k in (1, 2))
    doc_one, doc_two = document(first), document(second)
    stolen = next(t for t in doc_one["tests"] if "collect" not in t["duration"])
    doc_two["tests"].append(stolen)
    second.write_text(json.dumps(doc_two), encoding="utf-8")
    done = gate(project, "res")
    assert done.returncode == 1
    assert f"test {stolen['nodeid']} ran in shard 1/2" in done.stdout


def test_a_rerun_shard_replaces_its_earlier_attempt(project: Path) -> None:
    """Running shard 2 again (attempt 2 of the same CI run) replaces it; the merge is complete."""
    env = {"GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "1"}
    for index in (1, 2):
        mmpgate(project, "run", "unit", "--shard", f"{index}/2", "--results-dir", "res", env=env)
    mmpgate(
        project,
        "run",
        "unit",
        "--shard",
        "2/2",
        "--results-dir",
        "res",
        env={**env, "GITHUB_RUN_ATTEMPT": "2"},
    )
    assert mmpgate(project, "combine", "res").returncode == 0
    members = document(project / "res/metrics.unit.json")["shards"]["members"]
    assert [(m["index"], m["attempt"]) for m in members] == [(1, 1), (2, 2)]


def test_more_shards_than_tests_pass_with_an_empty_shard_note(project: Path) -> None:
    """Shard 15 of 15 (13 tests) runs none of them, exits 0 and says `empty-shard` (the skipped
    module is still reported, as in every shard: pytest collects the whole group each time)."""
    done = mmpgate(project, "run", "unit", "--shard", "15/15", "--results-dir", "res")
    assert done.returncode == 0, done.stdout
    assert "empty-shard" in done.stdout
    shard = document(project / "res/metrics.unit.shard-15of15.json")
    assert shard["shard"]["selected"] == 0
    assert shard["counts"]["passed"] + shard["counts"]["failed"] == 0
    assert shard["complete"] is True
    assert shard["reason"].startswith("empty-shard:")
