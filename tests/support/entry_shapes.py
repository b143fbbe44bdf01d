"""Hypothesis strategies for `tests[]` entries of every shape, valid or not (written once)."""

from __future__ import annotations

from hypothesis import strategies as st

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-2, 2, allow_nan=False),
    st.sampled_from([1.0, 2.5, 0.0, 0.25]),
    st.lists(st.integers(), max_size=1),
    st.text(max_size=3),
    st.sampled_from(["passed", "failed", "error", "skipped", "xfailed", "xpassed", "ok"]),
)
phases = st.dictionaries(
    st.sampled_from(["setup", "call", "teardown", "collect", "other"]), json_scalar, max_size=4
)
entries = st.fixed_dictionaries(
    {},
    optional={
        "nodeid": st.one_of(st.text(max_size=5), json_scalar),
        "outcome": json_scalar,
        "duration": st.one_of(phases, json_scalar),
        "reruns": json_scalar,
        "message": json_scalar,
        "line": json_scalar,
        "extra": json_scalar,
        "classification": st.one_of(st.sampled_from(["passed", "failed", "flaky"]), json_scalar),
        "evidence": json_scalar,
        "attempts": st.one_of(
            json_scalar,
            st.lists(
                st.one_of(
                    json_scalar,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "outcome": json_scalar,
                            "duration": json_scalar,
                            "message": json_scalar,
                            "other": json_scalar,
                        },
                    ),
                ),
                max_size=2,
            ),
        ),
    },
)
#: An entry, or something that is not an object at all.
any_entry = st.one_of(entries, json_scalar, st.lists(json_scalar, max_size=2))
