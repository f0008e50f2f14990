"""Spark building blocks: row numbers, checkpoints, percentile ranks, column names.

Everything here stays distributed: a "small thing" that reaches the driver is at
most one number per partition (row numbering, prefix sums) or one aggregate row.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "INTERNAL",
    "arrow_udfs",
    "c",
    "materialize",
    "number_rows",
    "pct_rank",
    "prefix",
    "release",
    "value_ranks",
]

#: Prefix of every column famgraph adds for its own bookkeeping.
INTERNAL = "__fg_"
_LOW_BITS = (1 << 33) - 1
V, N, LESS = "__fg_v", "__fg_count", "__fg_less"


def c(name: str) -> Column:
    """A column by its exact name (dots, spaces and backticks are allowed in names)."""
    return F.col("`" + name.replace("`", "``") + "`")


@contextmanager
def arrow_udfs() -> Iterator[None]:
    """Silence PySpark's "pandas >= 3 not fully supported" warning around ``mapInArrow``.

    famgraph's Python UDFs exchange Arrow record batches and build their pandas
    objects themselves, so PySpark's pandas conversion (which the warning is about)
    is never used.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        yield


def prefix(name: str) -> str:
    """An internal column name."""
    return INTERNAL + name


def materialize(df: DataFrame) -> DataFrame:
    """Compute ``df`` now and cut its lineage.

    A reliable checkpoint when the session has a checkpoint directory
    (``spark.sparkContext.setCheckpointDir``), else a local checkpoint (kept by the
    executors; fast, but lost with an executor -- set a checkpoint directory on a
    cluster where executors come and go).
    """
    sc = df.sparkSession.sparkContext
    if sc.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def release(df: DataFrame) -> None:
    """Free the blocks of a frame made by :func:`materialize` that is no longer needed.

    Iterations checkpoint one frame per step; without this, the executors keep every
    step's blocks until the JVM's garbage collector lets Spark's cleaner drop them, and
    a long iteration runs out of memory. Best effort: only a local checkpoint of a
    classic session is freed (a reliable checkpoint lives in the checkpoint directory).
    """
    jdf = getattr(df, "_jdf", None)
    if jdf is None or df.sparkSession.sparkContext.getCheckpointDir():
        return
    plan = jdf.queryExecution().logical()
    if plan.getClass().getSimpleName() == "LogicalRDD":
        plan.rdd().unpersist(False)


def _offsets(df: DataFrame, mid: str) -> Column:
    """Per partition (``mid >> 33``), the number of rows in the partitions before it.

    ``monotonically_increasing_id`` puts the partition index in the upper bits and
    the position within the partition in the lower 33: one count per partition
    reaches the driver, nothing else.
    """
    counts = (
        df.select(F.shiftright(c(mid), 33).alias("p")).groupBy("p").count().orderBy("p").collect()
    )
    pairs: list[Column] = []
    total = 0
    for row in counts:
        pairs += [F.lit(int(row["p"])), F.lit(total)]
        total += int(row["count"])
    if not pairs:
        return F.lit(0).cast("long")
    return F.create_map(*pairs)[F.shiftright(c(mid), 33)]


def number_rows(df: DataFrame, name: str, *, order_by: str | None = None) -> DataFrame:
    """Add ``name``: 0-based consecutive row numbers, in the frame's order or by ``order_by``.

    Without ``order_by`` the rows are numbered in the order the source yields them
    (the order of a file's lines). With it, the frame is sorted first (a range
    partitioned sort, no single partition). One small job counts the rows per
    partition; the result is materialised so the numbers never change.
    """
    if order_by is not None:
        df = df.orderBy(c(order_by))
    mid = prefix("mid")
    df = df.withColumn(mid, F.monotonically_increasing_id())
    df = materialize(df)
    # one partition (a small file): no offsets to count
    parts = df._jdf.rdd().getNumPartitions()
    offset = F.lit(0).cast("long") if parts <= 1 else _offsets(df, mid)
    return df.withColumn(
        name, (offset + F.col(mid).bitwiseAND(F.lit(_LOW_BITS))).cast("long")
    ).drop(mid)


def _less(rows: DataFrame, value: str) -> tuple[DataFrame, int]:
    """Distinct non-null values ``v`` of ``rows`` with ``count`` and ``less`` (rows below), and N.

    The distinct values are sorted (range partitioned) and numbered; each partition's
    total reaches the driver (one number per partition), giving every partition its
    offset; a window within each partition adds the counts before each value.
    """
    counts = (
        rows.filter(c(value).isNotNull()).groupBy(c(value).alias(V)).agg(F.count(F.lit(1)).alias(N))
    )
    mid = prefix("mid")
    counts = materialize(counts.orderBy(V).withColumn(mid, F.monotonically_increasing_id()))
    part = F.shiftright(c(mid), 33)
    sums = counts.groupBy(part.alias("p")).agg(F.sum(N).alias("n")).orderBy("p").collect()
    pairs: list[Column] = []
    total = 0
    for row in sums:
        pairs += [F.lit(int(row["p"])), F.lit(total)]
        total += int(row["n"])
    if total == 0:
        return counts.select(V, N, F.lit(0).cast("long").alias(LESS)), 0
    before = F.create_map(*pairs)[part]
    w = Window.partitionBy(part).orderBy(V).rowsBetween(Window.unboundedPreceding, -1)
    less = before + F.coalesce(F.sum(N).over(w), F.lit(0))
    return counts.select(V, N, less.cast("long").alias(LESS)), total


def pct_rank(df: DataFrame, value: str, out: str, *, where: Column | None = None) -> DataFrame:
    """Add ``out``: ``pandas.Series.rank(method="average", pct=True)`` of ``value``.

    Ranked among the rows where ``where`` holds (all rows when ``None``); other rows
    get ``0.0``, as do rows whose value is null. Ties share the average rank:
    ``(less + (ties + 1) / 2) / N``, the same float as pandas computes.

    Notes
    -----
    Works on the distinct values: one aggregation over the rows, a sort of the
    distinct values, a prefix sum per partition (one number per partition reaches
    the driver), a join back on the value.
    """
    rows = df if where is None else df.filter(where)
    ranks, total = _less(rows, value)
    if total == 0:
        return df.withColumn(out, F.lit(0.0))
    pct = ((F.col(LESS) + (F.col(N) + 1) / 2.0) / float(total)).alias(out)
    joined = df.join(ranks.select(V, pct), on=c(value) == F.col(V), how="left").drop(V)
    cond = F.col(out).isNotNull() if where is None else (where & F.col(out).isNotNull())
    return joined.withColumn(out, F.when(cond, F.col(out)).otherwise(F.lit(0.0)))


def value_ranks(df: DataFrame, value: str, out: str) -> DataFrame:
    """Add ``out``: how many rows have a ``value`` at least as large (pandas rank "max",
    descending); null where the value is null."""
    ranks, total = _less(df, value)
    at_least = (F.lit(total) - F.col(LESS)).alias(out)
    return df.join(ranks.select(V, at_least), on=c(value) == F.col(V), how="left").drop(V)


def session_of(df: DataFrame) -> SparkSession:
    """The session a frame belongs to."""
    return df.sparkSession
