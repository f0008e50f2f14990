"""The ``famgraph`` command line: thin wrappers over the public API.

Every command parses its arguments, calls the same functions a notebook would, and
prints or writes the result. Progress goes to standard error, results to standard
output (or ``--out``), so ``famgraph gaps DIR --format json | jq`` works. Every
failure is one line on standard error and a non-zero exit, never a traceback.

The commands live by what they read: :mod:`~famgraph.cli.book` (a folder: demo,
sample, validate, report, the analyses), :mod:`~famgraph.cli.neo4j` (a Neo4j
server) and :mod:`~famgraph.cli.serve` (the HTTP API); :mod:`~famgraph.cli._common`
holds the group, the options and the output.
"""

from famgraph.cli import book, neo4j, serve
from famgraph.cli._common import main

__all__ = ["book", "main", "neo4j", "serve"]
