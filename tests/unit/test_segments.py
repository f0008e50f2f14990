"""CLV x CRV segments and the churn warning (docs/metrics.md section 10), by hand.

Customers A..E, prospect P; as_of 2025-06-30; a fixed model (r 0.5, alpha 10, a 0.8,
b 2.5, weeks) so P(alive) is checked against the closed form written out here.

clv given: A 100, B 50, C 10, D 0, E 5 -> the customers' median is 10: high CLV A, B, C.
Referrals A -> B and D -> E: crv A = clv(B) = 50, D = clv(E) = 5, others 0 -> median 0,
high CRV (strictly above) A and D. So A champion, B and C affluent, D advocate, E miser.

Tiers: A and D each brought in one customer -> strong. A bought on 2020-01-10 and
2020-03-10 only (long silent: low P(alive) -> at risk); D bought on 2025-05-01 and
2025-06-20 (recent: high P(alive) -> safe).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.analysis.valuemodel import ValueModel
from famgraph.schema import VALUE_SEGMENT_COLUMNS

AS_OF = pd.Timestamp("2025-06-30")
MODEL = ValueModel(
    r=0.5,
    alpha=10.0,
    a=0.8,
    b=2.5,
    p=6.0,
    q=4.0,
    v=15.0,
    bgnbd_loglik=0.0,
    gg_loglik=0.0,
    n_persons=2,
    n_repeat=2,
    n_gamma_gamma=2,
    unit_days=7,
    as_of=AS_OF,
)
CLV = pd.Series({"A": 100.0, "B": 50.0, "C": 10.0, "D": 0.0, "E": 5.0})


def book() -> fg.CustomerGraph:
    people = pd.DataFrame({"person_id": list("ABCDEP"), "is_customer": [True] * 5 + [False]})
    referrals = pd.DataFrame({"referrer_id": ["A", "D"], "referee_id": ["B", "E"]})
    holdings = pd.DataFrame(
        {
            "person_id": ["A", "A", "D", "D"],
            "line": "savings",
            "purchased_at": ["2020-01-10", "2020-03-10", "2025-05-01", "2025-06-20"],
            "amount": [10.0, 20.0, 30.0, 40.0],
        }
    )
    return fg.build(people, referrals=referrals, holdings=holdings, as_of=AS_OF)


def p_alive(first: str, last: str, x: int) -> float:
    """1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), weeks since the first purchase."""
    t_x = (pd.Timestamp(last) - pd.Timestamp(first)).days / 7
    big_t = (AS_OF - pd.Timestamp(first)).days / 7
    r, alpha, a, b = 0.5, 10.0, 0.8, 2.5
    return 1 / (1 + a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x))


def test_segments_and_churn_by_hand() -> None:
    seg = fg.value_segments(book(), CLV, model=MODEL)
    assert list(seg.columns) == list(VALUE_SEGMENT_COLUMNS)
    by = seg.set_index("person_id")
    assert by["segment"].to_dict() == {
        "A": "champion",
        "B": "affluent",
        "C": "affluent",
        "D": "advocate",
        "E": "miser",
        "P": "prospect",
    }
    assert by["crv"].to_dict() == {"A": 50.0, "B": 0.0, "C": 0.0, "D": 5.0, "E": 0.0, "P": 0.0}
    assert by["clv"].tolist() == [100.0, 50.0, 10.0, 0.0, 5.0, 0.0]
    assert by.loc["A", "p_alive"] == pytest.approx(p_alive("2020-01-10", "2020-03-10", 1))
    assert by.loc["D", "p_alive"] == pytest.approx(p_alive("2025-05-01", "2025-06-20", 1))
    assert by.loc["A", "p_alive"] < 0.5 < by.loc["D", "p_alive"]
    assert np.isnan(by.loc["B", "p_alive"])  # no purchase: nothing to predict
    assert by["tier"].to_dict() == {
        "A": "strong",
        "B": "none",
        "C": "none",
        "D": "strong",
        "E": "none",
        "P": "none",
    }
    assert by.index[by["at_risk"]].tolist() == ["A"]
    # a lower threshold: nobody is at risk; a threshold of 1: every strong buyer
    assert not fg.value_segments(book(), CLV, model=MODEL, churn_threshold=0.0)["at_risk"].any()
    risky = fg.value_segments(book(), CLV, model=MODEL, churn_threshold=1.0)
    assert risky.set_index("person_id").index[risky["at_risk"].to_numpy()].tolist() == ["A", "D"]


def test_default_clv_is_the_predicted_one() -> None:
    g = book()
    seg = fg.value_segments(g, model=MODEL)
    pred = fg.predict_value(g, MODEL)
    np.testing.assert_allclose(seg["clv"], pred["clv"])
    crv = fg.referral_value(g, value=pred.set_index("person_id")["clv"])["chain_value"]
    np.testing.assert_allclose(seg["crv"], crv)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "0.5", True])
def test_churn_threshold_is_checked(bad: object) -> None:
    with pytest.raises(ValueError, match="The `churn_threshold` parameter of `value_segments`"):
        fg.value_segments(book(), CLV, model=MODEL, churn_threshold=bad)  # type: ignore[arg-type]


def test_unknown_ids_in_clv_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown person_id"):
        fg.value_segments(book(), pd.Series({"nobody": 1.0}), model=MODEL)


def test_a_book_that_cannot_be_fitted_says_what_is_missing() -> None:
    people = pd.DataFrame({"person_id": ["A", "B"]})
    holdings = pd.DataFrame(
        {"person_id": ["A"], "line": "life", "purchased_at": ["2024-01-01"], "amount": [5.0]}
    )
    g = fg.build(people, holdings=holdings, as_of="2025-01-01")
    with pytest.raises(fg.DataError, match="repeat"):
        fg.value_segments(g)


def test_value_quadrants_picture() -> None:
    import matplotlib

    matplotlib.use("Agg")
    g = fg.build(**fg.datasets.synthetic(3_000, seed=0))
    seg = fg.value_segments(g)
    ax = fg.plot.value_quadrants(seg, max_points=500)
    labels = dict(t.get_text().split(": ") for t in ax.texts)
    counts = seg["segment"].value_counts()
    assert labels == {
        s: f"{int(counts[s]):,}" for s in ("champion", "affluent", "advocate", "miser")
    }
    drawn = sum(len(c.get_offsets()) for c in ax.collections)
    assert drawn == 500  # a bounded sample of the customers
    zh = fg.plot.value_quadrants(seg, language="zh")
    assert "冠军客户" in " ".join(t.get_text() for t in zh.texts)
    with pytest.raises(ValueError, match="The `segments` parameter of `value_quadrants`"):
        fg.plot.value_quadrants(seg.drop(columns="crv"))
