"""Spark -> Neo4j through the Neo4j Connector for Apache Spark, against the real test server.

A dirty random book with extra columns of several types is built on Spark and written
with ``famgraph.spark.save_neo4j``; ``Neo4jStore.load`` must give back the in-memory
book's tables, a second write must change nothing, and the graph must be the one
``Neo4jStore.save`` writes for the same book (labels, types, every property, ``ord``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from _books import assert_same_book, random_tables

import famgraph as fg
import famgraph.spark as fgs

pytestmark = [
    pytest.mark.integration,
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

_DUMP_NODES = (
    "MATCH (n) WHERE n:Person OR n:Household OR n:Holding OR n:Book "
    "RETURN labels(n) AS labels, properties(n) AS props"
)
_DUMP_RELS = (
    "MATCH (a)-[r]->(b) WHERE a:Person "
    "RETURN a.person_id AS a, type(r) AS type, coalesce(b.person_id, b.household_id, "
    "b.holding_id) AS b, properties(r) AS props"
)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return f"{type(value).__name__}:{value.iso_format()}"
    return value


def dump(store: fg.Neo4jStore) -> tuple[list[str], list[str]]:
    """Every famgraph node and relationship with its type and properties, sorted."""
    drv, db = store.driver, store.database
    nodes, _, _ = drv.execute_query(_DUMP_NODES, database_=db)
    rels, _, _ = drv.execute_query(_DUMP_RELS, database_=db)

    def row(labels: Any, props: dict[str, Any]) -> str:
        return repr((labels, sorted((k, _plain(v)) for k, v in props.items())))

    return (
        sorted(row(sorted(r["labels"]), r["props"]) for r in nodes),
        sorted(row((r["a"], r["type"], r["b"]), r["props"]) for r in rels),
    )


def _tables() -> dict[str, pd.DataFrame]:
    t = random_tables(21, n_people=40)
    rng = pd.Series(range(len(t["people"])))
    t["people"]["visited"] = pd.Series(
        pd.to_datetime("2024-01-01") + pd.to_timedelta(rng * 7, unit="D")
    ).astype("datetime64[us]")
    t["people"].loc[rng % 5 == 0, "visited"] = pd.NaT
    t["people"].loc[rng % 7 == 0, "visited"] += pd.Timedelta(hours=9, minutes=30)
    return t


@pytest.fixture(scope="module")
def books(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, fg.CustomerGraph]:
    folder = tmp_path_factory.mktemp("spark-neo4j")
    paths = []
    for name, df in _tables().items():
        p = folder / f"{name}.parquet"
        df.to_parquet(p, index=False)
        paths.append(p)
    return fgs.build(spark, *paths), fg.build(*paths)


def test_spark_write_loads_back_as_the_in_memory_book(
    books: tuple[Any, fg.CustomerGraph], store: Any, neo4j_server: Any
) -> None:
    sg, g = books
    assert len(g.rejects) > 0 and len(g.people.columns) > 11  # dirty, with extra columns
    m = sg.to_pandas()  # the Spark build of a random dirty book is the in-memory one
    pd.testing.assert_frame_equal(m.rejects, g.rejects)
    pd.testing.assert_frame_equal(m.quality_report(), g.quality_report(), check_dtype=False)
    report = fgs.save_neo4j(sg, neo4j_server.uri, auth=neo4j_server.auth, batch_size=7)
    assert report.rows["people"] == len(g.people)
    assert report.rows["holdings"] == len(g.holdings)
    assert_same_book(store.load(), g)
    first = dump(store)
    counts = store.counts()
    assert counts["Person"] == len(g.people) and counts["Book"] == 1

    # idempotent: a second write creates nothing and changes nothing
    fgs.save_neo4j(sg, neo4j_server.uri, auth=neo4j_server.auth)
    assert store.counts() == counts
    assert dump(store) == first

    # the same graph as Neo4jStore.save of the in-memory book
    store.clear()
    store.save(g, progress=False)
    assert dump(store) == first


def test_wrong_password_is_a_store_error_without_the_password(
    books: tuple[Any, fg.CustomerGraph], neo4j_server: Any
) -> None:
    sg, _ = books
    with pytest.raises(fg.StoreError) as exc:
        fgs.save_neo4j(sg, neo4j_server.uri, auth=(neo4j_server.user, "wrong-secret-42"))
    assert "wrong-secret-42" not in str(exc.value)
