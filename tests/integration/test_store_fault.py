"""Kill the server in the middle of a save; restart; the same save completes without duplicates."""

from __future__ import annotations

import threading
import time

import neo4j
import pytest
from _books import assert_same_book, expected_counts

import famgraph as fg
from famgraph.store import Neo4jStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _duplicates(store: Neo4jStore) -> tuple[int, int]:
    """(person ids held by more than one node, node pairs with a repeated relationship)."""
    drv, db = store.driver, store.database
    nodes, _, _ = drv.execute_query(
        "MATCH (p:Person) WITH p.person_id AS id, count(*) AS c WHERE c > 1 RETURN count(*) AS n",
        database_=db,
    )
    rels, _, _ = drv.execute_query(
        "MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, r.kind AS k, count(*) AS c "
        "WHERE c > 1 RETURN count(*) AS n",
        database_=db,
    )
    return int(nodes[0]["n"]), int(rels[0]["n"])


def test_server_killed_mid_save_then_resave(neo4j_server, store: Neo4jStore) -> None:  # type: ignore[no-untyped-def]
    if not neo4j_server.managed:
        pytest.skip(
            "needs a Neo4j this test session started (it kills and restarts the server); "
            "NEO4J_URI points at a server the tests do not own"
        )
    g = fg.build(**fg.datasets.synthetic(n_people=4_000, seed=11))
    store.clear()
    outcome: dict[str, BaseException | object] = {}

    def run() -> None:
        try:
            outcome["report"] = store.save(g, batch_size=100, progress=False)
        except BaseException as exc:
            outcome["error"] = exc

    saver = threading.Thread(target=run, daemon=True)
    watch = neo4j.GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)
    saver.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and saver.is_alive():
            recs, _, _ = watch.execute_query(
                "MATCH (p:Person) RETURN count(p) AS n", database_=neo4j_server.database
            )
            if recs[0]["n"] >= 500:
                break
            time.sleep(0.05)
    finally:
        watch.close()
    assert saver.is_alive(), "the save finished before the server could be killed"
    killed = neo4j_server.dev("kill")
    assert killed.returncode == 0, killed.stderr
    saver.join(timeout=180)
    assert not saver.is_alive()
    err = outcome.get("error")
    assert isinstance(err, fg.StoreError), f"expected StoreError, got {outcome!r}"
    assert "start it again" in str(err) and "idempotent" in str(err)

    started = neo4j_server.dev("start", timeout=300)
    assert started.returncode == 0, started.stderr[-2000:]

    before = store.counts()
    assert before["Person"] >= 500  # what the killed save had committed survived the crash
    report = store.save(g, batch_size=2_000, progress=False)
    assert not report.fresh  # the killed save left data, so this one merges
    after = store.counts()
    assert after == {**after, **expected_counts(g)}
    # the re-save created exactly what the killed save had not committed
    labels = ("Person", "Household", "Holding", "Book")
    assert report.nodes_created == sum(after[k] - before[k] for k in labels)
    assert report.relationships_created == sum(
        after[k] - before[k] for k in after if k not in labels
    )
    assert _duplicates(store) == (0, 0)
    again = store.save(g, batch_size=2_000, progress=False)
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    assert_same_book(g, store.load())
