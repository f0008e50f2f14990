"""fg.super_users: docs/metrics.md section 7 -- tiers, score and reasons, hand-computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import famgraph as fg
from famgraph.schema import SUPER_USER_COLUMNS, TIERS

AS_OF = "2025-01-01"  # active-quarter window: (2024-01-02, 2025-01-01]


def book() -> fg.CustomerGraph:
    """S: bought in Q1 and Q3 2024 (continuous), referred customers X and Y.
    T: one purchase 2024-12-01, referred customer Z.  W: two old purchases.
    M: one old purchase.  X, Y, Z: customers without purchases.  P: a prospect."""
    people = pd.DataFrame(
        {
            "person_id": ["S", "T", "W", "M", "X", "Y", "Z", "P"],
            "is_customer": [True] * 7 + [False],
        }
    )
    referrals = pd.DataFrame({"referrer_id": ["S", "S", "T"], "referee_id": ["X", "Y", "Z"]})
    holdings = pd.DataFrame(
        {
            "person_id": ["S", "S", "T", "W", "W", "M"],
            "line": "medical",
            "purchased_at": [
                "2024-03-01",
                "2024-07-01",
                "2024-12-01",
                "2020-01-01",
                "2021-01-01",
                "2019-01-01",
            ],
        }
    )
    return fg.build(people, referrals=referrals, holdings=holdings, as_of=AS_OF)


def test_tiers_hand_computed() -> None:
    s = fg.super_users(book())
    assert list(s.columns) == list(SUPER_USER_COLUMNS)
    assert s["person_id"].tolist() == ["S", "T", "W", "M", "X", "Y", "Z", "P"]
    # S continuous + 2 converted -> super; T 1 converted -> strong; W 2 purchases ->
    # weak; M 1 purchase -> micro; X, Y, Z no purchase -> none; P prospect -> none
    assert s["tier"].tolist() == [
        "super",
        "strong",
        "weak",
        "micro",
        "none",
        "none",
        "none",
        "none",
    ]
    assert s["is_super"].tolist() == [True] + [False] * 7
    assert s["frequency"].tolist() == [2, 1, 2, 1, 0, 0, 0, 0]
    assert s["active_quarters"].tolist() == [2, 1, 0, 0, 0, 0, 0, 0]
    assert s["converted_referrals"].tolist() == [2, 1, 0, 0, 0, 0, 0, 0]
    # min_referrals 3: S is continuous but has 2 -> strong
    assert fg.super_users(book(), min_referrals=3)["tier"].iloc[0] == "strong"


def test_score_single_factors_by_hand() -> None:
    g = book()
    # F among the 7 customers: X, Y, Z = 0 (ranks 1-3, avg 2); T, M = 1 (4-5, avg 4.5);
    # S, W = 2 (6-7, avg 6.5); pct = rank / 7; prospects score 0
    f = fg.super_users(g, weights={"F": 1.0})["score"].to_numpy()
    want = 100 * np.array([6.5, 4.5, 6.5, 4.5, 2, 2, 2, 0]) / 7
    want[-1] = 0.0
    np.testing.assert_allclose(f, want, rtol=1e-12)
    # R = -recency_days, ranked only among the 4 customers with a purchase:
    # S -184 (2024-07-01), T -31, W -1461, M -2192 -> ranks M 1, W 2, S 3, T 4 (pct /4);
    # X, Y, Z never bought: R = 0, no recency credit
    r = fg.super_users(g, weights={"R": 1.0})["score"].to_numpy()
    np.testing.assert_allclose(r, 100 * np.array([3, 4, 2, 1, 0, 0, 0, 0]) / 4, rtol=1e-12)
    # C with a value override X 10, Z 5: chain S 10, T 5, others 0 (ranks 1-5, avg 3)
    c = fg.super_users(g, weights={"C": 1.0}, value=pd.Series({"X": 10.0, "Z": 5.0}))
    np.testing.assert_allclose(
        c["score"].to_numpy(), 100 * np.array([7, 6, 3, 3, 3, 3, 3, 0]) / 7, rtol=1e-12
    )
    assert c["chain_value"].tolist() == [10.0, 5.0, 0, 0, 0, 0, 0, 0]
    assert c["monetary"].tolist() == [0, 0, 0, 0, 10.0, 0, 5.0, 0]


def test_default_score_is_the_weighted_sum() -> None:
    g = book()
    s = fg.super_users(g)
    parts = {k: fg.super_users(g, weights={k: 1.0})["score"].to_numpy() for k in "RFMCI"}
    want = (
        0.10 * parts["R"]
        + 0.20 * parts["F"]
        + 0.15 * parts["M"]
        + 0.35 * parts["C"]
        + 0.20 * parts["I"]
    )
    np.testing.assert_allclose(s["score"].to_numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(s["influence"].to_numpy(), fg.influence(g).to_numpy())


def test_reasons() -> None:
    s = fg.super_users(book(), value=pd.Series({"X": 12_300.0}))
    r = s.set_index("person_id")["reasons"]
    assert r["S"] == (
        "2 purchases in 2 quarters of the last 12 months; "
        "2 referred customers worth 12,300 down the chain"
    )
    assert r["T"] == "1 purchase in 1 quarter of the last 12 months; 1 referred customer"
    assert r["W"] == "2 purchases"
    assert r["X"] == "no purchases"
    assert r["P"] == "prospect: no purchases"
    assert str(s["reasons"].dtype) == "str"
    assert str(s["tier"].dtype) == "str"


def test_reasons_mention_top_influence() -> None:
    # 30 customers without purchases; Q00 referred 10 of them (strong). Q00 is the
    # single most influential: 1 of 30 has at least its influence -> top
    # ceil(100 * 1 / 30) = 4 %. The other 29 tie (each referee passes all its rank
    # on, isolated persons spread theirs uniformly): 30 of 30 have at least theirs
    # -> top 100 %, not mentioned.
    ids = [f"Q{i:02d}" for i in range(30)]
    g = fg.build(
        pd.DataFrame({"person_id": ids}),
        referrals=pd.DataFrame({"referrer_id": ["Q00"] * 10, "referee_id": ids[1:11]}),
        as_of=AS_OF,
    )
    s = fg.super_users(g)
    r = s["reasons"]
    assert s["tier"].iloc[0] == "strong"
    assert r.iloc[0] == "no purchases; 10 referred customers; influence in the top 4%"
    assert not r.iloc[1:].str.contains("influence").any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"weights": {"R": 0.5, "X": 0.5}},
            "must be a dict with keys among R, F, M, C, I (unknown: ['X'])",
        ),
        ({"weights": {"R": -0.5, "F": 1.5}}, "must be a dict of finite numbers >= 0"),
        ({"weights": {"R": 0.5, "F": 0.4}}, "must be a dict of weights summing to 1"),
        ({"weights": [0.2] * 5}, "must be a dict with keys among R, F, M, C, I; got"),
        ({"min_referrals": 0}, "must be a whole number >= 1; got 0."),
        ({"min_referrals": 1.5}, "must be a whole number >= 1; got 1.5."),
    ],
)
def test_argument_errors(kwargs: dict[str, object], message: str) -> None:
    name = next(iter(kwargs))
    with pytest.raises(ValueError) as err:
        fg.super_users(book(), **kwargs)  # type: ignore[arg-type]
    assert str(err.value).startswith(f"The `{name}` parameter of `super_users` ")
    assert message in str(err.value)


def test_no_customers() -> None:
    g = fg.build(
        pd.DataFrame({"person_id": ["A", "B"], "is_customer": [False, False]}), as_of=AS_OF
    )
    s = fg.super_users(g)
    assert s["tier"].tolist() == ["none", "none"]
    assert s["score"].tolist() == [0.0, 0.0]


# -- property: a converted referral never lowers a tier ---------------------------
DATES = [
    "2019-05-01",
    "2023-12-31",
    "2024-02-15",
    "2024-05-20",
    "2024-08-01",
    "2024-11-30",
    "2025-01-01",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    buys=st.lists(st.sampled_from(DATES), max_size=5),
    n_refs=st.integers(0, 3),
    referee_is_customer=st.lists(st.booleans(), min_size=3, max_size=3),
    min_referrals=st.integers(1, 3),
)
def test_converted_referral_never_lowers_tier(
    buys: list[str], n_refs: int, referee_is_customer: list[bool], min_referrals: int
) -> None:
    ids = ["A", "R1", "R2", "R3", "NEW"]
    people = pd.DataFrame({"person_id": ids, "is_customer": [True, *referee_is_customer, True]})
    holdings = pd.DataFrame({"person_id": ["A"] * len(buys), "line": "life", "purchased_at": buys})
    refs = pd.DataFrame({"referrer_id": ["A"] * n_refs, "referee_id": ids[1 : 1 + n_refs]})
    before = fg.build(people, referrals=refs, holdings=holdings, as_of=AS_OF)
    more = pd.concat([refs, pd.DataFrame({"referrer_id": ["A"], "referee_id": ["NEW"]})])
    after = fg.build(people, referrals=more, holdings=holdings, as_of=AS_OF)
    t0 = fg.super_users(before, min_referrals=min_referrals)["tier"].iloc[0]
    t1 = fg.super_users(after, min_referrals=min_referrals)["tier"].iloc[0]
    assert TIERS.index(t1) >= TIERS.index(t0)
    assert t1 in ("strong", "super")  # one converted referral is enough for strong


def test_pct_rank_matches_pandas_bit_for_bit() -> None:
    from famgraph.analysis.superusers import pct_rank

    rng = np.random.default_rng(0)
    for x in (
        rng.integers(-3000, 3000, 5000),  # counted
        rng.integers(0, 3, 500),  # many ties
        np.array([-(2**40), 2**40, 0]),  # wide range: pandas path
        rng.random(500),
        np.array([7]),
    ):
        want = pd.Series(x).rank(method="average", pct=True).to_numpy()
        assert np.array_equal(pct_rank(x), want)
