"""Fixtures shared by several test folders: the one SparkSession of a test run.

The session is created only when a test asks for it (``spark`` fixture); it runs
``local[2]`` with two shuffle partitions and adaptive execution off (tiny books: fewer,
cheaper stages), and has the Neo4j Connector for Apache Spark on its classpath,
resolved from Maven Central by Spark's Ivy on first use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

# PySpark warns that it "does not yet fully support pandas >= 3" whenever it touches
# pandas; famgraph.spark and these tests exchange Arrow, so the warning says nothing here.
PYSPARK_PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("spark") is not None:
            item.add_marker(pytest.mark.filterwarnings(PYSPARK_PANDAS_WARNING))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local SparkSession for the whole run (famgraph[spark] must be installed)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - the dev venv installs the extra
        pytest.fail(
            "PySpark is not installed: the Spark tests need the extra famgraph[spark] "
            "(scripts/_venv.sh dev installs it).",
            pytrace=False,
        )
    from famgraph.spark import NEO4J_CONNECTOR

    # Python workers (derived holding ids, the one-task PageRank) run this interpreter
    os.environ["PYSPARK_PYTHON"] = sys.executable
    active = SparkSession.getActiveSession()
    if active is not None:  # e.g. one a doctest made without the connector
        active.stop()
    session = (
        SparkSession.builder.master("local[2]")
        .appName("famgraph-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.jars.packages", NEO4J_CONNECTOR)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
