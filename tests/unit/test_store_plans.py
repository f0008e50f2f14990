"""Save plans without a server: every row once, parallel lanes never share a node."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import famgraph as fg
from famgraph.store.catalogue import Catalogue
from famgraph.store.plans import save_plans as _save_plans
from famgraph.store.writer import split_lanes


@given(
    groups=st.lists(st.integers(0, 30), max_size=200),
    lanes=st.integers(1, 5),
)
@settings(max_examples=200, deadline=None)
def test_split_lanes_keeps_groups_whole_and_rows_once(groups: list[int], lanes: int) -> None:
    g = np.array(groups, dtype=np.int64)
    out = split_lanes(g, lanes)
    assert len(out) <= lanes
    rows = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    assert sorted(rows.tolist()) == list(range(len(g)))
    seen = [set(g[x].tolist()) for x in out]
    for i in range(len(seen)):
        for j in range(i + 1, len(seen)):
            assert not seen[i] & seen[j], "a group split across lanes"


def test_split_lanes_balances_many_small_groups() -> None:
    out = split_lanes(np.arange(1000) // 3, 2)
    assert [len(x) for x in out] == [501, 499]


def _people_of(plan, batch: dict) -> set[str]:
    if plan.table == "holdings":
        return set(batch["owner"])
    a, b = (
        ("referrer_id", "referee_id") if plan.table == "referrals" else ("person_id", "relative_id")
    )
    return set(batch[a]) | set(batch[b])


@pytest.fixture(scope="module")
def book() -> fg.CustomerGraph:
    return fg.build(**fg.datasets.synthetic(n_people=3000, seed=5, dirty=True))


def test_plans_write_every_row_once_and_lanes_share_no_person(book: fg.CustomerGraph) -> None:
    written: dict[str, int] = {}
    for plan in _save_plans(book):
        lanes = [list(lane) for lane in plan.lanes(2, 97)]
        if plan.table in ("relations", "referrals", "holdings"):
            people = [set().union(*(_people_of(plan, p) for p, _ in lane)) for lane in lanes]
            if len(people) == 2:
                assert not people[0] & people[1], plan.query
        for lane in lanes:
            for params, n in lane:
                written[plan.table] = written.get(plan.table, 0) + n
                q = Catalogue.default()[plan.query]
                if not plan.extras:
                    q = q.without_extras()
                q.bind(params)  # exactly the statement's parameters
    assert written == {
        t: len(getattr(book, t)) for t in ("people", "relations", "referrals", "holdings")
    }


def test_holding_batches_name_each_owner_once_with_its_row_range(book: fg.CustomerGraph) -> None:
    plan = next(p for p in _save_plans(book) if p.table == "holdings")
    pid = book.holdings["person_id"].to_numpy(dtype=object)
    hid = book.holdings["holding_id"].to_numpy(dtype=object)
    for lane in plan.lanes(2, 50):
        for params, n in lane:
            assert len(params["owner"]) == len(set(params["owner"]))
            for owner, a, b in zip(params["owner"], params["first"], params["last"], strict=True):
                rows = [params["ord"][i] for i in range(a, b)]
                assert set(pid[rows]) == {owner}
                assert [hid[r] for r in rows] == params["holding_id"][a:b]
            assert params["last"][-1] == n


def test_dates_travel_as_iso_text(book: fg.CustomerGraph) -> None:
    plan = next(p for p in _save_plans(book) if p.query == "load/people")
    params, _ = next(plan.lanes(1, 10)[0])
    births = book.people["birth_date"].iloc[:10]
    expect = [None if pd.isna(x) else x.strftime("%Y-%m-%d") for x in births]
    assert params["birth_date"] == expect


def test_driver_retry_warnings_are_counted_and_sent_to_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A parallel save's DeadlockDetected retries are not news: DEBUG plus a count."""
    import logging

    from famgraph.store.writer import count_retries

    driver_log = logging.getLogger("neo4j.session")
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="famgraph"),
        count_retries() as retries,
    ):
        driver_log.warning("Transaction failed and will be retried in %ss (%s)", 0.9, "Deadlock")
        driver_log.warning("Transaction failed and will be retried in %ss (%s)", 1.7, "Deadlock")
        driver_log.warning("something else")
    assert retries.count == 2
    levels = [(r.name, r.levelname) for r in caplog.records]
    assert levels.count(("neo4j.session", "WARNING")) == 1  # only the unrelated warning
    assert levels.count(("famgraph", "DEBUG")) == 2
    # outside the block the driver's warnings are left alone
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        driver_log.warning("Transaction failed and will be retried in %ss (%s)", 1, "x")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
