"""Batched, idempotent writes: one managed transaction per batch, counters summed.

Each batch runs through ``session.execute_write``, so the driver retries transient
errors (deadlocks, leader switches, a dropped connection) until its
``max_transaction_retry_time``; every statement is an ``UNWIND ... MERGE`` keyed on
constrained ids, so a retried or repeated batch creates nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import neo4j

    from famgraph.store.catalogue import Query

__all__ = ["BatchWriter", "Counters", "SaveReport", "TableStats"]


@dataclass
class Counters:
    """Write counters summed over statements (from the driver's result summaries)."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def add(self, c: Any) -> None:
        self.nodes_created += c.nodes_created
        self.nodes_deleted += c.nodes_deleted
        self.relationships_created += c.relationships_created
        self.relationships_deleted += c.relationships_deleted
        self.properties_set += c.properties_set


@dataclass(frozen=True)
class TableStats:
    """What saving one table did."""

    table: str
    rows: int
    batches: int
    seconds: float
    nodes_created: int
    relationships_created: int
    properties_set: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class SaveReport:
    """What :meth:`famgraph.Neo4jStore.save` did.

    Attributes
    ----------
    tables : dict of str to TableStats
        Per input table: rows, batches, seconds, counters.
    nodes_created, relationships_created, properties_set : int
        Totals from the server's counters (the second save of the same book
        creates 0 nodes and 0 relationships).
    seconds : float
        Wall time of the whole save, schema and metadata included.
    batch_size : int
    """

    tables: dict[str, TableStats] = field(default_factory=dict)
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    seconds: float = 0.0
    batch_size: int = 0

    @property
    def rows(self) -> int:
        """Rows saved over all tables."""
        return sum(t.rows for t in self.tables.values())

    @property
    def rows_per_second(self) -> float:
        """Overall throughput: rows / wall seconds."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        lines = [
            f"saved {self.rows:,} rows in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s); "
            f"created {self.nodes_created:,} nodes, {self.relationships_created:,} relationships; "
            f"set {self.properties_set:,} properties"
        ]
        for t in self.tables.values():
            lines.append(
                f"  {t.table:<10} {t.rows:>10,} rows {t.seconds:>7.1f} s "
                f"{t.rows_per_second:>10,.0f} rows/s"
            )
        return "\n".join(lines)


class BatchWriter:
    """Runs catalogue statements batch by batch in managed write transactions."""

    def __init__(self, driver: neo4j.Driver, database: str) -> None:
        self.driver = driver
        self.database = database
        self.counters = Counters()
        self._session: neo4j.Session | None = None

    @contextmanager
    def open(self) -> Iterator[BatchWriter]:
        """Hold one session for a sequence of batches."""
        with self.driver.session(database=self.database) as session:
            self._session = session
            try:
                yield self
            finally:
                self._session = None

    def run(self, query: Query, params: dict[str, Any]) -> Counters:
        """Run one statement in a managed write transaction; return its counters."""
        bound = query.bind(params)
        text = cast("Any", query.text)

        def work(tx: neo4j.ManagedTransaction) -> Any:
            return tx.run(text, bound).consume().counters

        if self._session is None:
            with self.driver.session(database=self.database) as session:
                c = session.execute_write(work)
        else:
            c = self._session.execute_write(work)
        out = Counters()
        out.add(c)
        self.counters.add(c)
        return out


def now() -> float:
    """Monotonic seconds."""
    return time.perf_counter()
