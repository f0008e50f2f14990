"""Neo4jStore: save a CustomerGraph to Neo4j, load it back, run the analyses inside Neo4j.

The store owns the connection (lifecycle, error translation), the schema, and the
save / load round trip. What each save writes is planned in
:mod:`famgraph.store.plans`; the analyses inside Neo4j live in
:mod:`famgraph.store.pushdown`, and the store's methods of the same names delegate
to them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from famgraph._validation import Count, check
from famgraph.errors import StoreError
from famgraph.graph import CustomerGraph
from famgraph.rules import DECAY, MIN_REFERRALS, MINOR_AGE, SOCIAL_WEIGHT
from famgraph.schema import NODE_LABELS, REL_TYPES, TABLES
from famgraph.store import pushdown, results
from famgraph.store.catalogue import Catalogue, Query
from famgraph.store.codec import EXTRA_PREFIX, restore, restore_extra
from famgraph.store.config import Neo4jConfig
from famgraph.store.errors import safe_uri, translate_errors
from famgraph.store.plans import book_props, check_references, save_plans
from famgraph.store.results import ResultsReport
from famgraph.store.writer import (
    BatchWriter,
    Counters,
    SaveReport,
    TableStats,
    count_retries,
    now,
    progress_bar,
)

if TYPE_CHECKING:
    import neo4j

__all__ = ["BOOK_KEY", "DEFAULT_BATCH_SIZE", "Neo4jStore"]

log = logging.getLogger("famgraph")

#: Rows per write transaction.
DEFAULT_BATCH_SIZE = 5_000
#: The ``key`` of the one ``:Book`` metadata node.
BOOK_KEY = "famgraph"


class Neo4jStore:
    """A customer book in Neo4j: save, load, and the analyses computed inside Neo4j.

    Parameters
    ----------
    uri_or_driver : str or neo4j.Driver
        A URI (``bolt://host:7687``, ``neo4j+s://xxx.databases.neo4j.io``) -- the
        store then creates and later closes its own driver -- or an existing
        :class:`neo4j.Driver`, which the store uses but never closes.
    auth : tuple of (str, str), optional
        ``(user, password)`` for a URI. Ignored with a driver.
    database : str, default "neo4j"
        Every statement runs in this database.
    retry_seconds : float, default 30
        How long the driver retries a failed write transaction (transient errors,
        a lost connection) before the save raises :class:`~famgraph.StoreError`.
        Only used when the store creates the driver.

    Notes
    -----
    The graph model (labels, relationship types, properties) is described in
    ``docs/data-model.md``; every statement is a named file under ``cypher/``
    (``docs/cypher.md``). Messages of :class:`~famgraph.StoreError` name the URI,
    user and database, never the password or any row value.

    Examples
    --------
    Saving and loading need a server (see ``docs/neo4j.md``)::

        with fg.Neo4jStore("bolt://127.0.0.1:7687", auth=("neo4j", pw)) as store:
            report = store.save(g)
            g2 = store.load()
            gaps = store.coverage_gaps()

    Without a server, a wrong address fails with a message saying what to check:

    >>> import famgraph as fg
    >>> with fg.Neo4jStore("bolt://127.0.0.1:1", auth=("neo4j", "x")) as store:
    ...     store.load()
    Traceback (most recent call last):
    ...
    famgraph.errors.StoreError: Cannot reach Neo4j at bolt://127.0.0.1:1 ...
    """

    def __init__(
        self,
        uri_or_driver: str | neo4j.Driver,
        *,
        auth: tuple[str, str] | None = None,
        database: str = "neo4j",
        retry_seconds: float = 30.0,
    ) -> None:
        import neo4j

        self.database = database
        self.catalogue = Catalogue.default()
        self._verified = False
        if isinstance(uri_or_driver, str):
            self.uri = safe_uri(uri_or_driver)
            self.user = auth[0] if auth else None
            scheme = uri_or_driver.partition("://")[0].lower()
            if scheme not in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
                raise StoreError(
                    f"Invalid Neo4j URI {self.uri!r}: famgraph talks to Neo4j over Bolt. Use "
                    "bolt://host:7687 or neo4j://host:7687 (neo4j+s:// for Aura), not http://."
                )
            try:
                self._driver = neo4j.GraphDatabase.driver(
                    uri_or_driver,
                    auth=auth,
                    max_transaction_retry_time=retry_seconds,
                    connection_timeout=15.0,
                    notifications_min_severity="OFF",
                )
            except (neo4j.exceptions.DriverError, ValueError) as exc:
                raise StoreError(
                    f"Invalid Neo4j URI {self.uri!r} ({type(exc).__name__}). Use e.g. "
                    "bolt://localhost:7687, neo4j://host:7687 or neo4j+s://<id>.databases.neo4j.io."
                ) from None
            self._owns_driver = True
        else:
            self._driver = uri_or_driver
            self._owns_driver = False
            addr = getattr(uri_or_driver, "_pool", None)
            addr = getattr(addr, "address", None)
            self.uri = f"bolt://{addr}" if addr is not None else "the driver's server"
            self.user = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **kwargs: Any) -> Neo4jStore:
        """A store for ``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE``."""
        cfg = Neo4jConfig.from_env(environ)
        return cls(cfg.uri, auth=cfg.auth, database=cfg.database, **kwargs)

    @classmethod
    def from_config(cls, config: Neo4jConfig, **kwargs: Any) -> Neo4jStore:
        """A store for a :class:`Neo4jConfig`."""
        return cls(config.uri, auth=config.auth, database=config.database, **kwargs)

    # -- lifecycle ------------------------------------------------------------------
    @property
    def driver(self) -> neo4j.Driver:
        """The driver in use (owned or given)."""
        return self._driver

    def close(self) -> None:
        """Close the driver if the store created it (a given driver stays open)."""
        if self._owns_driver:
            self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Neo4jStore(uri={self.uri!r}, database={self.database!r})"

    # -- errors ---------------------------------------------------------------------
    def errors(self, action: str) -> AbstractContextManager[None]:
        """A block whose driver and server errors become :class:`~famgraph.StoreError`.

        The message names the URI, user and database and says what to check; never the
        password or a row value. ``action`` says what the store was doing.
        """
        return translate_errors(self.uri, self.database, self.user, action)

    # -- low-level ------------------------------------------------------------------
    def _query(self, name: str) -> Query:
        return self.catalogue[name]

    def _connect(self) -> None:
        """Fail fast (no retries) when the server is unreachable; checked once per store."""
        if not self._verified:
            with self.errors("connecting"):
                self._driver.verify_connectivity()
            self._verified = True

    def read(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read statement; the result as a DataFrame with the statement's columns."""
        import neo4j

        q = self._query(name)
        bound = q.bind(params)
        self._connect()

        def to_frame(result: neo4j.Result) -> pd.DataFrame:
            keys = list(result.keys())
            df = result.to_df()
            if df.empty:
                return pd.DataFrame({k: pd.Series([], dtype=object) for k in keys})
            return df

        return cast(
            "pd.DataFrame",
            self._driver.execute_query(
                cast("Any", q.text),
                bound,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                result_transformer_=to_frame,
            ),
        )

    def _run(self, name: str, params: dict[str, Any] | None = None) -> Counters:
        self._connect()
        return BatchWriter(self._driver, self.database).run(self._query(name), params or {})

    def verify(self) -> None:
        """Check that the server answers and accepts the credentials.

        Raises
        ------
        StoreError
            Unreachable server, wrong credentials, or a missing database.
        """
        self._verified = False
        self._connect()
        with self.errors("connecting"):
            self.read("read/constraints")

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create famgraph's uniqueness constraints (``cypher/schema/*.cypher``) if missing.

        Raises
        ------
        StoreError
            When an existing constraint, index or duplicate data conflicts with them.
        """
        with self.errors("creating the schema"):
            for name in self.catalogue.names("schema/"):
                self._run(name)
            have = self.read("read/constraints")
        found = {
            (tuple(lab), tuple(prop))
            for lab, prop, typ in zip(
                have["labelsOrTypes"], have["properties"], have["type"], strict=True
            )
            if typ in ("UNIQUENESS", "NODE_KEY", "NODE_PROPERTY_UNIQUENESS")
        }
        need = {
            (("Person",), ("person_id",)),
            (("Household",), ("household_id",)),
            (("Holding",), ("holding_id",)),
            (("Book",), ("key",)),
        }
        missing = sorted(need - found)
        if missing:
            raise StoreError(
                f"Neo4j at {self.uri} (database {self.database!r}): schema conflict -- after "
                f"ensure_schema, no uniqueness constraint on {missing}. A constraint of the "
                "same name with another definition probably exists (SHOW CONSTRAINTS); drop "
                "it or use another database."
            )

    def clear(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete every famgraph node (:Person, :Household, :Holding, :Book) and its relationships.

        Deletes in batches, so it works on large books. Other nodes are left alone.

        Returns
        -------
        int
            Number of nodes deleted.
        """
        total = 0
        with self.errors("clearing the book"):
            while True:
                c = self._run("load/clear", {"limit": int(batch_size)})
                total += c.nodes_deleted
                if c.nodes_deleted == 0:
                    return total

    def counts(self) -> dict[str, int]:
        """Number of famgraph nodes per label and relationships per type (0 when none)."""
        with self.errors("counting"):
            df = self.read("read/counts")
        out = dict.fromkeys((*NODE_LABELS, "Book", *REL_TYPES), 0)
        out.update({str(k): int(v) for k, v in zip(df["what"], df["n"], strict=True)})
        return out

    # -- save -----------------------------------------------------------------------
    def save(
        self,
        g: CustomerGraph,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: bool = True,
        replace: bool = False,
        workers: int = 2,
    ) -> SaveReport:
        """Write the book to Neo4j: constraints first, then batched ``UNWIND ... MERGE``.

        Parameters
        ----------
        g : CustomerGraph
        batch_size : int, default 5_000
            Rows per write transaction.
        progress : bool, default True
            Show a progress bar (on stderr).
        replace : bool, default False
            Delete every famgraph node first (:meth:`clear`), so rows that are no
            longer in ``g`` disappear. Without it, ``save`` upserts: rows of ``g``
            are created or updated, nothing is removed.
        workers : int, default 2
            Parallel write sessions per statement. Each gets whole groups of rows
            that touch the same nodes (a person's holdings, a connected piece of a
            relation type), so they never lock the same node; 1 writes serially.

        Returns
        -------
        SaveReport
            Nodes and relationships created, properties set, seconds and rows/s,
            overall and per table.

        Raises
        ------
        StoreError
            Unreachable server, wrong credentials, schema conflict, or a write
            that failed after the driver's retries. Repeating the save completes it.
        DataError
            A relation, referral or holding names a person not in ``g.people``, or
            a column has a dtype Neo4j cannot store exactly.

        Notes
        -----
        Idempotent: every row is ``MERGE``\\ d on a constrained key (``person_id``,
        ``household_id``, ``holding_id``; relationships on their two ends, type and
        for ``KNOWS`` the kind), so saving the same book twice creates nothing the
        second time. On a database without any famgraph node or relationship the
        same statements run with ``CREATE`` (nothing can exist yet, so the existence
        checks are skipped; ``report.fresh`` says so). A save interrupted there
        leaves a non-empty database, so repeating it merges and completes it. Each
        batch is one managed transaction (``execute_write``), retried by the driver
        on transient errors. Cost O(rows); rows are converted column by column.
        """
        check("save", "batch_size", batch_size, Count)
        check("save", "workers", workers, Count)
        bs = int(batch_size)
        check_references(g)
        t_start = now()
        self._connect()
        self.ensure_schema()
        if replace:
            self.clear(batch_size=bs)
        plans = save_plans(g)
        fresh = not any(self.counts().values())
        total_rows = sum(p.rows for p in plans if p.counted)
        writer = BatchWriter(self._driver, self.database)
        stats: dict[str, dict[str, Any]] = {
            t: {"rows": 0, "batches": 0, "seconds": 0.0, "c": Counters()} for t in TABLES
        }
        with (
            progress_bar(progress, total_rows) as advance,
            count_retries() as retries,
            self.errors("saving"),
        ):
            for plan in plans:
                t0 = now()
                q = self._query(plan.query)
                if not plan.extras:
                    q = q.without_extras()
                if fresh:
                    q = q.as_create()
                st = stats[plan.table]

                def on_batch(rows: int, c: Counters, st: dict[str, Any] = st) -> None:
                    st["rows"] += rows
                    st["batches"] += rows > 0  # input-row batches (not derived households)
                    st["c"].add(c)
                    advance(rows)

                writer.run_lanes(q, plan.lanes(int(workers), bs), on_batch)
                st["seconds"] += now() - t0
            writer.run(self._query("load/book"), {"key": BOOK_KEY, "props": book_props(g)})
        tables = {
            t: TableStats(
                table=t,
                rows=s["rows"],
                batches=s["batches"],
                seconds=s["seconds"],
                nodes_created=s["c"].nodes_created,
                relationships_created=s["c"].relationships_created,
                properties_set=s["c"].properties_set,
            )
            for t, s in stats.items()
        }
        report = SaveReport(
            tables=tables,
            nodes_created=writer.counters.nodes_created,
            relationships_created=writer.counters.relationships_created,
            properties_set=writer.counters.properties_set,
            seconds=now() - t_start,
            batch_size=bs,
            workers=int(workers),
            fresh=fresh,
            retries=retries.count,
        )
        log.info("famgraph.Neo4jStore.save: %s", str(report).splitlines()[0])
        return report

    # -- load -----------------------------------------------------------------------
    def book(self) -> dict[str, Any]:
        """The saved book's metadata (``as_of``, row counts, extra columns).

        Raises
        ------
        StoreError
            When the database holds no famgraph book.
        """
        with self.errors("reading the book metadata"):
            df = self.read("read/book", {"key": BOOK_KEY})
        if df.empty:
            raise StoreError(
                f"Neo4j at {self.uri} (database {self.database!r}) holds no famgraph book "
                "(no :Book node). Save one first with store.save(g) or `famgraph neo4j save`."
            )
        meta = dict(df["book"].iloc[0])
        at: Any = meta.get("as_of")
        meta["as_of"] = pd.Timestamp(at.to_native() if hasattr(at, "to_native") else at)
        return meta

    def as_of(self) -> pd.Timestamp:
        """The ``as_of`` date of the saved book."""
        return pd.Timestamp(self.book()["as_of"])

    def load(self) -> CustomerGraph:
        """Read the saved book back as a :class:`~famgraph.CustomerGraph`.

        Returns
        -------
        CustomerGraph
            The four tables as saved: same rows in the same order (by the stored
            ``ord``), same columns and dtypes, extra columns included; ``as_of``
            from the ``:Book`` node. ``rejects`` are not stored (empty).

        Raises
        ------
        StoreError
            Unreachable server, wrong credentials, or no saved book.

        Notes
        -----
        One read per table plus one per extra column; dates travel as ISO text
        and are parsed column-wise. Cost O(rows).
        """
        meta = self.book()
        tables: dict[str, pd.DataFrame] = {}
        with self.errors("loading"):
            for t in TABLES:
                tables[t] = self._load_table(t, meta)
        return CustomerGraph.from_tables(**tables, as_of=meta["as_of"])

    def _load_table(self, table: str, meta: dict[str, Any]) -> pd.DataFrame:
        raw = self.read(f"read/{table}")
        order = (
            np.argsort(raw["ord"].to_numpy(dtype=float, na_value=np.inf), kind="stable")
            if len(raw)
            else np.zeros(0, dtype=np.int64)
        )
        raw = raw.iloc[order].reset_index(drop=True)
        out = restore(raw, table)
        ords = raw["ord"].to_numpy(dtype=object)
        names = list(meta.get(f"{table}_extras") or [])
        dtypes = list(meta.get(f"{table}_extra_dtypes") or [])
        for name, dtype in zip(names, dtypes, strict=True):
            which = "_extra_temporal" if str(dtype).startswith("datetime64") else "_extra"
            col = self.read(f"read/{table}{which}", {"key": EXTRA_PREFIX + name})
            by_ord = pd.Series(col["value"].to_numpy(dtype=object), index=col["ord"].to_numpy())
            vals = by_ord.reindex(ords) if len(ords) else pd.Series([], dtype=object)
            out[name] = restore_extra(pd.Series(vals.to_numpy(dtype=object), dtype=object), dtype)
        return out

    # -- push-down analyses -----------------------------------------------------------

    # -- results written back (famgraph.store.results) -----------------------------------
    def save_results(
        self,
        g: CustomerGraph,
        *,
        plan: pd.DataFrame | None = None,
        minor_age: int = MINOR_AGE,
        decay: float = DECAY,
        min_referrals: int = MIN_REFERRALS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int = 2,
    ) -> ResultsReport:
        """Write the analysis results of the saved book ``g`` onto its nodes.

        See :func:`famgraph.store.results.save_results` for what is written where;
        ``docs/neo4j.md`` shows the queries a service runs on them.
        """
        return results.save_results(
            self,
            g,
            plan=plan,
            minor_age=minor_age,
            decay=decay,
            min_referrals=min_referrals,
            batch_size=batch_size,
            workers=workers,
        )

    # -- analyses inside Neo4j (famgraph.store.pushdown) -------------------------------
    def coverage_gaps(
        self, *, plan: pd.DataFrame | None = None, minor_age: int = MINOR_AGE
    ) -> pd.DataFrame:
        """:func:`famgraph.coverage_gaps` computed inside Neo4j.

        See :func:`famgraph.store.pushdown.coverage_gaps`.
        """
        return pushdown.coverage_gaps(self, plan=plan, minor_age=minor_age)

    def referral_value(
        self,
        *,
        decay: float = DECAY,
        max_depth: int | None = None,
        value: pd.Series | None = None,
    ) -> pd.DataFrame:
        """:func:`famgraph.referral_value` computed inside Neo4j.

        See :func:`famgraph.store.pushdown.referral_value`.
        """
        return pushdown.referral_value(self, decay=decay, max_depth=max_depth, value=value)

    def super_users(
        self,
        *,
        min_referrals: int = MIN_REFERRALS,
        weights: Mapping[str, float] | None = None,
        value: pd.Series | None = None,
        decay: float = DECAY,
        social_weight: float = SOCIAL_WEIGHT,
    ) -> pd.DataFrame:
        """:func:`famgraph.super_users` with its inputs computed inside Neo4j.

        See :func:`famgraph.store.pushdown.super_users`.
        """
        return pushdown.super_users(
            self,
            min_referrals=min_referrals,
            weights=weights,
            value=value,
            decay=decay,
            social_weight=social_weight,
        )
