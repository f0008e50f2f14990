"""fg.value_metrics and person_value: docs/metrics.md section 5, hand-computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.analysis.value import person_value

AS_OF = "2025-05-10"  # window for active quarters: (2024-05-10, 2025-05-10]


def book() -> fg.CustomerGraph:
    people = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D"],
            "is_customer": [True, True, True, False],
        }
    )
    holdings = pd.DataFrame(
        [
            # A: four purchases
            ("A", "life", "2024-05-10", 100.0),  # exactly as_of - 365 d: outside window
            ("A", "medical", "2024-05-11", 50.0),  # Q2 2024, inside
            ("A", "medical", "2025-01-05", 25.0),  # Q1 2025
            ("A", "savings", "2025-03-31", 10.0),  # Q1 2025 again
            # B: one purchase on as_of (inside), one after as_of (ignored entirely)
            ("B", "accident", "2025-05-10", 7.0),
            ("B", "accident", "2025-05-11", 1000.0),
            # C: one purchase without amount (counts, value 0)
            ("C", "pension", "2020-01-01", None),
        ],
        columns=["person_id", "line", "purchased_at", "amount"],
    )
    return fg.build(people, holdings=holdings, as_of=AS_OF)


def test_value_metrics_hand_computed() -> None:
    m = fg.value_metrics(book())
    assert list(m.columns) == [
        "person_id",
        "frequency",
        "recency_days",
        "monetary",
        "active_quarters",
        "continuous",
    ]
    assert m["person_id"].tolist() == ["A", "B", "C", "D"]
    # A: 4 purchases <= as_of; last 2025-03-31 -> 40 days (Apr 30 + 10); 100+50+25+10
    # quarters in window: Q2 2024 (05-11), Q1 2025 (01-05, 03-31) -> 2 -> continuous
    # B: 1 purchase (the 2025-05-11 one is after as_of); recency 0; 7; Q2 2025 -> 1
    # C: 1 purchase, 2020-01-01 -> 1956 days (2020 and 2024 leap), value 0; 0 quarters
    # D: nothing
    assert m["frequency"].tolist() == [4, 1, 1, 0]
    assert m["recency_days"].tolist()[:3] == [40, 0, 1956]
    assert m["recency_days"].isna().tolist() == [False, False, False, True]
    assert m["monetary"].tolist() == [185.0, 7.0, 0.0, 0.0]
    assert m["active_quarters"].tolist() == [2, 1, 0, 0]
    assert m["continuous"].tolist() == [True, False, False, False]
    assert str(m["recency_days"].dtype) == "Int64"


def test_five_quarters_at_most() -> None:
    # as_of 2025-05-10: purchases 2024-05-11 (Q2'24), 08-01 (Q3), 11-01 (Q4),
    # 2025-02-01 (Q1'25), 2025-05-01 (Q2'25) -> 5 distinct calendar quarters
    people = pd.DataFrame({"person_id": ["A"]})
    dates = ["2024-05-11", "2024-08-01", "2024-11-01", "2025-02-01", "2025-05-01"]
    holdings = pd.DataFrame(
        {"person_id": ["A"] * 5, "line": ["medical"] * 5, "purchased_at": dates}
    )
    m = fg.value_metrics(fg.build(people, holdings=holdings, as_of=AS_OF))
    assert m["active_quarters"].tolist() == [5]


def test_value_override() -> None:
    g = book()
    v = person_value(g, pd.Series({"B": 3.5, "D": -1.0}))
    assert v.tolist() == [0.0, 3.5, 0.0, -1.0]  # missing persons -> 0
    m = fg.value_metrics(g, value=pd.Series({"A": 9.0}))
    assert m["monetary"].tolist() == [9.0, 0.0, 0.0, 0.0]
    assert m["frequency"].tolist() == [4, 1, 1, 0]  # frequency still from holdings


def test_value_override_int_ids_are_text() -> None:
    g = fg.build(pd.DataFrame({"person_id": [1, 2]}))
    assert person_value(g, pd.Series({2: 5.0})).tolist() == [0.0, 5.0]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"A": 1.0}, "a pandas Series of numbers indexed by person_id"),
        (pd.Series({"A": "x"}), "a pandas Series of numbers"),
        (pd.Series({"A": np.nan}), "a Series of finite numbers"),
        (pd.Series({"A": np.inf}), "a Series of finite numbers"),
        (pd.Series([1.0, 2.0], index=["A", "A"]), "indexed by unique person ids"),
        (pd.Series({"ZZ": 1.0}), "indexed by person ids of g.people"),
        (pd.Series({"A": True}), "a pandas Series of numbers"),
    ],
)
def test_value_override_errors(value: object, match: str) -> None:
    with pytest.raises(
        ValueError, match=r"^The `value` parameter of `referral_value` must be " + match
    ):
        fg.referral_value(book(), value=value)  # type: ignore[arg-type]


def test_empty_book() -> None:
    g = fg.build(pd.DataFrame({"person_id": pd.Series([], dtype="str")}))
    m = fg.value_metrics(g)
    assert len(m) == 0
    assert "person_id" in m.columns
