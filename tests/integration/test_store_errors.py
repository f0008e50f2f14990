"""Failures become famgraph.StoreError with a message saying what to check."""

from __future__ import annotations

import socket

import pytest

import famgraph as fg
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()  # nothing listens there now
    return port


def test_unreachable_server() -> None:
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    with Neo4jStore(uri, auth=("neo4j", "pw-not-in-messages")) as store:
        with pytest.raises(fg.StoreError) as err:
            store.save(fg.datasets.sample(), progress=False)
        with pytest.raises(ConnectionError):  # StoreError is a ConnectionError too
            store.load()
    msg = str(err.value)
    assert uri in msg and "running" in msg and "scripts/neo4j-dev start" in msg
    assert "pw-not-in-messages" not in msg


def test_wrong_password(neo4j_server) -> None:  # type: ignore[no-untyped-def]
    bad = neo4j_server.password + "-WRONG-Secret"
    store = Neo4jStore(neo4j_server.uri, auth=(neo4j_server.user, bad))
    with store, pytest.raises(fg.StoreError) as err:
        store.save(fg.datasets.sample(), progress=False)
    msg = str(err.value)
    assert "rejected the login" in msg and "NEO4J_PASSWORD" in msg
    assert repr(neo4j_server.user) in msg
    assert bad not in msg and "WRONG-Secret" not in msg
    assert err.value.__cause__ is None  # the driver's message is not chained in


def test_unknown_database(store: Neo4jStore) -> None:
    other = Neo4jStore(store.driver, database="no-such-db")
    with other, pytest.raises(fg.StoreError, match="database does not exist"):
        other.counts()


def test_no_book_saved(store: Neo4jStore) -> None:
    store.clear()
    with pytest.raises(fg.StoreError, match="holds no famgraph book"):
        store.load()


def test_schema_conflict_duplicate_ids(store: Neo4jStore) -> None:
    """Duplicate person ids already in the database block the uniqueness constraint."""
    from conftest import wipe

    wipe(store)
    drv, db = store.driver, store.database
    drv.execute_query(
        "CREATE (:Person {person_id: $pid, name: $name}), (:Person {person_id: $pid})",
        {"pid": "DUP-ID-42", "name": "张三 private"},
        database_=db,
    )
    try:
        with pytest.raises(fg.StoreError) as err:
            store.save(fg.datasets.sample(), progress=False)
        msg = str(err.value)
        assert "schema conflict" in msg and "SHOW CONSTRAINTS" in msg
        assert "DUP-ID-42" not in msg and "张三" not in msg
    finally:
        wipe(store)
        store.ensure_schema()


def test_schema_conflict_existing_index(store: Neo4jStore) -> None:
    """A plain index on :Person(person_id) blocks the constraint: StoreError, not a crash."""
    from conftest import wipe

    wipe(store)
    drv, db = store.driver, store.database
    drv.execute_query("CREATE INDEX user_index FOR (p:Person) ON (p.person_id)", database_=db)
    try:
        with pytest.raises(fg.StoreError, match="schema conflict"):
            store.ensure_schema()
    finally:
        wipe(store)
        store.ensure_schema()


def test_bad_uri_and_batch_size(store: Neo4jStore) -> None:
    with pytest.raises(fg.StoreError, match="Invalid Neo4j URI"):
        Neo4jStore("htp://nowhere", auth=("neo4j", "x"))
    with pytest.raises(ValueError, match="The `batch_size` parameter of `save` must be"):
        store.save(fg.datasets.sample(), batch_size=0)
