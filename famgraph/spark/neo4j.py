"""Spark -> Neo4j: write a SparkGraph in the data model of :meth:`famgraph.Neo4jStore.save`.

The rows travel through the Neo4j Connector for Apache Spark (``query`` write mode:
every executor task sends its partition in batches of ``batch_size`` rows); each
statement is a named file under ``cypher/spark/`` and ``MERGE``\\ s on the
constrained keys, so writing the same book twice creates nothing the second time.
The constraints and the one ``:Book`` node go through the Python driver
(:class:`famgraph.Neo4jStore`), which also reads the book back (``load``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph._validation import Count, check
from famgraph._version import __version__
from famgraph.errors import StoreError
from famgraph.schema import FAMILY_KINDS, SOCIAL_KINDS, TABLES
from famgraph.spark._frames import c, number_rows, prefix
from famgraph.spark._ledger import ORD
from famgraph.spark.graph import SparkGraph

__all__ = ["SparkSaveReport", "save_neo4j"]

_FORMAT = "org.neo4j.spark.DataSource"
_EXTRA = "extra_"
_TEMPORAL = "temporal:"


@dataclass(frozen=True)
class SparkSaveReport:
    """What :func:`save_neo4j` wrote: rows sent per statement (MERGE makes re-sends no-ops)."""

    rows: dict[str, int]
    batch_size: int

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return f"famgraph.spark.save_neo4j: {parts} (batches of {self.batch_size:,})"


def _iso(col: Column) -> Column:
    """A timestamp as the ISO text the load statements read: the date alone at midnight."""
    midnight = F.date_trunc("day", col) == col
    return F.when(
        col.isNotNull(),
        F.when(midnight, F.date_format(col, "yyyy-MM-dd")).otherwise(
            F.date_format(col, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
        ),
    )


def _pandas_dtype(t: T.DataType) -> str:
    """The pandas dtype a column of this Spark type has in the in-memory engine."""
    if isinstance(t, T.StringType):
        return "str"
    if isinstance(t, (T.TimestampType, T.TimestampNTZType, T.DateType)):
        return "datetime64[us]"
    if isinstance(t, (T.DoubleType, T.FloatType, T.DecimalType)):
        return "float64"
    if isinstance(t, (T.LongType, T.IntegerType, T.ShortType, T.ByteType)):
        return "int64"
    if isinstance(t, T.BooleanType):
        return "bool"
    return "object"


def _rows(df: DataFrame, table: str) -> tuple[DataFrame, list[str], list[str]]:
    """The rows to send: ``ord``, canonical columns (dates as ISO text), extras.

    Returns the frame and the extra column names and pandas dtypes (for the Book node).
    """
    spec = TABLES[table]
    numbered = number_rows(df, prefix("ord"), order_by=ORD)
    cols: list[Column] = [F.col(prefix("ord")).alias("ord")]
    for col in spec.columns:
        v = c(col.name)
        cols.append((_iso(v) if col.kind == "date" else v).alias(col.name))
    extras = [n for n in df.columns if n != ORD and n not in spec.names]
    dtypes = []
    for name in extras:
        t = df.schema[name].dataType
        dtypes.append(_pandas_dtype(t))
        if isinstance(t, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            cols.append(_iso(c(name).cast("timestamp_ntz")).alias(_TEMPORAL + _EXTRA + name))
        else:
            cols.append(c(name).alias(_EXTRA + name))
    return numbered.select(*cols), extras, dtypes


def save_neo4j(
    sg: SparkGraph,
    uri: str,
    *,
    auth: tuple[str, str] | None = None,
    database: str = "neo4j",
    batch_size: int = 5_000,
    retries: int = 10,
) -> SparkSaveReport:
    """Write the book to Neo4j from Spark, in the data model of :meth:`famgraph.Neo4jStore.save`.

    Parameters
    ----------
    sg : SparkGraph
    uri : str
        Bolt or neo4j URI of the server, e.g. ``bolt://host:7687``.
    auth : tuple of (str, str), optional
        ``(user, password)``.
    database : str, default "neo4j"
    batch_size : int, default 5_000
        Rows per write transaction (the connector's ``batch.size``).
    retries : int, default 10
        Retries of a failed batch (the connector's ``transaction.retries``): parallel
        tasks that ``MERGE`` relationships on shared persons can deadlock, and Neo4j
        then asks to retry.

    Returns
    -------
    SparkSaveReport
        Rows sent per statement.

    Raises
    ------
    StoreError
        Unreachable server, wrong credentials, schema conflict (through
        :class:`famgraph.Neo4jStore`), or a write the connector gave up on; the
        message never contains the password.

    Notes
    -----
    The session must have the connector on its classpath
    (:data:`famgraph.spark.NEO4J_CONNECTOR`; ``local_session(neo4j=True)`` or
    ``spark-submit --packages``). Order: the uniqueness constraints, then :Person,
    :Household and MEMBER_OF, the five family relationship types and KNOWS,
    REFERRED, :Holding with HOLDS, and the :Book node last -- the same labels,
    types and properties as :meth:`famgraph.Neo4jStore.save`, ``ord`` included
    (each table's 0-based row number), so :meth:`famgraph.Neo4jStore.load` reads it
    back. Every statement ``MERGE``\\ s on the constrained keys: idempotent.
    Relationship rows are partitioned by their first person and holdings by their
    owner, so one task writes all relationships of a person. Cost: one Spark job per
    statement (plus a numbering job per table); the database does the rest.

    Examples
    --------
    Needs a server and the connector::

        spark = fgs.local_session(neo4j=True)
        report = fgs.save_neo4j(sg, "bolt://127.0.0.1:7687", auth=("neo4j", password))
        g = fg.Neo4jStore("bolt://127.0.0.1:7687", auth=("neo4j", password)).load()
    """
    from famgraph.store import Neo4jStore
    from famgraph.store.catalogue import Catalogue
    from famgraph.store.store import BOOK_KEY

    check("save_neo4j", "batch_size", batch_size, Count)
    check("save_neo4j", "retries", retries, Count)
    catalogue = Catalogue.default()
    options = {
        "url": uri,
        "database": database,
        "batch.size": str(int(batch_size)),
        "transaction.retries": str(int(retries)),
        "transaction.retry.timeout": "200",
    }
    if auth is not None:
        options["authentication.type"] = "basic"
        options["authentication.basic.username"] = auth[0]
        options["authentication.basic.password"] = auth[1]
    rows: dict[str, int] = {}

    def write(name: str, df: DataFrame, *, extras: bool) -> None:
        q = catalogue[f"spark/{name}"]
        if not extras:
            q = q.without_extras()
        df = df.cache()
        try:
            rows[name] = df.count()
            if rows[name]:
                (
                    df.write.format(_FORMAT)
                    .mode("Append")
                    .options(**options)
                    .option("query", q.text)
                    .save()
                )
        except Exception as exc:
            text = str(exc)
            for secret in (auth[1] if auth else None,):
                if secret:
                    text = text.replace(secret, "***")
            first = next((ln for ln in text.splitlines() if ln.strip()), "")[:300]
            raise StoreError(
                f"The Neo4j Connector for Apache Spark failed writing {name} to {uri} "
                f"(database {database!r}): {type(exc).__name__}: {first}. Check that the "
                "server is running and the credentials are right, and that the session "
                "has the connector (famgraph.spark.NEO4J_CONNECTOR in spark.jars.packages). "
                "Writing again completes a "
                "partial write: every statement MERGEs."
            ) from None
        finally:
            df.unpersist()

    book: dict[str, Any] = {
        "as_of": sg.as_of.to_pydatetime(),
        "famgraph_version": __version__,
    }
    with Neo4jStore(uri, auth=auth, database=database) as store:
        store.ensure_schema()
        people, p_extras, p_dtypes = _rows(sg.tables["people"], "people")
        write("people", people, extras=bool(p_extras))
        given = sg.tables["people"].filter(F.col("household_id").isNotNull())
        write("households", given.select("household_id").distinct(), extras=False)
        write("member_of", given.select("person_id", "household_id"), extras=False)
        rel, r_extras, r_dtypes = _rows(sg.tables["relations"], "relations")
        for kind in (*FAMILY_KINDS, "knows"):
            which = (
                F.col("relation").isin(*SOCIAL_KINDS)
                if kind == "knows"
                else (F.col("relation") == kind)
            )
            part = rel.filter(which)
            write(f"rel_{kind}", part.repartition("person_id"), extras=bool(r_extras))
        ref, f_extras, f_dtypes = _rows(sg.tables["referrals"], "referrals")
        write("referrals", ref.repartition("referrer_id"), extras=bool(f_extras))
        hold, h_extras, h_dtypes = _rows(sg.tables["holdings"], "holdings")
        write("holdings", hold.repartition("person_id"), extras=bool(h_extras))
        counts = {
            "people": rows["people"],
            "relations": sum(rows[f"rel_{k}"] for k in (*FAMILY_KINDS, "knows")),
            "referrals": rows["referrals"],
            "holdings": rows["holdings"],
        }
        for t, extras, dtypes in (
            ("people", p_extras, p_dtypes),
            ("relations", r_extras, r_dtypes),
            ("referrals", f_extras, f_dtypes),
            ("holdings", h_extras, h_dtypes),
        ):
            book[f"{t}_rows"] = counts[t]
            book[f"{t}_extras"] = extras
            book[f"{t}_extra_dtypes"] = dtypes
        q = catalogue["load/book"]
        with store.errors("saving the book metadata"):
            store.driver.execute_query(
                q.text, q.bind({"key": BOOK_KEY, "props": book}), database_=database
            )
    return SparkSaveReport(rows=rows, batch_size=int(batch_size))
