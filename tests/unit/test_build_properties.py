"""Property tests of fg.build: accounting, forest, order/direction invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import famgraph as fg

IDS = ["A", "B", "C", "D", "E", "F", None, "", "Z"]
LABELS = ["wife", "son", "mother", "兄弟", "外婆", "孙女", "friend", "同事", "boss", "", "cousin"]
DATES = ["2024-01-01", "2024-02-01", "2024-02-01", "not-a-date", None, "2023-12-31"]
NUMS = ["1", "0", "-2", "x", None, "10.5"]

FLIP = {
    "child": "parent",
    "parent": "child",
    "grandchild": "grandparent",
    "grandparent": "grandchild",
}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def dirty_book(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    def rows(n: int, cols: dict[str, list[object]]) -> pd.DataFrame:
        return pd.DataFrame(
            {c: draw(st.lists(st.sampled_from(v), min_size=n, max_size=n)) for c, v in cols.items()}
        )

    n = draw(st.integers(0, 12))
    return {
        "people": rows(
            n,
            {
                "person_id": IDS,
                "birth_date": DATES,
                "annual_income": NUMS,
                "is_customer": ["true", "no", "?", None],
            },
        ),
        "relations": rows(
            draw(st.integers(0, 15)), {"person_id": IDS, "relative_id": IDS, "relation": LABELS}
        ),
        "referrals": rows(
            draw(st.integers(0, 15)), {"referrer_id": IDS, "referee_id": IDS, "referred_at": DATES}
        ),
        "holdings": rows(
            draw(st.integers(0, 15)),
            {
                "holding_id": ["h1", "h2", "h3", None],
                "person_id": IDS,
                "line": ["life", "Medical ", "", None],
                "purchased_at": DATES,
                "amount": NUMS,
            },
        ),
    }


@SETTINGS
@given(dirty_book())
def test_every_row_is_kept_merged_or_rejected_once(tables: dict[str, pd.DataFrame]) -> None:
    g = fg.build(**tables, as_of="2024-06-01")
    q = g.quality_report().set_index("table")
    for name, df in tables.items():
        row = q.loc[name]
        assert row.rows_in == len(df)
        assert row.rows_in == row.kept + row.merged + row.rejected
        assert row.kept == len(getattr(g, name))
        rej = g.rejects[g.rejects["table"] == name]
        assert len(rej) == row.rejected
        assert rej["row"].is_unique
        assert rej["row"].between(0, len(df) - 1).all()
        assert rej["reason"].isin(fg.schema.REASONS).all()


@SETTINGS
@given(dirty_book())
def test_kept_referrals_form_a_forest(tables: dict[str, pd.DataFrame]) -> None:
    g = fg.build(**tables, as_of="2024-06-01")
    assert g.referrals["referee_id"].is_unique
    assert (g.referrer >= -1).all()
    # follow referrer pointers: every chain ends within n steps (no cycle)
    node = np.arange(g.n_people)
    for _ in range(g.n_people + 1):
        node = np.where(node >= 0, g.referrer[np.maximum(node, 0)], -1)
    assert (node == -1).all()


FACT_LABELS = [
    "wife",
    "son",
    "mother",
    "sibling",
    "grandfather",
    "grandson",
    "friend",
    "colleague",
    "cousin",
]


@SETTINGS
@given(
    facts=st.lists(
        st.tuples(st.sampled_from("ABCDE"), st.sampled_from("ABCDE"), st.sampled_from(FACT_LABELS)),
        max_size=14,
    ),
    seed=st.integers(0, 2**16),
)
def test_order_and_direction_of_equal_facts_do_not_matter(
    facts: list[tuple[str, str, str]], seed: int
) -> None:
    people = pd.DataFrame(
        {
            "person_id": list("ABCDE"),
            "birth_date": ["1970-01-01", "1972-01-01", "2010-01-01", "2015-01-01", "1940-01-01"],
        }
    )
    rng = np.random.default_rng(seed)
    flipped = []
    for a, b, label in facts:
        kind = fg.schema.canonical_relation(label)
        if rng.random() < 0.5:  # the same fact told from the other side
            label = FLIP.get(kind, kind) if kind in FLIP else label
            a, b = b, a
        flipped.append((a, b, label))
    order = rng.permutation(len(flipped))
    r1 = pd.DataFrame(facts, columns=["person_id", "relative_id", "relation"])
    r2 = pd.DataFrame([flipped[i] for i in order], columns=["person_id", "relative_id", "relation"])
    g1 = fg.build(people, r1, as_of="2024-01-01")
    g2 = fg.build(people, r2, as_of="2024-01-01")
    cols = ["person_id", "relative_id", "relation"]
    assert sorted(map(tuple, g1.relations[cols].values.tolist())) == sorted(
        map(tuple, g2.relations[cols].values.tolist())
    )
    pd.testing.assert_frame_equal(fg.households(g1), fg.households(g2))
    q1, q2 = g1.quality_report(), g2.quality_report()
    pd.testing.assert_frame_equal(q1, q2)
