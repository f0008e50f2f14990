"""Commands that read a book from a folder: demo, sample, validate, report, the analyses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import click
import pandas as pd

from famgraph import datasets
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.segments import value_segments
from famgraph.analysis.superusers import super_users
from famgraph.analysis.transitions import tier_transitions, transition_matrix
from famgraph.analysis.valuemodel import fit_value_model, predict_value
from famgraph.cli._common import (
    as_of_value,
    book_options,
    console,
    emit,
    encoding_name,
    fmt_option,
    load,
    main,
    step,
    writable_file,
    writable_folder,
)
from famgraph.graph import CustomerGraph
from famgraph.i18n import LANGUAGES
from famgraph.ingest import build
from famgraph.ingest.read import check_encoding
from famgraph.report import report as write_report
from famgraph.rules import (
    CHURN_THRESHOLD,
    DISCOUNT,
    HORIZON_MONTHS,
    VIRAL_FREQ,
    VIRAL_WINDOW_DAYS,
)

_language = click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the report: en (English) or zh (简体中文).",
)


def _book_size(default: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--people N`` and ``--seed S`` of a synthetic book."""

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "--seed", default=0, show_default=True, help="Random seed of the synthetic book."
        )(f)
        return click.option(
            "--people",
            "n_people",
            default=default,
            show_default=True,
            type=click.IntRange(min=1),
            help="Number of people in the synthetic book.",
        )(f)

    return deco


@main.command()
@_book_size(20_000)
@click.option(
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=writable_file,
    help="Where to write the HTML report.",
)
@_language
def demo(n_people: int, seed: int, out: str, language: str) -> None:
    """Generate a synthetic book, run every analysis in memory, write the HTML report."""
    t0 = time.perf_counter()
    with step(f"generating a synthetic book of {n_people:,} people"):
        tables = datasets.synthetic(n_people=n_people, seed=seed)
    with step("building the graph"):
        g = build(tables["people"], tables["relations"], tables["referrals"], tables["holdings"])
    console().print(g.quality_report().to_string(index=False))
    _report(g, out, language=language)
    console().print(f"[bold]done in {time.perf_counter() - t0:.1f} s[/] -> {out}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False), callback=writable_folder)
@_book_size(10_000)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    callback=encoding_name,
    help="Text encoding of the files, e.g. gbk as Excel on a Chinese Windows saves.",
)
@click.option(
    "--forms",
    type=click.Choice(datasets.FORMS),
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
        tables = datasets.synthetic(n_people=n_people, seed=seed, dirty=dirty)
    with step(f"writing {directory} ({encoding}, {chosen} forms)"):
        files = datasets.write_book(tables, directory, encoding=encoding, forms=chosen)
    click.echo(" ".join(str(f) for f in files))


def _report(g: CustomerGraph, out: str, **kw: Any) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console(),
        transient=False,
    ) as bar:
        task = bar.add_task("report", total=1)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        write_report(g, out, progress=progress, **kw)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=writable_file,
)
@click.option("--title", default=None, help="Report title.")
@click.option("--currency", default="CNY", show_default=True)
@click.option("--mask-names", is_flag=True, help="Show ids instead of personal names.")
@_language
@click.option(
    "--since",
    callback=as_of_value,
    help="Earlier date of the 'Rising, slipping, at risk' section, e.g. 2024-12-31 "
    "(default: the last quarter end before the analysis date).",
)
@book_options
def report(
    directory: str,
    out: str,
    title: str | None,
    currency: str,
    mask_names: bool,
    language: str,
    since: pd.Timestamp | None,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Analyse DIR and write one self-contained HTML report."""
    g = load(directory, as_of, encoding)
    _report(
        g,
        out,
        title=title,
        currency=currency,
        mask_names=mask_names,
        language=language,
        since=since,
    )


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--rejects-out",
    type=click.Path(dir_okay=False),
    callback=writable_file,
    help="Write every rejected row (table, row, reason, column, detail) as CSV.",
)
@click.option(
    "--issues-out",
    type=click.Path(dir_okay=False),
    callback=writable_file,
    help="Write every emptied cell (table, row, column, reason, detail) as CSV.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected or cell emptied.")
@book_options
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
    g = load(directory, as_of, encoding)
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
        console().print(f"wrote {len(rej):,} rejects to {rejects_out}")
    if issues_out:
        iss.to_csv(issues_out, index=False)
        console().print(f"wrote {len(iss):,} emptied cells to {issues_out}")
    if strict and (len(rej) or len(iss)):
        raise SystemExit(1)


def _analysis_command(name: str, func: Callable[[CustomerGraph], Any], doc: str) -> None:
    @main.command(name=name, help=doc)
    @click.argument("directory", type=click.Path(exists=True, file_okay=False))
    @fmt_option
    @book_options
    def cmd(
        directory: str,
        fmt: str,
        out: str | None,
        as_of: pd.Timestamp | None,
        encoding: str | None,
    ) -> None:
        g = load(directory, as_of, encoding)
        with step(f"computing {name}"):
            result = func(g)
        emit(result, fmt, out)


_analysis_command(
    "households",
    lambda g: households(g),
    "Household, family, role and age of every person in DIR.",
)
_analysis_command(
    "gaps",
    lambda g: coverage_gaps(g),
    "Coverage gaps: one row per required (person, line) not covered.",
)
_analysis_command(
    "household-summary",
    lambda g: household_summary(g),
    "One row per household: penetration, coverage, protection gap, top gap.",
)
_analysis_command(
    "super-users",
    lambda g: super_users(g),
    "Relationship tier, score and reasons of every person.",
)
_analysis_command(
    "referral-value",
    lambda g: referral_value(g),
    "Referral-chain value, cascade size and depth of every person.",
)
_analysis_command(
    "leads",
    lambda g: warm_leads(g),
    "Warm leads: prospects next to strong or super customers, ranked.",
)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--freq",
    default=VIRAL_FREQ,
    show_default=True,
    help="Cohort period of joined_at: a pandas period alias such as M, Q or Y.",
)
@click.option(
    "--window-days",
    default=VIRAL_WINDOW_DAYS,
    show_default=True,
    type=click.IntRange(min=0),
    help="A referral counts when made within this many days of joining.",
)
@fmt_option
@book_options
def viral(
    directory: str,
    freq: str,
    window_days: int,
    fmt: str,
    out: str | None,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Viral coefficient (K-factor) of every joining cohort in DIR."""
    g = load(directory, as_of, encoding)
    with step("computing the viral coefficient"):
        result = viral_coefficient(g, freq=freq, window_days=window_days)
    emit(result, fmt, out)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--horizon-months",
    default=HORIZON_MONTHS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Months ahead of expected purchases and CLV.",
)
@click.option(
    "--discount",
    default=DISCOUNT,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Monthly discount rate of the CLV.",
)
@click.option(
    "--churn-threshold",
    default=CHURN_THRESHOLD,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="A strong or super customer less likely alive than this is at risk.",
)
@fmt_option
@book_options
def value(
    directory: str,
    horizon_months: int,
    discount: float,
    churn_threshold: float,
    fmt: str,
    out: str | None,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Value still to come: CLV, CRV, segment, churn risk of every person in DIR.

    Fits the BG/NBD + Gamma-Gamma value model on the purchases up to the analysis
    date (its parameters are printed on stderr), predicts every customer's
    purchases and CLV over the horizon, and places them in the CLV x CRV segments.
    """
    g = load(directory, as_of, encoding)
    with step("fitting the value model"):
        model = fit_value_model(g)
    console().print(repr(model), highlight=False, soft_wrap=True)
    with step("predicting value and segments"):
        pred = predict_value(g, model, horizon_months=horizon_months, discount=discount)
        seg = value_segments(
            g, pred.set_index("person_id")["clv"], model=model, churn_threshold=churn_threshold
        )
    result = pred.merge(
        seg.drop(columns=["clv", "p_alive"]), on="person_id", how="left", validate="1:1"
    )
    emit(result, fmt, out)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--since",
    required=True,
    callback=as_of_value,
    help="The earlier date, e.g. 2024-12-31 (before the analysis date).",
)
@click.option(
    "--matrix",
    is_flag=True,
    help="Print the tier-before x tier-after counts instead of one row per person.",
)
@fmt_option
@book_options
def transitions(
    directory: str,
    since: pd.Timestamp,
    matrix: bool,
    fmt: str,
    out: str | None,
    as_of: pd.Timestamp | None,
    encoding: str | None,
) -> None:
    """Relationship tier of every person in DIR at --since and now: who rose, who slipped."""
    g = load(directory, as_of, encoding)
    with step(f"computing tiers at {since.date()} and {g.as_of.date()}"):
        result = tier_transitions(g, since)
    if matrix:
        result = transition_matrix(result).reset_index()
    emit(result, fmt, out)
