"""How relationships move: tiers then and now (docs/metrics.md, section 9).

:func:`tier_transitions` compares every person's relationship level (the ``tier`` of
section 7) and score in ``g.at(since)`` with those in ``g``: who is rising, who is
slipping. :func:`transition_matrix` counts the moves in a tier x tier table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from famgraph.analysis.superusers import tiers_and_scores
from famgraph.graph import CustomerGraph
from famgraph.rules import DECAY, MIN_REFERRALS, SOCIAL_WEIGHT
from famgraph.schema import TIERS, TRANSITION_COLUMNS

__all__ = ["tier_transitions", "transition_matrix"]

#: ``change`` by the order of the tiers.
_CHANGES = ("down", "same", "up")


def tier_transitions(
    g: CustomerGraph,
    since: Any,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
) -> pd.DataFrame:
    """Every person's relationship level at ``since`` and now: who is rising, who is slipping.

    Parameters
    ----------
    g : CustomerGraph
    since : date-like
        The earlier date; must be before ``g.as_of``.
    min_referrals, weights, decay, social_weight
        As in :func:`famgraph.super_users`, used at both dates.

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order: ``person_id``, ``tier_before`` (the tier
        in ``g.at(since)``), ``tier_after`` (in ``g``), ``score_before``,
        ``score_after`` and ``change``: ``"up"``, ``"down"`` or ``"same"`` by the
        order none < micro < weak < strong < super. ``attrs`` holds ``since`` and
        ``as_of`` (used by :func:`famgraph.plot.tier_flow`).

    Notes
    -----
    docs/metrics.md, section 9: at ``since`` only what had happened by then counts --
    purchases, referrals, customers who had joined, relations active then. Scores
    are percentile ranks among the customers *of each date*, so a score can fall
    while the tier holds. Cost: :func:`famgraph.super_users` twice (without the
    reasons text), O(V + E) per PageRank iteration.

    Examples
    --------
    >>> import famgraph as fg
    >>> t = fg.tier_transitions(fg.datasets.sample(), "2024-12-31")
    >>> t.set_index("person_id").loc["P05", ["tier_before", "tier_after", "change"]].tolist()
    ['strong', 'super', 'up']
    """
    before_g = g.at(since)
    if before_g.as_of >= g.as_of:
        raise ValueError(
            f"The `since` parameter of `tier_transitions` must be earlier than the book's "
            f"as_of ({g.as_of.date()}); got {before_g.as_of.date()}."
        )

    def at(graph: CustomerGraph) -> tuple[np.ndarray, np.ndarray]:
        return tiers_and_scores(
            graph,
            min_referrals=min_referrals,
            weights=weights,
            decay=decay,
            social_weight=social_weight,
        )

    t0, s0 = at(before_g)
    t1, s1 = at(g)
    tiers = pd.array(list(TIERS), dtype="str")
    out = pd.DataFrame(
        {
            "person_id": g.people["person_id"].reset_index(drop=True),
            "tier_before": pd.Series(tiers.take(t0), dtype="str"),
            "tier_after": pd.Series(tiers.take(t1), dtype="str"),
            "score_before": s0,
            "score_after": s1,
            "change": pd.Series(
                pd.array(list(_CHANGES), dtype="str").take(np.sign(t1 - t0) + 1), dtype="str"
            ),
        },
        columns=list(TRANSITION_COLUMNS),
    )
    out.attrs["since"] = before_g.as_of
    out.attrs["as_of"] = g.as_of
    return out


def transition_matrix(transitions: pd.DataFrame) -> pd.DataFrame:
    """How many persons moved from each tier to each tier: a ``pandas.crosstab``.

    Parameters
    ----------
    transitions : pandas.DataFrame
        The result of :func:`tier_transitions`.

    Returns
    -------
    pandas.DataFrame
        Rows ``tier_before`` and columns ``tier_after``, both in the order none,
        micro, weak, strong, super (every tier present, zeros included), int64
        counts. The diagonal holds those whose tier did not change, cells right of it
        those who rose, left of it those who slipped.

    Examples
    --------
    >>> import famgraph as fg
    >>> m = fg.transition_matrix(fg.tier_transitions(fg.datasets.sample(), "2024-12-31"))
    >>> list(m.index), int(m.loc["strong", "super"])
    (['none', 'micro', 'weak', 'strong', 'super'], 2)
    """
    for col in ("tier_before", "tier_after"):
        if col not in transitions.columns:
            raise ValueError(
                "The `transitions` parameter of `transition_matrix` must be a result of "
                f"fg.tier_transitions (columns tier_before, tier_after); it has no `{col}`."
            )
    order = pd.CategoricalDtype(list(TIERS), ordered=True)
    table = pd.crosstab(
        transitions["tier_before"].astype(order),
        transitions["tier_after"].astype(order),
        dropna=False,
    )
    table = table.reindex(index=list(TIERS), columns=list(TIERS), fill_value=0)
    table.index = pd.Index(list(TIERS), dtype="str", name="tier_before")
    table.columns = pd.Index(list(TIERS), dtype="str", name="tier_after")
    return table.astype(np.int64)
