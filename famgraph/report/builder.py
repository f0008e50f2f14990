"""``fg.report``: every analysis of a book in one self-contained HTML file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from famgraph._validation import check_param
from famgraph._version import __version__
from famgraph.graph import CustomerGraph
from famgraph.report import template as T
from famgraph.report.kpis import headline_kpis
from famgraph.report.parts import STEPS, Context, Names, Settings, compute
from famgraph.report.sections import SECTIONS
from famgraph.rules import (
    CI_MULTIPLE,
    DECAY,
    LIFE_MULTIPLE,
    MIN_REFERRALS,
    MINOR_AGE,
    SOCIAL_WEIGHT,
    VIRAL_FREQ,
    VIRAL_WINDOW_DAYS,
)

__all__ = ["Progress", "report"]

#: ``progress(step, done, total)``: called before each step (done = steps finished)
#: and once at the end with ``step == "done"`` and ``done == total``.
Progress = Callable[[str, int, int], None]


def report(
    g: CustomerGraph,
    path: str | os.PathLike[str],
    *,
    plan: pd.DataFrame | None = None,
    decay: float = DECAY,
    max_depth: int | None = None,
    value: pd.Series | None = None,
    min_referrals: int = MIN_REFERRALS,
    minor_age: int = MINOR_AGE,
    life_multiple: float = LIFE_MULTIPLE,
    ci_multiple: float = CI_MULTIPLE,
    social_weight: float = SOCIAL_WEIGHT,
    freq: str = VIRAL_FREQ,
    window_days: int = VIRAL_WINDOW_DAYS,
    title: str | None = None,
    currency: str = "CNY",
    mask_names: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Write one self-contained HTML report of the book ``g`` to ``path``.

    Sections: headline KPIs; coverage (gaps by role and line, the households with
    the largest protection gap, drawn); super users (tier funnel, relationship
    levels with referral inflow, leaderboard with reasons); referral (the most
    valuable chains drawn, chain-value distribution, viral coefficient by cohort);
    warm leads; data quality (quality report, reject counts by reason).

    Parameters
    ----------
    g : CustomerGraph
    path : str or os.PathLike
        Where to write the ``.html`` file (parent folders are created).
    plan, minor_age, life_multiple, ci_multiple
        Passed to :func:`famgraph.coverage_gaps`, :func:`famgraph.household_summary`
        and :func:`famgraph.warm_leads`.
    decay, max_depth, value
        Passed to :func:`famgraph.referral_value`; ``decay`` and ``value`` also to
        :func:`famgraph.super_users` (e.g. ``value=`` a predicted lifetime value).
    min_referrals, social_weight
        Passed to :func:`famgraph.super_users` (and ``min_referrals`` to
        :func:`famgraph.warm_leads`).
    freq, window_days
        Passed to :func:`famgraph.viral_coefficient` and the headline K-factor.
    title : str, optional
        Page title; default ``"famgraph report — <as_of date>"``.
    currency : str, default "CNY"
        Currency code shown with money.
    mask_names : bool, default False
        Show person ids instead of names everywhere (tables, figures, free text).
    progress : callable, optional
        ``progress(step, done, total)``, called before each of the steps and once
        with ``("done", total, total)`` at the end -- e.g. to drive a progress bar.

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    Every analysis runs once, with these settings, and the captions state them.
    The file works offline: figures are embedded PNGs (``data:`` URIs), styles are
    inline, there is no script, and a Content-Security-Policy forbids loading
    anything else. All data is HTML-escaped. Cost: the analyses (vectorised,
    O(V + E) each, PageRank iterative) plus a fixed number of small figures; only
    a few households and referral trees are drawn.

    Examples
    --------
    >>> import famgraph as fg, tempfile, os
    >>> out = fg.report(fg.datasets.sample(), os.path.join(tempfile.mkdtemp(), "r.html"),
    ...                 decay=0.3, life_multiple=8)
    >>> text = out.read_text(encoding="utf-8")
    >>> "Σ 0.3^(distance−1)" in text and "Life need 8×" in text
    True
    """
    check_param(
        "report",
        "currency",
        currency,
        isinstance(currency, str) and bool(currency),
        "a non-empty string such as 'CNY'",
    )
    settings = Settings(
        plan=plan,
        minor_age=minor_age,
        life_multiple=life_multiple,
        ci_multiple=ci_multiple,
        decay=decay,
        max_depth=max_depth,
        value=value,
        min_referrals=min_referrals,
        social_weight=social_weight,
        freq=freq,
        window_days=window_days,
        currency=currency,
        mask_names=mask_names,
    )
    total = len(STEPS)
    t0 = time.perf_counter()
    done = 0

    def step(name: str) -> None:
        nonlocal done
        if progress is not None:
            progress(name, done, total)
        done += 1

    results = compute(g, settings, step)
    step("figures")
    ctx = Context(g, settings, results, Names(g, mask_names))
    kpis = headline_kpis(
        g, households=results.households, viral=results.viral, window_days=window_days
    )
    parts = [section(ctx) for section in SECTIONS]
    step("writing")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(g, settings, kpis, parts, title, time.perf_counter() - t0), "utf-8")
    if progress is not None:
        progress("done", total, total)
    return out


def _page(
    g: CustomerGraph,
    s: Settings,
    kpis: pd.DataFrame,
    parts: list[tuple[str, str, str]],
    title: str | None,
    seconds: float,
) -> str:
    """The whole page: header, navigation, headline, the sections, footer."""
    kpi_html = T.section("kpis", "Headline figures", T.kpi_cards(kpis))
    body = kpi_html + "\n" + "\n".join(T.section(a, t, html_) for a, t, html_ in parts)
    as_of = g.as_of.date().isoformat()
    page_title = f"famgraph report — {as_of}" if title is None else title
    subtitle = (
        f"Book as of {as_of}: {g.n_people:,} people, {len(g.holdings):,} holdings, "
        f"{len(g.referrals):,} referrals. Money in {s.currency}."
        + (" Names masked." if s.mask_names else "")
    )
    nav = [("kpis", "Headline"), *((a, t) for a, t, _ in parts)]
    footer = (
        f"Generated by famgraph {__version__} in {seconds:.1f} s. Every figure is defined "
        "in the famgraph documentation: docs/metrics.md (definitions) and docs/report.md "
        "(this page)."
    )
    return T.page(page_title, subtitle, nav, body, footer)
