"""fg.warm_leads: prospects next to strong and super customers, ranked, with why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.schema import WARM_LEAD_COLUMNS

AS_OF = "2025-01-01"


def book() -> fg.CustomerGraph:
    """S: super (continuous, referred customers X and Y); T: strong (referred Z);
    W: weak (two old purchases). Prospects: K (S's son, 10, also T's friend),
    L (T's friend, an earner), Q (S's wife without income, and S's friend too),
    N (W's brother: W is only weak, so N is no lead)."""
    people = pd.DataFrame(
        {
            "person_id": ["S", "T", "W", "X", "Y", "Z", "K", "L", "Q", "N"],
            "age": [45, 50, 60, 30, 30, 30, 10, 40, 43, 58],
            "annual_income": [100_000.0, 80_000.0, 0.0, 0, 0, 0, 0, 50_000.0, 0.0, 0.0],
            "household_id": ["H1", "H3", "H4", "H5", "H6", "H7", "H1", "H2", "H1", "H4"],
            "is_customer": [True] * 6 + [False] * 4,
        }
    )
    relations = pd.DataFrame(
        {
            "person_id": ["S", "K", "L", "S", "Q", "W"],
            "relative_id": ["K", "T", "T", "Q", "S", "N"],
            "relation": ["son", "friend", "friend", "wife", "friend", "brother"],
        }
    )
    referrals = pd.DataFrame({"referrer_id": ["S", "S", "T"], "referee_id": ["X", "Y", "Z"]})
    holdings = pd.DataFrame(
        {
            "person_id": ["S", "S", "T", "W", "W"],
            "line": "medical",
            "purchased_at": ["2024-03-01", "2024-07-01", "2024-12-01", "2020-01-01", "2021-01-01"],
        }
    )
    return fg.build(
        people, relations=relations, referrals=referrals, holdings=holdings, as_of=AS_OF
    )


def test_warm_leads_hand_computed() -> None:
    g = book()
    su = fg.super_users(g).set_index("person_id")
    assert su.loc[["S", "T", "W"], "tier"].tolist() == ["super", "strong", "weak"]
    score_s, score_t = su.loc["S", "score"], su.loc["T", "score"]

    leads = fg.warm_leads(g)
    assert list(leads.columns) == list(WARM_LEAD_COLUMNS)
    by = leads.set_index("person_id")
    assert sorted(by.index) == ["K", "L", "Q"]  # N's only tie is to a weak customer
    # K: S (super) beats T (strong); S is K's parent (a "son" row read from K's side)
    assert by.loc["K", ["via_person_id", "via_tier", "relation"]].tolist() == [
        "S",
        "super",
        "parent",
    ]
    # Q: spouse and friend of S -> the family kind wins
    assert by.loc["Q", ["via_person_id", "via_tier", "relation"]].tolist() == [
        "S",
        "super",
        "spouse",
    ]
    assert by.loc["L", ["via_person_id", "via_tier", "relation"]].tolist() == [
        "T",
        "strong",
        "friend",
    ]
    # gaps: K a child: medical 2, critical_illness 2, accident 3, education 4 -> 4,
    #   first critical_illness (priority 2, then line name); weight 3+3+2+1 = 9
    # L an earner: all 6 lines; weight 4+3+3+2+2+1 = 15; first life
    # Q a dependent (income 0): critical_illness, medical, accident, pension -> 4;
    #   weight 3+3+2+2 = 10
    assert by.loc[["K", "L", "Q"], "open_gaps"].tolist() == [4, 6, 4]
    assert by.loc[["K", "L", "Q"], "top_gap_line"].tolist() == [
        "critical_illness",
        "life",
        "critical_illness",
    ]
    assert by.loc[["K", "L", "Q"], "household_id"].tolist() == ["H1", "H2", "H1"]
    # money gap: H1 = S's life 10 x 100k + CI 3 x 100k = 1.3M; H2 = L's 500k + 150k
    assert by.loc[["K", "L", "Q"], "protection_gap"].tolist() == [
        1_300_000.0,
        650_000.0,
        1_300_000.0,
    ]
    # lead_score = 50 * tier_weight * via_score / 100 + 30 * min(1, G / 15) + 20 * family
    want = {
        "K": 50 * 1.0 * score_s / 100 + 30 * 9 / 15 + 20,
        "Q": 50 * 1.0 * score_s / 100 + 30 * 10 / 15 + 20,
        "L": 50 * 0.6 * score_t / 100 + 30 * 1.0 + 0,
    }
    for pid, value in want.items():
        assert by.loc[pid, "lead_score"] == pytest.approx(value, rel=1e-12)
    assert leads["person_id"].tolist() == sorted(want, key=lambda p: -want[p])
    shown = int(np.floor(round(score_s, 6) + 0.5))  # halves round up, as people round
    assert by.loc["K", "reason"] == (
        f"S, their parent, is a super customer (score {shown}); 4 open gaps, "
        "critical illness first; household protection gap 1,300,000"
    )
    for col in (
        "person_id",
        "via_person_id",
        "via_tier",
        "relation",
        "household_id",
        "top_gap_line",
        "reason",
    ):
        assert str(leads[col].dtype) == "str", col


def test_ties_break_on_protection_gap_then_id() -> None:
    # two prospects, both sons of super S, same role and gaps -> same lead_score;
    # B's household has a money gap (its own earner), A's none -> B first
    people = pd.DataFrame(
        {
            "person_id": ["S", "X", "Y", "A", "B", "E"],
            "age": [45, 30, 30, 10, 10, 40],
            "annual_income": [0.0, 0, 0, 0, 0, 10_000.0],
            "household_id": ["HS", "HX", "HY", "HA", "HB", "HB"],
            "is_customer": [True, True, True, False, False, True],
        }
    )
    relations = pd.DataFrame(
        {"person_id": ["S", "S"], "relative_id": ["A", "B"], "relation": ["son", "son"]}
    )
    referrals = pd.DataFrame({"referrer_id": ["S", "S"], "referee_id": ["X", "Y"]})
    holdings = pd.DataFrame(
        {"person_id": ["S", "S"], "line": "medical", "purchased_at": ["2024-03-01", "2024-07-01"]}
    )
    g = fg.build(people, relations=relations, referrals=referrals, holdings=holdings, as_of=AS_OF)
    leads = fg.warm_leads(g)
    assert leads["person_id"].tolist() == ["B", "A"]
    assert leads["lead_score"].iloc[0] == leads["lead_score"].iloc[1]
    assert leads["protection_gap"].tolist() == [130_000.0, 0.0]
    assert leads["reason"].iloc[1].endswith("4 open gaps, critical illness first")  # no money


def test_no_leads() -> None:
    g = fg.build(
        pd.DataFrame({"person_id": ["A", "B"], "is_customer": [True, False]}),
        relations=pd.DataFrame({"person_id": ["A"], "relative_id": ["B"], "relation": ["friend"]}),
        as_of=AS_OF,
    )
    leads = fg.warm_leads(g)
    assert len(leads) == 0
    assert list(leads.columns) == list(WARM_LEAD_COLUMNS)


def test_sample_book() -> None:
    leads = fg.warm_leads(fg.datasets.sample())
    # every lead is a prospect next to a strong or super customer
    g = fg.datasets.sample()
    customers = set(g.people.loc[g.people.is_customer, "person_id"])
    assert not set(leads["person_id"]) & customers
    assert set(leads["via_tier"]) <= {"strong", "super"}
    assert leads["lead_score"].is_monotonic_decreasing
