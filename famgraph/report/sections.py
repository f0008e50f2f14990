"""The report's sections: each a small function from the results to HTML.

Every section takes a :class:`~famgraph.report.parts.Context` and returns
``(anchor, title, html)``. Captions state the settings the figures were computed
with (multiples, decay, windows, thresholds), so the page never contradicts the
analysis behind it.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from famgraph import plot
from famgraph.report import template as T
from famgraph.report.parts import Context, png

__all__ = [
    "SECTIONS",
    "coverage_section",
    "leads_section",
    "quality_section",
    "referral_section",
    "super_users_section",
]

Section = tuple[str, str, str]


def _top_households(summary: pd.DataFrame) -> pd.DataFrame:
    """The ten households with the largest protection gap (else the lowest coverage score)."""
    top = summary.sort_values(["protection_gap", "household_id"], ascending=[False, True])
    top = top[top["protection_gap"] > 0].head(10)
    if top.empty:
        top = summary.sort_values(["coverage_score", "household_id"]).head(10)
    return top


def coverage_section(c: Context) -> Section:
    """Gaps by role and line, the households to call first, their grids, the money gap."""
    r, s = c.results, c.settings
    gaps, summary = r.gaps, r.summary
    top_hh = _top_households(summary)
    cols = ["household_id", "members", "customers", "penetration", "coverage_ratio"]
    hh_table = top_hh[[*cols, "protection_gap", "top_gap_person", "top_gap_line"]].copy()
    if not s.mask_names:
        hh_table.insert(7, "top_gap_name", c.names.names(hh_table["top_gap_person"]))
    parts = [
        T.figure(
            png(lambda ax: plot.coverage_heatmap(gaps, ax=ax), (8.5, 3.8)),
            "Coverage gaps by role and product line",
            f"{len(gaps):,} required (person, line) pairs not covered; "
            f"{int((~gaps['is_customer']).sum()):,} of them belong to prospects.",
        ),
        "<h3>Households to call first: largest protection gap</h3>",
        T.table(
            hh_table,
            headers={
                "protection_gap": f"protection gap ({s.currency})",
                "top_gap_name": "top gap name",
            },
            formats={"protection_gap": c.money, "penetration": c.pct, "coverage_ratio": c.pct},
        ),
    ]
    members = r.households["household_id"].value_counts()
    figs = [
        T.figure(
            png(
                partial(plot.household, c.g, hid, households=r.households, mask_names=s.mask_names),
                (7.0, 1.5 + 0.4 * int(members.get(hid, 1))),
            ),
            f"Household {hid}",
        )
        for hid in top_hh["household_id"].head(3)
    ]
    parts.append('<div class="grid2">' + "".join(figs) + "</div>")
    parts.append(
        T.figure(
            png(lambda ax: plot.protection_gap(summary, ax=ax, currency=s.currency), (7.5, 3.4)),
            "Protection gap distribution",
            f"Life need {s.life_multiple:g}× and critical-illness need {s.ci_multiple:g}× "
            "the earner's annual income, less the sum assured held.",
        )
    )
    return "coverage", "Coverage", "\n".join(parts)


def super_users_section(c: Context) -> Section:
    """The tier funnel, relationship levels, and the leaderboard with reasons."""
    s, su = c.settings, c.results.super_users
    board = (
        su[su["tier"] != "none"].sort_values(["score", "person_id"], ascending=[False, True])
    ).head(s.top)
    cols = ["person_id", "tier", "score", "frequency", "monetary", "converted_referrals"]
    board_t = board[[*cols, "chain_value", "reasons"]].copy()
    board_t["reasons"] = c.names.scrub(board_t["reasons"])
    if not s.mask_names:
        board_t.insert(1, "name", c.names.names(board_t["person_id"]))
    n_super = int(su["is_super"].sum())
    value_note = (
        " Value is the given value per person (e.g. predicted lifetime value)."
        if s.value is not None
        else ""
    )
    parts = [
        '<div class="grid2">',
        T.figure(png(lambda ax: plot.tiers(su, ax=ax), (6.5, 3.2)), "Tier funnel"),
        T.figure(
            png(lambda ax: plot.funnel(su, ax=ax), (6.5, 3.2)),
            "Customers by relationship level with referral inflow",
        ),
        "</div>",
        f"<h3>Leaderboard: top {len(board_t)} by score ({n_super:,} super users)</h3>",
        T.note(
            f"Super: buys in at least two quarters of the last year and brought in at least "
            f"{s.min_referrals} customers. Chain value discounts each referral generation by "
            f"{s.decay:g}." + value_note
        ),
        T.table(
            board_t,
            headers={
                "monetary": f"value ({s.currency})",
                "chain_value": f"chain value ({s.currency})",
            },
            formats={
                "score": lambda v: f"{float(v):.1f}",
                "monetary": c.money,
                "chain_value": c.money,
            },
        ),
    ]
    return "super-users", "Super users", "\n".join(parts)


def _chain_caption(c: Context) -> str:
    s = c.settings
    depth = f", up to {s.max_depth} generations down" if s.max_depth is not None else ""
    return f"chain value = Σ {s.decay:g}^(distance−1) × value of each descendant{depth}."


def referral_section(c: Context) -> Section:
    """The most valuable chains (table and trees), the chain value and K-factor trends."""
    s, rv, viral = c.settings, c.results.referrals, c.results.viral
    roots = rv[(rv["generation"] == 0) & (rv["cascade_size"] > 0)]
    roots = roots.sort_values(["chain_value", "person_id"], ascending=[False, True])
    cols = ["person_id", "cascade_size", "depth", "converted_referrals", "chain_value"]
    chains = roots.head(10)[cols].copy()
    if not s.mask_names:
        chains.insert(1, "name", c.names.names(chains["person_id"]))
    parts = [
        f"<h3>Most valuable referral chains ({len(roots):,} chains in all)</h3>",
        T.table(
            chains,
            headers={"person_id": "root", "chain_value": f"chain value ({s.currency})"},
            formats={"chain_value": c.money},
            empty="No referrals.",
        ),
    ]
    trees = [
        T.figure(
            png(
                partial(
                    plot.referral_tree,
                    c.g,
                    rid,
                    max_nodes=20,
                    max_children=3,
                    decay=s.decay,
                    currency=s.currency,
                    mask_names=s.mask_names,
                ),
                (12.0, 1.4 + 1.0 * (min(int(depth), 4) + 1)),
            ),
            f"Referral tree of {rid}",
        )
        for rid, depth in zip(roots["person_id"].head(3), roots["depth"].head(3), strict=True)
    ]
    parts.append("".join(trees))
    parts += [
        '<div class="grid2">',
        T.figure(
            png(lambda ax: plot.chain_value(rv, ax=ax, currency=s.currency), (6.5, 3.4)),
            "Chain value distribution",
            _chain_caption(c),
        ),
        T.figure(
            png(lambda ax: plot.viral_coefficient(viral, ax=ax), (7.0, 3.4)),
            "Viral coefficient trend",
            f"K-factor = converted referrals made within {s.window_days} days of joining / "
            f"cohort size; cohorts that joined less than {s.window_days} days before the "
            "book date are still filling up.",
        ),
        "</div>",
        T.table(
            viral.tail(8), formats={"k_factor": lambda v: f"{float(v):.2f}"}, empty="No cohorts."
        ),
    ]
    return "referral", "Referral", "\n".join(parts)


def leads_section(c: Context) -> Section:
    """Prospects next to strong and super customers, best first, with why."""
    s, leads = c.settings, c.results.leads
    lt = leads.head(s.top).copy()
    lt["reason"] = c.names.scrub(lt["reason"])
    if not s.mask_names:
        lt.insert(1, "name", c.names.names(lt["person_id"]))
        lt.insert(3, "via_name", c.names.names(lt["via_person_id"]))
    html = T.note(
        f"{len(leads):,} prospects next to strong or super customers; "
        f"the top {len(lt)} by lead score."
    ) + T.table(
        lt,
        headers={"protection_gap": f"protection gap ({s.currency})"},
        formats={"protection_gap": c.money, "lead_score": lambda v: f"{float(v):.1f}"},
        empty="No warm leads.",
    )
    return "warm-leads", "Warm leads", html


def quality_section(c: Context) -> Section:
    """Rows in, kept, merged, rejected; rejected rows by reason."""
    rej = c.g.rejects
    counts = (
        rej.groupby(["table", "reason"]).size().rename("rows").reset_index()
        if len(rej)
        else pd.DataFrame(columns=["table", "reason", "rows"])
    )
    parts = [
        "<h3>Rows in, kept, merged, rejected</h3>",
        T.table(c.g.quality_report()),
        "<h3>Rejected rows by reason</h3>",
        T.table(counts, empty="No row was rejected."),
    ]
    return "data-quality", "Data quality", "\n".join(parts)


#: The sections of the page, in order.
SECTIONS = (
    coverage_section,
    super_users_section,
    referral_section,
    leads_section,
    quality_section,
)
