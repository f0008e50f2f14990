"""famgraph on Apache Spark: the same definitions, on Spark DataFrames.

``famgraph.spark`` mirrors the in-memory API for books that do not fit one machine:
:func:`build` validates and accounts every row exactly as :func:`famgraph.build`
(same reasons, precedence, ``rejects`` and ``quality_report()``, as Spark
DataFrames) and returns a :class:`SparkGraph`; the analyses take it first and return
Spark DataFrames with the in-memory columns. Nothing is collected to the driver.
Needs the extra ``famgraph[spark]`` (PySpark 4) and Java 17+; see ``docs/scale.md``.
"""

from famgraph.spark.build import build, read_dir, read_table
from famgraph.spark.coverage import coverage_gaps, household_summary
from famgraph.spark.graph import SparkGraph
from famgraph.spark.households import households
from famgraph.spark.influence import influence
from famgraph.spark.neo4j import SparkSaveReport, save_neo4j
from famgraph.spark.referrals import referral_value
from famgraph.spark.session import NEO4J_CONNECTOR, local_session, sample
from famgraph.spark.superusers import super_users

__all__ = [
    "NEO4J_CONNECTOR",
    "SparkGraph",
    "SparkSaveReport",
    "build",
    "coverage_gaps",
    "household_summary",
    "households",
    "influence",
    "local_session",
    "read_dir",
    "read_table",
    "referral_value",
    "sample",
    "save_neo4j",
    "super_users",
]
