"""fg.coverage_gaps / fg.household_summary: docs/metrics.md section 4, hand-computed.

Small books below are computed by hand in the comments; random dirty books are
compared against the naive reference ``benchmarks/_naive_coverage.py``.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import famgraph as fg
from famgraph.schema import COVERAGE_GAP_COLUMNS, HOUSEHOLD_SUMMARY_COLUMNS

_NAIVE_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "_naive_coverage.py"
_spec = importlib.util.spec_from_file_location("_naive_coverage", _NAIVE_PATH)
assert _spec is not None and _spec.loader is not None
naive = importlib.util.module_from_spec(_spec)
sys.modules["_naive_coverage"] = naive
_spec.loader.exec_module(naive)

AS_OF = "2025-01-01"


# ---------------------------------------------------------------------------------
# a hand-made book
# ---------------------------------------------------------------------------------
@functools.cache
def book() -> fg.CustomerGraph:
    """Household HA: earner E1, dependent D1, child C1 (a prospect); HB: elder O1,
    unknown-age U1. as_of 2025-01-01."""
    people = pd.DataFrame(
        {
            "person_id": ["E1", "D1", "C1", "O1", "U1"],
            "age": [40, 30, 10, 70, None],
            "annual_income": [100_000.0, 0.0, 0.0, 50_000.0, 80_000.0],
            "household_id": ["HA", "HA", "HA", "HB", "HB"],
            "is_customer": [True, True, False, True, True],
        }
    )
    h = [
        # E1: life open-ended -> covered (sum 600k); a second open life with no sum
        # assured (counts 0); an expired life worth 5M (does not count)
        ("E1", "life", "2020-01-01", None, 600_000.0),
        ("E1", "life", "2021-01-01", None, None),
        ("E1", "life", "2010-01-01", "2020-01-01", 5_000_000.0),
        # medical expired before as_of, and one expiring exactly on as_of -> not covered
        ("E1", "medical", "2024-01-01", "2024-12-31", None),
        ("E1", "medical", "2024-01-01", "2025-01-01", None),
        # critical illness bought after as_of -> not covered (and not existing cover)
        ("E1", "critical_illness", "2025-06-01", None, 900_000.0),
        # accident bought on as_of -> covered; pension running until 2030 -> covered
        ("E1", "accident", "2025-01-01", "2026-01-01", None),
        ("E1", "pension", "2010-01-01", "2030-01-01", None),
        ("D1", "medical", "2023-01-01", None, None),
        ("O1", "accident", "2024-06-01", "2025-06-01", None),
        ("C1", "travel", "2024-06-01", None, None),  # a line outside the plan: ignored
    ]
    holdings = pd.DataFrame(
        h, columns=["person_id", "line", "purchased_at", "expires_at", "sum_assured"]
    )
    return fg.build(people, holdings=holdings, as_of=AS_OF)


def test_default_plan_is_the_metrics_table() -> None:
    p = fg.DEFAULT_PLAN
    assert list(p.columns) == ["role", "line", "priority"]
    assert p["priority"].dtype == np.dtype("int64")
    got = {r: dict(zip(d["line"], d["priority"], strict=True)) for r, d in p.groupby("role")}
    assert got == {
        "earner": {
            "life": 1,
            "critical_illness": 2,
            "medical": 2,
            "accident": 3,
            "pension": 3,
            "savings": 4,
        },
        "dependent": {"critical_illness": 2, "medical": 2, "accident": 3, "pension": 3},
        "child": {"medical": 2, "critical_illness": 2, "accident": 3, "education": 4},
        "elder": {"medical": 2, "accident": 3},
        "unknown": {"medical": 2, "accident": 3},
    }
    assert len(p) == 18


def test_coverage_gaps_by_hand() -> None:
    gaps = fg.coverage_gaps(book())
    assert list(gaps.columns) == list(COVERAGE_GAP_COLUMNS)
    assert list(gaps.columns) == [
        "household_id",
        "person_id",
        "role",
        "line",
        "priority",
        "is_customer",
    ]
    expected = [
        # HA, priority 2, person_id C1 < D1 < E1, then line
        ("HA", "C1", "child", "critical_illness", 2, False),
        ("HA", "C1", "child", "medical", 2, False),
        ("HA", "D1", "dependent", "critical_illness", 2, True),
        ("HA", "E1", "earner", "critical_illness", 2, True),  # bought after as_of
        ("HA", "E1", "earner", "medical", 2, True),  # expired / expires on as_of
        ("HA", "C1", "child", "accident", 3, False),
        ("HA", "D1", "dependent", "accident", 3, True),
        ("HA", "D1", "dependent", "pension", 3, True),
        ("HA", "C1", "child", "education", 4, False),
        ("HA", "E1", "earner", "savings", 4, True),
        ("HB", "O1", "elder", "medical", 2, True),
        ("HB", "U1", "unknown", "medical", 2, True),
        ("HB", "U1", "unknown", "accident", 3, True),
    ]
    assert [tuple(r) for r in gaps.itertuples(index=False)] == expected
    assert isinstance(gaps.index, pd.RangeIndex)
    assert gaps["priority"].dtype == np.dtype("int64")
    assert gaps["is_customer"].dtype == np.dtype("bool")
    assert str(gaps["person_id"].dtype) == "str"
    for col in ("household_id", "role", "line"):  # repeated values: categories, sorted
        assert gaps[col].dtype == "category", col
        cats = gaps[col].cat.categories
        assert str(cats.dtype) == "str" and list(cats) == sorted(set(gaps[col]))


def test_household_summary_by_hand() -> None:
    s = fg.household_summary(book())
    assert (
        list(s.columns)
        == list(HOUSEHOLD_SUMMARY_COLUMNS)
        == [
            "household_id",
            "members",
            "customers",
            "penetration",
            "required",
            "covered",
            "coverage_ratio",
            "coverage_score",
            "protection_gap",
            "top_gap_person",
            "top_gap_line",
        ]
    )
    assert s["household_id"].tolist() == ["HA", "HB"]
    ha, hb = s.iloc[0], s.iloc[1]
    # HA: 3 members, C1 a prospect
    assert (ha.members, ha.customers) == (3, 2)
    assert ha.penetration == pytest.approx(2 / 3)
    # required: E1 6 + D1 4 + C1 4 = 14; covered: E1 life, accident, pension + D1 medical
    assert (ha.required, ha.covered) == (14, 4)
    assert ha.coverage_ratio == pytest.approx(4 / 14)
    # weights 5 - priority. E1: 4+3+3+2+2+1 = 15, D1: 3+3+2+2 = 10, C1: 3+3+2+1 = 9 -> 34
    # covered: E1 life 4 + accident 2 + pension 2, D1 medical 3 -> 11
    assert ha.coverage_score == pytest.approx(11 / 34)
    # E1 (income 100k): life need 1M - (600k + NaN->0; the expired 5M excluded) = 400k;
    # CI need 300k, the future CI policy is not existing cover -> 300k. D1 is no earner.
    assert ha.protection_gap == pytest.approx(700_000.0)
    # priority-2 gaps of C1 (child), D1 (dependent), E1 (earner): the earner comes first
    # although C1 < E1; then line critical_illness < medical
    assert (ha.top_gap_person, ha.top_gap_line) == ("E1", "critical_illness")
    # HB: O1 elder (medical gap, accident covered), U1 unknown (both gaps); no earner
    assert (hb.members, hb.customers, hb.required, hb.covered) == (2, 2, 4, 1)
    assert hb.penetration == 1.0
    assert hb.coverage_ratio == pytest.approx(0.25)
    assert hb.coverage_score == pytest.approx(2 / 10)
    assert hb.protection_gap == 0.0
    assert (hb.top_gap_person, hb.top_gap_line) == ("O1", "medical")
    for col in ("members", "customers", "required", "covered"):
        assert s[col].dtype == np.dtype("int64")


@functools.cache
def _tie_book() -> fg.CustomerGraph:
    """One household: earners E2, E1 and a dependent A0 (sorts first by id)."""
    people = pd.DataFrame(
        {
            "person_id": ["E2", "E1", "A0"],
            "age": [40, 41, 30],
            "annual_income": [1.0, 1.0, 0.0],
            "household_id": ["H", "H", "H"],
        }
    )
    return fg.build(people, as_of=AS_OF)


def test_top_gap_tie_breaks() -> None:
    g = _tie_book()
    # default plan: E1 and E2 both lack life (priority 1) -> person_id E1 first
    s = fg.household_summary(g)
    assert (s.top_gap_person[0], s.top_gap_line[0]) == ("E1", "life")
    # a plan where every gap has priority 2: role earner beats dependent A0 although
    # A0 < E1; between lines of E1, alphabetical
    plan = pd.DataFrame(
        {
            "role": ["earner", "earner", "dependent"],
            "line": ["medical", "accident", "accident"],
            "priority": [2, 2, 2],
        }
    )
    s = fg.household_summary(g, plan=plan)
    assert (s.top_gap_person[0], s.top_gap_line[0]) == ("E1", "accident")
    # only the dependent has a lower priority number -> the dependent wins
    plan2 = pd.concat(
        [plan, pd.DataFrame({"role": ["dependent"], "line": ["medical"], "priority": [1]})],
        ignore_index=True,
    )
    s = fg.household_summary(g, plan=plan2)
    assert (s.top_gap_person[0], s.top_gap_line[0]) == ("A0", "medical")


def test_money_gap_income_rules() -> None:
    people = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D", "E"],
            "age": [40, 40, 40, 70, 40],
            # A earner 50k; B unknown income (earner, no money gap); C income 0 but
            # forced earner (no money gap); D elder with income (no money gap);
            # E dependent by override despite income (no money gap)
            "annual_income": [50_000.0, None, 0.0, 90_000.0, 70_000.0],
            "role": [None, None, "earner", None, "dependent"],
            "household_id": ["H", "H", "H", "H", "H"],
        }
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["A", "A", "A"],
            "line": ["critical_illness", "critical_illness", "life"],
            "purchased_at": ["2020-01-01", "2021-01-01", "2022-01-01"],
            "sum_assured": [100_000.0, 80_000.0, 900_000.0],
        }
    )
    g = fg.build(people, holdings=holdings, as_of=AS_OF)
    s = fg.household_summary(g)
    # A: life 500k need - 900k -> 0 (never negative); CI 150k - 180k -> 0
    assert s.protection_gap[0] == 0.0
    s = fg.household_summary(g, life_multiple=20, ci_multiple=4)
    # A: life 1M - 900k = 100k; CI 200k - 180k = 20k
    assert s.protection_gap[0] == pytest.approx(120_000.0)
    s = fg.household_summary(g, life_multiple=0, ci_multiple=0)
    assert s.protection_gap[0] == 0.0


@pytest.mark.parametrize("bad", [-1, float("nan"), "10", True, float("inf")])
def test_multiples_are_checked(bad: object) -> None:
    with pytest.raises(ValueError, match="The `life_multiple` parameter of `household_summary`"):
        fg.household_summary(book(), life_multiple=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="The `ci_multiple` parameter"):
        fg.household_summary(book(), ci_multiple=bad)  # type: ignore[arg-type]


def test_custom_plan_and_zero_requirements() -> None:
    plan = pd.DataFrame(
        {"role": [" Elder", "elder"], "line": ["MEDICAL ", "savings"], "priority": [1, 3.0]}
    )
    g = book()
    gaps = fg.coverage_gaps(g, plan=plan)
    # only O1 is an elder: medical gap; savings gap; plan lines normalised
    assert gaps[["person_id", "line", "priority"]].values.tolist() == [
        ["O1", "medical", 1],
        ["O1", "savings", 3],
    ]
    s = fg.household_summary(g, plan=plan).set_index("household_id")
    # HA has no elder: nothing required -> ratio and score are NaN, no top gap
    assert s.loc["HA", "required"] == 0 and s.loc["HA", "covered"] == 0
    assert math.isnan(s.loc["HA", "coverage_ratio"]) and math.isnan(s.loc["HA", "coverage_score"])
    assert pd.isna(s.loc["HA", "top_gap_person"]) and pd.isna(s.loc["HA", "top_gap_line"])
    assert s.loc["HA", "protection_gap"] == pytest.approx(700_000.0)  # plan-independent
    # HB: weights 5-1 = 4 (medical, open) and 5-3 = 2 (savings, open) -> 0 / 6
    assert s.loc["HB", "required"] == 2 and s.loc["HB", "coverage_score"] == 0.0
    assert (s.loc["HB", "top_gap_person"], s.loc["HB", "top_gap_line"]) == ("O1", "medical")


def test_priorities_past_four_still_weigh_one() -> None:
    # O1 (elder, HB) holds accident: covered at priority 7 (weight max(1, 5-7) = 1);
    # medical open at priority 5 (weight 1) and travel open at 1 (weight 4) -> 1 / 6
    plan = pd.DataFrame(
        {"role": ["elder"] * 3, "line": ["accident", "medical", "travel"], "priority": [7, 5, 1]}
    )
    s = fg.household_summary(book(), plan=plan).set_index("household_id")
    assert s.loc["HB", "coverage_score"] == pytest.approx(1 / 6)
    assert s.loc["HB", "coverage_ratio"] == pytest.approx(1 / 3)


def test_no_holdings_everything_is_a_gap() -> None:
    people = pd.DataFrame({"person_id": ["K"], "age": [5]})
    g = fg.build(people, as_of=AS_OF)
    gaps = fg.coverage_gaps(g)
    assert gaps["line"].tolist() == ["critical_illness", "medical", "accident", "education"]
    assert gaps["household_id"].tolist() == ["H:K"] * 4
    s = fg.household_summary(g)
    assert s[["required", "covered"]].values.tolist() == [[4, 0]]


# ---------------------------------------------------------------------------------
# plan validation
# ---------------------------------------------------------------------------------
def test_validate_plan_normalises() -> None:
    p = fg.validate_plan(
        pd.DataFrame(
            {"role": ["EARNER "], "line": ["  Life"], "priority": [np.int32(2)], "note": ["x"]}
        )
    )
    assert p.to_dict("list") == {"role": ["earner"], "line": ["life"], "priority": [2]}
    assert p["priority"].dtype == np.dtype("int64")


@pytest.mark.parametrize(
    ("plan", "match"),
    [
        (
            pd.DataFrame({"role": ["boss"], "line": ["life"], "priority": [1]}),
            r"unknown role 'boss'.*earner, dependent, child, elder, unknown",
        ),
        (
            pd.DataFrame({"role": ["earner"], "line": ["life"], "priority": [1.5]}),
            r"whole numbers.*1\.5",
        ),
        (
            pd.DataFrame({"role": ["earner"], "line": ["life"], "priority": ["high"]}),
            r"whole numbers.*'high'",
        ),
        (
            pd.DataFrame({"role": ["earner"], "line": ["life"], "priority": [True]}),
            r"whole numbers",
        ),
        (
            pd.DataFrame(
                {"role": ["earner", "Earner"], "line": ["life", "LIFE"], "priority": [1, 2]}
            ),
            r"\(earner, life\) more than once",
        ),
        (pd.DataFrame({"role": ["earner"], "line": ["life"]}), r"no column 'priority'"),
        (pd.DataFrame({"role": ["earner"], "line": [None], "priority": [1]}), r"empty `line`"),
        (pd.DataFrame({"role": ["earner"], "line": ["  "], "priority": [1]}), r"blank `line`"),
        ([("earner", "life", 1)], r"must be a pandas DataFrame"),
    ],
)
def test_bad_plans_raise_data_error(plan: object, match: str) -> None:
    with pytest.raises(fg.DataError, match=match):
        fg.validate_plan(plan)  # type: ignore[arg-type]
    with pytest.raises(fg.DataError, match=match):
        fg.coverage_gaps(book(), plan=plan)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # DataError is a ValueError too
        fg.household_summary(book(), plan=plan)  # type: ignore[arg-type]


def test_plan_role_nobody_has_warns_once() -> None:
    g = _tie_book()  # earners and a dependent only
    plan = pd.DataFrame(
        {
            "role": ["earner", "elder", "child", "child"],
            "line": ["life", "medical", "medical", "accident"],
            "priority": [1, 2, 2, 3],
        }
    )
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gaps = fg.coverage_gaps(g, plan=plan)
    user = [w for w in rec if issubclass(w.category, UserWarning)]
    assert len(user) == 1
    msg = str(user[0].message)
    assert "'elder'" in msg and "'child'" in msg and "'earner'" not in msg
    assert user[0].filename == __file__  # points at the caller
    assert gaps["line"].tolist() == ["life", "life"]  # the rows still do nothing else
    with pytest.warns(UserWarning, match="no person in this book has"):
        fg.household_summary(g, plan=plan)


def test_default_plan_never_warns() -> None:
    # filterwarnings = error: the tie book has no child/elder/unknown persons
    fg.coverage_gaps(_tie_book())
    fg.household_summary(_tie_book())


# ---------------------------------------------------------------------------------
# the sample book and random dirty books against the naive reference
# ---------------------------------------------------------------------------------
def test_sample_book_matches_naive() -> None:
    g = fg.datasets.sample()
    pd.testing.assert_frame_equal(fg.coverage_gaps(g), naive.naive_coverage_gaps(g))
    pd.testing.assert_frame_equal(
        fg.household_summary(g), naive.naive_household_summary(g), rtol=1e-9
    )


LINES = [
    "life",
    "Critical_Illness",
    "medical",
    " accident",
    "pension",
    "savings",
    "education",
    "travel",
]


def random_tables(seed: int, n: int = 300) -> dict[str, pd.DataFrame]:
    """A messy random book: partial household ids, odd ages, unknown incomes, role
    overrides, mixed-case lines, expired / future / open-ended holdings, a few bad rows."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:04d}" for i in rng.permutation(n)])
    birth = pd.Timestamp("1935-01-01") + pd.to_timedelta(rng.integers(0, 33_000, n), unit="D")
    income = rng.choice([0.0, np.nan, 30_000.0, 120_000.0, 1.0], n)
    people = pd.DataFrame(
        {
            "person_id": ids,
            "birth_date": pd.Series(birth).where(rng.random(n) > 0.1),
            "annual_income": income,
            "household_id": pd.Series(rng.choice(["HX", "HY", "A-1", "Z9"], n)).where(
                rng.random(n) < 0.25
            ),
            "is_customer": rng.random(n) < 0.7,
            "role": pd.Series(rng.choice(["earner", "Child", "elder"], n)).where(
                rng.random(n) < 0.05
            ),
        }
    )
    m = n
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    relations = pd.DataFrame(
        {
            "person_id": ids[a],
            "relative_id": ids[b],  # some self relations: rejected by build
            "relation": rng.choice(["spouse", "son", "mother", "sibling", "friend"], m),
            # some ties start after as_of or have ended (divorce, death): not household edges
            "since": pd.Series(
                pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, m), unit="D")
            ).where(rng.random(m) < 0.3),
            "until": pd.Series(
                pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 5000, m), unit="D")
            ).where(rng.random(m) < 0.3),
        }
    )
    k = 3 * n
    bought = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 4000, k), unit="D")
    ends = bought + pd.to_timedelta(rng.integers(1, 3000, k), unit="D")
    on_as_of = rng.random(k) < 0.05
    holdings = pd.DataFrame(
        {
            "person_id": ids[rng.integers(0, n, k)],
            "line": rng.choice(LINES, k),
            "purchased_at": pd.Series(bought).where(~on_as_of, pd.Timestamp(AS_OF)),
            "expires_at": pd.Series(ends)
            .where(rng.random(k) < 0.6)
            .where(~(rng.random(k) < 0.05), pd.Timestamp(AS_OF)),
            "sum_assured": pd.Series(rng.integers(1, 50, k) * 20_000.0).where(rng.random(k) < 0.7),
            "amount": rng.choice([10.0, -1.0], k, p=[0.98, 0.02]),  # negatives rejected
        }
    )
    return {"people": people, "relations": relations, "holdings": holdings}


def _dirty_books() -> list[tuple[str, dict[str, pd.DataFrame]]]:
    books = [(f"random-{s}", random_tables(s)) for s in (1, 2, 3)]
    books.append(("synthetic", fg.datasets.synthetic(2_000, seed=7, dirty=True)))
    return books


@pytest.mark.parametrize(
    ("name", "tables"), _dirty_books(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_dirty_books_match_naive(name: str, tables: dict[str, pd.DataFrame]) -> None:
    g = fg.build(**tables, as_of=AS_OF) if name != "synthetic" else fg.build(**tables)
    plans = [
        None,
        pd.DataFrame(
            {
                "role": ["earner", "child", "elder", "dependent", "unknown"],
                "line": ["travel", "medical", "medical", "life", "accident"],
                "priority": [1, 1, 2, 5, 3],
            }
        ),
    ]
    for plan in plans:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a role may be absent by chance
            fast_gaps = fg.coverage_gaps(g, plan=plan)
            fast_sum = fg.household_summary(g, plan=plan, life_multiple=7, ci_multiple=2.5)
        assert len(fast_gaps) > 0
        pd.testing.assert_frame_equal(fast_gaps, naive.naive_coverage_gaps(g, plan))
        pd.testing.assert_frame_equal(
            fast_sum,
            naive.naive_household_summary(g, plan, life_multiple=7, ci_multiple=2.5),
            rtol=1e-9,
        )


# ---------------------------------------------------------------------------------
# property: gaps + covered = required, person by person
# ---------------------------------------------------------------------------------
_ROLES = ["earner", "dependent", "child", "elder", "unknown"]


@st.composite
def small_books(draw: st.DrawFn) -> fg.CustomerGraph:
    n = draw(st.integers(1, 8))
    roles = draw(st.lists(st.sampled_from(_ROLES), min_size=n, max_size=n))
    hh = draw(st.lists(st.sampled_from(["H1", "H2", "H3"]), min_size=n, max_size=n))
    people = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(n)],
            "age": [40] * n,
            "role": roles,
            "household_id": hh,
        }
    )
    k = draw(st.integers(0, 20))
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(["life", "medical", "accident", "education", "savings", "x"]),
                st.integers(-400, 50),  # purchase day relative to as_of
                st.one_of(st.none(), st.integers(-100, 400)),  # expiry relative to as_of
            ),
            min_size=k,
            max_size=k,
        )
    )
    at = pd.Timestamp(AS_OF)
    holdings = pd.DataFrame(
        {
            "person_id": [f"P{p}" for p, _, _, _ in rows],
            "line": [ln for _, ln, _, _ in rows],
            "purchased_at": [at + pd.Timedelta(days=d) for _, _, d, _ in rows],
            "expires_at": [pd.NaT if e is None else at + pd.Timedelta(days=e) for *_, e in rows],
        },
        columns=["person_id", "line", "purchased_at", "expires_at"],
    )
    return fg.build(people, holdings=holdings, as_of=AS_OF)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_books())
def test_property_gaps_plus_covered_is_required(g: fg.CustomerGraph) -> None:
    plan = fg.DEFAULT_PLAN
    gaps = fg.coverage_gaps(g)
    at = g.as_of
    h = g.holdings
    running = h[(h.purchased_at <= at) & (h.expires_at.isna() | (h.expires_at > at))]
    roles = fg.households(g).set_index("person_id")["role"]
    total_gaps = 0
    for pid, role in roles.items():
        required = set(plan.loc[plan.role == role, "line"])
        held = set(running.loc[running.person_id == pid, "line"])
        gap_lines = gaps.loc[gaps.person_id == pid, "line"].tolist()
        assert len(gap_lines) == len(set(gap_lines))
        assert set(gap_lines) == required - held
        assert len(gap_lines) + len(required & held) == len(required)
        total_gaps += len(gap_lines)
    assert total_gaps == len(gaps)
    s = fg.household_summary(g)
    assert int((s.required - s.covered).sum()) == len(gaps)
    per_hh = gaps.groupby("household_id").size()
    assert (s.set_index("household_id").eval("required - covered")[per_hh.index] == per_hh).all()


def test_trusted_tables_odd_role_and_unknown_holder() -> None:
    # from_tables does not validate: a role outside the vocabulary requires nothing,
    # and a holding of a person not in people is ignored (no crash, no cover)
    people = pd.DataFrame(
        {"person_id": ["A", "B"], "age": [30, 12], "role": ["pilot", None], "household_id": "H"}
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["ZZ", "B"],
            "line": ["medical", "medical"],
            "purchased_at": pd.to_datetime(["2020-01-01", "2020-01-01"]),
        }
    )
    g = fg.CustomerGraph.from_tables(people, holdings=holdings, as_of=AS_OF)
    gaps = fg.coverage_gaps(g)
    assert gaps[["person_id", "line"]].values.tolist() == [
        ["B", "critical_illness"],
        ["B", "accident"],
        ["B", "education"],
    ]
    s = fg.household_summary(g)
    assert s[["members", "required", "covered"]].values.tolist() == [[2, 4, 1]]
