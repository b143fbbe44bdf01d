"""Helpers for the doctor rule tests: write snippets to files, scan them, compare with markers.

A snippet marks each line that must be reported with a trailing `# expect: rule-id` comment;
the tests assert the findings are exactly the marked (path, line, rule) triples.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mmpgate.doctor import DoctorConfig, scan

_EXPECT = re.compile(r"#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)")

Triples = set[tuple[str, int, str]]


def expected(files: dict[str, str]) -> Triples:
    """The (path, line, rule) triples marked with `# expect:` comments."""
    marked: Triples = set()
    for name, source in files.items():
        for number, line in enumerate(textwrap.dedent(source).splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for rule in match[1].split(","):
                    marked.add((name, number, rule.strip()))
    return marked


@pytest.fixture
def doctor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Triples]:
    """Write files (name -> source) under a tmp dir, scan it, return the found triples."""

    def run(files: dict[str, str], config: DoctorConfig | None = None) -> Triples:
        for name, source in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        result = scan(["."], config or DoctorConfig())
        return {(finding.path, finding.line, finding.rule) for finding in result.findings}

    return run


@pytest.fixture
def check_files(doctor: Callable[..., Triples]) -> Callable[[dict[str, str]], None]:
    """Scan files (name -> source) and assert the findings equal their `# expect:` marks."""

    def run(files: dict[str, str]) -> None:
        assert doctor(files) == expected(files)

    return run


@pytest.fixture
def check_snippet(check_files: Callable[[dict[str, str]], None]) -> Callable[[str], None]:
    """Scan one snippet as `test_snippet.py` and assert findings equal its `# expect:` marks."""

    def run(source: str) -> None:
        check_files({"test_snippet.py": source})

    return run
