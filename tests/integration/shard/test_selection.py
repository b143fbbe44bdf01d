"""The shard selection inside pytest: deselection, units kept whole, xdist, durations sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SUITE = {
    "test_fixture.py": (
        "import pytest\n\n@pytest.fixture(scope='module')\ndef server():\n    return 1\n\n"
        + "".join(f"def test_uses_{i}(server):\n    assert server\n\n" for i in range(4))
    ),
    "test_classes.py": (
        "class TestTogether:\n"
        + "".join(f"    def test_{i}(self):\n        pass\n\n" for i in range(4))
    ),
    "test_group.py": (
        "import pytest\n\n"
        + "".join(
            f"@pytest.mark.xdist_group('db')\ndef test_db_{i}():\n    pass\n\n" for i in range(3)
        )
        + "".join(f"def test_free_{i}():\n    pass\n\n" for i in range(6))
    ),
    "test_server.py": (
        "import pytest\n\n"
        + "".join(f"@pytest.mark.server\ndef test_served_{i}():\n    pass\n\n" for i in range(2))
    ),
}


def metrics_of(pytester: pytest.Pytester, index: int, total: int, *args: str) -> dict:
    """Run shard index/total with the plugin and return its metrics document."""
    path = pytester.path / f"metrics.unit.shard-{index}of{total}.json"
    result = pytester.runpytest_subprocess(
        f"--mmpgate-metrics={path}", "--mmpgate-group=unit", f"--mmpgate-shard={index}/{total}",
        "-p", "no:cacheprovider", *args,
    )  # fmt: skip
    assert result.ret in (0, 5) or result.ret == pytest.ExitCode.OK, result.stdout.str()
    return json.loads(path.read_text())


def shard_sets(pytester: pytest.Pytester, total: int, *args: str) -> list[set[str]]:
    """The node ids each shard ran."""
    return [
        {t["nodeid"] for t in metrics_of(pytester, k, total, *args)["tests"]}
        for k in range(1, total + 1)
    ]


def test_units_stay_in_one_shard_and_counts_are_pytests(pytester: pytest.Pytester) -> None:
    """Module-fixture users, a class and an xdist group each land whole in one shard."""
    pytester.makepyfile(**{name.removesuffix(".py"): text for name, text in SUITE.items()})
    sets = shard_sets(pytester, 3)
    assert all(sets), "no shard may be empty"
    every = [nodeid for s in sets for nodeid in s]
    assert len(every) == len(set(every)) == 4 + 4 + 9 + 2
    for prefix in (
        "test_fixture.py::test_uses_",
        "test_classes.py::TestTogether::",
        "test_group.py::test_db_",
    ):
        holders = [k for k, s in enumerate(sets) if any(n.startswith(prefix) for n in s)]
        assert len(holders) == 1, prefix
    first = metrics_of(pytester, 1, 3)
    assert first["counts"]["deselected"] == 19 - first["shard"]["selected"]
    assert first["collected"] == 19


def test_the_same_shards_under_xdist_with_server_tests(pytester: pytest.Pytester) -> None:
    """-n 2 inside each shard selects the same tests as without it, server-marked ones too."""
    pytester.makepyfile(**{name.removesuffix(".py"): text for name, text in SUITE.items()})
    plain = shard_sets(pytester, 2)
    assert shard_sets(pytester, 2, "-n", "2") == plain


def test_durations_from_a_run_in_a_sub_directory_still_match(pytester: pytest.Pytester) -> None:
    """Durations recorded with rootdir `tests/` match a run whose node ids start `tests/`."""
    tests = pytester.mkpydir("tests")
    for name, text in SUITE.items():
        (tests / name).write_text(text)
    recorded = pytester.path / "recorded.json"
    inner = pytester.runpytest_subprocess(
        str(tests), f"--rootdir={tests}", f"--mmpgate-metrics={recorded}", "--mmpgate-group=unit",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert inner.ret == 0, inner.stdout.str()
    assert json.loads(recorded.read_text())["tests"][0]["nodeid"].startswith("test_")
    result = pytester.runpytest_subprocess(
        "--mmpgate-shard=1/2", f"--mmpgate-durations-from={recorded}", "--mmpgate-group=unit",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    result.stdout.fnmatch_lines(
        [f"mmpgate: shard 1/2: * of 19 tests; durations from {recorded}: 19 of 19 tests matched"]
    )


def test_durations_from_a_total_reads_its_directory(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """A metrics.total.json path reads the group file beside it; a missing path is a usage error."""
    pytester.makepyfile(**{name.removesuffix(".py"): text for name, text in SUITE.items()})
    results = pytester.path / "res"
    results.mkdir()
    done = pytester.runpytest_subprocess(
        f"--mmpgate-metrics={results / 'metrics.unit.json'}", "-p", "no:cacheprovider"
    )
    assert done.ret == 0
    from mmpgate.combine import combine

    combine(results)
    shard = pytester.runpytest_subprocess(
        "--mmpgate-shard=2/2", f"--mmpgate-durations-from={results / 'metrics.total.json'}",
        "--mmpgate-group=unit", "-p", "no:cacheprovider",
    )  # fmt: skip
    shard.stdout.fnmatch_lines(["mmpgate: shard 2/2: * 19 of 19 tests matched*"])
    missing = pytester.runpytest_subprocess(
        "--mmpgate-shard=1/2", f"--mmpgate-durations-from={tmp_path / 'nope'}"
    )
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    missing.stderr.fnmatch_lines(["*--mmpgate-durations-from:*no such file or directory*"])


@pytest.mark.parametrize("spec", ["0/2", "3/2", "x", "1/0"])
def test_a_bad_shard_is_a_usage_error(pytester: pytest.Pytester, spec: str) -> None:
    """K/N outside 1 <= K <= N is refused before anything runs."""
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    result = pytester.runpytest_subprocess(f"--mmpgate-shard={spec}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mmpgate-shard: expected K/N with 1 <= K <= N*"])
