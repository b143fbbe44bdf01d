"""Every case of the metrics contract, serial, with `-n 2` and with `-p no:xdist`.

One inner pytest run per case and mode; each run is checked against pytest's own output: the
summary line (counts), the header (collected), the exit code, and the flags the case implies.
"""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

ALL_MODES = ("serial", "xdist", "no-xdist")
NOT_XDIST = ("serial", "no-xdist")
OUTCOMES = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")


@dataclasses.dataclass(frozen=True)
class Case:
    """A sample project, the pytest arguments, and the flags the metrics must show."""

    files: dict[str, str]
    args: tuple[str, ...] = ()
    ini: str = ""
    modes: tuple[str, ...] = ALL_MODES
    #: Modes in which the run is interrupted (Ctrl-C-like: pytest.exit(), collection errors).
    interrupted_in: tuple[str, ...] = ()
    #: The case uses -x/--maxfail; in these modes it must stop before every test ran.
    stops_in: tuple[str, ...] = ()
    #: The case uses -x/--maxfail (under xdist, whether tests remain is up to scheduling).
    may_stop: bool = False


def _py(source: str) -> str:
    return textwrap.dedent(source).lstrip()


PASS_AND_FAIL = _py(
    """
    def test_passes():
        pass

    def test_fails():
        assert 1 == 2
    """
)
TEARDOWN_ERROR = _py(
    """
    import pytest

    @pytest.fixture
    def broken_teardown():
        yield
        raise RuntimeError("teardown broke")

    def test_it(broken_teardown):
        assert {outcome}
    """
)
MANY = _py(
    """
    import pytest

    @pytest.mark.parametrize("i", range(8))
    def test_numbers(i):
        assert i not in {failing}
    """
)
OTHER_MODULE = "def test_elsewhere():\n    pass\n"

CASES: dict[str, Case] = {
    "failure": Case({"test_case.py": PASS_AND_FAIL}),
    "setup-error": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                @pytest.fixture
                def broken():
                    raise RuntimeError("setup broke")

                def test_uses_broken(broken):
                    pass

                def test_passes():
                    pass
                """
            )
        }
    ),
    "teardown-error-after-pass": Case({"test_case.py": TEARDOWN_ERROR.format(outcome="True")}),
    "teardown-error-after-failure": Case({"test_case.py": TEARDOWN_ERROR.format(outcome="False")}),
    "setup-class-error": Case(
        {
            "test_case.py": _py(
                """
                class TestBroken:
                    @classmethod
                    def setup_class(cls):
                        raise RuntimeError("class setup broke")

                    def test_one(self):
                        pass

                    def test_two(self):
                        pass

                def test_outside():
                    pass
                """
            )
        }
    ),
    "skip-marker": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                @pytest.mark.skip(reason="not today")
                def test_skipped():
                    pass

                def test_passes():
                    pass
                """
            )
        }
    ),
    "skipif": Case(
        {
            "test_case.py": _py(
                """
                import sys
                import pytest

                @pytest.mark.skipif(sys.version_info > (3,), reason="always on Python 3")
                def test_skipped():
                    pass

                @pytest.mark.skipif(sys.version_info < (3,), reason="never on Python 3")
                def test_runs():
                    pass
                """
            )
        }
    ),
    "skip-in-body": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                def test_skips_itself():
                    pytest.skip("decided at run time")

                def test_passes():
                    pass
                """
            )
        }
    ),
    "module-level-skip": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                pytest.skip("whole module", allow_module_level=True)

                def test_never_collected():
                    pass
                """
            ),
            "test_other.py": OTHER_MODULE,
        }
    ),
    "importorskip": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                pytest.importorskip("mmpgate_no_such_module")

                def test_never_collected():
                    pass
                """
            ),
            "test_other.py": OTHER_MODULE,
        }
    ),
    "xfail-xpass-strict": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                @pytest.mark.xfail(reason="known bug")
                def test_xfails():
                    assert False

                @pytest.mark.xfail(reason="fixed already", strict=False)
                def test_xpasses():
                    pass

                @pytest.mark.xfail(reason="must fail", strict=True)
                def test_strict_xpass():
                    pass

                @pytest.mark.xfail(run=False, reason="not even run")
                def test_not_run():
                    pass
                """
            )
        }
    ),
    "parametrized": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                @pytest.mark.parametrize(
                    "value",
                    [1, 2, 3, pytest.param(4, marks=pytest.mark.skip(reason="four")),
                     pytest.param(5, marks=pytest.mark.xfail(reason="five"))],
                )
                def test_small(value):
                    assert value < 3 or value == 4
                """
            )
        }
    ),
    "deselect-k": Case({"test_case.py": MANY.format(failing="()")}, args=("-k", "not 3 and not 5")),
    "deselect-m": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                @pytest.mark.slow
                def test_slow():
                    pass

                @pytest.mark.slow
                def test_slow_too():
                    pass

                def test_fast():
                    pass
                """
            )
        },
        args=("-m", "not slow"),
        ini="[pytest]\nmarkers =\n    slow: a slow test\n",
    ),
    "exitfirst": Case(
        {"test_case.py": MANY.format(failing="(0,)")},
        args=("-x",),
        stops_in=NOT_XDIST,
        may_stop=True,
    ),
    "maxfail": Case(
        {"test_case.py": MANY.format(failing="(0, 1, 2)")},
        args=("--maxfail=2",),
        stops_in=NOT_XDIST,
        may_stop=True,
    ),
    "maxfail-50-in-addopts": Case(
        {"test_case.py": MANY.format(failing="(0, 1, 2)")},
        ini="[pytest]\naddopts = --maxfail=50\n",
        may_stop=True,
    ),
    "collection-error": Case(
        {"test_case.py": "import mmpgate_no_such_module\n", "test_other.py": OTHER_MODULE},
        # pytest stops after collecting; pytest-xdist reports the error and runs the rest.
        interrupted_in=NOT_XDIST,
    ),
    "collection-error-continue": Case(
        {"test_case.py": "import mmpgate_no_such_module\n", "test_other.py": OTHER_MODULE},
        args=("--continue-on-collection-errors",),
    ),
    "crashed-worker": Case(
        {
            "test_case.py": _py(
                """
                import os

                def test_before():
                    pass

                def test_crashes():
                    os._exit(3)

                def test_after():
                    pass

                def test_last():
                    pass
                """
            )
        },
        modes=("xdist",),
    ),
    "pytest-exit": Case(
        {
            "test_case.py": _py(
                """
                import pytest

                def test_first():
                    pass

                def test_exits():
                    pytest.exit("enough")

                def test_never():
                    pass
                """
            )
        },
        interrupted_in=ALL_MODES,
    ),
    "reruns": Case(
        {
            "test_case.py": _py(
                """
                import pathlib
                import pytest

                ATTEMPTS = pathlib.Path(__file__).with_name("attempts.txt")

                @pytest.mark.flaky(reruns=3)
                def test_passes_on_third_try():
                    done = int(ATTEMPTS.read_text()) if ATTEMPTS.exists() else 0
                    ATTEMPTS.write_text(str(done + 1))
                    assert done >= 2

                @pytest.mark.flaky(reruns=1)
                def test_always_fails():
                    assert False

                def test_passes():
                    pass
                """
            )
        },
    ),
}

MATRIX = [
    pytest.param(name, mode, id=f"{name}-{mode}")
    for name, case in CASES.items()
    for mode in ALL_MODES
    if mode in case.modes
]


@pytest.mark.parametrize(("name", "mode"), MATRIX)
def test_metrics_equal_pytest_summary(run_metrics, pytester, name, mode):
    """The counts, collected, exit status and flags equal what pytest itself reported."""
    case = CASES[name]
    for path, source in case.files.items():
        (pytester.path / path).write_text(source, encoding="utf-8")
    if case.ini:
        (pytester.path / "pytest.ini").write_text(case.ini, encoding="utf-8")
    run = run_metrics(*case.args, mode=mode)
    metrics = run.metrics
    context = run.describe()

    expected = run.pytest_counts
    counts = metrics["counts"]
    assert {key: counts[key] for key in expected} == expected, context
    assert counts["total"] == sum(expected[key] for key in OUTCOMES), context
    assert metrics["exit_status"] == int(run.result.ret), context
    assert metrics["collected"] == run.pytest_collected, context
    assert metrics["environment"]["workers"] == (2 if mode == "xdist" else 0)

    interrupted = mode in case.interrupted_in
    if mode in case.stops_in:
        stopped = True
    elif case.may_stop:
        # Under xdist the workers may finish every test before the stop reaches them: the
        # flag must then say what happened, read from pytest's own figures.
        stopped = counts["total"] < (run.pytest_collected or 0)
    else:
        stopped = False
    assert (metrics["interrupted"], metrics["stopped_early"], metrics["complete"]) == (
        interrupted,
        stopped,
        not (interrupted or stopped),
    ), context
    assert (metrics["reason"] is None) == (metrics["complete"] and not metrics["empty"])
