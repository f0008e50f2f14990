"""Households, families, ages and roles on Spark (docs/metrics.md section 3)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from famgraph.analysis.households import check_minor_age
from famgraph.rules import ELDER_AGE, MINOR_AGE
from famgraph.schema import FAMILY_KINDS, HOUSEHOLDS_COLUMNS
from famgraph.spark._frames import materialize
from famgraph.spark._graphs import components
from famgraph.spark._ledger import ORD
from famgraph.spark.graph import SparkGraph

__all__ = ["age_column", "households", "role_column"]


def age_column(sg: SparkGraph) -> Column:
    """Whole years from ``birth_date`` to ``as_of`` (else the ``age`` column); negative -> null."""
    at = sg.as_of
    b = F.col("birth_date")
    before = (F.month(b) > at.month) | ((F.month(b) == at.month) & (F.dayofmonth(b) > at.day))
    from_birth = F.lit(at.year) - F.year(b) - before.cast("int")
    age = F.when(b.isNotNull(), from_birth.cast("long")).otherwise(F.col("age"))
    return F.when(age >= 0, age)


def role_column(age: Column) -> Column:
    """The ``role`` override, else child / elder / dependent / earner / unknown by age, income."""
    inc = F.col("annual_income")
    inferred = (
        F.when(age.isNull(), F.lit("unknown"))
        .when(age < MINOR_AGE, F.lit("child"))
        .when(age >= ELDER_AGE, F.lit("elder"))
        .when(F.coalesce(inc == 0, F.lit(False)), F.lit("dependent"))
        .otherwise(F.lit("earner"))
    )
    return F.coalesce(F.col("role"), inferred)


def households_frame(sg: SparkGraph, minor_age: int = MINOR_AGE) -> DataFrame:
    """:func:`households` with the people row number ``ORD``, unsorted and materialised."""
    key = ("households", int(minor_age))
    if key in sg._memo:
        return sg._memo[key]
    people = sg.tables["people"]
    rel = sg.active_relations()
    age = age_column(sg)
    persons = people.select(
        F.col(ORD),
        "person_id",
        F.col("household_id").alias("given"),
        age.alias("age"),
        role_column(age).alias("role"),
    )
    persons = materialize(persons)
    fam = rel.filter(F.col("relation").isin(*FAMILY_KINDS)).select(
        F.col("person_id").alias("a"), F.col("relative_id").alias("b"), "relation"
    )
    family = components(persons.select(F.col("person_id").alias("node")), fam.select("a", "b"))

    # household edges: spouse, and parent -> child while the child is a minor, both
    # ends without a given household_id
    free = persons.filter(F.col("given").isNull())
    child_age = persons.select(F.col("person_id").alias("b"), F.col("age").alias("b_age"))
    edges = fam.join(child_age, "b", "left")
    minor = (F.col("relation") == "child") & F.coalesce(F.col("b_age") < minor_age, F.lit(False))
    edges = edges.filter((F.col("relation") == "spouse") | minor)
    ids = free.select(F.col("person_id").alias("x"))
    edges = edges.join(ids, F.col("a") == F.col("x"), "left_semi").join(
        ids, F.col("b") == F.col("x"), "left_semi"
    )
    derived = components(free.select(F.col("person_id").alias("node")), edges.select("a", "b"))

    out = (
        persons.join(family.withColumnRenamed("node", "person_id"), "person_id")
        .withColumnRenamed("label", "family")
        .join(derived.withColumnRenamed("node", "person_id"), "person_id", "left")
        .select(
            F.col(ORD),
            "person_id",
            F.coalesce(F.col("given"), F.concat(F.lit("H:"), F.col("label"))).alias("household_id"),
            F.concat(F.lit("F:"), F.col("family")).alias("family_id"),
            "role",
            "age",
        )
    )
    out = materialize(out)
    sg._memo[key] = out
    return out


def households(sg: SparkGraph, *, minor_age: int = MINOR_AGE) -> DataFrame:
    """Household, family, role and age of every person, on Spark.

    Parameters
    ----------
    sg : SparkGraph
    minor_age : int, default 18
        A parent->child edge joins the child's household only while the child is
        younger than this (persons without a ``household_id``).

    Returns
    -------
    pyspark.sql.DataFrame
        One row per person, in people order: ``person_id, household_id, family_id,
        role, age`` -- the columns and values of :func:`famgraph.households`.

    Notes
    -----
    The definitions of :func:`famgraph.households`. Families and derived households
    are connected components (large-star / small-star, O(log n) rounds of a couple
    of shuffles each); ages and roles are column expressions. The result is
    materialised and kept with the graph, so :func:`coverage_gaps` and
    :func:`household_summary` reuse it.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> h = fgs.households(fgs.sample(fgs.local_session()))
    >>> h.columns
    ['person_id', 'household_id', 'family_id', 'role', 'age']
    >>> h.filter("person_id = 'P03'").select("household_id", "role").first()
    Row(household_id='H:P01', role='child')
    """
    check_minor_age("households", minor_age)
    out = households_frame(sg, int(minor_age))
    return out.orderBy(ORD).select(*HOUSEHOLDS_COLUMNS)
