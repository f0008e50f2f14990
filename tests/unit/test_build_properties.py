"""Property tests of fg.build: accounting, forest, order/direction invariance."""

from __future__ import annotations

import contextlib

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


# --- messy books: anything a real export (or a careless notebook) can hold -------------------
# Each pool mixes the values a clean book holds (repeated, so that many rows survive and
# the analyses see families, referrals and policies) with everything that can go wrong.
GOOD_IDS = ["A", "B", "C", "D"] * 4
IDS_ANY = [*GOOD_IDS, " A ", "a", 1, 2, 2.0, 1e20, 2**70, np.int64(3), "王", "🐼", "x\x00y",
           "", None, np.nan]  # fmt: skip
GOOD_DATES = ["2024-01-05", "2024年1月5日", "20240105", "2024/1/5 10:30", "2023.3.1"] * 5
DATES_ANY = [*GOOD_DATES, "2024-01-05T10:30:00+08:00", "2024-01-05Z", "05/01/2024", "now",
             "today", "-5", "9999-12-31", "1700-01-01", "2024-02-30",
             pd.Timestamp("2023-03-01"), pd.Timestamp("2023-03-01", tz="Asia/Shanghai"),
             20230105, 1e20, np.inf, None, np.nan, "🐼", b"\xff"]  # fmt: skip
NUMS_ANY = [*(["100", 250.0, 0] * 4), "1", "-2", "1e20", "1e400", "￥3", "1,200", -0.0, 1e308,
            np.inf, np.nan, 2**70, np.uint64(2**64 - 1), True, None, "", "\x00"]  # fmt: skip
BOOLS_ANY = ["是", "否", "yes", "N", "maybe", 1, 0, 2, True, False, None, np.nan, "🐼"]
LABELS_ANY = ["wife", "配偶", "son", "父母", "外婆", "孙女", "friend", "同事", "boss", "", None,
              " WIFE ", "本人", "🐼", 7]  # fmt: skip
PAYER_LABELS = ["本人", "self", "子女", "孙女", "配偶", "父母", "friend", "其他", None, ""]
LINES_ANY = [*(["life", "medical", "Medical "] * 3), "", None, "寿险", 3]
PEOPLE_ANY = {
    "person_id": IDS_ANY,
    "birth_date": DATES_ANY,
    "age": NUMS_ANY,
    "annual_income": NUMS_ANY,
    "is_customer": BOOLS_ANY,
    "joined_at": DATES_ANY,
    "gender": IDS_ANY,
}
RELATIONS_ANY = {
    "person_id": IDS_ANY,
    "relative_id": IDS_ANY,
    "relation": LABELS_ANY,
    "since": DATES_ANY,
    "until": DATES_ANY,
}
REFERRALS_ANY = {"referrer_id": IDS_ANY, "referee_id": IDS_ANY, "referred_at": DATES_ANY}
HOLDINGS_ANY = {
    "holding_id": [None, None, None, "h1", "h2", 1, np.nan],
    "person_id": IDS_ANY,
    "line": LINES_ANY,
    "purchased_at": DATES_ANY,
    "amount": NUMS_ANY,
    "expires_at": [None] * 8 + DATES_ANY,
    "sum_assured": NUMS_ANY,
    "payer_id": IDS_ANY,
    "payer_relation": PAYER_LABELS,
}
MESSY = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def messy_book(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    def frame(n: int, cols: dict[str, list[object]]) -> pd.DataFrame:
        data = {
            c: draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
            for c, pool in cols.items()
        }
        df = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})
        for c in df.columns:  # sometimes a column arrives typed, as pandas would infer it
            if draw(st.booleans()):
                with contextlib.suppress(TypeError, ValueError, OverflowError):
                    df[c] = pd.Series(data[c]).infer_objects()
        return df

    return {
        "people": frame(draw(st.integers(0, 8)), PEOPLE_ANY),
        "relations": frame(draw(st.integers(0, 8)), RELATIONS_ANY),
        "referrals": frame(draw(st.integers(0, 6)), REFERRALS_ANY),
        "holdings": frame(draw(st.integers(0, 10)), HOLDINGS_ANY),
    }


ANALYSES = [
    fg.households,
    fg.coverage_gaps,
    fg.household_summary,
    fg.referral_value,
    fg.viral_coefficient,
    fg.influence,
    fg.super_users,
    fg.warm_leads,
    fg.value_metrics,
    fg.predict_value,
    fg.value_segments,
]


@MESSY
@given(messy_book(), st.sampled_from([None, "2024-06-01", "2024年6月1日"]))
def test_messy_books_build_or_raise_data_error_and_every_analysis_runs(
    tables: dict[str, pd.DataFrame], as_of: str | None
) -> None:
    try:
        g = fg.build(**tables, as_of=as_of)
    except fg.DataError:
        return
    q = g.quality_report().set_index("table")
    assert list(q.index) == list(fg.schema.ACCOUNTED_TABLES)
    for name in q.index:
        row = q.loc[name]
        if name in tables:
            assert row.rows_in == len(tables[name])
        assert row.rows_in == row.kept + row.merged + row.rejected
        rej = g.rejects[g.rejects["table"] == name]
        iss = g.issues[g.issues["table"] == name]
        assert len(rej) == row.rejected and rej["row"].is_unique
        assert len(iss) == row.cells_blanked
        assert not set(iss["row"]) & set(rej["row"])  # an emptied cell belongs to a kept row
    assert len(g.people) == q.loc["people", "kept"]
    assert g.people["person_id"].is_unique and g.people["person_id"].notna().all()
    assert not pd.isna(g.as_of) and g.as_of.tzinfo is None
    for analysis in ANALYSES:
        try:
            out = analysis(g)
        except fg.DataError:  # e.g. the value model: nothing to fit
            continue
        assert isinstance(out, pd.DataFrame | pd.Series)
    if g.as_of > pd.Timestamp("1900-01-01"):
        fg.tier_transitions(g, g.as_of - pd.Timedelta(days=90))
    again = fg.build(**tables, as_of=as_of)
    for name in ("people", "relations", "referrals", "holdings", "rejects", "issues"):
        pd.testing.assert_frame_equal(getattr(g, name), getattr(again, name))
    pd.testing.assert_frame_equal(g.quality_report(), again.quality_report())
