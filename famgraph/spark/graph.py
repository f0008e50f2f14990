"""SparkGraph: one validated customer book as Spark DataFrames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from famgraph.schema import ACCOUNTED_TABLES, SOURCE_POLICY, TABLES
from famgraph.spark._frames import c, prefix
from famgraph.spark._ledger import ORD, issues_of, quality_of, rejects_of

if TYPE_CHECKING:
    from famgraph.graph import CustomerGraph

__all__ = ["SparkGraph"]

_PANDAS = {"str": "str", "date": "datetime64[us]", "float": "float64", "int": "Int64"}


class SparkGraph:
    """One validated customer book on Spark: the normalised tables and the accounting.

    Made by :func:`famgraph.spark.build` or :func:`famgraph.spark.read_dir`; the
    analyses of :mod:`famgraph.spark` take it first, as the in-memory analyses take a
    :class:`~famgraph.CustomerGraph`.

    Attributes
    ----------
    spark : SparkSession
    as_of : pandas.Timestamp
        The analysis date (given, or the latest purchase / referral / join date).

    Examples
    --------
    >>> import famgraph as fg, famgraph.spark as fgs
    >>> sg = fgs.sample(fgs.local_session())
    >>> sg.people.count() == fg.datasets.sample().n_people
    True
    >>> sg.as_of == fg.datasets.sample().as_of
    True
    """

    def __init__(
        self,
        spark: SparkSession,
        people: DataFrame,
        relations: DataFrame,
        referrals: DataFrame,
        holdings: DataFrame,
        *,
        as_of: pd.Timestamp,
        ledgers: dict[str, DataFrame] | None = None,
    ) -> None:
        self.spark = spark
        #: the kept tables with their 0-based row number ``ORD`` (people order etc.)
        self.tables: dict[str, DataFrame] = {
            "people": people,
            "relations": relations,
            "referrals": referrals,
            "holdings": holdings,
        }
        self.as_of = pd.Timestamp(as_of)
        self._ledgers = ledgers
        #: results of pure functions of this book (households, influence, ...), so
        #: analyses that share a step compute it once
        self._memo: dict[tuple[object, ...], Any] = {}

    # -- the normalised tables --------------------------------------------------------
    def _public(self, name: str) -> DataFrame:
        df = self.tables[name]
        return df.orderBy(ORD).select(*[c(n) for n in df.columns if n != ORD])

    @property
    def people(self) -> DataFrame:
        """The kept people rows, in input order: canonical columns, then extra ones."""
        return self._public("people")

    @property
    def relations(self) -> DataFrame:
        """The kept relation facts, oriented (parent -> child; undirected from the smaller id)."""
        return self._public("relations")

    @property
    def referrals(self) -> DataFrame:
        """The kept referrals: a forest, every person has at most one referrer."""
        return self._public("referrals")

    @property
    def holdings(self) -> DataFrame:
        """The kept holdings; ``holding_id`` derived where the input had none."""
        return self._public("holdings")

    def active_relations(self) -> DataFrame:
        """The relations active at ``as_of`` (``since`` <= as_of < ``until``; empty = open).

        Only these form household, family and social edges (docs/metrics.md section 9).
        """
        at = F.lit(self.as_of.to_pydatetime()).cast("timestamp_ntz")
        rel = self.tables["relations"]
        started = F.col("since").isNull() | (F.col("since") <= at)
        ongoing = F.col("until").isNull() | (F.col("until") > at)
        return rel.filter(started & ongoing)

    # -- accounting ---------------------------------------------------------------------
    @property
    def rejects(self) -> DataFrame:
        """One row per rejected input row: ``table, row, reason, column, detail``.

        Sorted by table (people, relations, referrals, holdings) then row.
        """
        if self._ledgers is None:
            schema = "table string, row long, reason string, column string, detail string"
            return self.spark.createDataFrame([], schema)
        return rejects_of(self._ledgers)

    @property
    def issues(self) -> DataFrame:
        """One row per optional descriptive cell emptied instead of rejecting its row.

        Columns ``table, row, column, reason, detail``, by table then row.
        """
        if self._ledgers is None:
            schema = "table string, row long, column string, reason string, detail string"
            return self.spark.createDataFrame([], schema)
        return issues_of(self._ledgers)

    def quality_report(self) -> DataFrame:
        """Per table: ``rows_in = kept + merged + rejected``, and the cells emptied.

        One row per accounted table: people, relations, referrals, holdings and
        policy_relations (the relation facts holdings state through payer_relation).

        Examples
        --------
        >>> import famgraph.spark as fgs
        >>> q = fgs.sample(fgs.local_session()).quality_report()
        >>> q.filter("rows_in != kept + merged + rejected").count()
        0
        """
        if self._ledgers is None:
            policy = F.col("source") == F.lit(SOURCE_POLICY)
            frames = {
                **self.tables,
                "relations": self.tables["relations"].filter(~policy),
                "policy_relations": self.tables["relations"].filter(policy),
            }
            parts = [
                frames[t].agg(
                    F.lit(t).alias("table"),
                    F.count(F.lit(1)).alias("rows_in"),
                    F.count(F.lit(1)).alias("kept"),
                    F.lit(0).cast("long").alias("merged"),
                    F.lit(0).cast("long").alias("rejected"),
                    F.lit(0).cast("long").alias("cells_blanked"),
                )
                for t in ACCOUNTED_TABLES
            ]
            out = parts[0]
            for p in parts[1:]:
                out = out.unionByName(p)
            return out.coalesce(1)
        return quality_of(self._ledgers)

    # -- small books: back to pandas -----------------------------------------------------
    def to_pandas(self) -> CustomerGraph:
        """The same book as an in-memory :class:`~famgraph.CustomerGraph` (collects it).

        Only for books that fit in the driver's memory: every table, the rejects and
        the quality report travel to the driver (as Arrow). The tables get the
        in-memory dtypes.
        """
        from famgraph.graph import CustomerGraph

        tables = {t: _to_pandas(self._public(t), t) for t in TABLES}
        rejects = _frame(self.rejects)
        rejects["row"] = rejects["row"].astype("int64")
        quality = _frame(self.quality_report())
        issues = _frame(self.issues)
        issues["row"] = issues["row"].astype("int64")
        return CustomerGraph(
            tables["people"],
            tables["relations"],
            tables["referrals"],
            tables["holdings"],
            as_of=self.as_of,
            rejects=rejects,
            issues=issues,
            quality=quality,
        )

    def __repr__(self) -> str:
        return f"SparkGraph(as_of={self.as_of.date()})"


def _frame(df: DataFrame) -> pd.DataFrame:
    """A (small) Spark DataFrame as pandas via Arrow; text columns as "str"."""
    table = df.toArrow()
    out = table.to_pandas()
    for name in out.columns:
        if out[name].dtype == object and table.schema.field(name).type in (
            _arrow_string(),
            _arrow_large_string(),
        ):
            out[name] = out[name].astype("str")
    return out


def _arrow_string() -> Any:
    import pyarrow as pa

    return pa.string()


def _arrow_large_string() -> Any:
    import pyarrow as pa

    return pa.large_string()


def _to_pandas(df: DataFrame, table: str) -> pd.DataFrame:
    out = _frame(df)
    spec = TABLES[table]
    for col in spec.columns:
        if col.kind == "bool":
            out[col.name] = out[col.name].astype(bool)
        elif col.kind == "date":
            out[col.name] = pd.Series(out[col.name]).astype("datetime64[us]")
        else:
            out[col.name] = out[col.name].astype(_PANDAS[col.kind])  # type: ignore[call-overload]
    return out.reset_index(drop=True)


def internal(name: str) -> str:
    """An internal column name (re-exported for the analyses)."""
    return prefix(name)
