"""Warm leads: prospects next to strong and super customers, ranked, with why."""

from __future__ import annotations

import numpy as np
import pandas as pd

from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.superusers import tiers_and_scores
from famgraph.analysis.value import ids_at
from famgraph.graph import CustomerGraph
from famgraph.i18n import amounts, check_language, terms, thousands
from famgraph.rules import (
    DEFAULT_PLAN_ROWS,
    LEAD_FAMILY_POINTS,
    LEAD_GAP_POINTS,
    LEAD_TIER_POINTS,
    LEAD_TIER_WEIGHTS,
    MIN_REFERRALS,
    MINOR_AGE,
    priority_weight,
)
from famgraph.schema import TIERS, WARM_LEAD_COLUMNS

__all__ = ["TIER_WEIGHTS", "warm_leads"]

#: How much of the via customer's score a lead inherits, by the via customer's tier.
TIER_WEIGHTS: dict[str, float] = dict(LEAD_TIER_WEIGHTS)

#: Inverse of a directed family kind, as seen from the younger generation.
_FROM_BELOW = {"child": "parent", "grandchild": "grandparent"}

#: Sum of the priority weights over an earner's default plan (4+3+3+2+2+1 = 15): a
#: full gap.
_FULL_GAP_WEIGHT = float(
    priority_weight(np.array([q for r, _, q in DEFAULT_PLAN_ROWS if r == "earner"])).sum()
)


def warm_leads(
    g: CustomerGraph,
    *,
    plan: pd.DataFrame | None = None,
    minor_age: int = MINOR_AGE,
    min_referrals: int = MIN_REFERRALS,
    value: pd.Series | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Prospects related to a strong or super customer, best leads first, with why.

    Parameters
    ----------
    g : CustomerGraph
    plan : pandas.DataFrame, optional
        Coverage plan for the gaps (default :data:`famgraph.DEFAULT_PLAN`).
    minor_age : int, default 18
        Households as :func:`famgraph.households` forms them.
    min_referrals : int, default 2
        Passed to :func:`famgraph.super_users` (who is ``super``).
    value : pandas.Series, optional
        Value by ``person_id`` for the via customers' scores (see
        :func:`famgraph.super_users`).
    language : {"en", "zh"}, default "en"
        Language of the ``reason`` sentence (:mod:`famgraph.i18n`); the other
        columns hold codes either way.

    Returns
    -------
    pandas.DataFrame
        One row per prospect (``is_customer`` False) who has a family or social
        relation to a customer of tier ``strong`` or ``super``
        (:func:`famgraph.super_users`, default options), columns ``person_id,
        via_person_id, via_tier, relation, household_id, open_gaps,
        top_gap_line, protection_gap, lead_score, reason``:

        - ``via_person_id``: of those customers, the best tier (super before
          strong), then the highest score, then the smallest person_id;
        - ``relation``: what the via customer is *to the prospect*, e.g.
          ``"parent"`` when the customer is the prospect's parent (a ``child``
          row read from the child's side), ``"spouse"``, ``"friend"``; when a
          pair has several relations, a family kind before a social one;
        - ``household_id``: the prospect's household;
        - ``open_gaps``: the prospect's coverage gaps (:func:`famgraph.coverage_gaps`)
          and ``top_gap_line`` the first of them (lowest priority number, then
          line name; missing without gaps);
        - ``protection_gap``: the money gap of the prospect's household
          (:func:`famgraph.household_summary`);
        - ``lead_score`` (0-100), see Notes; ``reason``: one sentence.

        Sorted by ``lead_score`` descending, then ``protection_gap`` descending,
        then ``person_id``.

    Notes
    -----
    ``lead_score = 50 * tier_weight * via_score / 100 + 30 * min(1, G / 15) + 20
    * family`` where ``tier_weight`` is 1 for a super and 0.6 for a strong via
    customer, ``via_score`` their super-user score (0-100), ``G`` the sum of
    ``max(1, 5 - priority)`` over the prospect's open gaps (15 = an earner missing the
    whole default plan), and ``family`` is 1 when ``relation`` is a family kind:
    a trusted customer's word weighs most, then how much cover the prospect
    lacks, and family members convert best.

    Cost: that of :func:`famgraph.super_users`, :func:`famgraph.coverage_gaps`
    and :func:`famgraph.household_summary`, plus O(E log E) for the ranking.

    Examples
    --------
    >>> import famgraph as fg
    >>> leads = warm_leads(fg.datasets.sample())
    >>> leads[["person_id", "via_person_id", "via_tier", "relation"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['P07', 'P05', 'super', 'parent'], ['P09', 'P08', 'super', 'spouse'],
     ['P03', 'P01', 'strong', 'parent'], ['P12', 'P10', 'strong', 'parent']]
    >>> warm_leads(fg.datasets.sample(), language="zh")["reason"].iloc[1]
    'P08（其配偶）是超级客户（评分80）；6项保障缺口，优先寿险；家庭保障缺口111.5万'
    """
    check_language("warm_leads", language)
    codes, score = tiers_and_scores(g, min_referrals=min_referrals, value=value)
    n = g.n_people
    is_super = codes == TIERS.index("super")
    tier_w = np.where(is_super, TIER_WEIGHTS["super"], 0.0)
    tier_w[codes == TIERS.index("strong")] = TIER_WEIGHTS["strong"]

    # Every relation row read from both ends: (prospect p, via v, what v is to p).
    kind_code, kinds = pd.factorize(g.relations["relation"])
    vocab = [str(k) for k in kinds] + [_FROM_BELOW.get(str(k), str(k)) for k in kinds]
    vocab_rank = np.argsort(np.argsort(np.array(vocab, dtype=object), kind="stable"))
    p = np.concatenate([g.rel_src, g.rel_dst])
    v = np.concatenate([g.rel_dst, g.rel_src])
    rel = np.concatenate([kind_code, kind_code + len(kinds)]).astype(np.int64)
    fam = np.concatenate([g.rel_is_family, g.rel_is_family])
    active = np.concatenate([g.rel_active, g.rel_active])
    ok = active & ~g.is_customer[p] & (tier_w[v] > 0)
    p, v, rel, fam = p[ok], v[ok], rel[ok], fam[ok]
    id_rank = g.id_rank
    order = np.lexsort((vocab_rank[rel], ~fam, id_rank[v], -score[v], -tier_w[v], p))
    p, v, rel, fam = p[order], v[order], rel[order], fam[order]
    first = np.r_[True, p[1:] != p[:-1]] if len(p) else np.zeros(0, dtype=bool)
    p, v, rel, fam = p[first], v[first], rel[first], fam[first]

    gaps = coverage_gaps(g, plan=plan, minor_age=minor_age)
    gp = g.idx(gaps["person_id"])
    prio = gaps["priority"].to_numpy(dtype=float)
    open_gaps = np.bincount(gp, minlength=n).astype(np.int64)
    gap_weight = np.bincount(gp, weights=priority_weight(prio).astype(float), minlength=n)
    line_code, lines = pd.factorize(gaps["line"], sort=True)
    g_order = np.lexsort((line_code, prio, gp))
    gp_sorted = gp[g_order]
    g_first = g_order[np.r_[True, gp_sorted[1:] != gp_sorted[:-1]]] if len(gp) else g_order
    top_line = np.full(n, -1, dtype=np.int64)
    top_line[gp[g_first]] = line_code[g_first]

    hh = households(g, minor_age=minor_age)["household_id"].reset_index(drop=True)
    hh_p = pd.Series(hh.array.take(p))
    summary = household_summary(g, plan=plan, minor_age=minor_age)
    at = pd.Index(summary["household_id"]).get_indexer(hh_p)
    money = summary["protection_gap"].to_numpy(dtype=float)
    pgap = np.where(at >= 0, money[np.maximum(at, 0)], 0.0) if len(money) else np.zeros(len(p))

    lead = (
        LEAD_TIER_POINTS * tier_w[v] * score[v] / 100.0
        + LEAD_GAP_POINTS * np.minimum(1.0, gap_weight[p] / _FULL_GAP_WEIGHT)
        + LEAD_FAMILY_POINTS * fam
    )
    line_names = pd.Series(pd.array(list(lines), dtype="str"))
    out = pd.DataFrame(
        {
            "person_id": ids_at(g, p),
            "via_person_id": ids_at(g, v),
            "via_tier": pd.Series(np.where(is_super[v], "super", "strong"), dtype="str"),
            "relation": pd.Series(pd.array(vocab, dtype="str").take(rel)),
            "household_id": hh_p.astype("str"),
            "open_gaps": open_gaps[p],
            "top_gap_line": pd.Series(line_names.array.take(top_line[p], allow_fill=True)),
            "protection_gap": pgap,
            "lead_score": lead,
        }
    )
    out["reason"] = _reason(out, score[v], language)
    rank = np.lexsort((id_rank[p], -pgap, -lead))
    return out.iloc[rank].reset_index(drop=True)[list(WARM_LEAD_COLUMNS)]


def _reason(leads: pd.DataFrame, via_score: np.ndarray, language: str = "en") -> pd.Series:
    """E.g. "P05, their parent, is a super customer (score 88); 6 open gaps, life first".

    In Chinese: "P05（其父母）是超级客户（评分88）；6项保障缺口，优先寿险；家庭保障缺口12.5万".
    Built column-wise: the few distinct relations, tiers and lines are named once
    (:func:`famgraph.i18n.terms`), numbers formatted vectorised.
    """
    if len(leads) == 0:
        return pd.Series([], dtype="str")
    zh = language == "zh"
    n_gaps = leads["open_gaps"].to_numpy()
    pg = leads["protection_gap"].to_numpy()
    top = terms("line", leads["top_gap_line"], language).fillna("")
    if not zh:
        top = top.str.lower()
    has = n_gaps > 0
    count_txt = thousands(np.where(has, n_gaps, 0)).where(has, "")
    if zh:
        gaps_txt = (
            _const(np.where(has, "；", "；无保障缺口"))
            + count_txt
            + _const(np.where(has, "项保障缺口，优先", ""))
            + top
        )
        money_txt = _const(np.where(pg > 0, "；家庭保障缺口", "")) + amounts(pg, language).where(
            pg > 0, ""
        )
        return (
            leads["via_person_id"]
            + "（其"
            + terms("relation", leads["relation"], language)
            + "）是"
            + terms("tier", leads["via_tier"], language)
            + "客户（评分"
            + thousands(via_score)
            + "）"
            + gaps_txt
            + money_txt
        ).astype("str")
    gaps_txt = (
        _const(np.where(has, "; ", "; no open gaps"))
        + count_txt
        + _const(np.where(has, np.where(n_gaps == 1, " open gap, ", " open gaps, "), ""))
        + top
        + _const(np.where(has, " first", ""))
    )
    money_txt = _const(np.where(pg > 0, "; household protection gap ", "")) + amounts(
        pg, language
    ).where(pg > 0, "")
    return (
        leads["via_person_id"]
        + ", their "
        + leads["relation"]
        + ", is a "
        + leads["via_tier"]
        + " customer (score "
        + thousands(via_score)
        + ")"
        + gaps_txt
        + money_txt
    ).astype("str")


def _const(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str")
