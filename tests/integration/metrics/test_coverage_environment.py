"""The coverage and environment objects of a metrics file, from real runs."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from importlib import metadata

import pytest
from defusedxml import ElementTree

MODULE = """
def classify(number):
    if number > 0:
        return "positive"
    if number < 0:
        return "negative"
    return "zero"


def unused():
    return 1
"""
TESTS = """
from mod import classify

def test_positive():
    assert classify(1) == "positive"
"""
_TOTAL = re.compile(r"^TOTAL\s.*\s(\d+\.\d+)%$")


def _xml_totals(path):
    root = ElementTree.parse(str(path)).getroot()
    return {
        key: int(root.get(key, "0"))
        for key in ("lines-valid", "lines-covered", "branches-valid", "branches-covered")
    }


@pytest.mark.parametrize("branch", [False, True], ids=["lines", "branches"])
def test_coverage_from_pytest_cov_xml(run_metrics, pytester, branch):
    """--cov with an XML report fills coverage from that XML, equal to pytest-cov's own TOTAL."""
    pytester.makepyfile(mod=MODULE, test_mod=TESTS)
    extra = ("--cov-branch",) if branch else ()
    run = run_metrics(
        "--cov=mod",
        "--cov-report=xml:cov.xml",
        "--cov-report=term",
        "--cov-precision=2",
        *extra,
        subprocess=True,
    )
    coverage = run.metrics["coverage"]
    xml = _xml_totals(pytester.path / "cov.xml")
    assert coverage["lines_valid"] == xml["lines-valid"]
    assert coverage["lines_covered"] == xml["lines-covered"]
    if branch:
        assert (coverage["branches_valid"], coverage["branches_covered"]) == (
            xml["branches-valid"],
            xml["branches-covered"],
        )
    else:
        assert coverage["branches_valid"] is None
    totals = [m.group(1) for line in run.result.outlines if (m := _TOTAL.match(line))]
    assert totals, run.describe()
    assert coverage["percent"] == pytest.approx(float(totals[-1]), abs=0.005)


def test_no_coverage_without_cov(run_metrics, pytester):
    """A run without coverage records coverage null."""
    pytester.makepyfile(mod=MODULE, test_mod=TESTS)
    assert run_metrics().metrics["coverage"] is None


@pytest.mark.parametrize("how", ["no-cov-this-time", "interrupted-before-report"])
def test_stale_coverage_xml_is_not_used(run_metrics, pytester, how):
    """A coverage XML this run did not write is ignored, even with a fresh-looking timestamp."""
    pytester.makepyfile(mod=MODULE, test_mod=TESTS)
    first = run_metrics("--cov=mod", "--cov-report=xml:cov.xml", subprocess=True)
    assert first.metrics["coverage"] is not None
    stale = pytester.path / "cov.xml"
    # A stamp in the future (clock skew, an unpacked artifact) must not make it look fresh.
    future = time.time() + 3600
    os.utime(stale, (future, future))
    if how == "no-cov-this-time":
        run = run_metrics("--mmpgate-coverage-xml=cov.xml", subprocess=True)
    else:
        pytester.makepyfile(test_exit="import pytest\n\ndef test_z():\n    pytest.exit('stop')\n")
        run = run_metrics("--cov=mod", "--cov-report=xml:cov.xml", subprocess=True)
        assert run.metrics["interrupted"] is True
    assert stale.is_file()
    assert run.metrics["coverage"] is None


def test_environment_serial(run_metrics, pytester, monkeypatch):
    """Versions, no workers, the command line, ordered timestamps and the commit from GITHUB_SHA."""
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
    pytester.makepyfile(test_case="def test_a():\n    pass\n")
    run = run_metrics("-k", "test_a")
    env = run.metrics["environment"]
    assert env["python"] == platform.python_version()
    assert env["platform"].startswith(sys.platform)
    assert env["pytest"] == pytest.__version__
    assert (env["xdist"], env["workers"]) == (None, 0)
    assert env["git_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert env["command"][-2:] == ["-k", "test_a"]
    assert "--mmpgate-metrics=metrics.case.json" in env["command"]
    assert env["started"] <= env["finished"]
    assert env["producer"].startswith("plugin mmpgate ")


def test_environment_xdist_and_git(run_metrics, pytester, monkeypatch):
    """Under -n 2: xdist's version and 2 workers; outside Actions the commit is git's HEAD."""
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    pytester.makepyfile(test_case="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=pytester.path, check=True)
    subprocess.run([*git, "add", "test_case.py"], cwd=pytester.path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "c"], cwd=pytester.path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=pytester.path, check=True, capture_output=True, text=True
    ).stdout.strip()
    env = run_metrics(mode="xdist").metrics["environment"]
    assert (env["xdist"], env["workers"]) == (metadata.version("pytest-xdist"), 2)
    assert env["git_commit"] == head
