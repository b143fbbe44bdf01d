"""`mmpgate export --format ctrf` of a real run, validated by the CTRF reference implementation.

The schema is the one the npm package `ctrf` (ctrf-io's reference implementation, MIT) ships,
installed by `.ci/setup` into `.ci/node`; the document is checked twice: by `jsonschema` against
that file and by the package's own `validate()` under Node.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from mmpgate.cli import main

ROOT = Path(__file__).resolve().parents[3]
NODE_DIR = ROOT / ".ci" / "node"
SCHEMA = NODE_DIR / "node_modules" / "ctrf" / "src" / "ctrf-schema-0.0.json"
VALIDATE = (
    "import('ctrf').then(m => { const r = m.validate(JSON.parse(require('fs')"
    ".readFileSync(process.argv[1], 'utf8'))); console.log(JSON.stringify(r)); })"
)

SUITE = """
import os, pathlib
import pytest

@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n

def test_fails():
    assert 1 == 2, "one is not two"

@pytest.fixture
def broken():
    raise RuntimeError("no database")

def test_errors(broken):
    pass

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert 0

@pytest.mark.flaky(reruns=2)
def test_flaky():
    marker = pathlib.Path(os.environ["STATE_DIR"]) / "seen"
    if not marker.exists():
        marker.touch()
        assert False, "first try fails"
"""


def _run(pytester: pytest.Pytester, group: str, state: Path) -> Path:
    pytester.makepyfile(**{f"test_{group}": SUITE})
    out = pytester.path / "results" / group / f"metrics.{group}.json"
    pytester.runpytest_subprocess(
        f"--mmpgate-metrics={out}", f"--mmpgate-group={group}", "-p", "no:cacheprovider",
        f"test_{group}.py",
    )  # fmt: skip
    return out.parent


@pytest.fixture
def exported(pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("STATE_DIR", str(tmp_path))
    results = _run(pytester, "unit", tmp_path)
    output = tmp_path / "ctrf.json"
    assert (
        main(["export", "--format", "ctrf", "--metrics", str(results), "--output", str(output)])
        == 0
    )
    return {"path": output, "doc": json.loads(output.read_text())}


def test_ctrf_validates_against_the_official_schema(exported: dict) -> None:
    """The document is valid for the schema file of the reference implementation."""
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    assert sorted(e.message for e in validator.iter_errors(exported["doc"])) == []


def test_ctrf_validates_with_the_reference_implementation(exported: dict) -> None:
    """ctrf's own validate() (Node) accepts the document."""
    result = subprocess.run(
        ["node", "-e", VALIDATE, str(exported["path"])],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {"valid": True, "errors": []}


def test_the_reference_implementation_refuses_a_broken_document(
    exported: dict, tmp_path: Path
) -> None:
    """The same check fails on a document with a wrong status and a missing duration."""
    doc = exported["doc"]
    doc["results"]["tests"][0]["status"] = "error"
    del doc["results"]["tests"][1]["duration"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = subprocess.run(
        ["node", "-e", VALIDATE, str(bad)], cwd=NODE_DIR, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout)["valid"] is False


def test_groups_are_types_and_only_real_retries_count(exported: dict) -> None:
    """Parametrized cases are separate tests without retries; the rerun test is flaky with one."""
    tests = {t["name"]: t for t in exported["doc"]["results"]["tests"]}
    assert {t["type"] for t in tests.values()} == {"unit"}
    params = [t for name, t in tests.items() if "test_param[" in name]
    assert len(params) == 3
    assert all(t["retries"] == 0 and "retryAttempts" not in t and not t["flaky"] for t in params)
    flaky = tests["test_unit.py::test_flaky"]
    assert flaky["status"] == "passed"
    assert flaky["flaky"] is True
    assert flaky["retries"] == 1
    assert flaky["retryAttempts"] == [{"attempt": 1, "status": "failed"}]
    assert tests["test_unit.py::test_fails"]["message"].endswith("one is not two")
    assert tests["test_unit.py::test_errors"]["rawStatus"] == "error"
    assert tests["test_unit.py::test_xfail"]["status"] == "other"
    summary = exported["doc"]["results"]["summary"]
    assert summary["tests"] == len(tests)
    assert summary["flaky"] == 1
    assert summary["passed"] + summary["failed"] + summary["skipped"] + summary["other"] == len(
        tests
    )


def test_shards_share_one_run_id(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shards exported by separate jobs of one Actions run get the same runId, distinct reportIds."""
    monkeypatch.setenv("STATE_DIR", str(tmp_path))
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_REPOSITORY", "owner/project")
    docs = []
    for group in ("unit", "integration"):
        results = _run(pytester, group, tmp_path)
        out = tmp_path / f"{group}.json"
        assert (
            main(["export", "--format", "ctrf", "--metrics", str(results), "--output", str(out)])
            == 0
        )
        docs.append(json.loads(out.read_text()))
    assert docs[0]["runId"] == docs[1]["runId"] == "owner/project/4242/1"
    assert docs[0]["reportId"] != docs[1]["reportId"]
