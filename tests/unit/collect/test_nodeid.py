"""Node ids rebuilt from JUnit's classname + name, and pytest's mangling that produces them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mmpgate.collect.nodeid import junit_key, reconstruct

_lower = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
_class = st.from_regex(r"Test[A-Za-z0-9_]{0,8}", fullmatch=True)
_params = st.one_of(st.just(""), st.from_regex(r"\[[a-z0-9 .:\-\[\]]{0,10}\]", fullmatch=True))


@given(
    dirs=st.lists(_lower, max_size=3),
    module=_lower,
    classes=st.lists(_class, max_size=2),
    function=_lower,
    params=_params,
)
def test_conventional_nodeids_round_trip(dirs, module, classes, function, params):
    """For lower-case modules and Test* classes, rebuilding the mangled id gives the id back."""
    nodeid = "::".join(
        ["/".join([*dirs, f"test_{module}.py"]), *classes, f"test_{function}{params}"]
    )
    assert reconstruct(*junit_key(nodeid), None) == nodeid


def test_collector_ids():
    """A collector's case (empty classname) becomes its module path."""
    assert junit_key("sub/test_x.py") == ("", "sub.test_x")
    assert reconstruct("", "sub.test_x", None) == "sub/test_x.py"


def test_file_attribute_makes_the_split_exact():
    """With junit_family=xunit1's file attribute, an upper-case module name is no class."""
    assert (
        reconstruct("tests.Test_Upper.TestK", "test_a", None)
        == "tests.py::Test_Upper::TestK::test_a"
    )
    assert reconstruct("tests.Test_Upper.TestK", "test_a", "tests/Test_Upper.py") == (
        "tests/Test_Upper.py::TestK::test_a"
    )
