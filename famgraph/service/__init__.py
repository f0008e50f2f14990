"""famgraph serve: the analyses of one book as an HTTP JSON API (extra ``famgraph[serve]``).

:func:`create_app` gives the FastAPI application (for tests or an ASGI server of
your choice), :func:`serve` runs it with uvicorn (the ``famgraph serve`` command).
See ``docs/service.md`` for the endpoints, auth, logging and reload semantics.
"""

from famgraph.service.app import create_app
from famgraph.service.runner import serve
from famgraph.service.security import ServiceError
from famgraph.service.snapshot import IdIndex, Snapshot
from famgraph.service.sources import DirectorySource, GraphSource, Neo4jSource

__all__ = [
    "DirectorySource",
    "GraphSource",
    "IdIndex",
    "Neo4jSource",
    "ServiceError",
    "Snapshot",
    "create_app",
    "serve",
]
