"""Value still to come, by person: CLV x CRV segments and the churn warning (section 10).

A customer's worth has two parts (Kumar, Petersen & Leone): their own lifetime value
still to come (CLV, :func:`famgraph.predict_value`) and the value their referrals
bring in (CRV: the chain value of section 6 with each descendant's predicted CLV as
its value). :func:`value_segments` places every customer in one of four quadrants and
flags the strong and super customers who are probably slipping away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from famgraph._validation import Interval, check
from famgraph.analysis.referrals import referral_value
from famgraph.analysis.superusers import tiers_and_scores
from famgraph.analysis.value import person_value
from famgraph.analysis.valuemodel import ValueModel, predict_value
from famgraph.graph import CustomerGraph
from famgraph.rules import CHURN_THRESHOLD, DECAY
from famgraph.schema import SEGMENTS, TIERS, VALUE_SEGMENT_COLUMNS

__all__ = ["value_segments"]

#: Tiers whose customers count as at risk when their p_alive is low.
_AT_RISK_TIERS = (TIERS.index("strong"), TIERS.index("super"))


def value_segments(
    g: CustomerGraph,
    clv: pd.Series | None = None,
    *,
    churn_threshold: float = CHURN_THRESHOLD,
    model: ValueModel | None = None,
    decay: float = DECAY,
) -> pd.DataFrame:
    """Every person's value still to come, their referral value, segment and churn risk.

    Parameters
    ----------
    g : CustomerGraph
    clv : pandas.Series, optional
        Lifetime value by ``person_id`` (checked as ``value=`` is); by default the
        ``clv`` of :func:`famgraph.predict_value`.
    churn_threshold : float, default 0.5
        A strong or super customer whose probability of still being a customer is
        below this is ``at_risk``; in [0, 1].
    model : ValueModel, optional
        The fitted value model for ``p_alive`` (and the default ``clv``); by default
        :func:`famgraph.fit_value_model` on ``g``.
    decay : float, default 0.5
        Weight per referral generation in ``crv`` (as in :func:`famgraph.referral_value`).

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order: ``person_id``; ``clv``; ``crv`` = the
        chain value of section 6 with ``clv`` as each descendant's value;
        ``segment``: among customers, high CLV = ``clv >=`` the customers' median
        CLV and high CRV = ``crv >`` the customers' median CRV, giving
        ``champion`` (high, high), ``affluent`` (high CLV, low CRV), ``advocate``
        (low CLV, high CRV), ``miser`` (low, low); prospects are ``prospect``;
        ``p_alive`` (empty for persons without a purchase); ``tier`` (section 7);
        ``at_risk`` = tier strong or super and ``p_alive < churn_threshold``.

    Raises
    ------
    DataError
        When the value model cannot be fitted on ``g`` (see
        :func:`famgraph.fit_value_model`); pass ``model=`` fitted elsewhere.

    Notes
    -----
    docs/metrics.md, section 10. A customer without any purchase has no ``p_alive``
    and is never ``at_risk`` (there is nothing to lose yet); with the strict ``>``
    for CRV, when most customers brought nobody in (median CRV 0), high CRV means
    "brought in any value at all". Cost: :func:`famgraph.predict_value`,
    :func:`famgraph.referral_value` and the tiers of :func:`famgraph.super_users`.

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.build(**fg.datasets.synthetic(3_000, seed=0))
    >>> seg = fg.value_segments(g)
    >>> sorted(seg["segment"].unique())
    ['advocate', 'affluent', 'champion', 'miser', 'prospect']
    >>> bool((seg.loc[seg.at_risk, "tier"].isin(["strong", "super"])).all())
    True
    """
    check("value_segments", "churn_threshold", churn_threshold, Interval(0, 1))
    pred = predict_value(g, model)
    if clv is None:
        clv_v = pred["clv"].to_numpy(dtype=float)
    else:
        clv_v = person_value(g, clv, func="value_segments")
    ids = g.people["person_id"].reset_index(drop=True)
    crv = referral_value(g, decay=decay, value=pd.Series(clv_v, index=pd.Index(ids)))
    crv_v = crv["chain_value"].to_numpy(dtype=float)
    tier, _ = tiers_and_scores(g, decay=decay)
    cust = g.is_customer
    p_alive = pred["p_alive"].to_numpy(dtype=float)

    segment = np.full(len(ids), SEGMENTS.index("prospect"), dtype=np.int64)
    if cust.any():
        high_clv = clv_v >= np.median(clv_v[cust])
        high_crv = crv_v > np.median(crv_v[cust])
        quadrant = np.select(
            [high_clv & high_crv, high_clv, high_crv],
            [SEGMENTS.index(s) for s in ("champion", "affluent", "advocate")],
            default=SEGMENTS.index("miser"),
        )
        segment[cust] = quadrant[cust]
    with np.errstate(invalid="ignore"):
        slipping = p_alive < float(churn_threshold)
    at_risk = np.isin(tier, _AT_RISK_TIERS) & slipping
    names = pd.array(list(SEGMENTS), dtype="str")
    tiers = pd.array(list(TIERS), dtype="str")
    return pd.DataFrame(
        {
            "person_id": ids,
            "clv": clv_v,
            "crv": crv_v,
            "segment": pd.Series(names.take(segment), dtype="str"),
            "p_alive": p_alive,
            "tier": pd.Series(tiers.take(tier), dtype="str"),
            "at_risk": at_risk,
        },
        columns=list(VALUE_SEGMENT_COLUMNS),
    )
