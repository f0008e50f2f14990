"""``fg.report``: every analysis of a book in one self-contained HTML file."""

from __future__ import annotations

import base64
import io
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from famgraph._validation import check_param
from famgraph._version import __version__
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.superusers import super_users
from famgraph.graph import CustomerGraph
from famgraph.report import template as T
from famgraph.report.kpis import headline_kpis

__all__ = ["Progress", "report"]

#: ``progress(step, done, total)``: called before each step (done = steps finished)
#: and once at the end with ``step == "done"`` and ``done == total``.
Progress = Callable[[str, int, int], None]

_STEPS = (
    "households",
    "coverage gaps",
    "household summary",
    "referral value",
    "viral coefficient",
    "super users",
    "warm leads",
    "figures",
    "writing",
)
_TOP = 20


def _png(draw: Callable[..., Any], size: tuple[float, float], dpi: int = 90) -> str:
    """Draw with ``draw(ax=ax)`` on a fresh (pyplot-free) figure; return base64 PNG."""
    from matplotlib.figure import Figure

    from famgraph import _fonts

    with _fonts.style():
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        draw(ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


class _Names:
    """Person id -> display name, and the name scrubber used with ``mask_names``."""

    def __init__(self, g: CustomerGraph, mask: bool) -> None:
        self.mask = mask
        ids = g.people["person_id"]
        names = g.people["name"]
        self.by_id = pd.Series(names.to_numpy(dtype=object), index=ids.to_numpy(dtype=object))
        if mask:
            ok = names.notna() & (names.astype("str").str.strip().str.len() > 0)
            pairs = pd.DataFrame({"name": names[ok].astype("str"), "id": ids[ok]})
            pairs = pairs.drop_duplicates("name")
            order = pairs["name"].str.len().sort_values(ascending=False).index
            self._pairs = list(zip(pairs.loc[order, "name"], pairs.loc[order, "id"], strict=True))

    def names(self, ids: pd.Series) -> pd.Series:
        """Display names of ``ids`` (the id itself when masked or unnamed)."""
        out = ids.map(self.by_id) if not self.mask else ids
        return pd.Series(np.where(pd.isna(out), ids, out), index=ids.index, dtype="str")

    def scrub(self, texts: pd.Series) -> pd.Series:
        """Replace any person's name inside free text by their id (only when masking)."""
        if not self.mask:
            return texts

        def one(t: Any) -> Any:
            if not isinstance(t, str):
                return t
            for nm, pid in self._pairs:
                if nm in t:
                    t = t.replace(nm, pid)
            return t

        return texts.map(one)  # only the few displayed rows reach here


def _fmt_money(currency: str) -> Callable[[Any], str]:
    from famgraph.plot import money

    return lambda v: "" if v is None or pd.isna(v) else money(float(v), currency)


def _pct(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):.0%}"


def report(
    g: CustomerGraph,
    path: str | os.PathLike[str],
    *,
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
    The file works offline: figures are embedded PNGs (``data:`` URIs), styles are
    inline, there is no script, and a Content-Security-Policy forbids loading
    anything else. All data is HTML-escaped. Cost: the analyses (vectorised,
    O(V + E) each, PageRank iterative) plus a fixed number of small figures; only
    a few households and referral trees are drawn.

    Examples
    --------
    >>> import famgraph as fg, tempfile, os
    >>> out = fg.report(fg.datasets.sample(), os.path.join(tempfile.mkdtemp(), "r.html"))
    >>> "Coverage" in out.read_text(encoding="utf-8")
    True
    """
    check_param(
        "report",
        "currency",
        currency,
        isinstance(currency, str) and bool(currency),
        "a non-empty string such as 'CNY'",
    )
    total = len(_STEPS)
    t0 = time.perf_counter()
    step_no = 0

    def step(name: str) -> None:
        nonlocal step_no
        if progress is not None:
            progress(name, step_no, total)
        step_no += 1

    nm = _Names(g, mask_names)
    money_fmt = _fmt_money(currency)

    step("households")
    hh = households(g)
    step("coverage gaps")
    gaps = coverage_gaps(g)
    step("household summary")
    summary = household_summary(g)
    step("referral value")
    rv = referral_value(g)
    step("viral coefficient")
    viral = viral_coefficient(g)
    step("super users")
    su = super_users(g)
    step("warm leads")
    leads = warm_leads(g)

    step("figures")
    from famgraph import plot

    kpis = headline_kpis(g, households=hh, viral=viral)
    parts: list[tuple[str, str, str]] = []

    # -- coverage --------------------------------------------------------------
    top_hh = summary.sort_values(["protection_gap", "household_id"], ascending=[False, True])
    top_hh = top_hh[top_hh["protection_gap"] > 0].head(10)
    if top_hh.empty:
        top_hh = summary.sort_values(["coverage_score", "household_id"]).head(10)
    hh_table = top_hh[
        [
            "household_id",
            "members",
            "customers",
            "penetration",
            "coverage_ratio",
            "protection_gap",
            "top_gap_person",
            "top_gap_line",
        ]
    ].copy()
    hh_table.insert(7, "top_gap_name", nm.names(hh_table["top_gap_person"]))
    if mask_names:
        hh_table = hh_table.drop(columns="top_gap_name")
    cov = [
        T.figure(
            _png(lambda ax: plot.coverage_heatmap(gaps, ax=ax), (8.5, 3.8)),
            "Coverage gaps by role and product line",
            f"{len(gaps):,} required (person, line) pairs not covered; "
            f"{int((~gaps['is_customer']).sum()):,} of them belong to prospects.",
        ),
        "<h3>Households to call first: largest protection gap</h3>",
        T.table(
            hh_table,
            headers={
                "protection_gap": f"protection gap ({currency})",
                "top_gap_name": "top gap name",
            },
            formats={"protection_gap": money_fmt, "penetration": _pct, "coverage_ratio": _pct},
        ),
    ]
    hh_figs = []
    members = hh["household_id"].value_counts()
    for hid in top_hh["household_id"].head(3):
        n = int(members.get(hid, 1))
        hh_figs.append(
            T.figure(
                _png(
                    partial(plot.household, g, hid, households=hh, mask_names=mask_names),
                    (7.0, 1.5 + 0.4 * n),
                ),
                f"Household {hid}",
            )
        )
    cov.append('<div class="grid2">' + "".join(hh_figs) + "</div>")
    cov.append(
        T.figure(
            _png(lambda ax: plot.protection_gap(summary, ax=ax, currency=currency), (7.5, 3.4)),
            "Protection gap distribution",
            "Life need 10× and critical-illness need 3× the earner's income, "
            "less the sum assured held (METRICS.md section 4).",
        )
    )
    parts.append(("coverage", "Coverage", "\n".join(cov)))

    # -- super users ---------------------------------------------------------------
    board = (
        su[su["tier"] != "none"]
        .sort_values(["score", "person_id"], ascending=[False, True])
        .head(_TOP)
    )
    board_t = board[
        [
            "person_id",
            "tier",
            "score",
            "frequency",
            "monetary",
            "converted_referrals",
            "chain_value",
            "reasons",
        ]
    ].copy()
    board_t.insert(1, "name", nm.names(board_t["person_id"]))
    board_t["reasons"] = nm.scrub(board_t["reasons"])
    if mask_names:
        board_t = board_t.drop(columns="name")
    n_super = int(su["is_super"].sum())
    sup = [
        '<div class="grid2">',
        T.figure(_png(lambda ax: plot.tiers(su, ax=ax), (6.5, 3.2)), "Tier funnel"),
        T.figure(
            _png(lambda ax: plot.funnel(su, ax=ax), (6.5, 3.2)),
            "Customers by relationship level with referral inflow",
        ),
        "</div>",
        f"<h3>Leaderboard: top {len(board_t)} by score ({n_super:,} super users)</h3>",
        T.table(
            board_t,
            headers={"monetary": f"value ({currency})", "chain_value": f"chain value ({currency})"},
            formats={
                "score": lambda v: f"{float(v):.1f}",
                "monetary": money_fmt,
                "chain_value": money_fmt,
            },
        ),
    ]
    parts.append(("super-users", "Super users", "\n".join(sup)))

    # -- referral --------------------------------------------------------------------
    roots = rv[(rv["generation"] == 0) & (rv["cascade_size"] > 0)]
    roots = roots.sort_values(["chain_value", "person_id"], ascending=[False, True])
    chains = roots.head(10)[
        ["person_id", "cascade_size", "depth", "converted_referrals", "chain_value"]
    ].copy()
    chains.insert(1, "name", nm.names(chains["person_id"]))
    if mask_names:
        chains = chains.drop(columns="name")
    ref = [
        f"<h3>Most valuable referral chains ({len(roots):,} chains in all)</h3>",
        T.table(
            chains,
            headers={"person_id": "root", "chain_value": f"chain value ({currency})"},
            formats={"chain_value": money_fmt},
            empty="No referrals.",
        ),
    ]
    trees = []
    for rid, depth in zip(roots["person_id"].head(3), roots["depth"].head(3), strict=True):
        trees.append(
            T.figure(
                _png(
                    partial(
                        plot.referral_tree,
                        g,
                        rid,
                        max_nodes=20,
                        max_children=3,
                        currency=currency,
                        mask_names=mask_names,
                    ),
                    (12.0, 1.4 + 1.0 * (min(int(depth), 4) + 1)),
                ),
                f"Referral tree of {rid}",
            )
        )
    ref.append("".join(trees))
    ref.append('<div class="grid2">')
    ref.append(
        T.figure(
            _png(lambda ax: plot.chain_value(rv, ax=ax, currency=currency), (6.5, 3.4)),
            "Chain value distribution",
            "chain value = Σ 0.5^(distance−1) × value of each descendant.",
        )
    )
    ref.append(
        T.figure(
            _png(lambda ax: plot.viral_coefficient(viral, ax=ax), (7.0, 3.4)),
            "Viral coefficient trend",
            "K-factor = converted referrals made within 365 days of joining / cohort size; "
            "cohorts that joined less than 365 days before the book date are still filling up.",
        )
    )
    ref.append("</div>")
    ref.append(
        T.table(
            viral.tail(8), formats={"k_factor": lambda v: f"{float(v):.2f}"}, empty="No cohorts."
        )
    )
    parts.append(("referral", "Referral", "\n".join(ref)))

    # -- warm leads -------------------------------------------------------------------
    lt = leads.head(_TOP).copy()
    lt.insert(1, "name", nm.names(lt["person_id"]))
    lt.insert(3, "via_name", nm.names(lt["via_person_id"]))
    lt["reason"] = nm.scrub(lt["reason"])
    if mask_names:
        lt = lt.drop(columns=["name", "via_name"])
    warm = T.note(
        f"{len(leads):,} prospects next to strong or super customers; "
        f"the top {len(lt)} by lead score."
    ) + T.table(
        lt,
        headers={"protection_gap": f"protection gap ({currency})"},
        formats={"protection_gap": money_fmt, "lead_score": lambda v: f"{float(v):.1f}"},
        empty="No warm leads.",
    )
    parts.append(("warm-leads", "Warm leads", warm))

    # -- data quality ------------------------------------------------------------------
    rej = g.rejects
    counts = (
        rej.groupby(["table", "reason"]).size().rename("rows").reset_index()
        if len(rej)
        else pd.DataFrame(columns=["table", "reason", "rows"])
    )
    dq = [
        "<h3>Rows in, kept, merged, rejected</h3>",
        T.table(g.quality_report()),
        "<h3>Rejected rows by reason</h3>",
        T.table(counts, empty="No row was rejected."),
    ]
    parts.append(("data-quality", "Data quality", "\n".join(dq)))

    step("writing")
    kpi_html = T.section("kpis", "Headline figures", T.kpi_cards(kpis))
    body = kpi_html + "\n" + "\n".join(T.section(a, t, html_) for a, t, html_ in parts)
    as_of = g.as_of.date().isoformat()
    page_title = f"famgraph report — {as_of}" if title is None else title
    subtitle = (
        f"Book as of {as_of}: {g.n_people:,} people, {len(g.holdings):,} holdings, "
        f"{len(g.referrals):,} referrals. Money in {currency}."
        + (" Names masked." if mask_names else "")
    )
    nav = [("kpis", "Headline"), *((a, t) for a, t, _ in parts)]
    footer = (
        f"Generated by famgraph {__version__} in {time.perf_counter() - t0:.1f} s. "
        "Definitions: docs/report.md and METRICS.md."
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(T.page(page_title, subtitle, nav, body, footer), encoding="utf-8")
    if progress is not None:
        progress("done", total, total)
    return out
