"""A small sample project, built in a pytester directory, for `mmpgate run`, `combine` and `ci`."""

from __future__ import annotations

import pytest

CALC = """
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    if a == 0:
        return 0
    return a * b
"""


@pytest.fixture
def sample(pytester: pytest.Pytester) -> pytest.Pytester:
    """src/calc with unit tests (add) and integration tests (sub, one skip); no e2e directory."""
    pytester.makepyprojecttoml('[project]\nname = "calc"\nversion = "0"\n')
    (pytester.path / "src" / "calc").mkdir(parents=True)
    (pytester.path / "src" / "calc" / "__init__.py").write_text(CALC)
    (pytester.path / "tests" / "unit").mkdir(parents=True)
    (pytester.path / "tests" / "integration").mkdir(parents=True)
    (pytester.path / "conftest.py").write_text(
        "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'src'))\n"
    )
    (pytester.path / "tests" / "unit" / "test_add.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n\ndef test_add_zero():\n    assert add(0, 0) == 0\n"
    )
    (pytester.path / "tests" / "integration" / "test_sub.py").write_text(
        "import pytest\nfrom calc import sub\n\ndef test_sub():\n    assert sub(3, 2) == 1\n\n"
        "@pytest.mark.skip(reason='later')\ndef test_later():\n    pass\n"
    )
    return pytester
