"""Batched, idempotent writes: one managed transaction per batch, counters summed.

Each batch runs through ``session.execute_write``, so the driver retries transient
errors (deadlocks, leader switches, a dropped connection) until its
``max_transaction_retry_time``; every statement is an ``UNWIND ... MERGE`` keyed on
constrained ids, so a retried or repeated batch creates nothing twice.

Batches of one statement can run in parallel *lanes* (one session and thread each):
:func:`split_lanes` gives every lane whole groups of rows -- a group being the rows
that touch the same nodes (a person's holdings, a connected piece of a relation
type) -- so concurrent transactions never lock the same node and cannot deadlock,
and the server works on both cores while the client packs the next batch.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    import neo4j

    from famgraph.store.catalogue import Query

__all__ = [
    "BatchWriter",
    "Counters",
    "SaveReport",
    "TableStats",
    "count_retries",
    "progress_bar",
    "split_lanes",
]

log = logging.getLogger("famgraph")

#: One batch: the statement's parameters and the number of input rows it writes.
Batch = tuple[dict[str, Any], int]


def split_lanes(groups: np.ndarray, lanes: int) -> list[np.ndarray]:
    """Row positions per lane: each group wholly in one lane, lanes of near-equal size.

    Parameters
    ----------
    groups : ndarray of int
        A group label per row; rows of one group touch the same nodes.
    lanes : int
        At most this many lanes (fewer when there are fewer groups, or when one
        group holds most rows).

    Returns
    -------
    list of ndarray
        Row positions, sorted by group within each lane; together every row once.

    Examples
    --------
    >>> [x.tolist() for x in split_lanes(np.array([7, 3, 7, 3, 5, 9]), 2)]
    [[1, 3, 4], [0, 2, 5]]
    >>> [x.tolist() for x in split_lanes(np.array([1, 1, 1, 2]), 2)]
    [[0, 1, 2], [3]]
    """
    n = len(groups)
    if n == 0:
        return []
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    targets = np.arange(1, max(int(lanes), 1)) * (n / max(int(lanes), 1))
    at = np.searchsorted(starts, targets, side="left")
    cuts = np.where(at < len(starts), starts[np.minimum(at, len(starts) - 1)], n)
    bounds = np.unique(np.r_[0, cuts, n])
    return [order[a:b] for a, b in itertools.pairwise(bounds) if b > a]


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
    workers : int
        Parallel write sessions.
    fresh : bool
        The database held no famgraph data, so the rows were written with
        ``CREATE`` instead of ``MERGE``.
    retries : int
        Transactions the driver retried after a transient error (e.g. two parallel
        lanes meeting on a relationship chain: ``DeadlockDetected``). Normal in a
        parallel save; each retry is logged at DEBUG on the ``famgraph`` logger, and
        nothing is lost or written twice.
    """

    tables: dict[str, TableStats] = field(default_factory=dict)
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    seconds: float = 0.0
    batch_size: int = 0
    workers: int = 1
    fresh: bool = False
    retries: int = 0

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
            + (
                "; empty database, so rows were created without existence checks"
                if self.fresh
                else ""
            )
            + (f"; {self.retries} transaction(s) retried" if self.retries else "")
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
        self._lock = threading.Lock()

    def _write(self, session: neo4j.Session, query: Query, params: dict[str, Any]) -> Counters:
        bound = query.bind(params)
        text = cast("Any", query.text)

        def work(tx: neo4j.ManagedTransaction) -> Any:
            return tx.run(text, bound).consume().counters

        out = Counters()
        out.add(session.execute_write(work))
        with self._lock:
            self.counters.add(out)
        return out

    def run(self, query: Query, params: dict[str, Any]) -> Counters:
        """Run one statement in a managed write transaction; return its counters."""
        with self.driver.session(database=self.database) as session:
            return self._write(session, query, params)

    def run_lanes(
        self,
        query: Query,
        lanes: Sequence[Iterable[Batch]],
        on_batch: Callable[[int, Counters], None],
    ) -> None:
        """Run the batches of each lane in order, the lanes in parallel threads.

        ``on_batch(rows, counters)`` is called after each committed batch (under a
        lock, so it may update shared totals). The first error stops the other lanes
        after their current batch and is raised here.
        """
        stop = threading.Event()

        def lane(batches: Iterable[Batch]) -> None:
            with self.driver.session(database=self.database) as session:
                for params, rows in batches:
                    if stop.is_set():
                        return
                    c = self._write(session, query, params)
                    with self._lock:
                        on_batch(rows, c)

        if len(lanes) <= 1:
            for batches in lanes:
                lane(batches)
            return
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="famgraph-save") as pool:
            futures = [pool.submit(lane, batches) for batches in lanes]
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for f in done:
                    f.result()
            except BaseException:
                stop.set()
                raise
            for f in futures:
                f.result()


class _RetryCounter(logging.Filter):
    """Counts the driver's "will be retried" warnings and sends them to DEBUG instead."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith(_RETRY_MESSAGE):
            with self._lock:
                self.count += 1
            log.debug("famgraph.save: %s", record.getMessage())
            return False
        return True


#: How the neo4j driver's session logger announces a retried transaction.
_RETRY_MESSAGE = "Transaction failed and will be retried"


@contextmanager
def count_retries() -> Iterator[_RetryCounter]:
    """While the block runs, the driver's retry warnings are counted and logged at DEBUG.

    A parallel save meets transient errors by design (two lanes may meet on a
    relationship chain and one is told ``DeadlockDetected``); the driver retries
    them and warns each time. That is not news for the user, so the warnings go to
    the ``famgraph`` logger at DEBUG and their number into the
    :class:`SaveReport`. A transaction that still fails after the driver's retries
    raises, as before.
    """
    counter = _RetryCounter()
    target = logging.getLogger("neo4j.session")
    target.addFilter(counter)
    try:
        yield counter
    finally:
        target.removeFilter(counter)


def now() -> float:
    """Monotonic seconds."""
    return time.perf_counter()


@contextmanager
def progress_bar(show: bool, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (or a no-op); yields ``advance(rows)``."""
    if not show:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("saving to Neo4j"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with bar if total else nullcontext(bar):
        task = bar.add_task("save", total=total)
        yield lambda n: bar.advance(task, n)
