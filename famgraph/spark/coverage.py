"""Household coverage on Spark: who lacks which cover, how protected each household is.

docs/metrics.md section 4, as :mod:`famgraph.analysis.coverage`: the plan is a small
pandas table (validated by :func:`famgraph.validate_plan`) joined to the persons by
role; running cover is an anti-join against the covering holdings.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from famgraph._validation import Interval, check
from famgraph.analysis.households import check_minor_age
from famgraph.analysis.plan import DEFAULT_PLAN, validate_plan, warn_absent_roles
from famgraph.rules import CI_MULTIPLE, LIFE_MULTIPLE, MINOR_AGE, PRIORITY_WEIGHT_BASE
from famgraph.schema import COVERAGE_GAP_COLUMNS, HOUSEHOLD_SUMMARY_COLUMNS, ROLES
from famgraph.spark.graph import SparkGraph
from famgraph.spark.households import households_frame

__all__ = ["coverage_gaps", "household_summary"]


def _plan(sg: SparkGraph, plan: pd.DataFrame | None, func: str, minor_age: int) -> DataFrame:
    """The validated plan as a Spark DataFrame; warn once about roles nobody has."""
    if plan is None:
        p = DEFAULT_PLAN.copy()
    else:
        p = validate_plan(plan)
        hh = households_frame(sg, minor_age)
        present = {r["role"] for r in hh.select("role").distinct().collect()}
        # _plan <- _required <- the analysis <- caller
        warn_absent_roles(p, present, func, stacklevel=4)
    table = pa.table(
        {
            "role": pa.array(p["role"].tolist(), pa.string()),
            "line": pa.array(p["line"].tolist(), pa.string()),
            "priority": pa.array(p["priority"].tolist(), pa.int64()),
            "role_order": pa.array([ROLES.index(r) for r in p["role"].tolist()], pa.int64()),
        }
    )
    return sg.spark.createDataFrame(table)


def _covering(sg: SparkGraph) -> DataFrame:
    """Holdings running at ``as_of``: bought on or before it, not expired by then."""
    at = F.lit(sg.as_of.to_pydatetime()).cast("timestamp_ntz")
    h = sg.tables["holdings"]
    running = F.col("expires_at").isNull() | (F.col("expires_at") > at)
    return h.filter((F.col("purchased_at") <= at) & running)


def _required(sg: SparkGraph, plan: pd.DataFrame | None, func: str, minor_age: int) -> DataFrame:
    """One row per required (person, line): household, role, priority, customer, covered."""
    hh = households_frame(sg, minor_age)
    people = sg.tables["people"].select("person_id", "is_customer")
    req = hh.join(people, "person_id").join(F.broadcast(_plan(sg, plan, func, minor_age)), "role")
    cov = _covering(sg).select("person_id", "line").distinct().withColumn("covered", F.lit(True))
    req = req.join(cov, ["person_id", "line"], "left")
    return req.withColumn("covered", F.coalesce(F.col("covered"), F.lit(False)))


def coverage_gaps(
    sg: SparkGraph, *, plan: pd.DataFrame | None = None, minor_age: int = MINOR_AGE
) -> DataFrame:
    """Every required (person, line) of the coverage plan that is not covered, on Spark.

    Parameters
    ----------
    sg : SparkGraph
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`famgraph.DEFAULT_PLAN`, checked with
        :func:`famgraph.validate_plan`. A plan with rows for a role nobody has warns
        once.
    minor_age : int, default 18
        Households as :func:`households` forms them with this ``minor_age``.

    Returns
    -------
    pyspark.sql.DataFrame
        ``household_id, person_id, role, line, priority, is_customer``, sorted by
        household_id, priority, person_id, line -- the rows of
        :func:`famgraph.coverage_gaps`.

    Notes
    -----
    A person is covered for a line when a holding of that line has ``purchased_at <=
    as_of`` and no ``expires_at`` or one after ``as_of``. Cost: the households (see
    :func:`households`), a broadcast join with the plan, an anti-join with the
    covering holdings and a distributed sort of the gaps.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> gaps = fgs.coverage_gaps(fgs.sample(fgs.local_session()))
    >>> [(r.line, r.priority) for r in gaps.filter("person_id = 'P01'").collect()]
    [('critical_illness', 2), ('accident', 3), ('pension', 3)]
    """
    check_minor_age("coverage_gaps", minor_age)
    req = _required(sg, plan, "coverage_gaps", int(minor_age))
    gaps = req.filter(~F.col("covered"))
    return gaps.orderBy("household_id", "priority", "person_id", "line").select(
        *COVERAGE_GAP_COLUMNS
    )


def _money_gap(
    sg: SparkGraph, life_multiple: float, ci_multiple: float, minor_age: int
) -> DataFrame:
    """``person_id, gap``: life and critical-illness money gap of earners with income > 0."""
    hh = households_frame(sg, minor_age).select("person_id", "role")
    inc = sg.tables["people"].select("person_id", "annual_income")
    earners = hh.join(inc, "person_id").filter(
        (F.col("role") == "earner") & (F.col("annual_income") > 0)
    )
    lines = {"life": float(life_multiple), "critical_illness": float(ci_multiple)}
    existing = (
        _covering(sg)
        .filter(F.col("line").isin(*lines))
        .groupBy("person_id")
        .agg(
            *[
                F.sum(
                    F.when(F.col("line") == ln, F.coalesce(F.col("sum_assured"), F.lit(0.0)))
                ).alias(ln)
                for ln in lines
            ]
        )
    )
    e = earners.join(existing, "person_id", "left")
    gap: Column = F.lit(0.0)
    for ln, multiple in lines.items():
        need = F.lit(multiple) * F.col("annual_income")
        gap = gap + F.greatest(F.lit(0.0), need - F.coalesce(F.col(ln), F.lit(0.0)))
    return e.select("person_id", gap.alias("gap"))


def household_summary(
    sg: SparkGraph,
    *,
    plan: pd.DataFrame | None = None,
    life_multiple: float = LIFE_MULTIPLE,
    ci_multiple: float = CI_MULTIPLE,
    minor_age: int = MINOR_AGE,
) -> DataFrame:
    """Coverage and protection of every household, one row each, on Spark.

    Parameters
    ----------
    sg : SparkGraph
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`famgraph.DEFAULT_PLAN`.
    life_multiple : float, default 10
        Life cover needed per unit of an earner's annual income.
    ci_multiple : float, default 3
        Critical-illness cover needed per unit of an earner's annual income.
    minor_age : int, default 18
        Households as :func:`households` forms them with this ``minor_age``.

    Returns
    -------
    pyspark.sql.DataFrame
        Sorted by household_id: ``household_id, members, customers, penetration,
        required, covered, coverage_ratio, coverage_score, protection_gap,
        top_gap_person, top_gap_line`` -- the rows of
        :func:`famgraph.household_summary`.

    Notes
    -----
    ``coverage_score`` weighs a required line of priority p by ``max(1, 5 - p)``;
    ratios are NaN for a household that requires nothing. The top gap is the
    smallest (priority, role in the order earner, dependent, child, elder, unknown,
    person_id, line) among the open gaps. Cost: as :func:`coverage_gaps`, with
    aggregations by household instead of the sort.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> s = fgs.household_summary(fgs.sample(fgs.local_session()))
    >>> s.filter("household_id = 'H:P01'").select("members", "required", "covered").first()
    Row(members=3, required=16, covered=5)
    """
    check("household_summary", "life_multiple", life_multiple, Interval(0, None))
    check("household_summary", "ci_multiple", ci_multiple, Interval(0, None))
    check_minor_age("household_summary", minor_age)
    hh = households_frame(sg, int(minor_age))
    people = sg.tables["people"].select("person_id", "is_customer")
    members = (
        hh.join(people, "person_id")
        .groupBy("household_id")
        .agg(
            F.count(F.lit(1)).alias("members"),
            F.sum(F.col("is_customer").cast("long")).alias("customers"),
        )
    )
    req = _required(sg, plan, "household_summary", int(minor_age))
    weight = F.greatest(F.lit(1), F.lit(PRIORITY_WEIGHT_BASE) - F.col("priority")).cast("double")
    open_gap = F.struct(F.col("priority"), F.col("role_order"), F.col("person_id"), F.col("line"))
    needs = req.groupBy("household_id").agg(
        F.count(F.lit(1)).alias("required"),
        F.sum(F.col("covered").cast("long")).alias("covered"),
        F.sum(weight).alias("w_all"),
        F.sum(F.when(F.col("covered"), weight).otherwise(F.lit(0.0))).alias("w_cov"),
        F.min(F.when(~F.col("covered"), open_gap)).alias("top"),
    )
    money = (
        _money_gap(sg, life_multiple, ci_multiple, int(minor_age))
        .join(hh.select("person_id", "household_id"), "person_id")
        .groupBy("household_id")
        .agg(F.sum("gap").alias("protection_gap"))
    )
    nan = F.lit(float("nan"))
    required = F.coalesce(F.col("required"), F.lit(0)).cast("long")
    covered = F.coalesce(F.col("covered"), F.lit(0)).cast("long")
    out = (
        members.join(needs, "household_id", "left")
        .join(money, "household_id", "left")
        .select(
            "household_id",
            F.col("members").cast("long").alias("members"),
            F.col("customers").cast("long").alias("customers"),
            (F.col("customers") / F.col("members")).alias("penetration"),
            required.alias("required"),
            covered.alias("covered"),
            F.when(required > 0, covered / required).otherwise(nan).alias("coverage_ratio"),
            F.when(F.col("w_all") > 0, F.col("w_cov") / F.col("w_all"))
            .otherwise(nan)
            .alias("coverage_score"),
            F.coalesce(F.col("protection_gap"), F.lit(0.0)).alias("protection_gap"),
            F.col("top").getField("person_id").alias("top_gap_person"),
            F.col("top").getField("line").alias("top_gap_line"),
        )
    )
    return out.orderBy("household_id").select(*HOUSEHOLD_SUMMARY_COLUMNS)
