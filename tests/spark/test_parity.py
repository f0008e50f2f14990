"""famgraph.spark against the in-memory engine: every table and analysis, book by book.

Books: the bundled sample, a hand-made book with one row for every rule of
docs/metrics.md sections 1-3 (kept, merged, every reject reason and its precedence,
relations that ended or have not begun), a dirty synthetic book (every reject reason)
and a clean 20,000-person synthetic book read from Parquet (typed columns). The random
dirty books of tests/integration/_books.py go through Spark in
tests/integration/test_spark_neo4j.py. Ids, ints, text and tiers must be
equal, floats within 1e-6. Each book is built once per engine (module-scoped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _parity import (
    assert_same,
    assert_same_book,
    coverage_score_reference,
    score_reference,
    split_reasons,
    to_pd,
    top_reference,
    write_book,
)

import famgraph as fg
import famgraph.spark as fgs

pytestmark = pytest.mark.spark

E = ""  # an empty cell

HANDMADE = {
    "people": pd.DataFrame(
        [
            # person_id, name, birth_date, age, gender, household_id, annual_income,
            # is_customer, joined_at, channel, role, segment (extra)
            ["A", "Ann", "1980-03-14", E, "F", E, "50000", "yes", "2020-01-01", "agent", E, "gold"],
            ["B", "Bob", "1982/7/9", E, "M", E, "0", "true", "2021-05-20", "referral", E, E],
            ["C", "Cid", "20120105", E, "M", E, E, "否", E, E, E, E],
            ["D", "Dee", "1950.1.22", E, "F", "HH9", E, "1", "2022-03-10", E, "Elder", "silver"],
            ["A", "Ann", "1980-03-14", E, "F", E, "50000", "yes", "2020-01-01", "agent", E, "gold"],
            ["A", "Another", "1981-01-01", E, E, E, E, "yes", E, E, E, E],
            [E, "Nobody", E, E, E, E, E, E, E, E, E, E],
            ["E", "Eve", "31.02.1990", E, E, E, "x", E, E, E, E, E],
            ["F", "Fay", "1990-05-05", E, E, E, "-5", E, E, E, E, E],
            ["G", "Gus", E, E, E, E, "x", E, E, E, E, E],
            ["H", "Hal", "1970-01-01", E, E, E, "2,000", E, E, E, E, E],
            ["I", "Ivy", E, E, E, E, E, "maybe", E, E, E, E],
            ["J", "Jon", "2000-01-01", E, E, E, "30000", E, "2024-12-31 10:30:00", E, E, E],
            ["K", "Kim", E, E, E, E, "-1", "false", E, E, "chief", E],
            ["L", "Lea", "2010-06-06", E, E, E, E, "no", E, E, E, E],
            ["M", "Max", "1955-05-05", E, E, "HH9", "20000", "y", "2023-01-01", E, "earner", E],
            ["N", "Ned", "1990-01-01", E, E, E, "0", "true", "2023-06-06", "referral", E, E],
            ["O", "Oli", "2012-02-29", E, E, E, E, "true", "2024-02-29", E, E, E],
            ["P", "Pam", E, "40", E, E, "1000", "true", "2024-01-01", E, E, E],
            ["Q", "Qin", E, "3.5", E, E, E, "true", E, E, E, E],
            ["  R  ", "Ray", "1960-12-31 23:59:59", E, E, E, "12.5", "TRUE", "2019-07-07", E, E, E],
            ["S", "Sue", "2030-01-01", "7", E, E, E, "0", E, E, E, E],
        ],
        columns=[
            "person_id",
            "name",
            "birth_date",
            "age",
            "gender",
            "household_id",
            "annual_income",
            "is_customer",
            "joined_at",
            "channel",
            "role",
            "segment",
        ],
    ),
    "relations": pd.DataFrame(
        [
            ["A", "B", "wife", "2005-01-01", E, "n1"],
            ["B", "A", "Husband", "2005-01-01", E, E],  # the same fact: merged
            ["A", "C", "son", E, E, E],
            ["C", "B", "mother", E, E, E],  # B -> C
            ["A", "D", "father", E, E, E],  # D -> A ...
            ["D", "A", "parent", E, E, E],  # ... and A -> D: both conflicting
            ["A", "D", "friend", E, E, E],  # social rows of the pair are unaffected
            ["A", "X", "son", E, E, E],  # unknown person
            ["E", "A", "son", E, E, E],  # E's own row was rejected
            ["A", "A", "friend", E, E, E],  # self relation
            ["B", "C", "boss", E, E, E],  # unknown relation
            ["J", "N", "朋友", E, E, E],
            ["N", "J", "friend", E, E, E],  # merged
            ["J", "N", "colleague", E, E, E],  # another kind: kept
            ["M", "D", "spouse", E, E, E],
            ["L", "N", "sister", E, E, E],
            ["O", "N", "grandfather", E, E, E],  # N -> O grandchild
            [E, "B", "wife", E, E, E],  # missing value
            ["A", "B", "spouse", "not a date", E, E],  # bad since
            ["M", "P", "cousin", "1999-09-09", E, E],
            ["R", "A", "friend", E, E, E],  # "  R  " is R
            ["L", "O", "son", E, E, E],  # a minor's household
            ["J", "R", "colleague", "2020-01-01", "2024-06-30", E],  # ended: no social edge
            ["N", "P", "husband", "2030-01-01", E, E],  # not yet: no household edge
            ["N", "P", "neighbour", "2019-01-01", "2019-01-01", E],  # until <= since
        ],
        columns=["person_id", "relative_id", "relation", "since", "until", "note"],
    ),
    "referrals": pd.DataFrame(
        [
            ["A", "B", "2021-05-18"],
            ["A", "B", "2021-05-18"],  # a repeat of a loser: also duplicate_referee
            ["J", "B", "2021-01-01"],  # earliest: J wins B
            ["B", "C", E],
            ["N", "C", E],  # tie on a missing date: the smaller referrer B wins
            ["C", "J", "2022-01-01"],  # J -> B -> C -> J: B -> C (no date) is the latest
            ["D", "D", "2020-01-01"],  # self referral
            ["A", "Z", "2020-01-01"],  # unknown person
            ["M", "L", "2023-05-01"],
            ["M", "L", "2023-05-01"],  # repeat of the winner: merged
            ["L", "M", "2023-06-01"],  # closes M -> L -> M, latest: dropped
            ["O", "P", "2024-01-01"],
            ["O", "P", "2024-01-01"],  # merged into the row the cycle drops: dropped too
            ["P", "O", "2023-01-01"],
            [E, "F", "2020-01-01"],  # missing value
            ["A", "N", "2025-13-01"],  # bad date
            ["A", "R", "2019-01-01"],
            ["R", "S", "2020-02-02"],
        ],
        columns=["referrer_id", "referee_id", "referred_at"],
    ),
    "holdings": pd.DataFrame(
        [
            ["H1", "A", "life", "2020-02-01", "6000", E, "1000000", "L1", "x"],
            ["H2", "A", "Medical ", "2024-01-05", "2400", "2025-01-05", "500000", E, E],
            ["H2", "A", "Medical ", "2024-01-05", "2400", "2025-01-05", "500000", E, E],
            ["H2", "A", "medical", "2024-01-05", "2500", "2025-01-05", "500000", E, E],
            [E, "B", "critical_illness", "2021-06-01", "5000", E, "300000", E, E],
            [E, "B", "critical_illness", "2021-06-01", "5000", E, "300000", E, E],  # a 2nd one
            [E, "B", "critical_illness", "2021-06-01", "5000", E, "300000", E, E],  # a 3rd one
            [E, "B", "critical_illness", "2022-06-01", "5000", E, "300000", E, "y"],
            ["H3", "C", "education", "2023-09-01", "-50", E, E, E, E],
            ["H4", "Z", "life", "2020-01-01", "100", E, E, E, E],
            ["H5", "E", "life", "2020-01-01", "100", E, E, E, E],
            ["H6", "B", "savings", "not a date", "100", E, E, E, E],
            ["H7", "B", "pension", E, "100", E, E, E, E],
            ["H8", "J", "accident", "2025-01-01 12:00:00", "300", "2026-01-01", "100000", E, E],
            ["H9", "J", "medical", "2024-11-11", E, "2025-11-11", E, E, E],
            ["H10", "M", "life", "2024-02-01", "1000", E, "-5", E, E],
            ["H11", "D", "medical", "2025-06-01", "300", "2026-06-01", E, E, E],
            ["H12", "N", "life", "2024-12-01", "800", "2025-03-01", "200000", E, E],
            ["H13", "R", "life", "2024-07-01", "900", E, "2000000", E, E],
            ["H14", "R", "critical_illness", "2025-02-02", "100", E, "10", E, E],
            ["H15", "P", "savings", "2024-09-09", "1e3", E, E, E, E],
            ["H16", "P", "savings", "2025-03-03", "20", E, E, E, E],
            ["H17", "S", "education", "2025-01-01", "1", E, E, E, E],
        ],
        columns=[
            "holding_id",
            "person_id",
            "line",
            "purchased_at",
            "amount",
            "expires_at",
            "sum_assured",
            "product_id",
            "agent",
        ],
    ),
}

# Payers (docs/metrics.md sections 1-2): who pays, and the relation facts policies state.
# One (payer_id, payer_relation) per holdings row above.
HANDMADE["holdings"]["payer_id"] = [
    "D",
    "B",
    "B",
    "B",
    "J",
    "Q9",
    "I",
    E,
    "A",
    E,
    "E",
    "A",
    E,
    "N",
    "J",
    E,
    "M",
    "O",
    "A",
    "A",
    "L",
    "L",
    "A",
]
HANDMADE["holdings"]["payer_relation"] = [
    "child",  # D -> A: conflicts with the pair's declared family facts
    "wife",  # repeats the declared A-B spouse: merged
    "wife",  # a merged holding states nothing
    "wife",  # a rejected holding (duplicate_id) states nothing
    "friend",  # a new fact J-B, source policy
    "child",  # payer nobody: a cell issue, and policy_relations unknown_person
    "parent",  # payer whose people row was rejected: the detail says which
    "grandparent",  # no payer: policy_relations missing_value
    "child",  # rejected holding
    E,
    "son",  # the insured pays: policy_relations self_relation
    "boss",  # a rejected holding (bad date): no issue
    E,
    "self",  # self with another payer: payer_relation emptied, N still pays
    "本人",  # self: no fact
    E,
    "配偶",  # repeats the declared M-D spouse: merged
    "grandchild",  # O -> N grandchild, against the declared N -> O: both conflicting
    "Friend",  # repeats the declared R-A friend: merged
    "friend",  # and again
    "child",  # L -> P child: a new family fact
    "儿子",  # the same fact again: merged into the one before
    "boss",  # outside the vocabulary: payer_relation emptied, A still pays
]

#: A plan with priorities above 4 (weight max(1, 5 - p) = 1) and a line nobody holds;
#: rows of roles a book does not have are dropped before use (they would warn).
CUSTOM_PLAN = pd.DataFrame(
    {
        "role": ["earner", "earner", "dependent", "child", "elder", "unknown", "earner"],
        "line": ["life", "savings", "medical", "education", "medical", "accident", "pet"],
        "priority": [1, 6, 5, 2, 3, 4, 9],
    }
)

BOOKS = ["sample", "handmade", "synthetic-dirty", "synthetic-20k"]
_BUILT: dict[str, tuple[Any, fg.CustomerGraph]] = {}


def _make(name: str, spark: Any, folder: Path) -> tuple[Any, fg.CustomerGraph]:
    if name == "sample":
        return fgs.sample(spark), fg.datasets.sample()
    if name == "handmade":
        tables, fmt = HANDMADE, "csv"
    elif name == "synthetic-dirty":
        tables, fmt = fg.datasets.synthetic(1_500, seed=5, dirty=True), "csv"
    else:
        tables, fmt = fg.datasets.synthetic(20_000, seed=0), "parquet"
    paths = write_book(tables, folder / name, fmt)
    args = [paths[t] for t in ("people", "relations", "referrals", "holdings")]
    return fgs.build(spark, *args), fg.build(*args)


def _get(name: str, spark: Any, tmp_path_factory: Any) -> tuple[str, Any, fg.CustomerGraph]:
    if name not in _BUILT:
        _BUILT[name] = _make(name, spark, tmp_path_factory.mktemp("books"))
    return (name, *_BUILT[name])


@pytest.fixture(scope="module", params=BOOKS)
def book(request: pytest.FixtureRequest, spark: Any, tmp_path_factory: Any) -> Any:
    return _get(request.param, spark, tmp_path_factory)


@pytest.fixture(scope="module", params=["sample", "handmade"])
def small_book(request: pytest.FixtureRequest, spark: Any, tmp_path_factory: Any) -> Any:
    return _get(request.param, spark, tmp_path_factory)


def test_tables_rejects_and_quality_report(book: Any) -> None:
    name, sg, g = book
    assert_same_book(sg, g)
    if name in ("handmade", "synthetic-dirty"):
        reasons = set(g.rejects["reason"])
        assert {"duplicate_id", "conflicting_relation", "referral_cycle"} <= reasons


def test_households(book: Any) -> None:
    name, sg, g = book
    assert_same(to_pd(fgs.households(sg)), fg.households(g), f"{name}.households")
    if name == "handmade":
        assert_same(
            to_pd(fgs.households(sg, minor_age=10)),
            fg.households(g, minor_age=10),
            "households(minor_age=10)",
        )


def test_coverage_gaps_and_household_summary(book: Any) -> None:
    name, sg, g = book
    assert_same(to_pd(fgs.coverage_gaps(sg)), fg.coverage_gaps(g), f"{name}.coverage_gaps")
    assert_same(
        to_pd(fgs.household_summary(sg)), fg.household_summary(g), f"{name}.household_summary"
    )
    if name in ("sample", "handmade"):
        roles = set(fg.households(g)["role"])
        plan = CUSTOM_PLAN[CUSTOM_PLAN["role"].isin(roles)].reset_index(drop=True)
        gaps = to_pd(fgs.coverage_gaps(sg, plan=plan))
        assert_same(gaps, fg.coverage_gaps(g, plan=plan), f"{name}.coverage_gaps(plan)")
        s = to_pd(fgs.household_summary(sg, plan=plan, life_multiple=5, ci_multiple=0))
        m = fg.household_summary(g, plan=plan, life_multiple=5, ci_multiple=0)
        assert_same(s, m, f"{name}.household_summary(plan)")
        # coverage_score as docs/metrics.md writes it: weight max(1, 5 - priority)
        ref = coverage_score_reference(g, plan).reindex(s["household_id"])
        np.testing.assert_allclose(s["coverage_score"], ref.to_numpy(), atol=1e-9)
        assert_same(
            to_pd(fgs.coverage_gaps(sg, minor_age=12)),
            fg.coverage_gaps(g, minor_age=12),
            f"{name}.coverage_gaps(minor_age)",
        )


def test_referral_value(book: Any) -> None:
    name, sg, g = book
    assert_same(to_pd(fgs.referral_value(sg)), fg.referral_value(g), f"{name}.referral_value")
    if name in ("sample", "handmade", "synthetic-dirty"):
        assert_same(
            to_pd(fgs.referral_value(sg, decay=0.7, max_depth=2)),
            fg.referral_value(g, decay=0.7, max_depth=2),
            f"{name}.referral_value(decay, max_depth)",
        )


def test_influence(book: Any) -> None:
    name, sg, g = book
    mem = fg.influence(g).reset_index()
    got = to_pd(fgs.influence(sg))
    assert_same(got, mem, f"{name}.influence")
    np.testing.assert_allclose(got["influence"], mem["influence"], rtol=0, atol=1e-9)
    assert abs(float(got["influence"].sum()) - 1.0) < 1e-9
    if name == "handmade":
        assert_same(
            to_pd(fgs.influence(sg, alpha=0.5, social_weight=0)),
            fg.influence(g, alpha=0.5, social_weight=0).reset_index(),
            "influence(alpha, social_weight)",
        )


def test_super_users(book: Any) -> None:
    name, sg, g = book
    mem = fg.super_users(g)
    got = to_pd(fgs.super_users(sg))
    _same_super_users(g, got, mem, None, f"{name}.super_users")
    assert got["tier"].isin(fg.schema.TIERS).all()


def _same_super_users(
    g: fg.CustomerGraph, got: pd.DataFrame, mem: pd.DataFrame, weights: Any, what: str
) -> None:
    """Every column equal (``score`` also against docs/metrics.md computed here), except
    the "influence in the top X%" tail of ``reasons``: the in-memory engine ranks raw
    floats there, where float noise splits ties; the Spark engine ranks round(n x
    influence, 6) as the score does, checked against that reference."""
    cols = [c for c in mem.columns if c != "reasons"]
    assert_same(got[cols], mem[cols], what)
    np.testing.assert_allclose(got["score"], score_reference(g, mem, weights), atol=1e-6)
    head_got, top_got = split_reasons(got["reasons"])
    head_mem, _ = split_reasons(mem["reasons"])
    assert head_got.tolist() == head_mem.tolist(), what
    assert top_got.tolist() == top_reference(mem["influence"]).tolist(), what


def test_super_users_and_referral_value_options(small_book: Any) -> None:
    name, sg, g = small_book
    weights = {"R": 0.5, "C": 0.25, "I": 0.25}
    values = pd.Series({"A": 100.0, "B": -5.0, "J": 7.25}) if name == "handmade" else None
    if values is None:
        values = pd.Series({"P06": 10.0, "P13": 3.5})
    opts = {"min_referrals": 1, "weights": weights, "value": values, "decay": 0.8}
    opts |= {"social_weight": 2.0, "language": "zh"}
    got = to_pd(fgs.super_users(sg, **opts))
    mem = fg.super_users(g, **opts)
    assert mem["reasons"].str.contains("购买").all()
    _same_super_users(g, got, mem, weights, f"{name}.super_users(options)")
    spark_values = sg.spark.createDataFrame(
        [(str(k), float(v)) for k, v in values.items()], "person_id string, value double"
    )
    assert_same(
        to_pd(fgs.referral_value(sg, value=spark_values)),
        fg.referral_value(g, value=values),
        f"{name}.referral_value(value=DataFrame)",
    )
