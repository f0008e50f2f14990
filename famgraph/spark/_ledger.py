"""The ledger of a Spark build: one reason cell per input row, and the tables read from it.

Each table's rows carry ``WHY``, the ``(rank, seq, column, detail)`` of the reason that
currently wins (null while the row is not rejected), ``MERGED`` and ``ISS``, the cells
emptied on the row; :class:`Ledger` makes the candidates of a check, and
:func:`rejects_of`, :func:`issues_of` and :func:`quality_of` read the accounting back
(docs/metrics.md section 2). ``ORD`` numbers the kept rows of a normalised table.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph.schema import REASONS
from famgraph.spark._frames import prefix

ROW = prefix("row")  # 0-based input row number
WHY = prefix("why")  # the winning reason so far: struct(rank, column, detail) or null
MERGED = prefix("merged")
ORD = prefix("ord")  # 0-based row number in the kept (normalised) table
ISS = prefix("iss")  # the row's emptied cells: array of struct(column, reason, detail)
ISS_TYPE = T.ArrayType(
    T.StructType(
        [
            T.StructField("column", T.StringType()),
            T.StructField("reason", T.StringType()),
            T.StructField("detail", T.StringType()),
        ]
    )
)
RANK = {r: i for i, r in enumerate(REASONS)}
WHY_TYPE = T.StructType(
    [
        T.StructField("rank", T.IntegerType()),
        T.StructField("seq", T.IntegerType()),
        T.StructField("column", T.StringType()),
        T.StructField("detail", T.StringType()),
    ]
)


class Ledger:
    """Reason candidates of one table, in the order the checks run.

    A candidate is ``struct(rank, seq, column, detail)`` where the check applies,
    else null; the row's reason is the smallest candidate: the highest precedence,
    then the first check that found it -- the in-memory ledger's rule ("a reason
    replaces the current one only if it ranks strictly higher"). Keeping candidates
    side by side (``array_min``) instead of nesting conditions keeps Spark's
    expression trees linear in the number of checks.
    """

    def __init__(self) -> None:
        self.seq = 0

    def cand(self, reason: str, cond: Column, column: str | None, detail: Column | str) -> Column:
        self.seq += 1
        d = detail if isinstance(detail, Column) else F.lit(detail)
        return F.when(
            cond,
            F.struct(
                F.lit(RANK[reason]).alias("rank"),
                F.lit(self.seq).alias("seq"),
                F.lit(column).cast("string").alias("column"),
                d.cast("string").alias("detail"),
            ),
        )

    @staticmethod
    def update(df: DataFrame, *cands: Column) -> DataFrame:
        """``WHY`` after the checks ``cands``."""
        return df.withColumn(WHY, F.array_min(F.array(F.col(WHY), *cands)))


def quoted(prefix_text: str, value: Column, suffix: str) -> Column:
    """``prefix 'value[:40]' suffix`` (the in-memory engine's detail texts)."""
    shown = F.coalesce(F.substring(value.cast("string"), 1, 40), F.lit(""))
    return F.concat(F.lit(prefix_text + "'"), shown, F.lit("'" + suffix))


def is_open() -> Column:
    """Rows neither rejected nor merged (so far)."""
    return F.col(WHY).isNull() & ~F.col(MERGED)


def issue(cond: Column, column: str, reason: str, detail: Column | str) -> Column:
    """An emptied-cell entry where ``cond`` holds, else null (for :func:`add_issues`)."""
    d = detail if isinstance(detail, Column) else F.lit(detail)
    return F.when(
        F.coalesce(cond, F.lit(False)),
        F.struct(F.lit(column).alias("column"), F.lit(reason).alias("reason"), d.alias("detail")),
    )


def entries_of(*entries: Column) -> Column:
    """The non-null entries, in order (the in-memory engine lists a row's in check order)."""
    if not entries:
        return F.array().cast(ISS_TYPE)
    return F.filter(F.array(*entries), lambda x: x.isNotNull()).cast(ISS_TYPE)


def add_issues(df: DataFrame, *entries: Column) -> DataFrame:
    return df.withColumn(ISS, F.concat(F.col(ISS), entries_of(*entries)))


# ---------------------------------------------------------------------------------
# per-table preparation: rename, required columns, parse
# ---------------------------------------------------------------------------------


def issues_of(ledgers: Mapping[str, DataFrame]) -> DataFrame:
    """``table, row, column, reason, detail`` of every emptied cell of a row not rejected.

    By table, then row, then the order of the checks.
    """
    parts = []
    for i, (name, led) in enumerate(ledgers.items()):
        rows = led.filter(F.col(WHY).isNull() & (F.size(ISS) > 0))
        parts.append(
            rows.select(
                F.lit(i).alias(prefix("t")),
                F.lit(name).alias("table"),
                F.col(ROW).alias("row"),
                F.posexplode(ISS).alias(prefix("pos"), prefix("x")),
            ).select(
                prefix("t"),
                "table",
                "row",
                prefix("pos"),
                F.col(prefix("x")).getField("column").alias("column"),
                F.col(prefix("x")).getField("reason").alias("reason"),
                F.col(prefix("x")).getField("detail").alias("detail"),
            )
        )
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out.orderBy(prefix("t"), "row", prefix("pos")).drop(prefix("t"), prefix("pos"))


def rejects_of(ledgers: Mapping[str, DataFrame]) -> DataFrame:
    """``table, row, reason, column, detail`` of every rejected row, by table then row."""
    reasons = F.array(*[F.lit(r) for r in REASONS])
    parts = []
    for i, (name, led) in enumerate(ledgers.items()):
        parts.append(
            led.filter(F.col(WHY).isNotNull()).select(
                F.lit(i).alias(prefix("t")),
                F.lit(name).alias("table"),
                F.col(ROW).alias("row"),
                reasons[F.col(WHY).getField("rank")].alias("reason"),
                F.col(WHY).getField("column").alias("column"),
                F.col(WHY).getField("detail").alias("detail"),
            )
        )
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out.orderBy(prefix("t"), "row").drop(prefix("t"))


def quality_of(ledgers: Mapping[str, DataFrame]) -> DataFrame:
    """``table, rows_in, kept, merged, rejected, cells_blanked`` per accounted table."""
    parts = []
    for i, (name, led) in enumerate(ledgers.items()):
        rejected = F.col(WHY).isNotNull()
        parts.append(
            led.agg(
                F.lit(i).alias(prefix("t")),
                F.lit(name).alias("table"),
                F.count(F.lit(1)).cast("long").alias("rows_in"),
                F.coalesce(F.sum((~rejected & ~F.col(MERGED)).cast("long")), F.lit(0)).alias(
                    "kept"
                ),
                F.coalesce(F.sum((~rejected & F.col(MERGED)).cast("long")), F.lit(0)).alias(
                    "merged"
                ),
                F.coalesce(F.sum(rejected.cast("long")), F.lit(0)).alias("rejected"),
                F.coalesce(
                    F.sum(F.when(~rejected, F.size(ISS)).otherwise(0).cast("long")), F.lit(0)
                ).alias("cells_blanked"),
            )
        )
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out.orderBy(prefix("t")).drop(prefix("t"))
