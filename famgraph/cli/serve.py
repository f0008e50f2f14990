"""``famgraph serve``: the analyses of one book as an HTTP JSON API (docs/service.md)."""

from __future__ import annotations

from typing import Any

import click

from famgraph.cli._common import book_options, main
from famgraph.errors import FamgraphError


class _ServeCommand(click.Command):
    """Bad arguments: one line on stderr and exit 2, no usage block, no traceback."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _serve_fail(exc.format_message()) from None


def _serve_fail(message: str) -> SystemExit:
    """Print the one error line; the caller raises the returned exit (status 2)."""
    click.echo(f"famgraph serve: error: {message}", err=True)
    return SystemExit(2)


@main.command(cls=_ServeCommand)
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--neo4j", "neo4j_uri", metavar="URI", help="Serve the book saved in Neo4j at URI.")
@click.option("--user", default="neo4j", envvar="NEO4J_USER", show_default=True, help="Neo4j user.")
@click.option("--database", default="neo4j", envvar="NEO4J_DATABASE", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Browser origin allowed to call the API (repeatable; default: CORS off).",
)
@book_options
def serve(
    directory: str | None,
    neo4j_uri: str | None,
    user: str,
    database: str,
    host: str,
    port: int,
    cors_origins: tuple[str, ...],
    as_of: str | None,
    encoding: str | None,
) -> None:
    """Serve DIR (or --neo4j URI) as an HTTP JSON API until interrupted.

    Every endpoint but /health needs `Authorization: Bearer $FAMGRAPH_TOKEN`. Without
    FAMGRAPH_TOKEN it listens on loopback only, with a random token printed once;
    any other --host without a token is refused. The Neo4j password comes from
    NEO4J_PASSWORD.
    """
    if (directory is None) == (neo4j_uri is None):
        raise _serve_fail("give either DIR or --neo4j URI.")
    if neo4j_uri is not None and (as_of is not None or encoding is not None):
        raise _serve_fail("--as-of and --encoding apply to DIR only.")
    try:
        from famgraph.service import DirectorySource, Neo4jSource
        from famgraph.service import serve as run
    except ImportError:
        raise _serve_fail(
            "the serve extra is not installed: pip install 'famgraph[serve]'."
        ) from None
    if directory is not None:
        source: Any = DirectorySource(directory, as_of=as_of, encoding=encoding)
    else:
        source = Neo4jSource(str(neo4j_uri), user=user, database=database)
    try:
        run(source, host=host, port=port, cors_origins=cors_origins)
    except FamgraphError as exc:
        raise _serve_fail(" ".join(str(exc).split())) from None
