"""Save -> load round trips and idempotency against a real Neo4j."""

from __future__ import annotations

import _books
import neo4j
import numpy as np
import pandas as pd
import pytest
from _books import assert_same_book, expected_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import famgraph as fg
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration


def test_sample_round_trip_and_idempotent_save(store: Neo4jStore) -> None:
    store.clear()
    g = fg.datasets.sample()
    first = store.save(g, progress=False)
    assert first.fresh  # empty database: the CREATE path
    # 15 persons + 1 given household + 21 holdings + the :Book node
    assert first.nodes_created == 15 + 1 + 21 + 1
    # 14 relations + 8 referrals + 3 MEMBER_OF + 21 HOLDS
    assert first.relationships_created == 14 + 8 + 3 + 21
    assert first.rows == 15 + 14 + 8 + 21
    assert first.tables["holdings"].rows == 21
    assert first.rows_per_second > 0
    counts = store.counts()
    assert {k: v for k, v in counts.items() if v} == {
        k: v for k, v in expected_counts(g).items() if v
    }

    second = store.save(g, progress=False, batch_size=4)
    assert not second.fresh
    assert second.nodes_created == 0
    assert second.relationships_created == 0
    assert store.counts() == counts
    # 15 rows in two lanes of 8 and 7, each in batches of 4
    assert second.tables["people"].batches == 4
    serial = store.save(g, progress=False, batch_size=4, workers=1)
    assert serial.tables["people"].batches == 4  # 15 rows in batches of 4
    assert (serial.nodes_created, serial.relationships_created) == (0, 0)

    assert_same_book(g, store.load())


def test_synthetic_dirty_book_round_trip(store: Neo4jStore) -> None:
    store.clear()
    g = fg.build(**fg.datasets.synthetic(n_people=400, seed=3, dirty=True))
    assert len(g.rejects) > 0  # really dirty
    store.save(g, progress=False, batch_size=97)
    assert store.counts() == {k: v for k, v in {**store.counts(), **expected_counts(g)}.items()}
    assert_same_book(g, store.load())
    again = store.save(g, progress=False, batch_size=1000)
    assert (again.nodes_created, again.relationships_created) == (0, 0)


def test_extra_column_dtypes_round_trip(store: Neo4jStore) -> None:
    store.clear()
    people = pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "birth_date": ["1980-01-02", None, "2010-06-30"],
            "annual_income": [1.0, None, 0.0],
            "seg": pd.Series(["x", None, "z"], dtype="str"),
            "n_int": np.array([1, -2, 3], dtype=np.int64),
            "n_nullable": pd.array([1, None, 3], dtype="Int64"),
            "f": [0.1, np.nan, 1e300],
            "flag": [True, False, True],
            "stamp": pd.to_datetime(
                ["2020-01-01 10:11:12.123456", None, "2021-02-03"], format="ISO8601"
            ),
            "obj": pd.Series(["t", 5, None], dtype=object),
        }
    )
    relations = pd.DataFrame(
        {"person_id": ["a"], "relative_id": ["b"], "relation": ["wife"], "weight": [0.5]}
    )
    holdings = pd.DataFrame(
        {
            "person_id": ["a", "c"],
            "line": ["life", "medical"],
            "purchased_at": ["2020-01-01 08:30", "2021-01-01"],
            "amount": [10.0, 0.0],
            "channel": ["web", None],
        }
    )
    g = fg.build(people, relations, None, holdings, as_of="2024-12-31 12:00")
    store.save(g, progress=False)
    g2 = store.load()
    assert_same_book(g, g2)
    assert g2.people["stamp"].iloc[0] == pd.Timestamp("2020-01-01 10:11:12.123456")
    assert g2.as_of == pd.Timestamp("2024-12-31 12:00")
    # dates are native Neo4j temporal values: DATE at midnight, LOCAL DATETIME otherwise
    recs, _, _ = store.driver.execute_query(
        "MATCH (h:Holding) RETURN h.ord AS o, valueType(h.purchased_at) AS t ORDER BY o",
        database_=store.database,
    )
    assert [r["t"] for r in recs] == ["LOCAL DATETIME NOT NULL", "DATE NOT NULL"]
    # a missing value is an absent property, not a stored null
    recs, _, _ = store.driver.execute_query(
        "MATCH (p:Person {person_id: 'b'}) RETURN keys(p) AS k", database_=store.database
    )
    assert "annual_income" not in recs[0]["k"] and "birth_date" not in recs[0]["k"]


def test_replace_removes_rows_not_in_the_new_book(store: Neo4jStore) -> None:
    store.clear()
    big = fg.datasets.sample()
    store.save(big, progress=False)
    small = fg.build(pd.DataFrame({"person_id": ["z1", "z2"]}), as_of="2025-01-01")
    store.save(small, progress=False, replace=True)
    assert store.counts()["Person"] == 2
    assert_same_book(small, store.load())


def test_given_driver_is_used_and_left_open(store: Neo4jStore) -> None:
    drv = store.driver
    with Neo4jStore(drv, database=store.database) as s2:
        assert s2.counts()["Person"] == store.counts()["Person"]
    # still usable: the store did not close a driver it did not create
    recs, _, _ = drv.execute_query("RETURN 1 AS one", database_=store.database)
    assert recs[0]["one"] == 1


def test_owned_driver_is_closed(neo4j_server) -> None:  # type: ignore[no-untyped-def]
    s = Neo4jStore(neo4j_server.uri, auth=neo4j_server.auth, database=neo4j_server.database)
    with s:
        s.verify()
    with pytest.raises(neo4j.exceptions.DriverError):
        s.driver.verify_connectivity()


tricky_text = st.one_of(
    st.sampled_from(_books.TRICKY),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    seed=st.integers(0, 2**31 - 1),
    texts=st.lists(tricky_text, min_size=1, max_size=8),
    n=st.integers(1, 25),
)
def test_random_dirty_books_round_trip(
    store: Neo4jStore, seed: int, texts: list[str], n: int
) -> None:
    g = fg.build(**_books.random_tables(seed, n, [*texts, "x'}) DETACH DELETE n //"]))
    store.save(g, progress=False, replace=True, batch_size=7)
    assert_same_book(g, store.load())
    assert store.counts()["Person"] == len(g.people)
