"""Analysis results written back into the real Neo4j: equal to memory, idempotent, never mixed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.errors import StoreError
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def book() -> fg.CustomerGraph:
    return fg.build(**fg.datasets.synthetic(n_people=1_500, seed=3))


def _people(store: Neo4jStore) -> pd.DataFrame:
    records, _, _ = store.driver.execute_query(
        "MATCH (p:Person) RETURN p.person_id AS person_id, p.household AS household, "
        "p.household_role AS role, p.tier AS tier, p.score AS score, p.gap_lines AS gap_lines, "
        "p.gap_priorities AS gap_priorities, p.chain_value AS chain_value, p.clv AS clv, "
        "p.p_alive AS p_alive, p.segment AS segment, p.at_risk AS at_risk, "
        "p.results_as_of AS as_of, p.results_token AS token ORDER BY p.ord",
        database_=store.database,
    )
    return pd.DataFrame([dict(r) for r in records])


def _households(store: Neo4jStore) -> pd.DataFrame:
    records, _, _ = store.driver.execute_query(
        "MATCH (h:Household) RETURN h.household_id AS household_id, h.derived AS derived, "
        "h.members AS members, h.protection_gap AS protection_gap, "
        "h.coverage_score AS coverage_score, h.top_gap_line AS top_gap_line, "
        "h.results_token AS token ORDER BY h.household_id",
        database_=store.database,
    )
    return pd.DataFrame([dict(r) for r in records])


def test_results_equal_memory_and_a_second_write_changes_nothing(
    store: Neo4jStore, book: fg.CustomerGraph
) -> None:
    g = book
    store.save(g, progress=False, replace=True)
    first = store.save_results(g)
    assert first.persons == g.n_people and first.value_model == "fitted"
    got = _people(store)
    hh = fg.households(g)
    su = fg.super_users(g)
    seg = fg.value_segments(g)
    gaps = fg.coverage_gaps(g)
    assert got["person_id"].tolist() == g.people["person_id"].tolist()
    assert got["household"].tolist() == hh["household_id"].tolist()
    assert got["role"].tolist() == hh["role"].tolist()
    assert got["tier"].tolist() == su["tier"].tolist()
    np.testing.assert_allclose(got["score"].to_numpy(float), su["score"], rtol=1e-12)
    np.testing.assert_allclose(got["clv"].to_numpy(float), seg["clv"], rtol=1e-12)
    assert got["segment"].tolist() == seg["segment"].tolist()
    assert got["at_risk"].tolist() == seg["at_risk"].tolist()
    # gaps: per person in coverage_gaps' priority order
    want = gaps.groupby("person_id", sort=False)["line"].agg(list)
    by_person = dict(zip(got["person_id"], got["gap_lines"], strict=True))
    for pid, lines in want.items():
        assert by_person[pid] == lines
    no_gap = set(g.people["person_id"]) - set(want.index)
    assert all(by_person[p] == [] for p in no_gap)
    assert sum(len(x) for x in got["gap_lines"]) == len(gaps) == first.gaps
    assert (got["as_of"].map(lambda t: t.to_native()) == g.as_of.to_pydatetime()).all()
    # households: given ones carry figures, derived ones exist as nodes
    summary = fg.household_summary(g).set_index("household_id")
    h = _households(store).set_index("household_id")
    assert set(h.index) == set(summary.index)
    assert h.loc[summary.index, "members"].tolist() == summary["members"].tolist()
    np.testing.assert_allclose(
        h.loc[summary.index, "protection_gap"].to_numpy(float), summary["protection_gap"]
    )
    derived = [i for i in summary.index if i.startswith("H:")]
    assert derived and h.loc[derived, "derived"].all()
    # a second write of the same results: same token, nothing created or deleted
    counts = store.counts()
    second = store.save_results(g)
    assert second.token == first.token
    assert (second.nodes_created, second.nodes_deleted, second.cleared) == (0, 0, 0)
    assert store.counts() == counts
    pd.testing.assert_frame_equal(_people(store), got)


def test_results_of_another_date_replace_the_old_ones(
    store: Neo4jStore, book: fg.CustomerGraph
) -> None:
    g = book
    store.save(g, progress=False, replace=True)
    now = store.save_results(g)
    old = g.at(g.as_of - pd.DateOffset(years=2))
    before = store.save_results(old)
    assert before.token != now.token and before.as_of == old.as_of
    got = _people(store)
    assert set(got["token"]) == {before.token}  # every person carries the new results only
    assert got["tier"].tolist() == fg.super_users(old)["tier"].tolist()
    h = _households(store)
    assert set(h["token"].dropna()) == {before.token}
    assert set(h["household_id"]) == set(fg.household_summary(old)["household_id"]) | set(
        g.people["household_id"].dropna()
    )


def test_results_need_the_saved_book(store: Neo4jStore, book: fg.CustomerGraph) -> None:
    store.save(book, progress=False, replace=True)
    other = fg.build(**fg.datasets.synthetic(n_people=300, seed=1))
    with pytest.raises(StoreError, match="Save this book first"):
        store.save_results(other)
    store.clear()
    with pytest.raises(StoreError, match="holds no famgraph book"):
        store.save_results(book)
