"""Naive reference for docs/metrics.md sections 5-7: the obvious networkx / pandas way.

Written independently of ``famgraph.analysis`` (it reads only the normalised
tables of the graph), so the parity tests compare two implementations of the
same definitions. Slow on purpose: per-person Python loops, networkx
traversals, ``networkx.pagerank``. Not part of the library.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from famgraph.graph import CustomerGraph

__all__ = [
    "naive_influence",
    "naive_referral_value",
    "naive_super_users",
    "naive_value_metrics",
    "naive_viral_coefficient",
]

SOCIAL = {"friend", "colleague", "neighbour", "acquaintance"}


def _bought_by_buyer(g: CustomerGraph) -> pd.DataFrame:
    """Holdings bought by as_of, with the buyer: the payer when given, else the insured."""
    h = g.holdings[g.holdings["purchased_at"] <= g.as_of]
    return h.assign(buyer=h["payer_id"].fillna(h["person_id"]))


def _values(g: CustomerGraph, value: pd.Series | None) -> dict[str, float]:
    ids = g.people["person_id"].tolist()
    if value is not None:
        given = {str(k): float(v) for k, v in value.items()}
        return {p: given.get(p, 0.0) for p in ids}
    h = _bought_by_buyer(g)
    sums = h.groupby("buyer")["amount"].sum()
    return {p: float(sums.get(p, 0.0)) for p in ids}


def naive_value_metrics(g: CustomerGraph, value: pd.Series | None = None) -> pd.DataFrame:
    """Frequency, recency_days, monetary, active_quarters, continuous per person."""
    vals = _values(g, value)
    h = _bought_by_buyer(g)
    start = g.as_of - pd.Timedelta(days=365)
    groups = dict(list(h.groupby("buyer")))
    out = []
    for pid in g.people["person_id"].tolist():
        mine = groups.get(pid)
        if mine is None or len(mine) == 0:
            out.append((pid, 0, pd.NA, vals[pid], 0, False))
            continue
        last = mine["purchased_at"].max()
        recency = (g.as_of - last).days
        recent = mine[mine["purchased_at"] > start]
        quarters = {(t.year, (t.month - 1) // 3) for t in recent["purchased_at"]}
        out.append((pid, len(mine), recency, vals[pid], len(quarters), len(quarters) >= 2))
    df = pd.DataFrame(
        out,
        columns=[
            "person_id",
            "frequency",
            "recency_days",
            "monetary",
            "active_quarters",
            "continuous",
        ],
    )
    return df.astype(
        {
            "person_id": "str",
            "frequency": "int64",
            "recency_days": "Int64",
            "monetary": "float64",
            "active_quarters": "int64",
            "continuous": "bool",
        }
    )


def naive_referral_value(
    g: CustomerGraph,
    decay: float = 0.5,
    max_depth: int | None = None,
    value: pd.Series | None = None,
) -> pd.DataFrame:
    """Referral-chain figures with a networkx DiGraph: descendants and BFS distances."""
    G = nx.DiGraph()
    ids = g.people["person_id"].tolist()
    G.add_nodes_from(ids)
    G.add_edges_from(zip(g.referrals["referrer_id"], g.referrals["referee_id"], strict=True))
    vals = _values(g, value)
    customer = dict(zip(ids, g.people["is_customer"].tolist(), strict=True))
    rows = []
    for p in ids:
        preds = list(G.predecessors(p))
        referred_by = preds[0] if preds else None
        root, gen = p, 0
        while True:
            up = list(G.predecessors(root))
            if not up:
                break
            root, gen = up[0], gen + 1
        kids = list(G.successors(p))
        dist = nx.single_source_shortest_path_length(G, p)
        del dist[p]
        chain = 0.0
        for d, k in dist.items():
            if max_depth is None or k <= max_depth:
                chain += decay ** (k - 1) * vals[d]
        rows.append(
            (
                p,
                referred_by,
                root,
                gen,
                len(kids),
                sum(customer[c] for c in kids),
                len(dist),
                max(dist.values(), default=0),
                chain,
            )
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "person_id",
            "referred_by",
            "root_id",
            "generation",
            "direct_referrals",
            "converted_referrals",
            "cascade_size",
            "depth",
            "chain_value",
        ],
    )
    return df.astype(
        {
            "person_id": "str",
            "referred_by": "str",
            "root_id": "str",
            "generation": "int64",
            "direct_referrals": "int64",
            "converted_referrals": "int64",
            "cascade_size": "int64",
            "depth": "int64",
            "chain_value": "float64",
        }
    )


def naive_viral_coefficient(
    g: CustomerGraph, freq: str = "Q", window_days: int = 365
) -> pd.DataFrame:
    """Cohort k-factors with a pandas merge."""
    ppl = g.people[g.people["is_customer"] & g.people["joined_at"].notna()]
    ppl = ppl[["person_id", "joined_at"]].copy()
    ppl["period"] = ppl["joined_at"].dt.to_period(freq)
    cust = set(g.people.loc[g.people["is_customer"], "person_id"])
    refs = g.referrals.merge(ppl, left_on="referrer_id", right_on="person_id")
    ok = (refs["referred_at"] >= refs["joined_at"]) & (
        refs["referred_at"] <= refs["joined_at"] + pd.Timedelta(days=window_days)
    )
    refs = refs[ok]
    refs = refs.assign(converted=refs["referee_id"].isin(cust))
    made = refs.groupby("period")["converted"].agg(["size", "sum"])
    rows = []
    for period, size in ppl.groupby("period").size().sort_index().items():
        n_refs = int(made["size"].get(period, 0))
        conv = int(made["sum"].get(period, 0))
        rows.append((str(period), int(size), n_refs, conv, conv / size))
    df = pd.DataFrame(
        rows, columns=["cohort", "cohort_size", "referrals", "converted_referrals", "k_factor"]
    )
    return df.astype(
        {
            "cohort": "str",
            "cohort_size": "int64",
            "referrals": "int64",
            "converted_referrals": "int64",
            "k_factor": "float64",
        }
    )


def influence_graph(g: CustomerGraph, social_weight: float = 0.5) -> nx.DiGraph:
    """DiGraph of all persons: referee -> referrer 1, social ties both ways; weights add."""
    G = nx.DiGraph()
    G.add_nodes_from(g.people["person_id"].tolist())

    def add(u: str, v: str, w: float) -> None:
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
        else:
            G.add_edge(u, v, weight=w)

    for referrer, referee in zip(
        g.referrals["referrer_id"], g.referrals["referee_id"], strict=True
    ):
        add(referee, referrer, 1.0)
    rel = g.relations
    for a, b, kind, since, until in zip(
        rel["person_id"],
        rel["relative_id"],
        rel["relation"],
        rel["since"],
        rel["until"],
        strict=True,
    ):
        if (not pd.isna(since) and since > g.as_of) or (not pd.isna(until) and until <= g.as_of):
            continue  # not active at as_of
        if kind in SOCIAL:
            add(a, b, social_weight)
            add(b, a, social_weight)
    return G


def naive_influence(g: CustomerGraph, alpha: float = 0.85, social_weight: float = 0.5) -> pd.Series:
    """``networkx.pagerank(G, alpha=alpha, tol=1e-12)`` (max_iter raised so it converges)."""
    G = influence_graph(g, social_weight)
    pr = nx.pagerank(G, alpha=alpha, tol=1e-12, max_iter=100_000)
    ids = g.people["person_id"].tolist()
    return pd.Series(
        [pr[p] for p in ids],
        index=pd.Index(ids, dtype="str", name="person_id"),
        name="influence",
    )


def _fmt_money(x: float) -> str:
    r = float(np.round(x, 6))  # halves away from zero, as people round
    return f"{int(math.copysign(math.floor(abs(r) + 0.5), r)):,}"


def naive_super_users(
    g: CustomerGraph,
    min_referrals: int = 2,
    weights: dict[str, float] | None = None,
    value: pd.Series | None = None,
    influence: pd.Series | None = None,
) -> pd.DataFrame:
    """Tiers with a plain loop over persons; score with ``rank(pct=True)``.

    ``influence`` (by person_id) replaces ``naive_influence(g)``: percentile ranks
    are sensitive to float noise between near-equal values, so a parity test of
    the score logic feeds both sides the same influence vector (the influence
    itself is compared separately, within 1e-6).
    """
    w = weights or {"R": 0.10, "F": 0.20, "M": 0.15, "C": 0.35, "I": 0.20}
    w = {k: float(w.get(k, 0.0)) for k in "RFMCI"}
    m = naive_value_metrics(g, value)
    rv = naive_referral_value(g, value=value)
    infl = naive_influence(g) if influence is None else influence
    cust = g.people["is_customer"].tolist()
    n = len(cust)
    tiers, reasons = [], []
    for i in range(n):
        f = int(m["frequency"].iat[i])
        cont = bool(m["continuous"].iat[i])
        conv = int(rv["converted_referrals"].iat[i])
        if not cust[i]:
            tiers.append("none")
        elif cont and conv >= min_referrals:
            tiers.append("super")
        elif cont or conv >= 1:
            tiers.append("strong")
        elif f >= 2:
            tiers.append("weak")
        elif f == 1:
            tiers.append("micro")
        else:
            tiers.append("none")
    # R = -recency_days ranked among customers with a purchase (others 0); M and C
    # ranked on values rounded to 6 decimals, I on round(n * influence, 6)
    rec = m["recency_days"].astype("float64")
    factors = pd.DataFrame(
        {
            "R": -rec,
            "F": m["frequency"].astype(float),
            "M": m["monetary"].round(6),
            "C": rv["chain_value"].round(6),
            "I": (n * pd.Series(infl.to_numpy())).round(6),
        }
    )
    is_c = pd.Series(cust)
    score = pd.Series(0.0, index=range(n))
    if is_c.any():
        pct = factors[is_c.to_numpy()].rank(method="average", pct=True)
        bought = factors.loc[is_c.to_numpy(), "R"].notna()
        pct["R"] = factors.loc[is_c.to_numpy(), "R"][bought].rank(method="average", pct=True)
        pct["R"] = pct["R"].fillna(0.0)
        total = pd.Series(0.0, index=pct.index)
        for k in "RFMCI":
            total = total + w[k] * pct[k]
        score[is_c.to_numpy()] = 100.0 * total
    higher = infl.reset_index(drop=True).rank(method="max", ascending=False)
    for i in range(n):
        f = int(m["frequency"].iat[i])
        a = int(m["active_quarters"].iat[i])
        c = int(rv["converted_referrals"].iat[i])
        cv = float(rv["chain_value"].iat[i])
        top = math.ceil(100.0 * higher.iat[i] / n)
        s = "" if cust[i] else "prospect: "
        s += (f"{f} purchase" + ("" if f == 1 else "s")) if f else "no purchases"
        if a:
            s += f" in {a} quarter" + ("" if a == 1 else "s") + " of the last 12 months"
        if c:
            s += f"; {c} referred customer" + ("" if c == 1 else "s")
            if cv > 0:
                s += f" worth {_fmt_money(cv)} down the chain"
        elif cv > 0:
            s += f"; referral chain worth {_fmt_money(cv)}"
        if top <= 10:
            s += f"; influence in the top {top}%"
        reasons.append(s)
    df = pd.DataFrame(
        {
            "person_id": g.people["person_id"].tolist(),
            "tier": tiers,
            "score": score.to_numpy(),
            "is_super": [t == "super" for t in tiers],
            "frequency": m["frequency"],
            "recency_days": m["recency_days"],
            "monetary": m["monetary"],
            "active_quarters": m["active_quarters"],
            "converted_referrals": rv["converted_referrals"],
            "chain_value": rv["chain_value"],
            "influence": infl.to_numpy(),
            "reasons": reasons,
        }
    )
    return df.astype({"person_id": "str", "tier": "str", "reasons": "str"})
