"""Neo4jStore: save a CustomerGraph to Neo4j, load it back, run the analyses inside Neo4j."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from famgraph._arrays import components
from famgraph._validation import check_param
from famgraph._version import __version__
from famgraph.analysis.referrals import check_referral_params
from famgraph.errors import DataError, StoreError
from famgraph.graph import CustomerGraph
from famgraph.schema import (
    COVERAGE_GAP_COLUMNS,
    FAMILY_KINDS,
    NODE_LABELS,
    REFERRAL_VALUE_COLUMNS,
    REL_TYPES,
    SOCIAL_KINDS,
    TABLES,
)
from famgraph.store.catalogue import Catalogue, Query
from famgraph.store.codec import (
    EXTRA_PREFIX,
    extra_columns,
    restore,
    restore_extra,
    to_values,
)
from famgraph.store.config import Neo4jConfig
from famgraph.store.writer import (
    BatchWriter,
    Counters,
    SaveReport,
    TableStats,
    now,
    split_lanes,
)

if TYPE_CHECKING:
    import neo4j

__all__ = ["BOOK_KEY", "DEFAULT_BATCH_SIZE", "Neo4jStore"]

log = logging.getLogger("famgraph")

#: Rows per write transaction.
DEFAULT_BATCH_SIZE = 5_000
#: The ``key`` of the one ``:Book`` metadata node.
BOOK_KEY = "famgraph"
#: Relation kind -> the load statement that writes it (the relationship type is
#: fixed inside each file; values never choose Cypher text).
REL_QUERY: dict[str, str] = {
    **{k: f"load/rel_{k}" for k in FAMILY_KINDS},
    **dict.fromkeys(SOCIAL_KINDS, "load/rel_knows"),
}
_REL_ORDER = (*FAMILY_KINDS, "knows")

_UNREACHABLE = (
    "Check that the server is running and that the URI (scheme, host and Bolt port) is "
    "right; for a local development server run `scripts/neo4j-dev start`."
)


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
            self.uri = _safe_uri(uri_or_driver)
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
    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn driver and server errors into StoreError (no password, no row values)."""
        import neo4j.exceptions as nx

        where = f"Neo4j at {self.uri} (database {self.database!r})"
        try:
            yield
        except StoreError:
            raise
        except nx.AuthError:
            who = f"user {self.user!r}" if self.user else "the given credentials"
            raise StoreError(
                f"{where} rejected the login of {who} while {action}. Check the user name "
                "and password (NEO4J_USER / NEO4J_PASSWORD, or auth=(user, password))."
            ) from None
        except (
            nx.ServiceUnavailable,
            nx.SessionExpired,
            nx.IncompleteCommit,
            nx.ConnectionAcquisitionTimeoutError,
            OSError,
        ) as exc:
            raise StoreError(
                f"Cannot reach Neo4j at {self.uri} while {action} ({type(exc).__name__}). "
                f"{_UNREACHABLE} If the server stopped during a save, start it again and "
                "repeat the same save: it is idempotent and completes what is missing."
            ) from None
        except nx.Neo4jError as exc:
            code = exc.code or "unknown code"
            if "DatabaseNotFound" in code:
                msg = (
                    f"{where}: the database does not exist. Check NEO4J_DATABASE / database=; "
                    "Neo4j Community has only the database 'neo4j'."
                )
            elif ".Schema." in code:
                msg = (
                    f"{where}: schema conflict while {action} ({code}). An existing "
                    "constraint or index on :Person(person_id), :Household(household_id), "
                    ":Holding(holding_id) or :Book(key), or duplicate id values in nodes "
                    "already there, block famgraph's uniqueness constraints. Drop the "
                    "conflicting constraint or index (SHOW CONSTRAINTS; SHOW INDEXES) or use "
                    "an empty database."
                )
            elif ".Security." in code:
                msg = (
                    f"{where}: the user may not do this while {action} ({code}). Grant the "
                    "user read and write access (and schema rights for ensure_schema)."
                )
            elif isinstance(exc, nx.TransientError):
                msg = (
                    f"{where}: the server kept failing transiently while {action} ({code}) "
                    "after the driver's retries. Try again, or use a smaller batch_size."
                )
            else:
                msg = f"{where} rejected a statement while {action} ({code})."
            raise StoreError(msg) from None
        except nx.DriverError as exc:
            raise StoreError(
                f"The Neo4j driver failed while {action} ({type(exc).__name__}). {_UNREACHABLE}"
            ) from None

    # -- low-level ------------------------------------------------------------------
    def _query(self, name: str) -> Query:
        return self.catalogue[name]

    def _connect(self) -> None:
        """Fail fast (no retries) when the server is unreachable; checked once per store."""
        if not self._verified:
            with self._errors("connecting"):
                self._driver.verify_connectivity()
            self._verified = True

    def _read(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
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
        with self._errors("connecting"):
            self._read("read/constraints")

    # -- schema ---------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create famgraph's uniqueness constraints (``cypher/schema/*.cypher``) if missing.

        Raises
        ------
        StoreError
            When an existing constraint, index or duplicate data conflicts with them.
        """
        with self._errors("creating the schema"):
            for name in self.catalogue.names("schema/"):
                self._run(name)
            have = self._read("read/constraints")
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
        with self._errors("clearing the book"):
            while True:
                c = self._run("load/clear", {"limit": int(batch_size)})
                total += c.nodes_deleted
                if c.nodes_deleted == 0:
                    return total

    def counts(self) -> dict[str, int]:
        """Number of famgraph nodes per label and relationships per type (0 when none)."""
        with self._errors("counting"):
            df = self._read("read/counts")
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
        for name, value in (("batch_size", batch_size), ("workers", workers)):
            check_param("save", name, value, _is_count(value), "a whole number >= 1")
        bs = int(batch_size)
        _check_references(g)
        t_start = now()
        self._connect()
        self.ensure_schema()
        if replace:
            self.clear(batch_size=bs)
        plans = _save_plans(g)
        fresh = not any(self.counts().values())
        total_rows = sum(p.rows for p in plans if p.counted)
        writer = BatchWriter(self._driver, self.database)
        stats: dict[str, dict[str, Any]] = {
            t: {"rows": 0, "batches": 0, "seconds": 0.0, "c": Counters()} for t in TABLES
        }
        with _progress(progress, total_rows) as advance, self._errors("saving"):
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
            writer.run(self._query("load/book"), {"key": BOOK_KEY, "props": _book_props(g)})
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
        with self._errors("reading the book metadata"):
            df = self._read("read/book", {"key": BOOK_KEY})
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
        with self._errors("loading"):
            for t in TABLES:
                tables[t] = self._load_table(t, meta)
        return CustomerGraph.from_tables(**tables, as_of=meta["as_of"])

    def _load_table(self, table: str, meta: dict[str, Any]) -> pd.DataFrame:
        raw = self._read(f"read/{table}")
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
            col = self._read(f"read/{table}{which}", {"key": EXTRA_PREFIX + name})
            by_ord = pd.Series(col["value"].to_numpy(dtype=object), index=col["ord"].to_numpy())
            vals = by_ord.reindex(ords) if len(ords) else pd.Series([], dtype=object)
            out[name] = restore_extra(pd.Series(vals.to_numpy(dtype=object), dtype=object), dtype)
        return out

    # -- push-down analyses -----------------------------------------------------------
    def _as_of_params(self) -> dict[str, Any]:
        at = self.as_of()
        return {"as_of": at.to_pydatetime(), "as_of_date": at.date()}

    def coverage_gaps(self, plan: pd.DataFrame | None = None) -> pd.DataFrame:
        """:func:`famgraph.coverage_gaps`, computed inside Neo4j.

        Parameters
        ----------
        plan : pandas.DataFrame, optional
            ``role, line, priority``; default :data:`famgraph.DEFAULT_PLAN`
            (checked with :func:`famgraph.validate_plan`).

        Returns
        -------
        pandas.DataFrame
            The same frame as ``fg.coverage_gaps(store.load(), plan=plan)``:
            ``household_id, person_id, role, line, priority, is_customer`` sorted by
            household_id, priority, person_id, line.

        Notes
        -----
        One Cypher statement (``cypher/analysis/coverage_gaps.cypher``) computes ages
        at the stored ``as_of``, roles, households (derived ones by a
        variable-length match over SPOUSE and CHILD-to-a-minor relationships) and
        the uncovered required lines; only the gap rows travel back, and are
        sorted here. Cost per person: its holdings plus its household component.
        Unlike the in-memory function, a plan row for a role nobody has does not warn.
        """
        from famgraph.analysis.coverage import DEFAULT_PLAN, validate_plan

        p = DEFAULT_PLAN if plan is None else validate_plan(plan)
        rows = [
            {"role": str(r), "line": str(ln), "priority": int(q)}
            for r, ln, q in zip(p["role"], p["line"], p["priority"], strict=True)
        ]
        with self._errors("computing coverage gaps"):
            params = {**self._as_of_params(), "minor_age": 18, "plan": rows}
            df = self._read("analysis/coverage_gaps", params)
        out = pd.DataFrame(
            {
                "household_id": _str(df["household_id"]),
                "person_id": _str(df["person_id"]),
                "role": _str(df["role"]),
                "line": _str(df["line"]),
                "priority": df["priority"].to_numpy(dtype=np.int64),
                "is_customer": df["is_customer"].to_numpy(dtype=bool),
            },
            columns=list(COVERAGE_GAP_COLUMNS),
        )
        return out.sort_values(
            ["household_id", "priority", "person_id", "line"], kind="stable"
        ).reset_index(drop=True)

    def referral_value(self, decay: float = 0.5, max_depth: int | None = None) -> pd.DataFrame:
        """:func:`famgraph.referral_value`, computed inside Neo4j.

        Parameters
        ----------
        decay : float, default 0.5
            Weight per generation, in (0, 1].
        max_depth : int, optional
            Count only descendants at most this many generations down (>= 1).

        Returns
        -------
        pandas.DataFrame
            The same frame as ``fg.referral_value(store.load(), decay=...,
            max_depth=...)``, one row per person in saved people order.

        Notes
        -----
        Two Cypher statements: ``analysis/referral_people`` (referrer, root and
        generation by a variable-length match up the :REFERRED forest, direct and
        converted referrals) and ``analysis/referral_chains`` (for every referee,
        its holdings value, then every ancestor path: cascade size, depth and
        ``decay ** (dist - 1) * value`` summed per ancestor). Cost O(sum of
        generations) path steps; results are joined here by person_id.
        """
        check_referral_params(decay, max_depth)
        with self._errors("computing referral value"):
            people = self._read("analysis/referral_people")
            chains = self._read(
                "analysis/referral_chains",
                {
                    **self._as_of_params(),
                    "decay": float(decay),
                    "max_depth": None if max_depth is None else int(max_depth),
                },
            )
        people = _by_ord(people)
        ids = people["person_id"].to_numpy(dtype=object)
        ch = chains.set_index(pd.Index(chains["person_id"].to_numpy(dtype=object)))
        ch = ch.reindex(ids)

        def whole(s: pd.Series) -> np.ndarray:
            return np.asarray(s.to_numpy(dtype=float, na_value=0.0), dtype=np.int64)

        return pd.DataFrame(
            {
                "person_id": _str(people["person_id"]),
                "referred_by": _str(people["referred_by"]),
                "root_id": _str(people["root_id"]),
                "generation": whole(people["generation"]),
                "direct_referrals": whole(people["direct_referrals"]),
                "converted_referrals": whole(people["converted_referrals"]),
                "cascade_size": whole(ch["cascade_size"]),
                "depth": whole(ch["depth"]),
                "chain_value": ch["chain_value"].to_numpy(dtype=float, na_value=0.0),
            },
            columns=list(REFERRAL_VALUE_COLUMNS),
        )

    def super_users(
        self,
        *,
        min_referrals: int = 2,
        weights: dict[str, float] | None = None,
        social_weight: float = 0.5,
    ) -> pd.DataFrame:
        """:func:`famgraph.super_users`, with its inputs computed inside Neo4j.

        Parameters
        ----------
        min_referrals : int, default 2
            Converted referrals needed (with continuous buying) for ``super``.
        weights : dict, optional
            Score weights of R, F, M, C, I (as in :func:`famgraph.super_users`).
        social_weight : float, default 0.5
            Weight of a social tie in the influence graph.

        Returns
        -------
        pandas.DataFrame
            The same frame as ``fg.super_users(store.load(), ...)``.

        Notes
        -----
        Frequency, recency, monetary value and active quarters are computed in
        Neo4j (``analysis/value_metrics``; one pass over the holdings, amounts
        summed in saved order). The parts that iterate over the graph run here on
        the edges read back (``read/influence_edges``: the :REFERRED forest and the
        :KNOWS ties, in saved order), through an id-only ``CustomerGraph``:
        influence by :func:`famgraph.influence` (PageRank; plain Cypher cannot
        iterate and GDS is not assumed), converted referrals and chain value by
        :func:`famgraph.referral_value` with the monetary values from Neo4j. Every
        float is then bit-identical to the in-memory engine, so percentile ranks --
        and their ties -- match exactly. Tiers, scores and reasons follow
        :func:`famgraph.super_users`. Cost: one pass over holdings and edges in
        Neo4j, then O(V + E) per PageRank iteration here.
        """
        from famgraph.analysis.influence import influence
        from famgraph.analysis.referrals import referral_value
        from famgraph.analysis.superusers import assemble, check_super_user_params

        w = check_super_user_params(min_referrals, weights)
        at = self.as_of()
        with self._errors("computing super users"):
            m = _by_ord(self._read("analysis/value_metrics", {"as_of": at.to_pydatetime()}))
            edges = self._read("read/influence_edges")
        ids = m["person_id"].to_numpy(dtype=object)
        cust = m["is_customer"].to_numpy(dtype=bool)
        monetary = m["monetary"].to_numpy(dtype=float)
        # The graph part, on the edges read back in saved order (referrals, then social
        # relations): an id-only CustomerGraph that the in-memory engine walks exactly
        # as it walks the full book, so floats -- and percentile-rank ties -- match.
        is_ref = edges["referral"].to_numpy(dtype=bool)
        e = edges.iloc[np.lexsort((edges["ord"].to_numpy(dtype=np.int64), ~is_ref))]
        ref = e[e["referral"].to_numpy(dtype=bool)]
        soc = e[~e["referral"].to_numpy(dtype=bool)]
        view = CustomerGraph.from_tables(
            pd.DataFrame({"person_id": _str(m["person_id"]), "is_customer": cust}),
            pd.DataFrame(
                {
                    "person_id": _str(soc["src"]),
                    "relative_id": _str(soc["dst"]),
                    "relation": _str(soc["kind"]),
                }
            ),
            pd.DataFrame({"referrer_id": _str(ref["src"]), "referee_id": _str(ref["dst"])}),
            as_of=at,
        )
        infl = influence(view, social_weight=social_weight).to_numpy()
        rv = referral_value(view, value=pd.Series(monetary, index=pd.Index(ids, dtype="str")))
        converted = rv["converted_referrals"].to_numpy()
        chain = rv["chain_value"].to_numpy()

        return assemble(
            _str(m["person_id"]),
            cust,
            m,
            converted,
            chain,
            infl,
            min_referrals=min_referrals,
            weights=w,
        )


# ---------------------------------------------------------------------------------
# save plans: which statement, which batches, which lanes
# ---------------------------------------------------------------------------------
#: Column values for some table rows (positions), as a list the driver packs.
_Getter = Callable[[np.ndarray], list[Any]]


def _from_array(values: np.ndarray) -> _Getter:
    return lambda idx: values[idx].tolist()


def _from_series(s: pd.Series, table: str, column: str) -> _Getter:
    """Converts batch by batch (in the writer threads, while the server works)."""
    to_values(s.iloc[:0], table=table, column=column)  # unsupported dtype -> DataError now
    values = s.reset_index(drop=True)
    return lambda idx: to_values(
        values.iloc[idx], table=table, column=column, dates_as_text=True
    ).tolist()


class _Plan:
    """One load statement over some rows (``positions``) of a table.

    ``groups`` labels the rows that touch the same nodes; :meth:`lanes` splits the
    rows into lanes of whole groups that can be written in parallel. ``counted``
    says whether the rows are input rows (progress, rows/s) or derived ones
    (households and MEMBER_OF come from the people rows already counted).
    With ``owner``, the rows of one group are sent as one ``$owner`` entry with the
    ``[$first, $last)`` range of its rows in the batch.
    """

    def __init__(
        self,
        table: str,
        query: str,
        columns: dict[str, _Getter],
        extras: dict[str, _Getter],
        groups: np.ndarray,
        *,
        positions: np.ndarray | None = None,
        counted: bool = True,
        owner: str | None = None,
    ) -> None:
        self.table = table
        self.query = query
        self.columns = columns
        self.extras = extras
        self.groups = groups
        self.rows = len(groups)
        self.positions = np.arange(self.rows) if positions is None else positions
        self.counted = counted
        self.owner = owner

    def lanes(self, workers: int, batch_size: int) -> list[Iterator[tuple[dict[str, Any], int]]]:
        return [self._batches(sel, batch_size) for sel in split_lanes(self.groups, workers)]

    def _batches(self, sel: np.ndarray, batch_size: int) -> Iterator[tuple[dict[str, Any], int]]:
        keys = list(self.extras)
        for a in range(0, len(sel), batch_size):
            rows = sel[a : a + batch_size]
            idx = self.positions[rows]
            params: dict[str, Any] = {
                k: get(idx) for k, get in self.columns.items() if k != self.owner
            }
            if self.owner is not None:
                g = self.groups[rows]
                first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
                params["owner"] = self.columns[self.owner](idx[first])
                params["first"] = first.tolist()
                params["last"] = np.r_[first[1:], len(rows)].tolist()
            if keys:
                params["extra_keys"] = keys
                params["extra_values"] = [self.extras[k](idx) for k in keys]
            yield params, len(rows) if self.counted else 0


def _table_columns(df: pd.DataFrame, table: str) -> tuple[dict[str, _Getter], dict[str, _Getter]]:
    """Getters of a table: ``ord`` + canonical columns (dates as ISO text), and extras."""
    cols: dict[str, _Getter] = {"ord": lambda idx: idx.tolist()}
    for c in TABLES[table].names:
        cols[c] = _from_series(df[c], table, c)
    extras = {EXTRA_PREFIX + c: _extra(df[c], table, c) for c in extra_columns(df, table)}
    return cols, extras


def _extra(s: pd.Series, table: str, column: str) -> _Getter:
    """Extra columns keep driver-native values (dates as date objects)."""
    return _from_array(to_values(s, table=table, column=column))


def _save_plans(g: CustomerGraph) -> list[_Plan]:
    n = g.n_people
    plans: list[_Plan] = []
    cols, extras = _table_columns(g.people, "people")
    plans.append(_Plan("people", "load/people", cols, extras, np.arange(n)))
    hh = g.people["household_id"]
    given = np.flatnonzero(hh.notna().to_numpy())
    if len(given):
        codes, uniques = pd.factorize(hh.iloc[given])
        plans.append(
            _Plan(
                "people",
                "load/households",
                {"household_id": _from_array(np.asarray(uniques, dtype=object))},
                {},
                np.arange(len(uniques)),
                counted=False,
            )
        )
        member_cols = {k: cols[k] for k in ("person_id", "household_id")}
        plans.append(
            _Plan(
                "people",
                "load/member_of",
                member_cols,
                {},
                codes,
                positions=given,
                counted=False,
            )
        )

    cols, extras = _table_columns(g.relations, "relations")
    kind = g.relations["relation"].to_numpy(dtype=object)
    unknown = sorted({str(k) for k in pd.unique(kind[~np.isin(kind, list(REL_QUERY))])})
    if unknown:
        raise DataError(
            f"The relations table has kinds {unknown[:5]} outside the vocabulary; build the "
            "graph with famgraph.build, which normalises relation labels.",
            table="relations",
            column="relation",
        )
    for k in _REL_ORDER:
        social = k == "knows"
        sel = np.flatnonzero(np.isin(kind, list(SOCIAL_KINDS)) if social else kind == k)
        if len(sel) == 0:
            continue
        # For a family kind the relationship type says it; KNOWS keeps the kind.
        sub = cols if social else {c: f for c, f in cols.items() if c != "relation"}
        src = g.rel_src[sel]
        groups = components(n, src, g.rel_dst[sel])[src]  # the piece of each row
        query = REL_QUERY[k if not social else "friend"]
        plans.append(_Plan("relations", query, sub, extras, groups, positions=sel))

    cols, extras = _table_columns(g.referrals, "referrals")
    groups = components(n, g.ref_src, g.ref_dst)[g.ref_src]
    plans.append(_Plan("referrals", "load/referrals", cols, extras, groups))
    cols, extras = _table_columns(g.holdings, "holdings")
    plans.append(_Plan("holdings", "load/holdings", cols, extras, g.hold_person, owner="person_id"))
    return plans


def _is_count(x: object) -> bool:
    """A whole number >= 1 (not a bool)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and bool(x >= 1)


def _safe_uri(uri: str) -> str:
    """The URI without any ``user:password@`` part, for messages.

    Examples
    --------
    >>> _safe_uri("neo4j+s://me:secret@db.example.com:7687")
    'neo4j+s://db.example.com:7687'
    """
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri.rpartition("@")[2]
    return scheme + sep + rest.rpartition("@")[2]


def _str(s: pd.Series) -> pd.Series:
    """Text values read back (``None`` for missing) as a "str" Series with a RangeIndex."""
    return pd.Series(s.to_numpy(dtype=object), dtype="str")


def _by_ord(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in saved order (by the ``ord`` column)."""
    if df.empty:
        return df.reset_index(drop=True)
    order = np.argsort(df["ord"].to_numpy(dtype=float, na_value=np.inf), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def _book_props(g: CustomerGraph) -> dict[str, Any]:
    props: dict[str, Any] = {
        "as_of": pd.Timestamp(g.as_of).to_pydatetime(),
        "famgraph_version": __version__,
    }
    for t in TABLES:
        df: pd.DataFrame = getattr(g, t)
        extras = extra_columns(df, t)
        props[f"{t}_rows"] = len(df)
        props[f"{t}_extras"] = extras
        props[f"{t}_extra_dtypes"] = [str(df[c].dtype) for c in extras]
    return props


def _check_references(g: CustomerGraph) -> None:
    """Every relation / referral / holding must name a person of ``g.people``."""
    checks = (
        ("relations", "person_id", g.rel_src),
        ("relations", "relative_id", g.rel_dst),
        ("referrals", "referrer_id", g.ref_src),
        ("referrals", "referee_id", g.ref_dst),
        ("holdings", "person_id", g.hold_person),
    )
    for table, column, idx in checks:
        bad = np.flatnonzero(idx < 0)
        if len(bad):
            raise DataError(
                f"{len(bad)} {table} row(s) name a {column} that is not in people (first: row "
                f"{int(bad[0])}); Neo4j would drop them. Build the graph with famgraph.build, "
                "which rejects such rows.",
                table=table,
                column=column,
                row=int(bad[0]),
            )
    dup = g.people["person_id"].duplicated()
    if dup.any():
        raise DataError(
            f"{int(dup.sum())} people row(s) repeat a person_id (first: row "
            f"{int(np.flatnonzero(dup.to_numpy())[0])}); build the graph with famgraph.build.",
            table="people",
            column="person_id",
        )


@contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[int], None]]:
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
