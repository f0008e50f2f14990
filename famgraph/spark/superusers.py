"""Relationship tiers and super-user scores on Spark (METRICS.md section 7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from famgraph.analysis.superusers import check_super_user_params
from famgraph.rules import MIN_REFERRALS, RANK_DECIMALS, TOP_INFLUENCE_PCT
from famgraph.schema import SUPER_USER_COLUMNS
from famgraph.spark._frames import materialize, pct_rank, value_ranks
from famgraph.spark.build import ORD
from famgraph.spark.graph import SparkGraph
from famgraph.spark.influence import influence_frame
from famgraph.spark.referrals import chain_table, person_value, value_metrics

__all__ = ["super_users"]


def _plural(count: Column, word: str) -> Column:
    """``"<count> <word>"`` with an ``s`` unless the count is 1."""
    return F.concat(
        count.cast("string"), F.lit(" " + word), F.when(count == 1, F.lit("")).otherwise("s")
    )


def _thousands(x: Column) -> Column:
    """A money amount as a whole number with thousands separators (``12,300``).

    Rounded to 6 decimals first, so that sums equal up to float noise print the
    same whole number; halves go to the even number (as numpy rounds).
    """
    whole = F.bround(F.bround(x, RANK_DECIMALS), 0)
    return F.format_number(whole, 0)


def _reasons(
    customer: Column,
    freq: Column,
    active: Column,
    converted: Column,
    chain: Column,
    top: Column,
) -> Column:
    """The readable sentence of :func:`famgraph.super_users`, as one column expression."""
    buys = F.concat(
        F.when(customer, F.lit("")).otherwise(F.lit("prospect: ")),
        F.when(freq > 0, _plural(freq, "purchase")).otherwise(F.lit("no purchases")),
        F.when(
            active > 0,
            F.concat(F.lit(" in "), _plural(active, "quarter"), F.lit(" of the last 12 months")),
        ).otherwise(F.lit("")),
    )
    has_chain = chain > 0
    refs = (
        F.when(
            converted > 0,
            F.concat(
                F.lit("; "),
                _plural(converted, "referred customer"),
                F.when(has_chain, F.lit(" worth ")).otherwise(F.lit("")),
            ),
        )
        .when(has_chain, F.lit("; referral chain worth "))
        .otherwise(F.lit(""))
    )
    worth = F.when(has_chain, _thousands(chain)).otherwise(F.lit(""))
    down = F.when((converted > 0) & has_chain, F.lit(" down the chain")).otherwise(F.lit(""))
    infl = F.when(
        top <= TOP_INFLUENCE_PCT,
        F.concat(F.lit("; influence in the top "), top.cast("string"), F.lit("%")),
    ).otherwise(F.lit(""))
    return F.concat(buys, refs, worth, down, infl)


def super_users(
    sg: SparkGraph,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    value: Any = None,
) -> DataFrame:
    """Relationship tier, super-user score and the reasons, for every person, on Spark.

    Parameters
    ----------
    sg : SparkGraph
    min_referrals : int, default 2
        Converted referrals a continuous customer needs to be ``super`` (>= 1).
    weights : dict, optional
        Weights of the percentile ranks R, F, M, C, I (each >= 0, summing to 1);
        default ``{"R": 0.10, "F": 0.20, "M": 0.15, "C": 0.35, "I": 0.20}``.
    value : Spark DataFrame or pandas Series, optional
        Value by person_id replacing the holdings value in ``monetary`` and
        ``chain_value`` (see :func:`referral_value`).

    Returns
    -------
    pyspark.sql.DataFrame
        One row per person, in people order: ``person_id, tier, score, is_super,
        frequency, recency_days, monetary, active_quarters, converted_referrals,
        chain_value, influence, reasons`` -- the columns of
        :func:`famgraph.super_users`.

    Notes
    -----
    METRICS.md section 7. The score is 100 x the weighted sum of percentile ranks
    among customers (pandas ``rank(method="average", pct=True)``): R = -recency_days
    ranked among customers with a purchase (the others get no recency credit), F =
    frequency, M = monetary and C = chain_value ranked on values rounded to 6
    decimals, I on ``round(n x influence, 6)`` (n persons), so float noise cannot
    split ties; ``reasons`` mention influence in the top 10 % of all persons by
    that same rounded value. A rank works on the distinct values (a sort and a prefix sum with one
    number per partition reaching the driver). Cost: that of :func:`influence` and
    of the referral ancestors, plus five rank computations.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> s = fgs.super_users(fgs.sample(fgs.local_session()))
    >>> s.filter("person_id = 'P05'").select("tier", "reasons").first()
    Row(tier='super', reasons='4 purchases in 2 quarters of the last 12 months; 2 referred \
customers worth 7,675 down the chain; influence in the top 7%')
    """
    w = check_super_user_params(min_referrals, weights)
    m = value_metrics(sg)
    v = person_value(sg, value, func="super_users")
    per = chain_table(sg, v, decay=0.5, max_depth=None)
    infl = influence_frame(sg)
    n = infl.count()
    base = (
        m.join(v.withColumnRenamed("v", "value"), "person_id")
        .join(per.withColumnRenamed("a", "person_id"), "person_id", "left")
        .join(infl.select("person_id", "influence"), "person_id")
        .select(
            F.col(ORD),
            "person_id",
            "is_customer",
            "frequency",
            "recency_days",
            F.col("value").alias("monetary"),
            "active_quarters",
            "continuous",
            F.coalesce(F.col("converted_referrals"), F.lit(0)).alias("converted_referrals"),
            F.coalesce(F.col("chain_value"), F.lit(0.0)).alias("chain_value"),
            "influence",
        )
    )
    base = materialize(base)
    cust = F.col("is_customer")
    factors = {
        "R": (-F.col("recency_days"), cust & (F.col("frequency") > 0)),
        "F": (F.col("frequency"), cust),
        "M": (F.bround(F.col("monetary"), RANK_DECIMALS), cust),
        "C": (F.bround(F.col("chain_value"), RANK_DECIMALS), cust),
        "I": (F.bround(F.col("influence") * F.lit(float(n)), RANK_DECIMALS), cust),
    }
    ranked = base
    for k, (col, where) in factors.items():
        ranked = ranked.withColumn("_f_" + k, col)
        ranked = pct_rank(ranked, "_f_" + k, "_p_" + k, where=where)
    total: Column = F.lit(0.0)
    for k in factors:
        total = total + F.lit(w[k]) * F.col("_p_" + k)
    score = F.when(cust, F.lit(100.0) * total).otherwise(F.lit(0.0))
    # share of persons with at least one's influence (ties count), whole percent up; on
    # round(n x influence, 6) as the score ranks it, so float noise cannot split a tie
    ranked = ranked.withColumn("_f_top", F.col("_f_I"))
    ranked = value_ranks(ranked, "_f_top", "_at_least")
    top = F.ceil(F.lit(100.0) * F.col("_at_least") / F.lit(float(max(n, 1)))).cast("long")
    continuous = F.col("continuous")
    conv = F.col("converted_referrals")
    freq = F.col("frequency")
    tier = (
        F.when(~cust, F.lit("none"))
        .when(continuous & (conv >= int(min_referrals)), F.lit("super"))
        .when(continuous | (conv >= 1), F.lit("strong"))
        .when(freq >= 2, F.lit("weak"))
        .when(freq == 1, F.lit("micro"))
        .otherwise(F.lit("none"))
    )
    out = ranked.select(
        F.col(ORD),
        "person_id",
        tier.alias("tier"),
        score.alias("score"),
        (tier == "super").alias("is_super"),
        "frequency",
        "recency_days",
        "monetary",
        "active_quarters",
        "converted_referrals",
        "chain_value",
        "influence",
        _reasons(cust, freq, F.col("active_quarters"), conv, F.col("chain_value"), top).alias(
            "reasons"
        ),
    )
    return out.orderBy(ORD).select(*SUPER_USER_COLUMNS)
