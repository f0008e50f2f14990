"""Where the service's book comes from: a folder of files, Neo4j, or a graph in memory.

A source is asked for a fresh :class:`~famgraph.CustomerGraph` at start and on every
``POST /reload``; it keeps no graph itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from famgraph.errors import StoreError
from famgraph.graph import CustomerGraph
from famgraph.ingest import read_dir

__all__ = [
    "BookSource",
    "DirectorySource",
    "GraphSource",
    "Neo4jSource",
    "as_source",
]

SourceKind = Literal["directory", "neo4j", "memory"]


class BookSource(Protocol):
    """Anything that can hand the service a book, now and again on reload."""

    @property
    def kind(self) -> SourceKind:
        """``"directory"``, ``"neo4j"`` or ``"memory"`` (shown by ``/health``)."""
        ...  # pragma: no cover - protocol

    def load(self) -> CustomerGraph:
        """Read and validate the book (a new graph each call)."""
        ...  # pragma: no cover - protocol


@dataclass(frozen=True)
class DirectorySource:
    """A folder of ``people`` / ``relations`` / ``referrals`` / ``holdings`` files.

    Examples
    --------
    >>> DirectorySource("book/").kind
    'directory'
    """

    path: str | os.PathLike[str]
    as_of: Any = None
    encoding: str | None = None
    kind: SourceKind = field(default="directory", init=False)

    def load(self) -> CustomerGraph:
        """``famgraph.read_dir(path, as_of=..., encoding=...)``: the files as they are now."""
        return read_dir(self.path, as_of=self.as_of, encoding=self.encoding)


@dataclass(frozen=True)
class Neo4jSource:
    """A book saved in Neo4j (:meth:`famgraph.Neo4jStore.load`).

    The password is read from ``NEO4J_PASSWORD`` on every load (it is never a
    parameter, so it cannot end up in a command line or a ``repr``).

    Examples
    --------
    >>> Neo4jSource("bolt://127.0.0.1:7687")
    Neo4jSource(uri='bolt://127.0.0.1:7687', user='neo4j', database='neo4j', kind='neo4j')
    """

    uri: str
    user: str = "neo4j"
    database: str = "neo4j"
    kind: SourceKind = field(default="neo4j", init=False)

    def load(self) -> CustomerGraph:
        """Open the store, read the book back, close the store."""
        from famgraph.store import Neo4jStore

        password = os.environ.get("NEO4J_PASSWORD")
        if password is None:
            raise StoreError(
                "Set the NEO4J_PASSWORD environment variable to read the book from Neo4j."
            )
        with Neo4jStore(self.uri, auth=(self.user, password), database=self.database) as store:
            return store.load()


@dataclass(frozen=True)
class GraphSource:
    """A graph already in memory, or a function returning one (tests, notebooks).

    A fixed graph "reloads" to the same book (the analyses are run again).

    Examples
    --------
    >>> import famgraph as fg
    >>> GraphSource(fg.datasets.sample).load().n_people
    15
    """

    graph: CustomerGraph | Callable[[], CustomerGraph]
    kind: SourceKind = field(default="memory", init=False)

    def load(self) -> CustomerGraph:
        """The graph, or a fresh one from the function."""
        return self.graph if isinstance(self.graph, CustomerGraph) else self.graph()


def as_source(source: Any) -> BookSource:
    """A folder path, a graph, a function returning a graph, or a source as it is.

    Examples
    --------
    >>> as_source("book/")
    DirectorySource(path='book/', as_of=None, encoding=None, kind='directory')
    """
    if isinstance(source, (str, Path, os.PathLike)):
        return DirectorySource(source)
    if isinstance(source, CustomerGraph) or (callable(source) and not hasattr(source, "load")):
        return GraphSource(source)
    if hasattr(source, "load") and hasattr(source, "kind"):
        return source
    raise ValueError(
        "The `source` parameter of `create_app` must be a folder path, a CustomerGraph, "
        f"a function returning one, or a book source; got {type(source).__name__}."
    )
