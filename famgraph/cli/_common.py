"""What every command shares: the group, one-line errors, options, output, progress."""

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

from famgraph._version import __version__
from famgraph.errors import FamgraphError
from famgraph.graph import CustomerGraph
from famgraph.ingest import read_dir
from famgraph.ingest.pipeline import check_as_of
from famgraph.ingest.read import check_encoding

FORMATS = ("table", "csv", "json", "parquet")
_err = None
#: Set to 1 to see the Python traceback of an unexpected error (a bug: please report it).
DEBUG_ENV = "FAMGRAPH_DEBUG"


def console() -> Any:
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True)
    return _err


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    """Show a spinner on stderr while a long step runs, then its time."""
    con = console()
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
        console().print(f"wrote {out}")


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


def load(directory: str, as_of: pd.Timestamp | None, encoding: str | None) -> CustomerGraph:
    """Read and validate the book in ``directory``; note its rejects and emptied cells."""
    with step(f"reading and validating {directory}"), _quiet("famgraph"):
        g = read_dir(directory, as_of=as_of, encoding=encoding)
    rejected, blanked = len(g.rejects), len(g.issues)
    if rejected or blanked:
        console().print(
            f"note: {rejected:,} row(s) rejected and {blanked:,} optional cell(s) emptied; "
            f"`famgraph validate {directory}` lists them.",
            soft_wrap=True,
            highlight=False,
        )
    return g


# --- argument checks: fail before any work, with one line saying what to do -----------
def as_of_value(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A date as the book's dates are written (ISO or Chinese forms), or None."""
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


def encoding_name(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    """A text encoding Python knows, kept as the user spelled it (for writing files)."""
    _encoding_value(ctx, param, value)
    return value


def writable_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
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


def writable_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
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


def fmt_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--out",
        "-o",
        type=click.Path(dir_okay=False),
        callback=writable_file,
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


def as_of_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of",
        callback=as_of_value,
        help="Analysis date, e.g. 2025-06-30 (default: the latest date in the data).",
    )(f)


def book_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of`` and ``--encoding``: every command that reads a book takes both."""
    f = click.option(
        "--encoding",
        callback=_encoding_value,
        help="Text encoding of the CSV files, e.g. gbk (default: detect UTF-8 or GBK).",
    )(f)
    return as_of_option(f)


def one_line(message: str) -> str:
    return " ".join(str(message).split())


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {one_line(message)}", err=True)
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
                f"unexpected {type(exc).__name__}; this is a bug in famgraph {__version__}. "
                f"Run again with {DEBUG_ENV}=1 to see the traceback, and report it.",
                1,
            )
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="famgraph")
def main() -> None:
    """famgraph: household coverage gaps, super users and referral value from customer tables.

    DIR is a folder holding people.csv (or .parquet) and optionally relations,
    referrals and holdings files. Run `famgraph demo` to see everything on a
    synthetic book.
    """
