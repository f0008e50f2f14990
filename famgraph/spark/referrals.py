"""Value, repurchase and referral-chain value on Spark (docs/metrics.md sections 5-6)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph._validation import Interval, Whole, check, check_param
from famgraph.rules import ACTIVE_WINDOW_DAYS, CONTINUOUS_QUARTERS, DECAY
from famgraph.schema import REFERRAL_VALUE_COLUMNS
from famgraph.spark._frames import materialize
from famgraph.spark._graphs import ancestors
from famgraph.spark._ledger import ORD
from famgraph.spark.graph import SparkGraph

__all__ = ["closure", "person_value", "referral_value", "value_metrics"]

_DAY_US = 86_400 * 1_000_000


def _bought(sg: SparkGraph) -> DataFrame:
    """Holdings bought on or before ``as_of``."""
    at = F.lit(sg.as_of.to_pydatetime()).cast("timestamp_ntz")
    return sg.tables["holdings"].filter(F.col("purchased_at") <= at)


def value_metrics(sg: SparkGraph) -> DataFrame:
    """``person_id, frequency, recency_days, monetary, active_quarters, continuous`` plus ``ORD``.

    docs/metrics.md section 5, as :func:`famgraph.analysis.value.value_metrics`. One
    aggregation of the holdings by person, joined to the people.
    """
    key = ("value_metrics",)
    if key in sg._memo:
        return sg._memo[key]
    at = F.lit(sg.as_of.to_pydatetime()).cast("timestamp_ntz")
    h = _bought(sg)
    window_start = at - F.expr(f"INTERVAL {ACTIVE_WINDOW_DAYS} DAYS")
    quarter = F.when(
        F.col("purchased_at") > window_start,
        F.year("purchased_at") * 4 + F.floor((F.month("purchased_at") - 1) / 3),
    )
    # buyer-side figures count a holding for its payer, else the insured person
    buyer = F.coalesce(F.col("payer_id"), F.col("person_id")).alias("person_id")
    per = h.groupBy(buyer).agg(
        F.count(F.lit(1)).alias("frequency"),
        F.max("purchased_at").alias("last"),
        F.sum("amount").alias("monetary"),
        F.count_distinct(quarter).alias("active_quarters"),
    )
    micros = F.timestamp_diff("MICROSECOND", F.col("last"), at)
    people = sg.tables["people"].select(F.col(ORD), "person_id", "is_customer")
    out = people.join(per, "person_id", "left").select(
        F.col(ORD),
        "person_id",
        "is_customer",
        F.coalesce(F.col("frequency"), F.lit(0)).cast("long").alias("frequency"),
        F.floor(micros / F.lit(float(_DAY_US))).cast("long").alias("recency_days"),
        F.coalesce(F.col("monetary"), F.lit(0.0)).alias("monetary"),
        F.coalesce(F.col("active_quarters"), F.lit(0)).cast("long").alias("active_quarters"),
    )
    out = out.withColumn("continuous", F.col("active_quarters") >= CONTINUOUS_QUARTERS)
    out = materialize(out)
    sg._memo[key] = out
    return out


def person_value(sg: SparkGraph, value: Any = None, *, func: str = "person_value") -> DataFrame:
    """``person_id, v``: the value of every person (section 5), or the override ``value``.

    ``value`` is a Spark DataFrame with columns ``person_id`` and ``value`` or a
    pandas Series indexed by person_id: each id at most once and a kept person,
    each value a finite number; persons not listed get 0 (as in the in-memory
    engine). Checking it takes a few small aggregations.
    """
    people = sg.tables["people"].select("person_id")
    if value is None:
        m = value_metrics(sg)
        return m.select("person_id", F.col("monetary").alias("v"))
    what = "a Spark DataFrame (person_id, value) or a pandas Series indexed by person_id"
    if isinstance(value, pd.Series):
        check_param(
            func,
            "value",
            str(value.dtype),
            pd.api.types.is_numeric_dtype(value.dtype)
            and not pd.api.types.is_bool_dtype(value.dtype),
            "a pandas Series of numbers indexed by person_id",
        )
        import pyarrow as pa

        arrow = pa.table(
            {
                "person_id": pa.array(pd.Index(value.index).astype(str).tolist(), pa.string()),
                "value": pa.array(value.to_numpy(dtype=float, na_value=float("nan"))),
            }
        )
        value = sg.spark.createDataFrame(arrow)
    check_param(
        func,
        "value",
        type(value).__name__,
        isinstance(value, DataFrame) and {"person_id", "value"} <= set(value.columns),
        what,
    )
    assert isinstance(value, DataFrame)
    v = value.select(F.col("person_id").cast("string").alias("person_id"), F.col("value"))
    check_param(
        func,
        "value",
        str(v.schema["value"].dataType),
        isinstance(v.schema["value"].dataType, T.NumericType),
        "a DataFrame whose value column holds numbers",
    )
    v = v.select("person_id", F.col("value").cast("double").alias("v"))
    known = v.join(people.select("person_id", F.lit(True).alias("known")), "person_id", "left")
    stats = known.agg(
        F.sum(
            (F.col("v").isNull() | F.isnan("v") | (F.abs("v") == float("inf"))).cast("long")
        ).alias("bad"),
        F.sum(F.col("known").isNull().cast("long")).alias("unknown"),
        F.count(F.lit(1)).alias("n"),
        F.count_distinct("person_id").alias("ids"),
    ).collect()[0]
    bad, unknown = int(stats["bad"] or 0), int(stats["unknown"] or 0)
    check_param(
        func, "value", f"{bad} missing or infinite value(s)", bad == 0, "a Series of finite numbers"
    )
    repeated = int(stats["n"]) - int(stats["ids"])
    check_param(
        func,
        "value",
        f"{repeated} repeated person_id(s)",
        repeated == 0,
        "indexed by unique person ids",
    )
    check_param(
        func,
        "value",
        f"{unknown} unknown person_id(s)",
        unknown == 0,
        "indexed by person ids of g.people",
    )
    return people.join(v, "person_id", "left").select(
        "person_id", F.coalesce(F.col("v"), F.lit(0.0)).alias("v")
    )


def closure(sg: SparkGraph) -> DataFrame:
    """``d, a, dist``: every ancestor of every person in the kept referral forest (memoised)."""
    key = ("closure",)
    if key not in sg._memo:
        parent = sg.tables["referrals"].select(
            F.col("referee_id").alias("node"), F.col("referrer_id").alias("parent")
        )
        sg._memo[key] = materialize(ancestors(parent))
    return sg._memo[key]


def chain_table(sg: SparkGraph, v: DataFrame, *, decay: float, max_depth: int | None) -> DataFrame:
    """Per ancestor ``a``: direct and converted referrals, cascade size, depth, chain value."""
    cl = closure(sg)
    cust = sg.tables["people"].select(F.col("person_id").alias("d"), "is_customer")
    vv = v.select(F.col("person_id").alias("d"), F.col("v"))
    rows = cl.join(vv, "d", "left").join(cust, "d", "left")
    weight = F.pow(F.lit(float(decay)), F.col("dist") - 1) * F.coalesce(F.col("v"), F.lit(0.0))
    if max_depth is not None:
        weight = F.when(F.col("dist") <= int(max_depth), weight).otherwise(F.lit(0.0))
    return rows.groupBy("a").agg(
        F.sum((F.col("dist") == 1).cast("long")).alias("direct_referrals"),
        F.sum(((F.col("dist") == 1) & F.col("is_customer")).cast("long")).alias(
            "converted_referrals"
        ),
        F.count(F.lit(1)).alias("cascade_size"),
        F.max("dist").cast("long").alias("depth"),
        F.sum(weight).alias("chain_value"),
    )


def referral_value(
    sg: SparkGraph,
    *,
    decay: float = DECAY,
    max_depth: int | None = None,
    value: Any = None,
) -> DataFrame:
    """What each person's referral chain is worth, down every generation, on Spark.

    Parameters
    ----------
    sg : SparkGraph
    decay : float, default 0.5
        Weight per generation, in (0, 1].
    max_depth : int, optional
        Count only descendants at most this many generations down (>= 1).
    value : Spark DataFrame or pandas Series, optional
        Value by person_id replacing the holdings value: a DataFrame with columns
        ``person_id, value``, or a Series indexed by person_id.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per person, in people order: ``person_id, referred_by, root_id,
        generation, direct_referrals, converted_referrals, cascade_size, depth,
        chain_value`` -- the columns and values of :func:`famgraph.referral_value`.

    Notes
    -----
    docs/metrics.md section 6. The kept referral forest's ancestor pairs (one join per
    generation, as many rows as the sum of all generations, kept with the graph)
    give every column by one aggregation per ancestor and one per descendant.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> r = fgs.referral_value(fgs.sample(fgs.local_session()))
    >>> r.filter("person_id = 'P05'").select("cascade_size", "depth", "chain_value").first()
    Row(cascade_size=5, depth=3, chain_value=7675.0)
    """
    check("referral_value", "decay", decay, Interval(0, 1, closed="right"))
    check("referral_value", "max_depth", max_depth, Whole(1, integral_only=True), none_ok=True)
    v = person_value(sg, value, func="referral_value")
    per = chain_table(sg, v, decay=float(decay), max_depth=max_depth)
    cl = closure(sg)
    up = cl.groupBy(F.col("d").alias("person_id")).agg(
        F.max(F.struct(F.col("dist"), F.col("a"))).alias("top"),
        F.max(F.when(F.col("dist") == 1, F.col("a"))).alias("referred_by"),
    )
    people = sg.tables["people"].select(F.col(ORD), "person_id")
    out = (
        people.join(up, "person_id", "left")
        .join(per.withColumnRenamed("a", "person_id"), "person_id", "left")
        .select(
            F.col(ORD),
            "person_id",
            "referred_by",
            F.coalesce(F.col("top").getField("a"), F.col("person_id")).alias("root_id"),
            F.coalesce(F.col("top").getField("dist").cast("long"), F.lit(0)).alias("generation"),
            F.coalesce(F.col("direct_referrals"), F.lit(0)).alias("direct_referrals"),
            F.coalesce(F.col("converted_referrals"), F.lit(0)).alias("converted_referrals"),
            F.coalesce(F.col("cascade_size"), F.lit(0)).cast("long").alias("cascade_size"),
            F.coalesce(F.col("depth"), F.lit(0)).alias("depth"),
            F.coalesce(F.col("chain_value"), F.lit(0.0)).alias("chain_value"),
        )
    )
    return out.orderBy(ORD).select(*REFERRAL_VALUE_COLUMNS)
