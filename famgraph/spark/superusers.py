"""Relationship tiers and super-user scores on Spark (docs/metrics.md section 7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from famgraph.analysis.superusers import check_super_user_params
from famgraph.i18n import check_language
from famgraph.rules import (
    ALPHA,
    DECAY,
    MIN_REFERRALS,
    RANK_DECIMALS,
    SOCIAL_WEIGHT,
    TOP_INFLUENCE_PCT,
)
from famgraph.schema import SUPER_USER_COLUMNS
from famgraph.spark._frames import materialize, pct_rank, value_ranks
from famgraph.spark._ledger import ORD
from famgraph.spark.graph import SparkGraph
from famgraph.spark.influence import influence_frame
from famgraph.spark.referrals import chain_table, person_value, value_metrics

__all__ = ["super_users"]


def _plural(count: Column, word: str) -> Column:
    """``"<count> <word>"`` with an ``s`` unless the count is 1."""
    return F.concat(
        count.cast("string"), F.lit(" " + word), F.when(count == 1, F.lit("")).otherwise("s")
    )


def _whole(x: Column) -> Column:
    """Rounded to 6 decimals first (sums equal up to float noise print the same), then to a
    whole number with halves away from zero, as people round (72.5 -> 73)."""
    r = F.bround(x, RANK_DECIMALS)
    return F.signum(r) * F.floor(F.abs(r) + F.lit(0.5))


def _thousands(x: Column) -> Column:
    """A whole amount with thousands separators: ``12,300`` (famgraph.i18n.amounts, en)."""
    return F.format_number(_whole(x), 0)


def _wan(x: Column) -> Column:
    """An amount in Chinese units (famgraph.i18n.amounts, zh): below 10,000 whole, else
    万 or 亿 with up to two decimals."""
    a = F.abs(x)
    wan = F.bround(a / F.lit(1e4), 2)
    yi = F.bround(a / F.lit(1e8), 2)
    whole_yuan = F.floor(F.abs(F.bround(x, RANK_DECIMALS)) + F.lit(0.5))
    unit = F.when(whole_yuan < 1e4, 0).when(wan < 10_000, 1).otherwise(2)
    scaled = F.when(unit == 1, wan).when(unit == 2, yi).otherwise(F.lit(0.0))
    whole = F.floor(scaled + F.lit(1e-9))
    frac = F.least(F.greatest(F.bround((scaled - whole) * 100, 0), F.lit(0.0)), F.lit(99.0))
    frac = frac.cast("int")
    digits = F.regexp_replace(F.concat(F.lit("."), F.lpad(frac.cast("string"), 2, "0")), "0$", "")
    num = F.when(unit == 0, _thousands(x)).otherwise(F.format_number(F.signum(x) * whole, 0))
    return F.concat(
        num,
        F.when((unit == 0) | (frac == 0), F.lit("")).otherwise(digits),
        F.when(unit == 1, F.lit("万")).when(unit == 2, F.lit("亿")).otherwise(F.lit("")),
    )


def _reasons(
    customer: Column,
    freq: Column,
    active: Column,
    converted: Column,
    chain: Column,
    top: Column,
    language: str,
) -> Column:
    """The readable sentence of :func:`famgraph.super_users`, as one column expression."""
    has_chain = chain > 0
    in_top = top <= TOP_INFLUENCE_PCT
    empty = F.lit("")
    if language == "zh":
        buys = F.concat(
            F.when(customer, empty).otherwise(F.lit("潜在客户：")),
            F.when(freq > 0, F.concat(F.lit("共"), freq.cast("string"), F.lit("次购买"))).otherwise(
                F.lit("尚无购买")
            ),
            F.when(
                active > 0,
                F.concat(F.lit("，近12个月内有"), active.cast("string"), F.lit("个季度购买")),
            ).otherwise(empty),
        )
        refs = (
            F.when(
                converted > 0,
                F.concat(
                    F.lit("；推荐成交"),
                    converted.cast("string"),
                    F.lit("位客户"),
                    F.when(has_chain, F.lit("，推荐链价值")).otherwise(empty),
                ),
            )
            .when(has_chain, F.lit("；推荐链价值"))
            .otherwise(empty)
        )
        worth = F.when(has_chain, _wan(chain)).otherwise(empty)
        tail = F.when(
            in_top, F.concat(F.lit("；影响力居前"), top.cast("string"), F.lit("%"))
        ).otherwise(empty)
        return F.concat(buys, refs, worth, tail)
    buys = F.concat(
        F.when(customer, empty).otherwise(F.lit("prospect: ")),
        F.when(freq > 0, _plural(freq, "purchase")).otherwise(F.lit("no purchases")),
        F.when(
            active > 0,
            F.concat(F.lit(" in "), _plural(active, "quarter"), F.lit(" of the last 12 months")),
        ).otherwise(empty),
    )
    refs = (
        F.when(
            converted > 0,
            F.concat(
                F.lit("; "),
                _plural(converted, "referred customer"),
                F.when(has_chain, F.lit(" worth ")).otherwise(empty),
            ),
        )
        .when(has_chain, F.lit("; referral chain worth "))
        .otherwise(empty)
    )
    worth = F.when(has_chain, _thousands(chain)).otherwise(empty)
    down = F.when((converted > 0) & has_chain, F.lit(" down the chain")).otherwise(empty)
    infl = F.when(
        in_top, F.concat(F.lit("; influence in the top "), top.cast("string"), F.lit("%"))
    ).otherwise(empty)
    return F.concat(buys, refs, worth, down, infl)


def super_users(
    sg: SparkGraph,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    value: Any = None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
    language: str = "en",
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
    decay : float, default 0.5
        Weight per generation of the chain value (see :func:`referral_value`).
    social_weight : float, default 0.5
        Weight of a social tie in the influence graph (see :func:`influence`).
    language : {"en", "zh"}, default "en"
        Language of the ``reasons`` sentences.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per person, in people order: ``person_id, tier, score, is_super,
        frequency, recency_days, monetary, active_quarters, converted_referrals,
        chain_value, influence, reasons`` -- the columns of
        :func:`famgraph.super_users`.

    Notes
    -----
    docs/metrics.md section 7. The score is 100 x the weighted sum of percentile ranks
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
    >>> fgs.super_users(fgs.sample(fgs.local_session()), language="zh").filter(
    ...     "person_id = 'P05'").first().reasons
    '共4次购买，近12个月内有2个季度购买；推荐成交2位客户，推荐链价值7,675；影响力居前7%'

    """
    w = check_super_user_params(min_referrals, weights, decay, social_weight)
    check_language("super_users", language)
    m = value_metrics(sg)
    v = person_value(sg, value, func="super_users")
    per = chain_table(sg, v, decay=float(decay), max_depth=None)
    infl = influence_frame(sg, ALPHA, float(social_weight))
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
        _reasons(
            cust, freq, F.col("active_quarters"), conv, F.col("chain_value"), top, language
        ).alias("reasons"),
    )
    return out.orderBy(ORD).select(*SUPER_USER_COLUMNS)
