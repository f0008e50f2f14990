"""The ``famgraph`` command line: thin wrappers over the public API.

Every command parses its arguments, calls the same functions a notebook would,
and prints or writes the result. Progress goes to standard error, results to
standard output (or ``--out``), so ``famgraph gaps DIR --format json | jq`` works.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pandas as pd

import famgraph as fg
from famgraph.errors import FamgraphError

FORMATS = ("table", "csv", "json", "parquet")
_err = None


def _console() -> Any:
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True)
    return _err


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    """Show a spinner on stderr while a long step runs, then its time."""
    con = _console()
    t0 = time.perf_counter()
    with con.status(f"{what} ..."):
        yield
    con.print(f"[green]✓[/] {what} ({time.perf_counter() - t0:.1f} s)")


def emit(df: pd.DataFrame | pd.Series, fmt: str, out: str | None, *, max_rows: int = 50) -> None:
    """Write a result as a table, CSV, JSON (records, ISO dates, null for NaN) or Parquet."""
    if isinstance(df, pd.Series):
        df = df.reset_index()
    if fmt == "parquet":
        if out is None and sys.stdout.isatty():
            raise click.UsageError("Parquet is binary: give --out FILE or redirect stdout.")
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        _write_bytes(buf.getvalue(), out)
        return
    if fmt == "csv":
        text = df.to_csv(index=False)
    elif fmt == "json":
        text = df.to_json(orient="records", date_format="iso", force_ascii=False, indent=None)
        text = (text or "[]") + "\n"
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            shown = df if len(df) <= max_rows else df.head(max_rows)
            text = shown.to_string(index=False) + "\n"
            if len(df) > max_rows:
                text += f"... {len(df) - max_rows:,} more rows (use --format csv for all)\n"
    _write_bytes(text.encode("utf-8"), out)


def _write_bytes(data: bytes, out: str | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(out).write_bytes(data)
        _console().print(f"wrote {out}")


def _load(directory: str, as_of: str | None) -> fg.CustomerGraph:
    with step(f"reading and validating {directory}"):
        return fg.read_dir(directory, as_of=as_of)


def _fmt_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to FILE.")(f)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format; json is records-oriented with ISO dates and null for missing.",
    )(f)
    return f


def _as_of_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--as-of", help="Analysis date (default: latest date in the data).")(f)


class _Group(click.Group):
    """Turns famgraph errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FamgraphError as exc:
            _console().print(f"[red]error:[/] {exc}")
            raise SystemExit(2) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(fg.__version__, prog_name="famgraph")
def main() -> None:
    """famgraph: household coverage gaps, super users and referral value from customer tables.

    DIR is a folder holding people.csv (or .parquet) and optionally relations,
    referrals and holdings files. Run `famgraph demo` to see everything on a
    synthetic book.
    """


@main.command()
@click.option(
    "--people", "n_people", default=20_000, show_default=True, help="Size of the synthetic book."
)
@click.option("--seed", default=0, show_default=True, help="Random seed of the synthetic book.")
@click.option(
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the HTML report.",
)
def demo(n_people: int, seed: int, out: str) -> None:
    """Generate a synthetic book, run every analysis in memory, write the HTML report."""
    t0 = time.perf_counter()
    with step(f"generating a synthetic book of {n_people:,} people"):
        tables = fg.datasets.synthetic(n_people=n_people, seed=seed)
    with step("building the graph"):
        g = fg.build(tables["people"], tables["relations"], tables["referrals"], tables["holdings"])
    _console().print(g.quality_report().to_string(index=False))
    _report(g, out)
    _console().print(f"[bold]done in {time.perf_counter() - t0:.1f} s[/] -> {out}")


def _report(g: fg.CustomerGraph, out: str, **kw: Any) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_console(),
        transient=False,
    ) as bar:
        task = bar.add_task("report", total=1)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        fg.report(g, out, progress=progress, **kw)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out", "-o", default="report.html", show_default=True, type=click.Path(dir_okay=False)
)
@click.option("--title", default=None, help="Report title.")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--mask-names", is_flag=True, help="Show ids instead of personal names.")
@_as_of_option
def report(
    directory: str, out: str, title: str | None, currency: str, mask_names: bool, as_of: str | None
) -> None:
    """Analyse DIR and write one self-contained HTML report."""
    g = _load(directory, as_of)
    _report(g, out, title=title, currency=currency, mask_names=mask_names)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--rejects-out",
    type=click.Path(dir_okay=False),
    help="Write every rejected row (table, row, reason, column, detail) as CSV.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected.")
@_as_of_option
def validate(directory: str, rejects_out: str | None, strict: bool, as_of: str | None) -> None:
    """Show the quality report (rows in = kept + merged + rejected) and the rejects of DIR."""
    g = _load(directory, as_of)
    click.echo(g.quality_report().to_string(index=False))
    rej = g.rejects
    if len(rej):
        click.echo("\nrejects by reason:")
        counts = rej.groupby(["table", "reason"]).size().rename("rows").reset_index()
        click.echo(counts.to_string(index=False))
        click.echo("\nfirst rejects:")
        click.echo(rej.head(20).to_string(index=False))
    if rejects_out:
        rej.to_csv(rejects_out, index=False)
        _console().print(f"wrote {len(rej):,} rejects to {rejects_out}")
    if strict and len(rej):
        raise SystemExit(1)


def _analysis_command(name: str, func: Callable[[fg.CustomerGraph], Any], doc: str) -> None:
    @main.command(name=name, help=doc)
    @click.argument("directory", type=click.Path(exists=True, file_okay=False))
    @_fmt_option
    @_as_of_option
    def cmd(directory: str, fmt: str, out: str | None, as_of: str | None) -> None:
        g = _load(directory, as_of)
        with step(f"computing {name}"):
            result = func(g)
        emit(result, fmt, out)


_analysis_command(
    "households",
    lambda g: fg.households(g),
    "Household, family, role and age of every person in DIR.",
)
_analysis_command(
    "gaps",
    lambda g: fg.coverage_gaps(g),
    "Coverage gaps: one row per required (person, line) not covered.",
)
_analysis_command(
    "household-summary",
    lambda g: fg.household_summary(g),
    "One row per household: penetration, coverage, protection gap, top gap.",
)
_analysis_command(
    "super-users",
    lambda g: fg.super_users(g),
    "Relationship tier, score and reasons of every person.",
)
_analysis_command(
    "referral-value",
    lambda g: fg.referral_value(g),
    "Referral-chain value, cascade size and depth of every person.",
)
_analysis_command(
    "leads",
    lambda g: fg.warm_leads(g),
    "Warm leads: prospects next to strong or super customers, ranked.",
)


# --- neo4j -----------------------------------------------------------------------------
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
    return fg.Neo4jStore(uri, **kw)


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
@_as_of_option
def neo4j_save(
    directory: str,
    uri: str,
    user: str,
    database: str | None,
    batch_size: int,
    workers: int,
    replace: bool,
    as_of: str | None,
) -> None:
    """Validate DIR and save it to Neo4j (idempotent: saving twice changes nothing).

    Without --replace, rows are added or updated and nothing already stored is removed.
    """
    g = _load(directory, as_of)
    with _store(uri, user, database) as store:
        rep = store.save(g, batch_size=batch_size, progress=True, replace=replace, workers=workers)
    click.echo(str(rep))


@neo4j.command("load")
@_store_options
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False),
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


@neo4j.command("gaps")
@_store_options
@_fmt_option
def neo4j_gaps(uri: str, user: str, database: str | None, fmt: str, out: str | None) -> None:
    """Coverage gaps computed inside Neo4j."""
    with _store(uri, user, database) as store, step("computing coverage gaps in Neo4j"):
        result = store.coverage_gaps()
    emit(result, fmt, out)


# --- serve: the HTTP JSON API (extra famgraph[serve]; see docs/service.md) -----------
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
@_as_of_option
def serve(
    directory: str | None,
    neo4j_uri: str | None,
    user: str,
    database: str,
    host: str,
    port: int,
    cors_origins: tuple[str, ...],
    as_of: str | None,
) -> None:
    """Serve DIR (or --neo4j URI) as an HTTP JSON API until interrupted.

    Every endpoint but /health needs `Authorization: Bearer $FAMGRAPH_TOKEN`. Without
    FAMGRAPH_TOKEN it listens on loopback only, with a random token printed once;
    any other --host without a token is refused. The Neo4j password comes from
    NEO4J_PASSWORD.
    """
    if (directory is None) == (neo4j_uri is None):
        raise _serve_fail("give either DIR or --neo4j URI.")
    if neo4j_uri is not None and as_of is not None:
        raise _serve_fail("--as-of applies to DIR only.")
    try:
        from famgraph.service import DirectorySource, Neo4jSource
        from famgraph.service import serve as run
    except ImportError:
        raise _serve_fail(
            "the serve extra is not installed: pip install 'famgraph[serve]'."
        ) from None
    if directory is not None:
        source: Any = DirectorySource(directory, as_of=as_of)
    else:
        source = Neo4jSource(str(neo4j_uri), user=user, database=database)
    try:
        run(source, host=host, port=port, cors_origins=cors_origins)
    except FamgraphError as exc:
        raise _serve_fail(" ".join(str(exc).split())) from None


if __name__ == "__main__":  # pragma: no cover
    main()
