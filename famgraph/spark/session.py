"""A local SparkSession for trying famgraph.spark, and the JVM packages it can use."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import TYPE_CHECKING

from pyspark.sql import SparkSession

if TYPE_CHECKING:
    from famgraph.spark.graph import SparkGraph

__all__ = ["NEO4J_CONNECTOR", "local_session", "sample"]

#: Maven coordinates of the Neo4j Connector for Apache Spark that famgraph writes with:
#: the newest build for Scala 2.13 on Maven Central. It is built against Spark 3.5;
#: famgraph uses only its ``query`` write mode, which works on Spark 4 (tested).
NEO4J_CONNECTOR = "org.neo4j:neo4j-connector-apache-spark_2.13:5.3.8_for_spark_3"


def local_session(
    *,
    cores: int = 2,
    shuffle_partitions: int = 4,
    neo4j: bool = False,
    driver_memory: str = "2g",
) -> SparkSession:
    """A SparkSession on this machine (``local[cores]``), or the one already running.

    Parameters
    ----------
    cores : int, default 2
    shuffle_partitions : int, default 4
        ``spark.sql.shuffle.partitions``; small books need few.
    neo4j : bool, default False
        Also put :data:`NEO4J_CONNECTOR` on the classpath (resolved from Maven
        Central by Spark's Ivy on first use), for :func:`famgraph.spark.save_neo4j`.
    driver_memory : str, default "2g"

    Returns
    -------
    SparkSession
        A new session -- or, when one is already active, that one unchanged (Spark
        cannot add packages to a running session).

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> spark = fgs.local_session()
    >>> spark.range(3).count()
    3
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (
        SparkSession.builder.master(f"local[{int(cores)}]")
        .appName("famgraph")
        .config("spark.sql.shuffle.partitions", str(int(shuffle_partitions)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
    )
    # Python workers (derived holding ids) run this interpreter, which has famgraph
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if neo4j:
        builder = builder.config("spark.jars.packages", NEO4J_CONNECTOR)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


_SAMPLES: dict[int, SparkGraph] = {}


def sample(spark: SparkSession) -> SparkGraph:
    """The bundled sample book (``famgraph.datasets.sample``), built on Spark.

    Built once per session (a SparkGraph is never changed), so examples that use it
    share one build and the analyses it has already computed.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> fgs.sample(fgs.local_session()).people.count()
    15
    """
    from famgraph import datasets
    from famgraph.spark.build import read_dir

    key = id(spark)
    if key not in _SAMPLES or _SAMPLES[key].spark is not spark:
        folder = tempfile.mkdtemp(prefix="famgraph-sample-")
        datasets.write_sample(folder)
        _SAMPLES[key] = read_dir(spark, folder)
    return _SAMPLES[key]
