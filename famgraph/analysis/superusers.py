"""Relationship tiers and super-user scores (docs/metrics.md section 7)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph._validation import Count, check, check_param
from famgraph.analysis.influence import check_influence_params, influence
from famgraph.analysis.referrals import check_referral_params, converted_and_chain
from famgraph.analysis.value import value_metrics
from famgraph.graph import CustomerGraph
from famgraph.i18n import amounts_arrow, check_language, take_strings, thousands
from famgraph.rules import (
    ALPHA,
    CONTINUOUS_QUARTERS,
    DECAY,
    MIN_REFERRALS,
    RANK_DECIMALS,
    SCORE_WEIGHTS,
    SOCIAL_WEIGHT,
    STRONG_REFERRALS,
    TOP_INFLUENCE_PCT,
    WEAK_FREQUENCY,
)
from famgraph.schema import SUPER_USER_COLUMNS, TIERS

__all__ = ["DEFAULT_WEIGHTS", "pct_rank", "score_ranks", "super_users", "thousands", "tier_codes"]

#: Score weights of the percentile ranks: Recency, Frequency, Monetary, Chain, Influence.
DEFAULT_WEIGHTS: dict[str, float] = dict(SCORE_WEIGHTS)

_TOP_INFLUENCE_PCT = TOP_INFLUENCE_PCT


def pct_rank(x: np.ndarray) -> np.ndarray:
    """``pandas.Series(x).rank(method="average", pct=True)`` as an array.

    Whole numbers in a modest range (frequency, recency days) are ranked by
    counting (O(n + range)); anything else goes to pandas. Both give the same
    bits: the average rank of a tie is ``less + (ties + 1) / 2``, exact in float.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=float)
    if np.issubdtype(x.dtype, np.integer):
        lo, hi = int(x.min()), int(x.max())
        if hi - lo <= 4 * n + 1_000_000:
            counts = np.bincount(x - lo)
            less = np.cumsum(counts) - counts
            avg = less + (counts + 1) / 2.0
            return np.asarray(avg[x - lo] / n, dtype=float)
    return np.asarray(pd.Series(x).rank(method="average", pct=True).to_numpy(), dtype=float)


def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    check_param(
        "super_users",
        "weights",
        weights,
        isinstance(weights, Mapping),
        "a dict with keys among R, F, M, C, I",
    )
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS), key=str)
    check_param(
        "super_users",
        "weights",
        weights,
        not unknown,
        f"a dict with keys among R, F, M, C, I (unknown: {unknown})",
    )
    ok = all(
        isinstance(v, numbers.Real)
        and not isinstance(v, bool)
        and math.isfinite(float(v))
        and float(v) >= 0
        for v in weights.values()
    )
    check_param("super_users", "weights", weights, ok, "a dict of finite numbers >= 0")
    total = float(sum(float(v) for v in weights.values()))
    check_param(
        "super_users",
        "weights",
        weights,
        abs(total - 1.0) <= 1e-9,
        "a dict of weights summing to 1",
    )
    return {k: float(weights.get(k, 0.0)) for k in DEFAULT_WEIGHTS}


def _join(*parts: pa.Array) -> pd.Series:
    """Element-wise concatenation of Arrow string arrays, as a "str" Series."""
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _EMPTY)
    return pd.Series(pd.arrays.ArrowStringArray(joined)).astype("str")


_EMPTY = pa.scalar("", type=pa.large_string())


def _coded(keys: np.ndarray, fmt: Callable[[int], str]) -> pa.Array:
    """Format each *distinct* key (small non-negative ints) once, then spread by code."""
    if len(keys) == 0:
        return pa.array([], type=pa.large_string())
    if int(keys.max()) > 4 * len(keys) + 1_000_000:  # wide range: sort instead of count
        uniq, codes = np.unique(keys, return_inverse=True)
        return take_strings([fmt(int(k)) for k in uniq], codes)
    present = np.bincount(keys) > 0
    uniq = np.flatnonzero(present)
    code_of = np.cumsum(present) - 1
    return take_strings([fmt(int(k)) for k in uniq], code_of[keys])


def _s(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _buys(key: int, language: str) -> str:
    freq, active, customer = key // 12, (key // 2) % 6, key % 2
    if language == "zh":
        out = "" if customer else "潜在客户："
        out += f"共{freq}次购买" if freq else "尚无购买"
        if active:
            out += f"，近12个月内有{active}个季度购买"
        return out
    out = "" if customer else "prospect: "
    out += _s(freq, "purchase") if freq else "no purchases"
    if active:
        out += f" in {_s(active, 'quarter')} of the last 12 months"
    return out


def _refs_before(converted: int, chain: int, language: str) -> str:
    if language == "zh":
        if converted:
            return f"；推荐成交{converted}位客户" + ("，推荐链价值" if chain else "")
        return "；推荐链价值" if chain else ""
    if converted:
        return "; " + _s(converted, "referred customer") + (" worth " if chain else "")
    return "; referral chain worth " if chain else ""


def _tail(key: int, language: str) -> str:
    down, top = divmod(key, _TOP_INFLUENCE_PCT + 1)
    if language == "zh":
        return f"；影响力居前{top}%" if top else ""
    return (" down the chain" if down else "") + (f"; influence in the top {top}%" if top else "")


def _reasons(
    is_customer: np.ndarray,
    frequency: np.ndarray,
    active: np.ndarray,
    converted: np.ndarray,
    chain: np.ndarray,
    influence_top: np.ndarray,
    language: str = "en",
) -> pd.Series:
    """One readable sentence per person, in ``language``: head + money + tail.

    The text before the money depends on a few small counts (purchases, active
    quarters, customer or not, converted referrals, chain or not) and the text
    after it on two flags and the influence percentile: every distinct
    combination is formatted once in Python and spread to the rows with an
    Arrow ``take``; money is formatted column-wise (:func:`famgraph.i18n.amounts`);
    the three pieces are joined element-wise -- no loop over rows.
    """
    has_chain = (chain > 0).astype(np.int64)
    buy_key = (frequency * 6 + active) * 2 + is_customer.astype(np.int64)
    ref_key = converted * 2 + has_chain
    n_ref = int(ref_key.max(initial=0)) + 1
    head = _coded(
        buy_key * n_ref + ref_key,
        lambda k: _buys(k // n_ref, language) + _refs_before(*divmod(k % n_ref, 2), language),
    )
    # money text only where there is a chain value, then spread (others: "")
    where = np.flatnonzero(has_chain)
    spread = np.full(len(chain), len(where), dtype=np.int64)
    spread[where] = np.arange(len(where))
    worth = pa.concat_arrays(
        [amounts_arrow(chain[where], language), pa.array([""], type=pa.large_string())]
    )
    worth = worth.take(pa.array(spread, type=pa.int64()))
    infl_code = np.where(influence_top <= _TOP_INFLUENCE_PCT, influence_top, 0)
    down = ((converted > 0) & (has_chain == 1)).astype(np.int64)
    tail = _coded(down * (_TOP_INFLUENCE_PCT + 1) + infl_code, lambda k: _tail(k, language))
    return _join(head, worth, tail)


def super_users(
    g: CustomerGraph,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    value: pd.Series | None = None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
    language: str = "en",
) -> pd.DataFrame:
    """Relationship tier, super-user score and the reasons, for every person.

    Parameters
    ----------
    g : CustomerGraph
    min_referrals : int, default 2
        Converted referrals a continuous customer needs to be ``super`` (>= 1).
    weights : dict, optional
        Weights of the percentile ranks in the score, keys among ``"R"``
        (recency), ``"F"`` (frequency), ``"M"`` (monetary), ``"C"`` (chain
        value), ``"I"`` (influence); each >= 0, together summing to 1 (so the
        score stays on 0-100); a missing key weighs 0. Default
        ``{"R": 0.10, "F": 0.20, "M": 0.15, "C": 0.35, "I": 0.20}``.
    value : pandas.Series, optional
        Value by ``person_id`` replacing the holdings value, used for
        ``monetary`` and ``chain_value`` (see
        :func:`famgraph.analysis.value.person_value`).
    decay : float, default 0.5
        Weight per referral generation in ``chain_value`` (see
        :func:`famgraph.referral_value`).
    social_weight : float, default 0.5
        Weight of a social tie in the influence graph (see :func:`famgraph.influence`).
    language : {"en", "zh"}, default "en"
        Language of the ``reasons`` sentences (:mod:`famgraph.i18n`).

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order, columns ``person_id, tier, score,
        is_super, frequency, recency_days, monetary, active_quarters,
        converted_referrals, chain_value, influence, reasons``.

        - ``tier`` for customers: ``super`` if continuous (active in >= 2
          quarters of the last 365 days) and ``converted_referrals >=
          min_referrals``; else ``strong`` if continuous or
          ``converted_referrals >= 1``; else ``weak`` if ``frequency >= 2``;
          else ``micro`` if ``frequency == 1``; else ``none``. Prospects:
          ``none``.
        - ``score`` (customers; prospects 0) = 100 x Σ weight x percentile rank
          among customers (``rank(pct=True)``, ties averaged) of R =
          -recency_days (ranked among customers with a purchase; the others get
          0), F = frequency, M = monetary, C = chain_value, I = influence; M and
          C are ranked on values rounded to 6 decimals, I on ``round(n x
          influence, 6)`` (n persons), so float noise cannot split ties.
        - ``reasons``: e.g. "6 purchases in 3 quarters of the last 12 months; 4
          referred customers worth 12,300 down the chain; influence in the top
          1%" (influence is mentioned within the top 10% of all persons); in
          Chinese "共6次购买，近12个月内有3个季度购买；推荐成交4位客户，推荐链价值1.23万；
          影响力居前1%" (amounts from 10,000 in 万).

    Notes
    -----
    docs/metrics.md section 7, with value from section 5, chain value from section 6
    and :func:`famgraph.influence`. Cost: that of :func:`famgraph.influence`
    (sparse PageRank) plus O(V log V) for the ranks.

    Examples
    --------
    >>> import famgraph as fg
    >>> s = super_users(fg.datasets.sample())
    >>> s.set_index("person_id").loc[["P05", "P08", "P01", "P03"], "tier"].tolist()
    ['super', 'super', 'strong', 'none']
    >>> s.set_index("person_id").loc["P05", "reasons"]
    '4 purchases in 2 quarters of the last 12 months; 2 referred customers worth 7,675 \
down the chain; influence in the top 7%'
    >>> zh = super_users(fg.datasets.sample(), language="zh")
    >>> zh.set_index("person_id").loc["P05", "reasons"]
    '共4次购买，近12个月内有2个季度购买；推荐成交2位客户，推荐链价值7,675；影响力居前7%'
    """
    w = check_super_user_params(min_referrals, weights, decay, social_weight)
    check_language("super_users", language)
    m = value_metrics(g, value=value, func="super_users")
    converted, chain = converted_and_chain(g, m["monetary"].to_numpy(dtype=float), decay=decay)
    return assemble(
        g.people["person_id"].reset_index(drop=True),
        g.is_customer,
        m,
        converted,
        chain,
        influence(g, social_weight=social_weight).to_numpy(),
        min_referrals=min_referrals,
        weights=w,
        language=language,
    )


def check_super_user_params(
    min_referrals: int,
    weights: Mapping[str, float] | None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
) -> dict[str, float]:
    """Validate the options of :func:`super_users`; return the full weight dict."""
    check("super_users", "min_referrals", min_referrals, Count)
    check_referral_params(decay, None, "super_users")
    check_influence_params(ALPHA, social_weight, "super_users")
    return _check_weights(weights)


def score_ranks(
    cust: np.ndarray,
    m: pd.DataFrame,
    chain: np.ndarray,
    infl: np.ndarray,
    weights: Mapping[str, float],
) -> np.ndarray:
    """The super-user score of every person (prospects 0), docs/metrics.md section 7.

    Each factor is a percentile rank (``rank(pct=True)``, ties averaged) among
    customers: R = -recency_days among customers with a purchase (the others get
    0: no recency credit), F = frequency, M = monetary and C = chain value rounded
    to ``RANK_DECIMALS`` decimals, I = ``round(n x influence, RANK_DECIMALS)`` with
    n the number of persons -- rounding so float noise cannot split ties.

    Examples
    --------
    >>> m = pd.DataFrame({"frequency": [2, 0, 1], "recency_days": pd.array([5, None, 9], "Int64"),
    ...                   "monetary": [10.0, 0.0, 10.0]})
    >>> cust = np.array([True, True, True])
    >>> w = {"R": 1.0, "F": 0.0, "M": 0.0, "C": 0.0, "I": 0.0}
    >>> score_ranks(cust, m, np.zeros(3), np.full(3, 1 / 3), w).tolist()
    [100.0, 0.0, 50.0]
    """
    n = len(cust)
    score = np.zeros(n, dtype=float)
    if not cust.any():
        return score
    recency = m["recency_days"].to_numpy(dtype=float, na_value=np.nan)[cust]
    bought = ~np.isnan(recency)
    r_pct = np.zeros(len(recency), dtype=float)
    r_pct[bought] = pct_rank(-recency[bought].astype(np.int64))
    pcts = {
        "R": r_pct,
        "F": pct_rank(m["frequency"].to_numpy(dtype=np.int64)[cust]),
        "M": pct_rank(np.round(m["monetary"].to_numpy(dtype=float)[cust], RANK_DECIMALS)),
        "C": pct_rank(np.round(np.asarray(chain, dtype=float)[cust], RANK_DECIMALS)),
        "I": pct_rank(np.round(n * np.asarray(infl, dtype=float)[cust], RANK_DECIMALS)),
    }
    total = np.zeros(int(cust.sum()), dtype=float)
    for key, pct in pcts.items():
        total = total + weights[key] * pct
    score[cust] = 100.0 * total
    return score


def tier_codes(
    cust: np.ndarray, m: pd.DataFrame, converted: np.ndarray, min_referrals: int
) -> np.ndarray:
    """Each person's tier as a code into ``TIERS`` (none, micro, weak, strong, super).

    Customers, in this order: ``super`` = continuous and ``converted >= min_referrals``;
    ``strong`` = continuous or a converted referral; ``weak`` = repeat purchases;
    ``micro`` = one purchase; else ``none``. Prospects: ``none``.

    Examples
    --------
    >>> m = pd.DataFrame({"frequency": [5, 3, 2, 1, 0], "active_quarters": [2, 2, 1, 1, 0]})
    >>> cust = np.ones(5, dtype=bool)
    >>> tier_codes(cust, m, np.array([2, 0, 0, 0, 0]), 2).tolist()
    [4, 3, 2, 1, 0]
    """
    freq = m["frequency"].to_numpy(dtype=np.int64)
    continuous = m["active_quarters"].to_numpy(dtype=np.int64) >= CONTINUOUS_QUARTERS
    return np.asarray(
        np.select(
            [
                ~cust,
                continuous & (converted >= min_referrals),
                continuous | (converted >= STRONG_REFERRALS),
                freq >= WEAK_FREQUENCY,
                freq >= 1,
            ],
            [0, 4, 3, 2, 1],
            default=0,
        ),
        dtype=np.int64,
    )


def assemble(
    person_id: pd.Series,
    cust: np.ndarray,
    m: pd.DataFrame,
    converted: np.ndarray,
    chain: np.ndarray,
    infl: np.ndarray,
    *,
    min_referrals: int,
    weights: dict[str, float],
    language: str = "en",
) -> pd.DataFrame:
    """Tiers, score and reasons from the per-person inputs (docs/metrics.md section 7).

    Shared by :func:`super_users` and the Neo4j push-down, which computes the
    value metrics ``m`` (columns ``frequency, recency_days, monetary,
    active_quarters``) inside the database. Arrays are in person order;
    ``language`` is that of the ``reasons`` sentences.
    """
    n = len(person_id)
    freq = m["frequency"].to_numpy(dtype=np.int64)
    active = m["active_quarters"].to_numpy(dtype=np.int64)
    tier_code = tier_codes(cust, m, converted, min_referrals)
    score = score_ranks(cust, m, chain, infl, weights)

    # Share of persons with at least one's influence (ties count), in whole percent
    # rounded up: "influence in the top 4%".
    higher = pd.Series(infl).rank(method="max", ascending=False).to_numpy()
    top = np.ceil(100.0 * higher / max(n, 1)).astype(np.int64)
    reasons = _reasons(cust, freq, active, converted, chain, top, language)

    return pd.DataFrame(
        {
            "person_id": person_id.reset_index(drop=True).astype("str"),
            "tier": _join(take_strings(list(TIERS), tier_code)),
            "score": score,
            "is_super": tier_code == TIERS.index("super"),
            "frequency": freq,
            "recency_days": m["recency_days"].astype("Int64").reset_index(drop=True),
            "monetary": m["monetary"].to_numpy(dtype=float),
            "active_quarters": active,
            "converted_referrals": converted,
            "chain_value": chain,
            "influence": infl,
            "reasons": reasons,
        },
        columns=list(SUPER_USER_COLUMNS),
    )


def tiers_and_scores(
    g: CustomerGraph,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    value: pd.Series | None = None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
) -> tuple[np.ndarray, np.ndarray]:
    """Tier codes (into ``TIERS``) and scores of every person, as :func:`famgraph.super_users`.

    The same figures without the ``reasons`` text, for comparisons over time and for
    :func:`famgraph.warm_leads`.

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.datasets.sample()
    >>> codes, score = tiers_and_scores(g)
    >>> bool((np.asarray(TIERS)[codes] == fg.super_users(g)["tier"].to_numpy()).all())
    True
    """
    w = check_super_user_params(min_referrals, weights, decay, social_weight)
    m = value_metrics(g, value=value, func="super_users")
    converted, chain = converted_and_chain(g, m["monetary"].to_numpy(dtype=float), decay=decay)
    infl = influence(g, social_weight=social_weight).to_numpy()
    return tier_codes(g.is_customer, m, converted, min_referrals), score_ranks(
        g.is_customer, m, chain, infl, w
    )
