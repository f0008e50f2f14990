"""``famgraph neo4j ...``: save a book to Neo4j, load it back, run the analyses there."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd

from famgraph.cli._common import (
    book_options,
    emit,
    fmt_option,
    load,
    main,
    step,
    writable_folder,
)
from famgraph.store import Neo4jStore


@main.group()
def neo4j() -> None:
    """Save a book to Neo4j, load it back, or run the analyses inside Neo4j.

    The password comes from the NEO4J_PASSWORD environment variable, never from
    the command line.
    """


def _store_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--database",
        default=None,
        envvar="NEO4J_DATABASE",
        help="Database name [env NEO4J_DATABASE; default neo4j].",
    )(f)
    f = click.option(
        "--user",
        default="neo4j",
        envvar="NEO4J_USER",
        show_default=True,
        help="User [env NEO4J_USER].",
    )(f)
    f = click.option(
        "--uri",
        required=True,
        envvar="NEO4J_URI",
        help="e.g. bolt://localhost:7687 [env NEO4J_URI].",
    )(f)
    return f


def _store(uri: str, user: str, database: str | None) -> Any:
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise click.UsageError("Set the NEO4J_PASSWORD environment variable.")
    kw: dict[str, Any] = {"auth": (user, password)}
    if database:
        kw["database"] = database
    return Neo4jStore(uri, **kw)


@neo4j.command("save")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@_store_options
@click.option("--batch-size", default=5_000, show_default=True)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    help="Parallel write sessions (lanes of rows that never touch the same node).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Delete the famgraph book already in the database first (default: upsert).",
)
@click.option(
    "--results",
    is_flag=True,
    help="Also write the analysis results (household, tier, score, chain value, gaps) "
    "onto the nodes, for services that query Neo4j directly.",
)
@book_options
def neo4j_save(
    directory: str,
    uri: str,
    user: str,
    database: str | None,
    batch_size: int,
    workers: int,
    replace: bool,
    results: bool,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Validate DIR and save it to Neo4j (idempotent: saving twice changes nothing).

    Without --replace, rows are added or updated and nothing already stored is removed.
    """
    with _store(uri, user, database) as store:  # a bad URI fails before the book is read
        g = load(directory, as_of, encoding)
        rep = store.save(g, batch_size=batch_size, progress=True, replace=replace, workers=workers)
        click.echo(str(rep))
        if results:
            with step("writing the analysis results"):
                res = store.save_results(g, batch_size=batch_size, workers=workers)
            click.echo(str(res))


@neo4j.command("load")
@_store_options
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False),
    callback=writable_folder,
    help="Folder to write people/relations/referrals/holdings CSV files into.",
)
def neo4j_load(uri: str, user: str, database: str | None, out: str) -> None:
    """Read the book back from Neo4j into CSV files."""
    with _store(uri, user, database) as store, step("loading from Neo4j"):
        g = store.load()
    dest = Path(out)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("people", "relations", "referrals", "holdings"):
        getattr(g, name).to_csv(dest / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    click.echo(f"wrote {g!r} to {dest}")


def _pushdown_command(name: str, method: str, what: str, doc: str) -> None:
    @neo4j.command(name=name, help=doc)
    @_store_options
    @fmt_option
    def cmd(uri: str, user: str, database: str | None, fmt: str, out: str | None) -> None:
        with _store(uri, user, database) as store, step(f"computing {what} in Neo4j"):
            result = getattr(store, method)()
        emit(result, fmt, out)


_pushdown_command("gaps", "coverage_gaps", "coverage gaps", "Coverage gaps computed inside Neo4j.")
_pushdown_command(
    "referral-value",
    "referral_value",
    "referral value",
    "Referral-chain value computed inside Neo4j.",
)
_pushdown_command(
    "super-users",
    "super_users",
    "super users",
    "Super users, their inputs computed inside Neo4j.",
)
