"""The analyses computed inside Neo4j equal the in-memory ones (and hand-computed values)."""

from __future__ import annotations

import _books
import pandas as pd
import pytest

import famgraph as fg
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration


def tiny_book() -> fg.CustomerGraph:
    """A (40, earner) married to B (38, no income); C (9) their child; D (75, own household)."""
    people = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D"],
            "birth_date": ["1985-01-01", "1987-01-01", "2015-07-01", "1950-01-01"],
            "annual_income": [50_000, 0, None, 20_000],
            "household_id": [None, None, None, "HX"],
        }
    )
    relations = pd.DataFrame(
        {
            "person_id": ["A", "A", "D"],
            "relative_id": ["B", "C", "A"],
            "relation": ["wife", "son", "son"],
        }
    )
    referrals = pd.DataFrame(
        {
            "referrer_id": ["A", "B", "A"],
            "referee_id": ["B", "C", "D"],
            "referred_at": ["2020-01-01", "2021-01-01", "2022-01-01"],
        }
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "C", "D", "D"],
            "line": ["life", "medical", "medical", "accident", "medical", "accident"],
            "purchased_at": [
                "2020-01-01",
                "2023-01-01",
                "2025-07-01",
                "2025-01-01",
                "2024-01-01",
                "2024-01-01",
            ],
            "expires_at": [None, "2024-12-31", None, None, None, None],
            "amount": [100, 200, 999, 40, 50, 25],
        }
    )
    return fg.build(people, relations, referrals, holdings, as_of="2025-06-30")


@pytest.fixture(scope="module")
def tiny(store: Neo4jStore) -> fg.CustomerGraph:
    g = tiny_book()
    store.save(g, progress=False, replace=True)
    return g


def test_coverage_gaps_hand_computed(store: Neo4jStore, tiny: fg.CustomerGraph) -> None:
    # A, B, C form household H:A (spouse + minor child); D's household HX is fully covered.
    # A holds running life; B's medical expired; C's medical starts after as_of, its
    # accident runs; D holds medical and accident (all an elder needs).
    rows = [
        ("A", "earner", "critical_illness", 2),
        ("A", "earner", "medical", 2),
        ("B", "dependent", "critical_illness", 2),
        ("B", "dependent", "medical", 2),
        ("C", "child", "critical_illness", 2),
        ("C", "child", "medical", 2),
        ("A", "earner", "accident", 3),
        ("A", "earner", "pension", 3),
        ("B", "dependent", "accident", 3),
        ("B", "dependent", "pension", 3),
        ("A", "earner", "savings", 4),
        ("C", "child", "education", 4),
    ]
    expected = pd.DataFrame(
        {
            "household_id": pd.Series(["H:A"] * len(rows), dtype="str"),
            "person_id": pd.Series([r[0] for r in rows], dtype="str"),
            "role": pd.Series([r[1] for r in rows], dtype="str"),
            "line": pd.Series([r[2] for r in rows], dtype="str"),
            "priority": pd.Series([r[3] for r in rows], dtype="int64"),
            "is_customer": pd.Series([True] * len(rows), dtype="bool"),
        }
    )
    for col in ("household_id", "role", "line"):  # documented: categories, sorted
        expected[col] = expected[col].astype("category")
    pd.testing.assert_frame_equal(store.coverage_gaps(), expected)

    plan = pd.DataFrame(
        {"role": ["elder", "child"], "line": ["pension", "education"], "priority": [1, 5]}
    )
    got = store.coverage_gaps(plan=plan)
    assert got[["household_id", "person_id", "line", "priority"]].values.tolist() == [
        ["H:A", "C", "education", 5],
        ["HX", "D", "pension", 1],
    ]


def test_referral_value_hand_computed(store: Neo4jStore, tiny: fg.CustomerGraph) -> None:
    # A -> B -> C and A -> D. Values (bought by as_of): B 200, C 40 (the 999 is later), D 75.
    r = store.referral_value().set_index("person_id")
    assert r.loc["A", ["cascade_size", "depth", "direct_referrals"]].tolist() == [3, 2, 2]
    assert r.loc["A", "chain_value"] == pytest.approx(200 + 75 + 0.5 * 40)
    assert r.loc["B", "chain_value"] == pytest.approx(40)
    assert r["generation"].tolist() == [0, 1, 2, 1]
    assert r["root_id"].tolist() == ["A"] * 4
    assert r["referred_by"].isna().tolist() == [True, False, False, False]
    r1 = store.referral_value(decay=0.5, max_depth=1).set_index("person_id")
    assert r1.loc["A", "chain_value"] == pytest.approx(275)
    assert r1.loc["A", "cascade_size"] == 3  # cascade_size ignores max_depth
    with pytest.raises(ValueError, match="The `decay` parameter of `referral_value`"):
        store.referral_value(decay=1.5)


def _assert_parity(store: Neo4jStore, g: fg.CustomerGraph) -> None:
    store.save(g, progress=False, replace=True)
    pd.testing.assert_frame_equal(store.coverage_gaps(), fg.coverage_gaps(g))
    for kw in ({}, {"decay": 0.3}, {"decay": 1.0, "max_depth": 2}):
        pd.testing.assert_frame_equal(
            store.referral_value(**kw),
            fg.referral_value(g, **kw),
            check_exact=False,
            rtol=1e-9,
        )
    pd.testing.assert_frame_equal(
        store.super_users(), fg.super_users(g), check_exact=False, rtol=1e-9
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_parity_on_synthetic_dirty_books(store: Neo4jStore, seed: int) -> None:
    g = fg.build(**fg.datasets.synthetic(n_people=300, seed=seed, dirty=True))
    assert len(g.referrals) > 0 and len(g.holdings) > 0
    _assert_parity(store, g)


@pytest.mark.parametrize("seed", [5, 6])
def test_parity_on_random_tricky_books(store: Neo4jStore, seed: int) -> None:
    _assert_parity(store, fg.build(**_books.random_tables(seed, 40)))


def test_parity_with_dates_that_have_a_time(store: Neo4jStore) -> None:
    """Mixed DATE / LOCAL DATETIME values and an as_of with a time of day."""
    tabs = _books.random_tables(9, 40)
    g = fg.build(**tabs, as_of="2024-06-30 13:45")
    _assert_parity(store, g)


def test_pushdown_options_match_memory(store: Neo4jStore, tiny: fg.CustomerGraph) -> None:
    """minor_age, value=, decay and social_weight reach the database as in memory."""
    g = tiny
    store.save(g, progress=False, replace=True)  # other tests of this module saved others
    # C is 9: with minor_age 5 the CHILD edge no longer joins C to A's household
    pd.testing.assert_frame_equal(
        store.coverage_gaps(minor_age=5), fg.coverage_gaps(g, minor_age=5)
    )
    assert "H:C" in set(store.coverage_gaps(minor_age=5)["household_id"])
    clv = pd.Series({"B": 10.0, "C": 1000.0, "D": 2.5})
    pd.testing.assert_frame_equal(
        store.referral_value(value=clv, decay=0.3),
        fg.referral_value(g, value=clv, decay=0.3),
        check_exact=False,
        rtol=1e-12,
    )
    assert store.referral_value(value=clv).set_index("person_id").loc["A", "chain_value"] == (
        pytest.approx(10.0 + 2.5 + 0.5 * 1000.0)
    )
    kw = {"value": clv, "decay": 0.9, "social_weight": 2.0, "min_referrals": 1}
    pd.testing.assert_frame_equal(store.super_users(**kw), fg.super_users(g, **kw))
    with pytest.raises(ValueError, match="unknown person_id"):
        store.referral_value(value=pd.Series({"nobody": 1.0}))


def test_pushdown_warns_about_plan_roles_nobody_has(
    store: Neo4jStore, tiny: fg.CustomerGraph
) -> None:
    store.save(tiny, progress=False, replace=True)
    plan = pd.DataFrame(
        {"role": ["child", "unknown"], "line": ["education", "medical"], "priority": [1, 2]}
    )
    with pytest.warns(UserWarning, match="'unknown'") as rec:
        got = store.coverage_gaps(plan=plan)
    assert len(rec) == 1 and rec[0].filename == __file__
    with pytest.warns(UserWarning, match="'unknown'"):
        want = fg.coverage_gaps(tiny, plan=plan)
    pd.testing.assert_frame_equal(got, want)
