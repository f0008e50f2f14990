"""The report's sections: each a small function from the results to HTML.

Every section takes a :class:`~famgraph.report.parts.Context` and returns
``(anchor, title, html)``. Captions state the settings the figures were computed
with (multiples, decay, windows, thresholds), so the page never contradicts the
analysis behind it; every word comes from :mod:`famgraph.i18n` in the report's
language. The first section says what to do first: the headline money gap and
three actions, each from a small function of its own.
"""

from __future__ import annotations

import html
from functools import partial

import numpy as np
import pandas as pd

from famgraph import i18n, plot
from famgraph.report import template as T
from famgraph.report.kpis import headline_kpis
from famgraph.report.parts import Context, png
from famgraph.rules import CHURN_THRESHOLD
from famgraph.schema import ROLES, TIERS

__all__ = [
    "SECTIONS",
    "at_risk_action",
    "coverage_section",
    "gap_action",
    "kpi_section",
    "lead_action",
    "leads_section",
    "movement_section",
    "quality_section",
    "referral_section",
    "summary_section",
    "super_users_section",
]

Section = tuple[str, str, str]

#: How many households, customers and leads each action names.
ACTION_ITEMS = 3


# ---------------------------------------------------------------------------------
# which households, in which order
# ---------------------------------------------------------------------------------
def _top_households(c: Context) -> pd.DataFrame:
    """The households with the largest known protection gap (else the lowest coverage score).

    Households whose gap is unknown (every earner's income unknown) are left out:
    they cannot be ranked by money.
    """
    summary = c.results.summary
    known = c.gap_state(summary["household_id"]) != 2
    top = summary[known & (summary["protection_gap"] > 0)]
    top = top.sort_values(["protection_gap", "household_id"], ascending=[False, True])
    top = top.head(c.settings.households_shown)
    if top.empty:
        top = summary.sort_values(["coverage_score", "household_id"]).head(
            c.settings.households_shown
        )
    return top


def first_priority_gaps(c: Context) -> pd.DataFrame:
    """Households lacking a line of the most urgent priority, largest money gap first.

    One row per household: ``household_id, priority, gaps`` (how many such gaps),
    ``person_id, role, line`` (the first of them: role order, then person, then
    line), ``protection_gap`` and ``state`` (0 known, 1 at least, 2 unknown).
    Sorted by known gap (unknown last), then number of gaps, then id.
    """
    gaps = c.results.gaps
    if gaps.empty:
        return pd.DataFrame(
            columns=["household_id", "priority", "gaps", "person_id", "role", "line"]
        )
    p = int(gaps["priority"].min())
    top = gaps[gaps["priority"] == p].copy()
    top["role_rank"] = top["role"].map({r: i for i, r in enumerate(ROLES)}).fillna(len(ROLES))
    top = top.sort_values(["household_id", "role_rank", "person_id", "line"])
    counts = top.groupby("household_id").size()
    first = top.drop_duplicates("household_id").set_index("household_id")
    first["gaps"] = counts
    first["priority"] = p
    money = c.results.summary.set_index("household_id")["protection_gap"]
    first["protection_gap"] = money.reindex(first.index).fillna(0.0)
    out = first.reset_index()
    out["state"] = c.gap_state(out["household_id"])
    order = np.lexsort(
        (
            out["household_id"].to_numpy(dtype=str),
            -out["gaps"].to_numpy(dtype=np.int64),
            -np.where(out["state"] == 2, -1.0, out["protection_gap"].to_numpy(dtype=float)),
        )
    )
    cols = ["household_id", "priority", "gaps", "person_id", "role", "line", "protection_gap"]
    return out.iloc[order][[*cols, "state"]].reset_index(drop=True)


def _grid_anchors(c: Context) -> dict[str, str]:
    """Household id -> anchor of its pre-drawn grid: the listed and the acted-on households."""
    ids = list(_top_households(c)["household_id"])
    ids += [h for h in first_priority_gaps(c)["household_id"].head(ACTION_ITEMS) if h not in ids]
    return {hid: f"hh-{i + 1}" for i, hid in enumerate(ids)}


# ---------------------------------------------------------------------------------
# what to do first
# ---------------------------------------------------------------------------------
def _action(what: str, why: str, items: list[str], link: str, link_text: str) -> str:
    lis = "".join(f"<li>{i}</li>" for i in items)
    return (
        f'<li><span class="what">{T.esc(what)}</span> {T.esc(why)}'
        f'<a class="go" href="#{T.esc(link)}">{T.esc(link_text)}</a>'
        + (f"<ul>{lis}</ul>" if items else "")
        + "</li>"
    )


def gap_action(c: Context) -> str:
    """Action 1: the households with the largest first-priority gaps, each linked to its grid."""
    top = first_priority_gaps(c)
    anchors = _grid_anchors(c)
    if top.empty:
        return _action(c.t("act.gap.what"), c.t("act.gap.none"), [], "coverage", c.t("act.go"))
    p = int(top["priority"].iloc[0])
    items = []
    head = top.head(ACTION_ITEMS)
    names = c.display_names(head["person_id"])
    for hid, n_gaps, role, line, money, state, name in zip(
        head["household_id"].astype("str"),
        head["gaps"].to_numpy(dtype=np.int64),
        head["role"],
        head["line"],
        head["protection_gap"].to_numpy(dtype=float),
        head["state"].to_numpy(dtype=np.int64),
        names,
        strict=True,
    ):
        if state == 2:
            gap = c.t("unknown")
        elif state == 1:
            gap = c.t("gap.at_least", amount=c.money(money))
        else:
            gap = c.money(money)
        more = c.t("act.gap.more", n=int(n_gaps) - 1, p=p) if n_gaps > 1 else ""
        text = c.t(
            "act.gap.item",
            gap=gap,
            name=name,
            role=c.term("role", role),
            line=c.line_in_text(line),
            more=more,
        )
        link = f'<a href="#{T.esc(anchors[hid])}">{T.esc(hid)}</a>'
        items.append(f"{link}{T.esc(c.t('act.sep'))}{T.esc(text)}")
    why = c.t("act.gap.why", n=c.count(len(top)), p=p, shown=min(ACTION_ITEMS, len(top)))
    return _action(c.t("act.gap.what"), why, items, "coverage", c.t("act.go"))


def at_risk_action(at_risk: pd.DataFrame | None, c: Context) -> str:
    """Action 2: strong and super customers slipping away, from ``fg.value_segments``.

    ``at_risk`` is the frame of :func:`famgraph.value_segments` (columns
    ``person_id, clv, crv, segment, p_alive, tier, at_risk``) or None when it could
    not be computed.
    """
    what = c.t("act.risk.what")
    if at_risk is None:
        return _action(what, c.results.at_risk_note, [], "at-risk", c.t("act.go"))
    risk = _at_risk_rows(at_risk)
    if risk.empty:
        return _action(what, c.t("act.risk.none"), [], "at-risk", c.t("act.go"))
    items = [
        T.esc(
            c.t(
                "act.risk.item",
                name=name,
                tier=c.term("tier", tier),
                p=i18n.pct(p, 1),
                clv=c.money(clv),
            )
        )
        for name, tier, p, clv in zip(
            c.display_names(risk["person_id"].head(ACTION_ITEMS)),
            risk["tier"],
            risk["p_alive"],
            risk["clv"],
            strict=False,
        )
    ]
    why = c.t("act.risk.why", n=c.count(len(risk)), threshold=c.pct(CHURN_THRESHOLD))
    return _action(what, why, items, "at-risk", c.t("act.go"))


def _at_risk_rows(at_risk: pd.DataFrame) -> pd.DataFrame:
    """The at-risk customers, super before strong, then the largest CLV, then id."""
    risk = at_risk[at_risk["at_risk"].to_numpy(dtype=bool)]
    rank = risk["tier"].map({t: -i for i, t in enumerate(TIERS)})
    return (
        risk.assign(_rank=rank)
        .sort_values(["_rank", "clv", "person_id"], ascending=[True, False, True])
        .drop(columns="_rank")
    )


def lead_action(c: Context) -> str:
    """Action 3: the warm leads with the best reason (highest lead score)."""
    leads = c.results.leads
    what = c.t("act.lead.what")
    if leads.empty:
        return _action(what, c.t("act.lead.none"), [], "warm-leads", c.t("act.go"))
    top = leads.head(ACTION_ITEMS)
    items = []
    for row, lead, via in zip(
        top.itertuples(index=False),
        c.display_names(top["person_id"]),
        c.display_names(top["via_person_id"]),
        strict=True,
    ):
        gaps = (
            c.t("act.lead.gaps", n=c.count(row.open_gaps), line=c.line_in_text(row.top_gap_line))
            if row.open_gaps
            else c.t("act.lead.nogaps")
        )
        items.append(
            T.esc(
                c.t(
                    "act.lead.item",
                    via=via,
                    lead=lead,
                    relation=c.term("relation", row.relation),
                    tier=c.term("tier", row.via_tier),
                    gaps=gaps,
                )
            )
        )
    why = c.t("act.lead.why", n=c.count(len(leads)))
    return _action(what, why, items, "warm-leads", c.t("act.go"))


def _headline(c: Context) -> str:
    """One sentence: the total protection gap, households short, households unknown."""
    summary = c.results.summary
    gap = summary["protection_gap"].to_numpy(dtype=float, na_value=0.0)
    st = c.results.gap_status
    unknown = int((st["unknown"] > 0).sum())
    text = c.t(
        "head.gap",
        total=c.money(float(gap.sum())),
        short=c.count(int((gap > 0).sum())),
        households=c.count(len(summary)),
    )
    if unknown:
        text += c.t("head.unknown", n=c.count(unknown))
    return f'<p class="headline">{T.esc(text + c.t("head.end"))}</p>'


def summary_section(c: Context) -> Section:
    """The headline money gap and three actions for this week, each linking to its section."""
    actions = [gap_action(c), at_risk_action(c.results.at_risk, c), lead_action(c)]
    body = (
        _headline(c)
        + f"<h3>{T.esc(c.t('act.title', n=len(actions)))}</h3>"
        + '<ol class="actions">'
        + "".join(actions)
        + "</ol>"
    )
    return "summary", c.t("sec.summary"), body


def kpi_section(c: Context) -> Section:
    """The headline KPIs, each with its definition."""
    r, s = c.results, c.settings
    kpis = headline_kpis(
        c.g,
        households=r.households,
        viral=r.viral,
        window_days=s.window_days,
        summary=r.summary,
        currency=s.currency,
        language=s.language,
    )
    return (
        "kpis",
        c.t("sec.kpis"),
        T.kpi_cards(kpis, c.t("kpi.how"), alert=("protection_gap", "households_short")),
    )


# ---------------------------------------------------------------------------------
# coverage
# ---------------------------------------------------------------------------------
def coverage_section(c: Context) -> Section:
    """Gaps by role and line, the households to call first (click: their grid), the money gap."""
    r, s = c.results, c.settings
    gaps, summary = r.gaps, r.summary
    top_hh = _top_households(c)
    anchors = _grid_anchors(c)
    given = r.gap_status["given"].reindex(top_hh["household_id"].to_numpy()).fillna(False)
    hh_table = pd.DataFrame(
        {
            "household_id": top_hh["household_id"].to_numpy(),
            "id_source": [c.t("hh.given") if g_ else c.t("hh.formed") for g_ in given],
            "members": top_hh["members"].to_numpy(),
            "customers": top_hh["customers"].to_numpy(),
            "penetration": top_hh["penetration"].to_numpy(),
            "coverage_ratio": top_hh["coverage_ratio"].to_numpy(),
            "protection_gap": top_hh["protection_gap"].to_numpy(dtype=float),
            "top_gap_person": top_hh["top_gap_person"].to_numpy(),
        }
    )
    gap_raw, gap_text = c.gap_cells(hh_table["household_id"], hh_table["protection_gap"])
    hh_table["protection_gap"] = gap_raw.to_numpy()
    if not s.mask_names:
        hh_table["top_gap_name"] = c.display_names(hh_table["top_gap_person"]).to_numpy()
    hh_table["top_gap_line"] = c.terms("line", top_hh["top_gap_line"]).to_numpy()
    n_unknown = int((r.gap_status["unknown"] > 0).sum())
    parts = [
        T.figure(
            png(
                lambda ax: plot.coverage_heatmap(
                    gaps, ax=ax, language=s.language, line_names=s.line_names
                ),
                (8.5, 3.8),
            ),
            c.t("heat.title"),
            c.t(
                "cov.heat_caption",
                pairs=c.count(len(gaps)),
                prospects=c.count(int((~gaps["is_customer"]).sum())),
            ),
        ),
        f"<h3>{T.esc(c.t('cov.call_first'))}</h3>",
        T.note(c.t("cov.ids", **_id_examples(c))),
        T.note(
            c.t("cov.money", life=f"{s.life_multiple:g}", ci=f"{s.ci_multiple:g}")
            + (c.t("cov.unknown", n=c.count(n_unknown)) if n_unknown else "")
        ),
        T.note(c.t("cov.click")),
        c.table(
            hh_table,
            "households-to-call-first.csv",
            formats={"penetration": c.pct, "coverage_ratio": c.pct},
            texts={"protection_gap": gap_text},
            links={"household_id": [anchors.get(h) for h in hh_table["household_id"]]},
        ),
        _household_grids(c, anchors),
        T.figure(
            png(
                lambda ax: plot.protection_gap(
                    summary, ax=ax, currency=s.currency, language=s.language
                ),
                (7.5, 3.4),
            ),
            c.t("cov.dist"),
            c.t("cov.dist_caption", life=f"{s.life_multiple:g}", ci=f"{s.ci_multiple:g}"),
        ),
    ]
    return "coverage", c.t("sec.coverage"), "\n".join(parts)


def _id_examples(c: Context) -> dict[str, str]:
    """A given and a formed household id of this book, for the note on ids."""
    st = c.results.gap_status
    given = st.index[st["given"].to_numpy(dtype=bool)]
    formed = st.index[~st["given"].to_numpy(dtype=bool)]
    return {
        "given": str(given[0]) if len(given) else "HH0001",
        "formed": str(formed[0]) if len(formed) else "H:P0001",
    }


def _household_grids(c: Context, anchors: dict[str, str]) -> str:
    """A pre-drawn member x line grid per listed household; the page shows the one picked."""
    s, r = c.settings, c.results
    members = r.households["household_id"].value_counts()
    figs = [
        T.figure(
            png(
                partial(
                    plot.household,
                    c.g,
                    hid,
                    plan=s.plan,
                    households=r.households,
                    mask_names=s.mask_names,
                    language=s.language,
                    line_names=s.line_names,
                ),
                (7.0, 1.5 + 0.4 * int(members.get(hid, 1))),
                dpi=80,
            ),
            c.t("hh.alt", hid=hid),
            c.t("hh.caption", hid=hid),
            anchor=anchor,
        )
        for hid, anchor in anchors.items()
    ]
    return '<div class="hhgrids">' + "".join(figs) + "</div>"


# ---------------------------------------------------------------------------------
# super users
# ---------------------------------------------------------------------------------
def super_users_section(c: Context) -> Section:
    """The tier funnel and the leaderboard by tier then score."""
    s, su = c.settings, c.results.super_users
    rank = su["tier"].map({t: i for i, t in enumerate(TIERS)}).to_numpy()
    board = su.assign(_rank=rank)[su["tier"] != "none"]
    board = board.sort_values(["_rank", "score", "person_id"], ascending=[False, False, True])
    board = board.head(s.top)
    table = pd.DataFrame(
        {
            "tier": c.terms("tier", board["tier"]).to_numpy(),
            "person_id": board["person_id"].to_numpy(),
        }
    )
    if not s.mask_names:
        table["name"] = c.display_names(board["person_id"]).to_numpy()
    for col in ("score", "frequency", "monetary", "converted_referrals", "chain_value"):
        table[col] = board[col].to_numpy()
    table["reasons"] = c.names.scrub(board["reasons"].reset_index(drop=True)).to_numpy()
    counts = su["tier"].value_counts()
    value_note = c.t("su.value_note") if s.value is not None else ""
    parts = [
        '<div class="grid2">',
        T.figure(
            png(lambda ax: plot.tiers(su, ax=ax, language=s.language), (6.5, 3.2)),
            c.t("tiers.title"),
        ),
        T.figure(
            png(lambda ax: plot.funnel(su, ax=ax, language=s.language), (6.5, 3.2)),
            c.t("funnel.title"),
        ),
        "</div>",
        "<h3>"
        + T.esc(
            c.t(
                "su.board",
                n=len(table),
                super=c.count(int(counts.get("super", 0))),
                strong=c.count(int(counts.get("strong", 0))),
            )
        )
        + "</h3>",
        T.note(c.t("su.tier_vs_score", min_referrals=s.min_referrals)),
        T.note(c.t("su.chain", decay=f"{s.decay:g}") + value_note),
        c.table(
            table,
            "leaderboard.csv",
            formats={
                "score": lambda v: f"{float(v):.1f}",
                "monetary": c.money,
                "chain_value": c.money,
            },
            wide=("reasons",),
        ),
    ]
    return "super-users", c.t("sec.super_users"), "\n".join(parts)


def _at_risk_part(c: Context) -> str:
    """The strong and super customers slipping away (anchor ``at-risk``)."""
    s, frame = c.settings, c.results.at_risk
    head = f'<h3 id="at-risk">{html.escape(c.t("risk.title"))}</h3>'
    if frame is None:
        return head + T.note(c.results.at_risk_note)
    risk = _at_risk_rows(frame).head(s.top)
    table = pd.DataFrame({"person_id": risk["person_id"].to_numpy()})
    if not s.mask_names:
        table["name"] = c.display_names(risk["person_id"]).to_numpy()
    table["tier"] = c.terms("tier", risk["tier"]).to_numpy()
    table["p_alive"] = risk["p_alive"].to_numpy(dtype=float)
    table["clv"] = risk["clv"].to_numpy(dtype=float)
    table["crv"] = risk["crv"].to_numpy(dtype=float)
    table["segment"] = c.terms("segment", risk["segment"]).to_numpy()
    n = int(frame["at_risk"].sum())
    return (
        head
        + T.note(c.t("risk.note", n=c.count(n), threshold=c.pct(CHURN_THRESHOLD)))
        + c.table(
            table,
            "at-risk.csv",
            # one decimal: 49.7% must not read as the 50% threshold
            formats={"p_alive": lambda v: i18n.pct(v, 1), "clv": c.money, "crv": c.money},
            empty=c.t("act.risk.none"),
        )
    )


# ---------------------------------------------------------------------------------
# rising, slipping, at risk
# ---------------------------------------------------------------------------------
def movement_section(c: Context) -> Section:
    """Who moved between relationship levels since an earlier date, and who is leaving.

    The tier flow since ``Settings.since`` (default: the previous quarter end), who
    rose to and who slipped from strong or super, the CLV x CRV picture, the value
    segments and the strong and super customers at risk (anchor ``at-risk``).
    """
    s, moves = c.settings, c.results.transitions
    parts = []
    if moves is not None:
        since = pd.Timestamp(moves.attrs["since"]).date().isoformat()
        as_of = c.g.as_of.date().isoformat()
        change = moves["change"].value_counts()
        parts += [
            T.note(
                c.t(
                    "move.intro",
                    since=since,
                    as_of=as_of,
                    up=c.count(int(change.get("up", 0))),
                    down=c.count(int(change.get("down", 0))),
                    same=c.count(int(change.get("same", 0))),
                )
            ),
            T.figure(
                png(lambda ax: plot.tier_flow(moves, ax=ax, language=s.language), (7.0, 4.8)),
                c.t("move.flow_alt", since=since),
                c.t("move.flow_caption", since=since, as_of=as_of),
            ),
            _movers(c, moves, since),
        ]
    parts.append(_quadrant_part(c))
    parts.append(_at_risk_part(c))
    return "movement", c.t("sec.movement"), "\n".join(parts)


def _movers(c: Context, moves: pd.DataFrame, since: str) -> str:
    """Two short tables: who rose to strong or super, who slipped from there."""
    top_tiers = ("strong", "super")
    rose = moves[(moves["change"] == "up") & moves["tier_after"].isin(top_tiers)]
    rose = rose.sort_values(["score_after", "person_id"], ascending=[False, True])
    slipped = moves[(moves["change"] == "down") & moves["tier_before"].isin(top_tiers)]
    slipped = slipped.sort_values(["score_before", "person_id"], ascending=[False, True])
    out = []
    for key, frame, name in (
        ("move.rose", rose, "rose.csv"),
        ("move.slipped", slipped, "slipped.csv"),
    ):
        rows = frame.head(c.settings.top)
        table = pd.DataFrame({"person_id": rows["person_id"].to_numpy()})
        if not c.settings.mask_names:
            table["name"] = c.display_names(rows["person_id"]).to_numpy()
        table["tier_before"] = c.terms("tier", rows["tier_before"]).to_numpy()
        table["tier_after"] = c.terms("tier", rows["tier_after"]).to_numpy()
        table["score_before"] = rows["score_before"].to_numpy(dtype=float)
        table["score_after"] = rows["score_after"].to_numpy(dtype=float)
        score = {"score_before": _score_text, "score_after": _score_text}
        out.append(f"<h3>{html.escape(c.t(key, since=since))} ({c.count(len(frame))})</h3>")
        out.append(c.table(table, name, formats=score, empty=c.t("move.none")))
    return (
        '<div class="grid2"><div>'
        + "\n".join(out[:2])
        + "</div><div>"
        + "\n".join(out[2:])
        + "</div></div>"
    )


def _score_text(v: object) -> str:
    return f"{float(v):.1f}"  # type: ignore[arg-type]


def _quadrant_part(c: Context) -> str:
    """The CLV x CRV picture and the customers per value segment."""
    s, seg = c.settings, c.results.at_risk
    if seg is None:
        return ""
    cust = seg[seg["segment"] != "prospect"]
    n = len(cust)
    picture = T.figure(
        png(lambda ax: plot.value_quadrants(seg, ax=ax, language=s.language), (7.5, 4.8)),
        c.t("move.quad_alt"),
        c.t("move.quad_caption", n=c.count(n), shown=c.count(min(n, 4_000))),
    )
    by = cust.groupby("segment", observed=True)
    counts = by.size()
    order = [x for x in ("champion", "affluent", "advocate", "miser") if x in counts.index]
    table = pd.DataFrame(
        {
            "segment": c.terms("segment", pd.Series(order, dtype="str")).to_numpy(),
            "customers": counts.reindex(order).to_numpy(dtype=np.int64),
            "share": (counts.reindex(order) / max(n, 1)).to_numpy(dtype=float),
            "mean_clv": by["clv"].mean().reindex(order).to_numpy(dtype=float),
            "mean_crv": by["crv"].mean().reindex(order).to_numpy(dtype=float),
            "at_risk": by["at_risk"].sum().reindex(order).to_numpy(dtype=np.int64),
        }
    )
    return (
        f"<h3>{html.escape(c.t('move.segments'))}</h3>"
        + picture
        + c.table(
            table,
            "segments.csv",
            formats={"share": c.pct, "mean_clv": c.money, "mean_crv": c.money},
        )
    )


# ---------------------------------------------------------------------------------
# referral
# ---------------------------------------------------------------------------------
def _chain_caption(c: Context) -> str:
    s = c.settings
    depth = c.t("ref.depth", n=s.max_depth) if s.max_depth is not None else ""
    return c.t("ref.chain_caption", decay=f"{s.decay:g}", depth=depth)


def referral_section(c: Context) -> Section:
    """The most valuable chains (table and trees), the chain value and K-factor trends."""
    s, rv, viral = c.settings, c.results.referrals, c.results.viral
    roots = rv[(rv["generation"] == 0) & (rv["cascade_size"] > 0)]
    roots = roots.sort_values(["chain_value", "person_id"], ascending=[False, True])
    top = roots.head(10)
    chains = pd.DataFrame({"root": top["person_id"].to_numpy()})
    if not s.mask_names:
        chains["name"] = c.display_names(top["person_id"]).to_numpy()
    for col in ("cascade_size", "depth", "converted_referrals", "chain_value"):
        chains[col] = top[col].to_numpy()
    parts = [
        f"<h3>{T.esc(c.t('ref.chains', n=c.count(len(roots))))}</h3>",
        T.note(c.t("ref.counts")),
        c.table(
            chains,
            "referral-chains.csv",
            formats={"chain_value": c.money},
            empty=c.t("ref.none"),
        ),
    ]
    trees = [
        T.figure(
            png(
                partial(
                    plot.referral_tree,
                    c.g,
                    rid,
                    max_nodes=15,
                    max_children=3,
                    decay=s.decay,
                    currency=s.currency,
                    mask_names=s.mask_names,
                    language=s.language,
                ),
                (8.0, 1.4 + 1.0 * (min(int(depth), 4) + 1)),
            ),
            c.t("ref.tree_alt", root=rid),
            c.t("ref.tree_caption", n=c.count(int(size)), people=c.count(int(size) + 1)),
        )
        for rid, depth, size in zip(
            roots["person_id"].head(3),
            roots["depth"].head(3),
            roots["cascade_size"].head(3),
            strict=True,
        )
    ]
    parts.append("".join(trees))
    parts += [
        '<div class="grid2">',
        T.figure(
            png(
                lambda ax: plot.chain_value(rv, ax=ax, currency=s.currency, language=s.language),
                (6.5, 3.4),
            ),
            c.t("ref.dist"),
            _chain_caption(c),
        ),
        T.figure(
            png(lambda ax: plot.viral_coefficient(viral, ax=ax, language=s.language), (7.0, 3.4)),
            c.t("ref.viral"),
            c.t("ref.viral_caption", days=c.count(s.window_days)),
        ),
        "</div>",
        c.table(
            viral.tail(8).reset_index(drop=True),
            "viral-coefficient.csv",
            formats={"k_factor": lambda v: f"{float(v):.2f}"},
            empty=c.t("ref.no_cohorts"),
        ),
    ]
    return "referral", c.t("sec.referral"), "\n".join(parts)


# ---------------------------------------------------------------------------------
# warm leads, data quality
# ---------------------------------------------------------------------------------
def leads_section(c: Context) -> Section:
    """Prospects next to strong and super customers, best first, with why."""
    s, leads = c.settings, c.results.leads
    top = leads.head(s.top)
    table = pd.DataFrame({"person_id": top["person_id"].to_numpy()})
    if not s.mask_names:
        table["name"] = c.display_names(top["person_id"]).to_numpy()
    table["relation"] = c.terms("relation", top["relation"]).to_numpy()
    table["via_person_id"] = top["via_person_id"].to_numpy()
    if not s.mask_names:
        table["via_name"] = c.display_names(top["via_person_id"]).to_numpy()
    table["via_tier"] = c.terms("tier", top["via_tier"]).to_numpy()
    table["household_id"] = top["household_id"].to_numpy()
    table["open_gaps"] = top["open_gaps"].to_numpy()
    table["top_gap_line"] = c.terms("line", top["top_gap_line"]).to_numpy()
    gap_raw, gap_text = c.gap_cells(top["household_id"], top["protection_gap"])
    table["protection_gap"] = gap_raw.to_numpy()
    table["lead_score"] = top["lead_score"].to_numpy()
    table["reason"] = c.names.scrub(top["reason"].reset_index(drop=True)).to_numpy()
    body = T.note(c.t("lead.note", n=c.count(len(leads)), shown=len(table))) + c.table(
        table,
        "warm-leads.csv",
        headers={"relation": c.t("col.lead_relation")},
        formats={"lead_score": lambda v: f"{float(v):.1f}"},
        texts={"protection_gap": gap_text},
        empty=c.t("lead.none"),
        wide=("reason",),
    )
    return "warm-leads", c.t("sec.leads"), body


def quality_section(c: Context) -> Section:
    """Rows in, kept, merged, rejected; rejected rows by reason."""
    rej = c.g.rejects
    counts = (
        rej.groupby(["table", "reason"]).size().rename("rows").reset_index()
        if len(rej)
        else pd.DataFrame({"table": [], "reason": [], "rows": []})
    )
    quality = c.g.quality_report().reset_index(drop=True)
    quality["table"] = c.terms("table", quality["table"]).to_numpy()
    if len(counts):
        counts["table"] = c.terms("table", counts["table"]).to_numpy()
        counts["reason"] = c.terms("reject", counts["reason"]).to_numpy()
    parts = [
        f"<h3>{T.esc(c.t('dq.rows'))}</h3>",
        c.table(quality, "data-quality.csv"),
        f"<h3>{T.esc(c.t('dq.rejects'))}</h3>",
        c.table(
            counts,
            "rejected-rows.csv",
            headers={"reason": c.t("col.reject_reason")},
            empty=c.t("dq.none"),
        ),
        T.note(c.t("dq.details")),
    ]
    return "data-quality", c.t("sec.quality"), "\n".join(parts)


#: The sections of the page, in order.
SECTIONS = (
    summary_section,
    kpi_section,
    coverage_section,
    super_users_section,
    movement_section,
    referral_section,
    leads_section,
    quality_section,
)
