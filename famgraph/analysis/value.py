"""Value and repurchase of every person (docs/metrics.md section 5).

``value(p)`` is the sum of ``amount`` of the holdings p pays for -- their
``payer_id``, else p's own -- bought on or before ``as_of``; frequency, recency
and active quarters describe how p buys (coverage stays with the insured
person). Every analysis that uses value (:func:`famgraph.referral_value`,
:func:`famgraph.super_users`) accepts ``value=`` -- a Series by ``person_id``,
e.g. a predicted lifetime value -- and checks it with :func:`person_value`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from famgraph._arrays import take_ids
from famgraph._validation import check_param
from famgraph.graph import CustomerGraph
from famgraph.rules import ACTIVE_WINDOW_DAYS, CONTINUOUS_QUARTERS, bought
from famgraph.schema import VALUE_COLUMNS

__all__ = ["VALUE_COLUMNS", "ids_at", "person_value", "value_metrics"]


_DAY_US = 86_400 * 1_000_000


def ids_at(g: CustomerGraph, idx: np.ndarray) -> pd.Series:
    """Person ids at integer positions ``idx`` as a "str" Series; ``-1`` gives a missing value.

    Examples
    --------
    >>> import famgraph as fg
    >>> import numpy as np
    >>> ids_at(fg.datasets.sample(), np.array([1, -1])).tolist()
    ['P02', nan]
    """
    return take_ids(g.people["person_id"], idx)


def _bought(g: CustomerGraph) -> np.ndarray:
    """Boolean mask over holding rows: bought on or before ``as_of``."""
    return bought(g.holdings["purchased_at"], g.as_of)


def person_value(
    g: CustomerGraph, value: pd.Series | None = None, *, func: str = "person_value"
) -> np.ndarray:
    """Value of every person (people order) as a float64 array.

    Parameters
    ----------
    g : CustomerGraph
    value : pandas.Series, optional
        An override by ``person_id`` (e.g. a predicted lifetime value). Its index
        holds person ids (integers are read as their decimal text, as in
        :func:`famgraph.ingest`), each at most once, all of them in ``g.people``;
        its values are finite numbers (negative allowed). Persons not in the
        index get 0. Anything else raises :class:`ValueError`.
    func : str
        Name of the calling analysis, for the error message.

    Returns
    -------
    numpy.ndarray
        ``value[i]`` for person index ``i``. Without an override: the sum of
        ``amount`` of the holdings the person pays for (``payer_id``, else the
        insured ``person_id``) with ``purchased_at <= as_of``.

    Notes
    -----
    O(V + H) (one ``bincount``). Unknown ids are an error rather than ignored:
    silently dropping them would turn a key mismatch (e.g. ``"7"`` vs ``"P0007"``)
    into zeros everywhere.

    Examples
    --------
    >>> import famgraph as fg
    >>> import pandas as pd
    >>> g = fg.datasets.sample()
    >>> float(person_value(g)[0])  # P01: 6000 + 2400 + 2500 + 20000
    30900.0
    >>> float(person_value(g, pd.Series({"P02": 5.0}))[1])
    5.0
    """
    n = g.n_people
    if value is None:
        keep = _bought(g)
        amt = g.holdings["amount"].to_numpy(dtype=float, na_value=0.0)[keep]
        return np.bincount(g.hold_buyer[keep], weights=amt, minlength=n).astype(float)
    check_param(
        func,
        "value",
        type(value).__name__,
        isinstance(value, pd.Series),
        "a pandas Series of numbers indexed by person_id",
    )
    check_param(
        func,
        "value",
        str(value.dtype),
        pd.api.types.is_numeric_dtype(value.dtype) and not pd.api.types.is_bool_dtype(value.dtype),
        "a pandas Series of numbers indexed by person_id",
    )
    vals = value.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(vals)
    check_param(
        func,
        "value",
        f"{int(bad.sum())} missing or infinite value(s)",
        not bad.any(),
        "a Series of finite numbers",
    )
    ids = pd.Index(value.index).astype(str)
    check_param(
        func,
        "value",
        f"{int(ids.duplicated().sum())} repeated person_id(s)",
        ids.is_unique,
        "indexed by unique person ids",
    )
    pos = g.idx(ids.to_numpy(dtype=object))
    unknown = ids[pos < 0]
    check_param(
        func,
        "value",
        f"{len(unknown)} unknown person_id(s), e.g. {list(unknown[:3])}",
        len(unknown) == 0,
        "indexed by person ids of g.people",
    )
    out = np.zeros(n, dtype=float)
    out[pos] = vals
    return out


def value_metrics(
    g: CustomerGraph, *, value: pd.Series | None = None, func: str = "value_metrics"
) -> pd.DataFrame:
    """Frequency, recency, monetary value and repurchase continuity of every person.

    Parameters
    ----------
    g : CustomerGraph
    value : pandas.Series, optional
        Replaces the holdings value in ``monetary`` (see :func:`person_value`).
    func : str
        Name of the calling analysis, for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order:

        - ``person_id``
        - ``frequency`` (int64): holdings the person pays for (``payer_id``, else
          the insured ``person_id``) with ``purchased_at <= as_of``;
        - ``recency_days`` (Int64): whole days from the last such purchase to
          ``as_of``; ``<NA>`` when there is none;
        - ``monetary`` (float64): value(p), the sum of their ``amount``;
        - ``active_quarters`` (int64): distinct calendar quarters with a purchase
          in ``(as_of - 365 days, as_of]`` -- at most 5, since that window
          touches up to five calendar quarters;
        - ``continuous`` (bool): ``active_quarters >= 2``.

    Notes
    -----
    Definitions in docs/metrics.md section 5. Cost O(V + H): bincounts and one
    scatter into a ``V x 5`` boolean table of quarters.

    Examples
    --------
    >>> import famgraph as fg
    >>> m = value_metrics(fg.datasets.sample())
    >>> m.iloc[0].to_dict()  # P01, as_of 2025-05-10; last purchase 2025-03-01
    {'person_id': 'P01', 'frequency': 4, 'recency_days': 70, 'monetary': 30900.0, \
'active_quarters': 1, 'continuous': False}
    """
    n = g.n_people
    keep = _bought(g)
    who = g.hold_buyer[keep]  # the payer, else the insured person
    at_us = g.holdings["purchased_at"].to_numpy(dtype="datetime64[us]")[keep].astype(np.int64)
    as_of_us = int(g.as_of.value) // 1000  # Timestamp.value is in nanoseconds

    frequency = np.bincount(who, minlength=n).astype(np.int64)
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, who, at_us)
    has = frequency > 0
    rec = np.zeros(n, dtype=np.int64)
    rec[has] = (as_of_us - last[has]) // _DAY_US
    recency = pd.array(rec, dtype="Int64")
    recency[~has] = pd.NA

    in_window = at_us > as_of_us - ACTIVE_WINDOW_DAYS * _DAY_US
    q_at = g.holdings["purchased_at"][keep][in_window]
    q_num = (q_at.dt.year.to_numpy() * 4 + (q_at.dt.month.to_numpy() - 1) // 3).astype(np.int64)
    q_now = g.as_of.year * 4 + (g.as_of.month - 1) // 3
    # a window of D days touches at most D // 91 + 2 calendar quarters
    seen = np.zeros((n, ACTIVE_WINDOW_DAYS // 91 + 2), dtype=bool)
    seen[who[in_window], q_now - q_num] = True
    active = seen.sum(axis=1).astype(np.int64)

    return pd.DataFrame(
        {
            "person_id": g.people["person_id"].reset_index(drop=True),
            "frequency": frequency,
            "recency_days": recency,
            "monetary": person_value(g, value, func=func),
            "active_quarters": active,
            "continuous": active >= CONTINUOUS_QUARTERS,
        },
        columns=list(VALUE_COLUMNS),
    )
