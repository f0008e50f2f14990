"""The Neo4j store: save a book to Neo4j, load it back, run the analyses inside Neo4j.

:class:`Neo4jStore` is the entry point; every Cypher statement it runs is a named
file under ``cypher/`` (see :class:`~famgraph.store.catalogue.Catalogue`).
"""

from famgraph.store.catalogue import Catalogue, Query
from famgraph.store.config import Neo4jConfig
from famgraph.store.results import ResultsReport
from famgraph.store.store import DEFAULT_BATCH_SIZE, Neo4jStore
from famgraph.store.writer import SaveReport, TableStats

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Catalogue",
    "Neo4jConfig",
    "Neo4jStore",
    "Query",
    "ResultsReport",
    "SaveReport",
    "TableStats",
]
