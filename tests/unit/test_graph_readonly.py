"""A CustomerGraph cannot go stale: callers never hold its tables, only copy-on-write views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.errors import ChainedAssignmentError

import famgraph as fg


def test_notebook_edits_never_reach_the_graph_or_its_memo() -> None:
    g = fg.datasets.sample()
    before = fg.household_summary(g)
    infl = fg.influence(g)
    # the ways a notebook user edits a table in place; pandas itself warns that an
    # assignment through the attribute cannot reach the graph
    with pytest.warns(ChainedAssignmentError):
        g.people.loc[0, "annual_income"] = 9e9
    with pytest.warns(ChainedAssignmentError):
        g.people["annual_income"] *= 100
    people = g.people
    people.loc[people["person_id"] == "P01", "household_id"] = "NEW"
    holdings = g.holdings
    holdings.loc[:, "amount"] = 0.0
    relations = g.relations
    relations["relation"] = "friend"
    # the graph is unchanged, and the next analyses agree with a fresh build of the book
    fresh = fg.datasets.sample()
    pd.testing.assert_frame_equal(g.people, fresh.people)
    pd.testing.assert_frame_equal(g.holdings, fresh.holdings)
    pd.testing.assert_frame_equal(fg.household_summary(g), before)
    pd.testing.assert_frame_equal(fg.household_summary(g), fg.household_summary(fresh))
    pd.testing.assert_series_equal(fg.influence(g), infl)


def test_changing_the_book_means_a_new_graph_with_new_results() -> None:
    g = fg.datasets.sample()
    gap = fg.household_summary(g).set_index("household_id")["protection_gap"]
    people = g.people
    richer = people.assign(annual_income=people["annual_income"] * 2)
    g2 = fg.build(richer, g.relations, g.referrals, g.holdings, as_of=g.as_of)
    gap2 = fg.household_summary(g2).set_index("household_id")["protection_gap"]
    assert (gap2 >= gap).all() and (gap2 > gap).any()
    # the old graph still answers as before
    pd.testing.assert_series_equal(
        fg.household_summary(g).set_index("household_id")["protection_gap"], gap
    )


def test_attributes_cannot_be_replaced() -> None:
    g = fg.datasets.sample()
    for name in ("people", "relations", "referrals", "holdings", "as_of", "rejects"):
        with pytest.raises(AttributeError, match="read-only"):
            setattr(g, name, None)


def test_index_arrays_and_memoised_results_are_read_only() -> None:
    g = fg.datasets.sample()
    for arr in (g.rel_src, g.ref_dst, g.hold_person, g.referrer, g.is_customer, g.id_rank):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[:1] = 0
    h = fg.households(g)
    h.loc[0, "household_id"] = "changed"  # the caller's own copy
    assert fg.households(g).loc[0, "household_id"] != "changed"
    s = fg.influence(g)
    s.iloc[0] = 5.0
    assert fg.influence(g).iloc[0] != 5.0
    assert np.isclose(fg.influence(g).sum(), 1.0)
