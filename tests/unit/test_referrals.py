"""fg.referral_value / fg.viral_coefficient: docs/metrics.md section 6, hand-computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import famgraph as fg
from famgraph.analysis.referrals import forest_levels
from famgraph.schema import REFERRAL_VALUE_COLUMNS, VIRAL_COLUMNS

AS_OF = "2025-01-01"


def forest_book() -> fg.CustomerGraph:
    """R -> A, R -> B, A -> C, C -> D; S alone; E is a prospect referred by B.

    Values (holdings on or before as_of): R 1, A 10, B 20, C 40, D 80, E 0, S 5.
    """
    people = pd.DataFrame(
        {
            "person_id": ["R", "A", "B", "C", "D", "E", "S"],
            "is_customer": [True, True, True, True, True, False, True],
        }
    )
    referrals = pd.DataFrame(
        {
            "referrer_id": ["R", "R", "A", "C", "B"],
            "referee_id": ["A", "B", "C", "D", "E"],
            "referred_at": ["2020-01-01"] * 5,
        }
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["R", "A", "B", "C", "D", "S", "D"],
            "line": ["life"] * 7,
            "purchased_at": ["2024-01-01"] * 6 + ["2026-01-01"],  # D's 2nd: after as_of
            "amount": [1.0, 10.0, 20.0, 40.0, 80.0, 5.0, 1000.0],
        }
    )
    return fg.build(people, referrals=referrals, holdings=holdings, as_of=AS_OF)


def test_referral_value_hand_computed() -> None:
    r = fg.referral_value(forest_book())
    assert list(r.columns) == list(REFERRAL_VALUE_COLUMNS)
    assert r["person_id"].tolist() == ["R", "A", "B", "C", "D", "E", "S"]
    assert r["referred_by"].tolist()[1:6] == ["R", "R", "A", "C", "B"]
    assert r["referred_by"].isna().tolist() == [True, False, False, False, False, False, True]
    assert r["root_id"].tolist() == ["R", "R", "R", "R", "R", "R", "S"]
    assert r["generation"].tolist() == [0, 1, 1, 2, 3, 2, 0]
    assert r["direct_referrals"].tolist() == [2, 1, 1, 1, 0, 0, 0]
    # B's only referee E is a prospect
    assert r["converted_referrals"].tolist() == [2, 1, 0, 1, 0, 0, 0]
    # R: A, B, C, D, E; A: C, D; B: E; C: D
    assert r["cascade_size"].tolist() == [5, 2, 1, 1, 0, 0, 0]
    assert r["depth"].tolist() == [3, 2, 1, 1, 0, 0, 0]
    # decay 0.5: R = A 10 + B 20 + 0.5 (C 40 + E 0) + 0.25 D 80 = 70
    #            A = C 40 + 0.5 D 80 = 80;  B = E 0 = 0;  C = D 80
    assert r["chain_value"].tolist() == [70.0, 80.0, 0.0, 80.0, 0.0, 0.0, 0.0]


def test_referral_value_decay_and_max_depth() -> None:
    g = forest_book()
    # decay 1: plain sums of descendants' values: R 10+20+40+0+80 = 150, A 120
    r1 = fg.referral_value(g, decay=1)
    assert r1["chain_value"].tolist() == [150.0, 120.0, 0.0, 80.0, 0.0, 0.0, 0.0]
    # max_depth 1: direct referees only: R 30, A 40, C 80
    rd1 = fg.referral_value(g, max_depth=1)
    assert rd1["chain_value"].tolist() == [30.0, 40.0, 0.0, 80.0, 0.0, 0.0, 0.0]
    # max_depth 2, decay 0.25: R = 30 + 0.25 * 40 = 40; A = 40 + 0.25 * 80 = 60
    rd2 = fg.referral_value(g, decay=0.25, max_depth=2)
    assert rd2["chain_value"].tolist() == [40.0, 60.0, 0.0, 80.0, 0.0, 0.0, 0.0]
    # cascade_size and depth ignore max_depth
    assert rd1["cascade_size"].tolist() == [5, 2, 1, 1, 0, 0, 0]
    # max_depth >= the deepest chain is the same as none
    pd.testing.assert_frame_equal(fg.referral_value(g, max_depth=3), fg.referral_value(g))


def test_referral_value_override() -> None:
    # value override: only D is worth something (2); R gets 0.25 * 2 = 0.5
    r = fg.referral_value(forest_book(), value=pd.Series({"D": 2.0}))
    assert r["chain_value"].tolist() == [0.5, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decay": 1.5}, "The `decay` parameter of `referral_value` must be in (0, 1]; got 1.5."),
        ({"decay": 0}, "The `decay` parameter of `referral_value` must be in (0, 1]; got 0."),
        ({"decay": "x"}, "The `decay` parameter of `referral_value` must be in (0, 1]; got 'x'."),
        (
            {"max_depth": 0},
            "The `max_depth` parameter of `referral_value` must be a whole "
            "number >= 1 or None; got 0.",
        ),
        (
            {"max_depth": 2.5},
            "The `max_depth` parameter of `referral_value` must be a whole "
            "number >= 1 or None; got 2.5.",
        ),
        (
            {"max_depth": True},
            "The `max_depth` parameter of `referral_value` must be a whole "
            "number >= 1 or None; got True.",
        ),
    ],
)
def test_referral_value_argument_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        fg.referral_value(forest_book(), **kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message


def test_forest_levels_cycle_is_an_error() -> None:
    with pytest.raises(ValueError, match="cycle"):
        forest_levels(np.array([1, 0, -1]))


def test_forest_levels_long_chain() -> None:
    # a chain 0 <- 1 <- ... <- 999: generation i, root 0
    parent = np.arange(-1, 999)
    root, gen = forest_levels(parent)
    assert gen.tolist() == list(range(1000))
    assert set(root.tolist()) == {0}


# -- property tests on random forests ---------------------------------------------
@st.composite
def forests(draw: st.DrawFn) -> tuple[list[int], list[float]]:
    """A random forest: node i's parent is an earlier node or none."""
    n = draw(st.integers(1, 30))
    parents = [-1] + [draw(st.integers(-1, i - 1)) for i in range(1, n)]
    values = [draw(st.floats(0, 1000, allow_nan=False)) for _ in range(n)]
    return parents, values


def build_forest(parents: list[int], values: list[float]) -> fg.CustomerGraph:
    ids = [f"P{i:02d}" for i in range(len(parents))]
    people = pd.DataFrame({"person_id": ids})
    kept = [(ids[p], ids[i]) for i, p in enumerate(parents) if p >= 0]
    referrals = pd.DataFrame(kept, columns=["referrer_id", "referee_id"])
    holdings = pd.DataFrame(
        {"person_id": ids, "line": "life", "purchased_at": "2024-01-01", "amount": values}
    )
    return fg.build(
        people,
        referrals=referrals if kept else None,
        holdings=holdings,
        as_of=AS_OF,
    )


def descendants(parents: list[int], p: int) -> list[int]:
    out, todo = [], [p]
    while todo:
        q = todo.pop()
        kids = [i for i, x in enumerate(parents) if x == q]
        out += kids
        todo += kids
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forests())
def test_decay_one_is_sum_of_descendants(forest: tuple[list[int], list[float]]) -> None:
    parents, values = forest
    r = fg.referral_value(build_forest(parents, values), decay=1)
    want = [sum(values[d] for d in descendants(parents, p)) for p in range(len(parents))]
    np.testing.assert_allclose(r["chain_value"].to_numpy(), want, rtol=1e-12, atol=1e-9)
    assert r["cascade_size"].tolist() == [len(descendants(parents, p)) for p in range(len(parents))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forests())
def test_cascade_and_depth_recursions(forest: tuple[list[int], list[float]]) -> None:
    parents, values = forest
    r = fg.referral_value(build_forest(parents, values))
    cascade = r["cascade_size"].to_numpy()
    depth = r["depth"].to_numpy()
    gen = r["generation"].to_numpy()
    for p in range(len(parents)):
        kids = [i for i, x in enumerate(parents) if x == p]
        # cascade(p) = Σ_children (1 + cascade(c)); depth(p) = max(1 + depth(c))
        assert cascade[p] == sum(1 + cascade[c] for c in kids)
        assert depth[p] == max((1 + depth[c] for c in kids), default=0)
        assert gen[p] == (0 if parents[p] < 0 else gen[parents[p]] + 1)
    # chain value recursion: S(p) = Σ_children (v(c) + 0.5 S(c))
    s = r["chain_value"].to_numpy()
    for p in range(len(parents)):
        kids = [i for i, x in enumerate(parents) if x == p]
        assert s[p] == pytest.approx(sum(values[c] + 0.5 * s[c] for c in kids), rel=1e-12, abs=1e-9)


# -- viral coefficient ------------------------------------------------------------
def viral_book() -> fg.CustomerGraph:
    people = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D", "E", "F", "X"],
            "is_customer": [True, True, True, True, False, True, True],
            "joined_at": [
                "2024-01-15",
                "2024-03-31",
                "2024-04-01",
                "2024-06-01",
                None,
                "2024-06-02",
                None,
            ],
        }
    )
    referrals = pd.DataFrame(
        {
            "referrer_id": ["A", "A", "A", "B", "C", "X"],
            "referee_id": ["B", "C", "E", "D", "F", "A"],
            # A -> B inside; A -> C inside; A -> E (prospect) inside; B -> D on the
            # last day of B's window (2024-03-31 + 365 d = 2025-03-31); C -> F before
            # C joined (outside); X has no joined_at (no cohort)
            "referred_at": [
                "2024-03-01",
                "2025-01-14",
                "2024-02-01",
                "2025-03-31",
                "2024-03-01",
                "2024-01-01",
            ],
        }
    )
    return fg.build(people, referrals=referrals, as_of="2025-06-30")


def test_viral_coefficient_hand_computed() -> None:
    v = fg.viral_coefficient(viral_book())
    assert list(v.columns) == list(VIRAL_COLUMNS)
    # 2024Q1: A, B (2 members): A's B, C, E + B's D = 4 referrals, 3 converted (E is
    # a prospect) -> k = 1.5; 2024Q2: C, D, F: C's F is before C joined -> 0
    assert v["cohort"].tolist() == ["2024Q1", "2024Q2"]
    assert v["cohort_size"].tolist() == [2, 3]
    assert v["referrals"].tolist() == [4, 0]
    assert v["converted_referrals"].tolist() == [3, 0]
    assert v["k_factor"].tolist() == [1.5, 0.0]
    assert str(v["cohort"].dtype) == "str"


def test_viral_coefficient_window_and_freq() -> None:
    # window 300 days: A -> C (2025-01-14, 365 d after A joined) and B -> D drop out
    v = fg.viral_coefficient(viral_book(), window_days=300)
    assert v["referrals"].tolist() == [2, 0]
    assert v["converted_referrals"].tolist() == [1, 0]
    # monthly cohorts: 2024-01 (A), 2024-03 (B), 2024-04 (C), 2024-06 (D, F)
    m = fg.viral_coefficient(viral_book(), freq="M")
    assert m["cohort"].tolist() == ["2024-01", "2024-03", "2024-04", "2024-06"]
    assert m["cohort_size"].tolist() == [1, 1, 1, 2]
    assert m["k_factor"].tolist() == [2.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"freq": "fortnight"},
            "The `freq` parameter of `viral_coefficient` must be a pandas "
            "period alias such as \"Q\"; got 'fortnight'.",
        ),
        (
            {"window_days": -1},
            "The `window_days` parameter of `viral_coefficient` must be a "
            "whole number of days >= 0; got -1.",
        ),
    ],
)
def test_viral_argument_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as err:
        fg.viral_coefficient(viral_book(), **kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message
