"""The ``famgraph`` command line: thin wrappers over the public API.

Every command parses its arguments, calls the same functions a notebook would,
and prints or writes the result. Progress goes to standard error, results to
standard output (or ``--out``), so ``famgraph gaps DIR --format json | jq`` works.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

import famgraph as fg
from famgraph.errors import FamgraphError
from famgraph.ingest.pipeline import check_as_of
from famgraph.ingest.read import check_encoding

FORMATS = ("table", "csv", "json", "parquet")
_err = None
#: Set to 1 to see the Python traceback of an unexpected error (a bug: please report it).
DEBUG_ENV = "FAMGRAPH_DEBUG"


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


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Hold back a logger's warnings (the command prints its own summary)."""
    log = logging.getLogger(logger)
    before = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(before)


def _load(directory: str, as_of: pd.Timestamp | None, encoding: str | None) -> fg.CustomerGraph:
    with step(f"reading and validating {directory}"), _quiet("famgraph"):
        g = fg.read_dir(directory, as_of=as_of, encoding=encoding)
    rejected, blanked = len(g.rejects), len(g.issues)
    if rejected or blanked:
        _console().print(
            f"note: {rejected:,} row(s) rejected and {blanked:,} optional cell(s) emptied; "
            f"`famgraph validate {directory}` lists them.",
            soft_wrap=True,
            highlight=False,
        )
    return g


# --- argument checks: fail before any work, with one line saying what to do -----------
def _as_of_value(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return check_as_of(value, "--as-of")
    except FamgraphError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it year first, e.g. 2025-06-30 or 2025年6月30日."
        ) from None


def _encoding_value(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return check_encoding(value, "--encoding")
    except FamgraphError:
        raise click.BadParameter(
            f"{value!r} is not a text encoding Python knows; try utf-8, gbk or gb18030."
        ) from None


def _encoding_name(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    """A text encoding Python knows, kept as the user spelled it (for writing files)."""
    _encoding_value(ctx, param, value)
    return value


def _writable_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """An output file path whose folder exists and is writable (checked before the work)."""
    if value is None:
        return None
    p = Path(value)
    folder = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise click.BadParameter(f"{value} is a folder; give a file name inside it.")
    if not folder.is_dir():
        raise click.BadParameter(
            f"the folder {str(folder)!r} does not exist; create it or write somewhere else."
        )
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise click.BadParameter(f"cannot write {value}; choose a writable place.")
    return value


def _writable_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """An output folder that exists or can be created (a missing parent is created too)."""
    if value is None:
        return None
    p = Path(value)
    if p.exists() and not p.is_dir():
        raise click.BadParameter(f"{value} is a file; give a folder.")
    existing = next((q for q in (p, *p.parents) if q.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise click.BadParameter(f"cannot create or write {value}; choose a writable place.")
    return value


def _fmt_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--out",
        "-o",
        type=click.Path(dir_okay=False),
        callback=_writable_file,
        help="Write to FILE.",
    )(f)
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
    return click.option(
        "--as-of",
        callback=_as_of_value,
        help="Analysis date, e.g. 2025-06-30 (default: the latest date in the data).",
    )(f)


def _book_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of`` and ``--encoding``: every command that reads a book takes both."""
    f = click.option(
        "--encoding",
        callback=_encoding_value,
        help="Text encoding of the CSV files, e.g. gbk (default: detect UTF-8 or GBK).",
    )(f)
    return _as_of_option(f)


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {_one_line(message)}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Every failure is one line on stderr -- never a traceback -- and a non-zero exit.

    Bad arguments, unreadable input and unwritable output exit with status 2 (the
    message says what to do); an interrupted run 130; an unexpected error, which is a
    bug, 1 (set FAMGRAPH_DEBUG=1 to see its traceback).
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(exc.format_message() + hint, 2)
        except click.ClickException as exc:
            _fail(exc.format_message(), 2)
        except click.Abort:
            _fail("aborted.", 130)
        except (FamgraphError, ValueError) as exc:
            _fail(str(exc), 2)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            _fail(f"cannot read or write{where}: {exc.strerror or exc}. Check the path.", 2)
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(
                f"unexpected {type(exc).__name__}; this is a bug in famgraph {fg.__version__}. "
                f"Run again with {DEBUG_ENV}=1 to see the traceback, and report it.",
                1,
            )
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


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
    "--people",
    "n_people",
    default=20_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Size of the synthetic book.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed of the synthetic book.")
@click.option(
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=_writable_file,
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


@main.command()
@click.argument("directory", type=click.Path(file_okay=False), callback=_writable_folder)
@click.option(
    "--people",
    "n_people",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of people in the book.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed of the book.")
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    callback=_encoding_name,
    help="Text encoding of the files, e.g. gbk as Excel on a Chinese Windows saves.",
)
@click.option(
    "--forms",
    type=click.Choice(fg.datasets.FORMS),
    default=None,
    help="How dates and yes/no are written: iso (2025-06-30, True) or zh (2025年6月30日, "
    "是/否). Default: zh for GBK/GB18030, else iso.",
)
@click.option("--dirty", is_flag=True, help="Add problem rows of every kind.")
def sample(
    directory: str, n_people: int, seed: int, encoding: str, forms: str | None, dirty: bool
) -> None:
    """Write a synthetic book as CSV files into DIR (created if needed).

    Families with parents, grandparents and in-laws, referrals, and policies with
    their policyholders (payer_id, payer_relation) -- grandparents paying for
    grandchildren included. Read it back with `famgraph validate DIR`.
    """
    chinese = check_encoding(encoding, "sample") == "gb18030"
    chosen = forms or ("zh" if chinese else "iso")
    with step(f"generating a synthetic book of {n_people:,} people"):
        tables = fg.datasets.synthetic(n_people=n_people, seed=seed, dirty=dirty)
    with step(f"writing {directory} ({encoding}, {chosen} forms)"):
        files = fg.datasets.write_book(tables, directory, encoding=encoding, forms=chosen)
    click.echo(" ".join(str(f) for f in files))


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
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=_writable_file,
)
@click.option("--title", default=None, help="Report title.")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--mask-names", is_flag=True, help="Show ids instead of personal names.")
@_book_options
def report(
    directory: str,
    out: str,
    title: str | None,
    currency: str,
    mask_names: bool,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Analyse DIR and write one self-contained HTML report."""
    g = _load(directory, as_of, encoding)
    _report(g, out, title=title, currency=currency, mask_names=mask_names)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--rejects-out",
    type=click.Path(dir_okay=False),
    callback=_writable_file,
    help="Write every rejected row (table, row, reason, column, detail) as CSV.",
)
@click.option(
    "--issues-out",
    type=click.Path(dir_okay=False),
    callback=_writable_file,
    help="Write every emptied cell (table, row, column, reason, detail) as CSV.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected or cell emptied.")
@_book_options
def validate(
    directory: str,
    rejects_out: str | None,
    issues_out: str | None,
    strict: bool,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Show the quality report (rows in = kept + merged + rejected), rejects and emptied cells.

    Optional descriptive cells that cannot be read (a birth date, an income, a payer
    naming nobody ...) are emptied and their rows kept: they are listed apart.
    """
    g = _load(directory, as_of, encoding)
    click.echo(g.quality_report().to_string(index=False))
    rej, iss = g.rejects, g.issues
    if len(rej):
        click.echo("\nrejects by reason:")
        counts = rej.groupby(["table", "reason"]).size().rename("rows").reset_index()
        click.echo(counts.to_string(index=False))
        click.echo("\nfirst rejects:")
        click.echo(rej.head(20).to_string(index=False))
    if len(iss):
        click.echo("\ncells emptied (their rows are kept):")
        counts = iss.groupby(["table", "column", "reason"]).size().rename("cells").reset_index()
        click.echo(counts.to_string(index=False))
    if rejects_out:
        rej.to_csv(rejects_out, index=False)
        _console().print(f"wrote {len(rej):,} rejects to {rejects_out}")
    if issues_out:
        iss.to_csv(issues_out, index=False)
        _console().print(f"wrote {len(iss):,} emptied cells to {issues_out}")
    if strict and (len(rej) or len(iss)):
        raise SystemExit(1)


def _analysis_command(name: str, func: Callable[[fg.CustomerGraph], Any], doc: str) -> None:
    @main.command(name=name, help=doc)
    @click.argument("directory", type=click.Path(exists=True, file_okay=False))
    @_fmt_option
    @_book_options
    def cmd(
        directory: str,
        fmt: str,
        out: str | None,
        as_of: pd.Timestamp | None,
        encoding: str | None,
    ) -> None:
        g = _load(directory, as_of, encoding)
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
@_book_options
def neo4j_save(
    directory: str,
    uri: str,
    user: str,
    database: str | None,
    batch_size: int,
    workers: int,
    replace: bool,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Validate DIR and save it to Neo4j (idempotent: saving twice changes nothing).

    Without --replace, rows are added or updated and nothing already stored is removed.
    """
    with _store(uri, user, database) as store:  # a bad URI fails before the book is read
        g = _load(directory, as_of, encoding)
        rep = store.save(g, batch_size=batch_size, progress=True, replace=replace, workers=workers)
    click.echo(str(rep))


@neo4j.command("load")
@_store_options
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False),
    callback=_writable_folder,
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
