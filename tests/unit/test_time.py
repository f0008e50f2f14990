"""The book in time: relations that end, g.at(date), tier transitions (docs/metrics.md, 9).

Hand-made book, as_of 2025-06-30, compared with 2024-12-31:

* R rises: one purchase (2024-02-01) by 2024-12-31 -> micro; then buys in Q1 and Q2 2025
  -> continuous -> strong.
* S slips: bought 2024-03-01 and 2024-09-01 -> two quarters in (2023-12-31, 2024-12-31]
  -> strong; by 2025-06-30 only Q3 2024 is in the window -> not continuous, 2 purchases
  -> weak.
* T refers U on 2025-03-01 (U joined that day): at 2024-12-31 the referral has not
  happened and U is not yet a customer -> T (one purchase) micro; now T has one
  converted referral -> strong.
* A and B were married until 2025-01-31 (divorce): one household at 2024-12-31, two now.
* F and T became friends on 2025-02-01: a social tie only at the later date.
* P is a prospect throughout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.schema import TRANSITION_COLUMNS

AS_OF = "2025-06-30"
SINCE = "2024-12-31"


def book() -> fg.CustomerGraph:
    people = pd.DataFrame(
        {
            "person_id": ["R", "S", "T", "U", "A", "B", "F", "P"],
            "birth_date": ["1980-01-01"] * 4 + ["1990-01-01", "2007-03-01", "1970-01-01", None],
            "annual_income": [50_000.0] * 8,
            "joined_at": ["2023-01-01"] * 3 + ["2025-03-01"] + ["2020-01-01"] * 4,
            "is_customer": [True] * 7 + [False],
        }
    )
    relations = pd.DataFrame(
        {
            "person_id": ["A", "F"],
            "relative_id": ["B", "T"],
            "relation": ["spouse", "friend"],
            "since": ["2015-05-01", "2025-02-01"],
            "until": ["2025-01-31", None],
        }
    )
    referrals = pd.DataFrame(
        {"referrer_id": ["T", "A"], "referee_id": ["U", "F"], "referred_at": ["2025-03-01", None]}
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["R", "R", "R", "S", "S", "T", "A"],
            "line": "medical",
            "purchased_at": [
                "2024-02-01",
                "2025-01-15",
                "2025-04-10",
                "2024-03-01",
                "2024-09-01",
                "2024-01-10",
                "2019-06-01",
            ],
            "amount": [100.0, 200.0, 300.0, 50.0, 60.0, 70.0, 80.0],
        }
    )
    return fg.build(people, relations, referrals, holdings, as_of=AS_OF)


def test_an_ended_relation_stops_joining_households() -> None:
    g = book()
    now = fg.households(g).set_index("person_id")["household_id"]
    then = fg.households(g.at(SINCE)).set_index("person_id")["household_id"]
    assert then["A"] == then["B"] == "H:A"  # married then (B was a minor anyway: spouse)
    assert now["A"] == "H:A" and now["B"] == "H:B"  # divorced on 2025-01-31
    assert fg.households(g).set_index("person_id").loc["B", "family_id"] == "F:B"
    assert not g.family_graph().has_edge("A", "B")
    assert g.at(SINCE).family_graph().has_edge("A", "B")
    # the row is still in the book: only its effect ends
    assert len(g.relations) == 2 and g.rel_active.tolist() == [False, True]


def test_social_ties_count_only_while_active() -> None:
    g = book()
    infl_then = fg.influence(g.at(SINCE))
    infl_now = fg.influence(g)
    # at 2024-12-31 F and T are strangers: F's only edge is the referral A -> F
    # (undated: counts at every date); T has referred nobody yet
    assert infl_then["T"] == pytest.approx(infl_then["R"])
    assert infl_now["T"] > infl_now["R"]


def test_at_is_the_book_seen_at_an_earlier_date() -> None:
    g = book()
    old = g.at(SINCE)
    assert old.as_of == pd.Timestamp(SINCE)
    assert old.n_people == g.n_people
    pd.testing.assert_frame_equal(old.holdings, g.holdings)  # the same rows, masked by date
    pd.testing.assert_frame_equal(old.relations, g.relations)
    # U joined on 2025-03-01: a customer now, not then
    assert dict(zip(old.people["person_id"], old.is_customer, strict=True))["U"] is np.False_
    assert bool(g.is_customer[g.idx(["U"])[0]])
    assert old.people.set_index("person_id").loc["U", "is_customer"] == False  # noqa: E712
    # the dated referral T -> U happened after SINCE; A -> F has no date: counts always
    assert old.referrals["referee_id"].tolist() == ["F"]
    assert old.referrer[old.idx(["U"])[0]] == -1
    # ages at the date: B turns 18 on 2025-03-01
    ages_then = fg.households(old).set_index("person_id")["age"]
    ages_now = fg.households(g).set_index("person_id")["age"]
    assert (ages_then["B"], ages_now["B"]) == (17, 18)
    # purchases after the date do not count
    v = fg.value_metrics(old).set_index("person_id")
    assert v.loc["R", "frequency"] == 1 and v.loc["R", "monetary"] == 100.0
    # rejects and the accounting are the book's own
    pd.testing.assert_frame_equal(old.quality_report(), g.quality_report())
    # the same date as as_of gives the same analyses here (no later rows)
    pd.testing.assert_frame_equal(fg.super_users(g.at(AS_OF)), fg.super_users(g))


@pytest.mark.parametrize(
    ("date", "match"),
    [
        ("2025-07-01", "must not be after the book's as_of"),
        ("notadate", "must be a date"),
        (20230105, "must be a date"),
        (True, "must be a date"),
    ],
)
def test_at_refuses_later_and_unreadable_dates(date: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        book().at(date)


def test_tier_transitions_by_hand() -> None:
    t = fg.tier_transitions(book(), SINCE)
    assert list(t.columns) == list(TRANSITION_COLUMNS)
    by = t.set_index("person_id")
    want = {
        "R": ("micro", "strong", "up"),
        "S": ("strong", "weak", "down"),
        "T": ("micro", "strong", "up"),
        "U": ("none", "none", "same"),
        "P": ("none", "none", "same"),
        "A": ("strong", "strong", "same"),  # referred F (undated: counts at both dates)
    }
    for pid, row in want.items():
        assert tuple(by.loc[pid, ["tier_before", "tier_after", "change"]]) == row, pid
    # scores are those of super_users on each date
    np.testing.assert_allclose(t["score_after"], fg.super_users(book())["score"])
    np.testing.assert_allclose(t["score_before"], fg.super_users(book().at(SINCE))["score"])
    assert t.attrs["since"] == pd.Timestamp(SINCE) and t.attrs["as_of"] == pd.Timestamp(AS_OF)


def test_transition_matrix_counts_every_move() -> None:
    t = fg.tier_transitions(book(), SINCE)
    m = fg.transition_matrix(t)
    assert list(m.index) == list(m.columns) == list(fg.TIERS)
    assert int(m.to_numpy().sum()) == len(t)
    assert m.loc["micro", "strong"] == 2 and m.loc["strong", "weak"] == 1
    ups = int(np.triu(m.to_numpy(), 1).sum())
    downs = int(np.tril(m.to_numpy(), -1).sum())
    assert (ups, downs) == ((t["change"] == "up").sum(), (t["change"] == "down").sum())
    with pytest.raises(ValueError, match="tier_before"):
        fg.transition_matrix(pd.DataFrame({"x": [1]}))


def test_since_must_be_before_as_of() -> None:
    with pytest.raises(ValueError, match="must be earlier than the book's as_of"):
        fg.tier_transitions(book(), AS_OF)


def test_tier_flow_picture_says_who_moved() -> None:
    import matplotlib

    matplotlib.use("Agg")
    t = fg.tier_transitions(book(), SINCE)
    ax = fg.plot.tier_flow(t)
    assert ax.get_title() == "2 persons moved micro → strong since 2024-12-31"
    assert "2 rose" in ax.get_xlabel() and "1 slipped" in ax.get_xlabel()  # R, T; S
    assert ax.get_ylabel() == "tier on 2024-12-31"
    cells = [txt.get_text() for txt in ax.texts]
    assert len(cells) == 25 and sum(int(c.replace(",", "")) for c in cells) == len(t)
    same = t.assign(tier_after=t["tier_before"])
    assert fg.plot.tier_flow(same).get_title().startswith("Nobody changed")
