"""``fg.report``: every analysis of a book in one self-contained HTML file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from famgraph._validation import check_date, check_param
from famgraph._version import __version__
from famgraph.graph import CustomerGraph
from famgraph.i18n import check_language
from famgraph.report import template as T
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
    language: str = "en",
    line_names: Mapping[str, str] | None = None,
    since: Any = None,
) -> Path:
    """Write one self-contained HTML report of the book ``g`` to ``path``.

    Sections: what to do first (the total protection gap, the households short,
    and three actions for this week: the households with the largest
    first-priority gaps, the strong and super customers slipping away, the warm
    leads with the best reason -- each linking to its section); headline KPIs;
    coverage (gaps by role and line, the households with the largest protection
    gap -- click one to see its member x line grid); super users (tier funnel,
    relationship levels with referral inflow, leaderboard by tier then score with
    reasons); rising, slipping, at risk (the tier flow since ``since``, who rose to
    and who slipped from strong or super, the CLV x CRV picture and value segments,
    the strong and super customers at risk); referral (the most valuable chains, drawn;
    chain-value distribution; viral coefficient by cohort); warm leads; data
    quality (quality report, reject counts by reason).

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
    language : {"en", "zh"}, default "en"
        Language of every label, caption, reason sentence and number format (in
        Chinese large amounts in 万 and 亿), from :mod:`famgraph.i18n`.
    line_names : dict, optional
        Display names of product lines (code -> name) in ``language``, before
        :data:`famgraph.i18n.LINE_NAMES` (e.g. ``{"dental": "牙科险"}``); a line
        without a name shows its code.
    since : date-like, optional
        The earlier date of "Rising, slipping, at risk" (:func:`famgraph.tier_transitions`);
        default the last quarter end before ``g.as_of``.

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    Every analysis runs once, with these settings, and the captions state them.
    Unknown stays unknown: a household whose earners have no known income shows
    its money gap as "unknown", not 0. The file works offline: figures are
    embedded PNGs (``data:`` URIs); one inline style sheet and one small inline
    script (filter, sort and CSV download for every table) are the only code, and
    a Content-Security-Policy naming both by their SHA-256 hash forbids anything
    else; without scripts the tables are plain and complete. All data is
    HTML-escaped. Cost: the analyses (vectorised, O(V + E) each, PageRank and the
    value model iterative) plus a fixed number of small figures: the listed
    households (10 + up to 3) and three referral trees are drawn.

    Examples
    --------
    >>> import famgraph as fg, tempfile, os
    >>> out = fg.report(fg.datasets.sample(), os.path.join(tempfile.mkdtemp(), "r.html"),
    ...                 decay=0.3, life_multiple=8)
    >>> text = out.read_text(encoding="utf-8")
    >>> "Σ 0.3^(distance−1)" in text and "Life need 8×" in text
    True
    >>> zh = fg.report(fg.datasets.sample(), os.path.join(tempfile.mkdtemp(), "r.html"),
    ...                language="zh").read_text(encoding="utf-8")
    >>> "本周3项行动" in zh and "重疾险" in zh
    True
    """
    check_language("report", language)
    check_param(
        "report",
        "line_names",
        line_names,
        line_names is None
        or (
            isinstance(line_names, Mapping) and all(isinstance(v, str) for v in line_names.values())
        ),
        "a dict of product line -> display name (text)",
    )
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
        language=language,
        line_names=line_names,
        since=None if since is None else check_date("report", "since", since),
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
    parts = [section(ctx) for section in SECTIONS]
    step("writing")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page(ctx, parts, title, time.perf_counter() - t0), "utf-8")
    if progress is not None:
        progress("done", total, total)
    return out


def _page(c: Context, parts: list[tuple[str, str, str]], title: str | None, seconds: float) -> str:
    """The whole page: header, navigation, the sections, footer."""
    g, s = c.g, c.settings
    body = "\n".join(T.section(a, t, html_) for a, t, html_ in parts)
    as_of = g.as_of.date().isoformat()
    page_title = c.t("page.title", date=as_of) if title is None else title
    subtitle = c.t(
        "page.subtitle",
        date=as_of,
        people=c.count(g.n_people),
        holdings=c.count(len(g.holdings)),
        referrals=c.count(len(g.referrals)),
        currency=c.t("page.currency_cny") if s.currency == "CNY" else s.currency,
    ) + (c.t("page.masked") if s.mask_names else "")
    nav = [(a, c.t(f"nav.{a}")) for a, _, _ in parts]
    footer = c.t("page.footer", version=__version__, seconds=f"{seconds:.1f}")
    return T.page(page_title, subtitle, nav, body, footer, lang=c.t("page.lang"))
