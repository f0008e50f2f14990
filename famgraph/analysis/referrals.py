"""Referral-chain value and viral coefficient (docs/metrics.md section 6).

The engine works on the parent array ``g.referrer`` (the kept referral forest):
pointer jumping gives every person's root and generation in O(V log D) array
operations, and sums over descendants are accumulated bottom-up, one generation
at a time, with ``np.add.at`` -- no per-person Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from famgraph._validation import Count, Interval, Whole, check, check_param
from famgraph.analysis.value import ids_at, person_value
from famgraph.graph import CustomerGraph
from famgraph.rules import DECAY, VIRAL_FREQ, VIRAL_WINDOW_DAYS
from famgraph.schema import REFERRAL_VALUE_COLUMNS, VIRAL_COLUMNS

__all__ = [
    "converted_and_chain",
    "forest_levels",
    "referral_frame",
    "referral_value",
    "viral_coefficient",
]


def forest_levels(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Root and generation of every node of a forest given by its parent array.

    Parameters
    ----------
    parent : numpy.ndarray
        ``parent[i]`` is the parent index of node ``i``, ``-1`` for a root.

    Returns
    -------
    root, generation : numpy.ndarray
        Index of the top ancestor (``i`` itself for a root) and the number of
        steps up to it (0 at a root).

    Raises
    ------
    ValueError
        When ``parent`` has a cycle (``famgraph.ingest`` never keeps one).

    Notes
    -----
    Pointer jumping: O(V log D) for depth D, in about ``log2(D)`` array passes.

    Examples
    --------
    >>> import numpy as np
    >>> root, gen = forest_levels(np.array([-1, 0, 1, -1, 1]))
    >>> root.tolist(), gen.tolist()
    ([0, 0, 0, 3, 0], [0, 1, 2, 0, 2])
    """
    n = len(parent)
    idx = np.arange(n, dtype=np.int64)
    anc = np.where(parent >= 0, parent, idx).astype(np.int64)
    gen = (parent >= 0).astype(np.int64)
    for _ in range(max(1, int(n).bit_length()) + 1):
        if not (parent[anc] >= 0).any():  # every node points at its root
            return anc, gen
        nxt = anc[anc]
        gen = gen + gen[anc]
        anc = nxt
    raise ValueError("The referral parent array has a cycle; a kept referral forest has none.")


def _by_generation(gen: np.ndarray) -> list[np.ndarray]:
    """Node indices of each generation >= 1, deepest generation first."""
    # stable sort of small ints: numpy radix-sorts 16-bit keys in O(n)
    key = gen.astype(np.int16) if gen.max(initial=0) < 2**15 else gen
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(gen[order], np.arange(1, int(gen.max(initial=0)) + 2))
    return [order[bounds[k] : bounds[k + 1]] for k in range(len(bounds) - 2, -1, -1)]


def _chain_sums(
    parent: np.ndarray,
    levels: list[np.ndarray],
    gen: np.ndarray,
    v: np.ndarray,
    decay: float,
    max_depth: int | None,
) -> np.ndarray:
    """Σ over descendants d of decay**(dist-1) * v[d], dist <= max_depth when given."""
    n = len(parent)
    depth_all = len(levels)
    if max_depth is None or max_depth >= depth_all:
        # Bottom-up: S(p) = Σ_children (v(c) + decay * S(c)), deepest first.
        s = np.zeros(n, dtype=float)
        for nodes in levels:
            np.add.at(s, parent[nodes], v[nodes] + decay * s[nodes])
        return s
    # Bounded: walk every node up at most max_depth steps, adding its weighted
    # value to the ancestor reached at each step. Work Σ_d min(gen(d), max_depth).
    s = np.zeros(n, dtype=float)
    nodes = np.flatnonzero(gen > 0)
    anc = parent[nodes]
    w = v[nodes].astype(float)
    for _ in range(max_depth):
        if len(nodes) == 0:
            break
        np.add.at(s, anc, w)
        w = w * decay
        up = parent[anc]
        keep = up >= 0
        anc, w, nodes = up[keep], w[keep], nodes[keep]
    return s


def converted_and_chain(
    g: CustomerGraph, value: np.ndarray, *, decay: float = DECAY
) -> tuple[np.ndarray, np.ndarray]:
    """``converted_referrals`` and ``chain_value`` (no ``max_depth``) as arrays.

    The part of :func:`referral_value` that :func:`famgraph.super_users` needs,
    given the value of every person (people order), without the id columns.
    """
    n = g.n_people
    parent = np.asarray(g.referrer, dtype=np.int64)
    has_parent = parent >= 0
    converted = np.bincount(
        parent[has_parent], weights=g.is_customer[has_parent], minlength=n
    ).astype(np.int64)
    _, gen = forest_levels(parent)
    return converted, _chain_sums(parent, _by_generation(gen), gen, value, decay, None)


#: What ``decay`` must be.
DECAY_RANGE = Interval(0, 1, closed="right")


def check_referral_params(
    decay: float, max_depth: int | None, func: str = "referral_value"
) -> None:
    """Validate ``decay`` in (0, 1] and ``max_depth`` (whole number >= 1, or None)."""
    check(func, "decay", decay, DECAY_RANGE)
    check(func, "max_depth", max_depth, Count, none_ok=True)


def referral_value(
    g: CustomerGraph,
    *,
    decay: float = DECAY,
    max_depth: int | None = None,
    value: pd.Series | None = None,
) -> pd.DataFrame:
    """What each person's referral chain is worth, down every generation.

    Parameters
    ----------
    g : CustomerGraph
    decay : float, default 0.5
        Weight per generation, in (0, 1]: a direct referee counts fully, their
        referees times ``decay``, the next generation times ``decay**2``, ...
    max_depth : int, optional
        Count only descendants at most this many generations down (>= 1).
    value : pandas.Series, optional
        Value by ``person_id`` replacing the holdings value (e.g. predicted CLV);
        see :func:`famgraph.analysis.value.person_value`.

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order, columns ``person_id, referred_by,
        root_id, generation, direct_referrals, converted_referrals, cascade_size,
        depth, chain_value``:

        - ``referred_by``: the referrer's id (missing when none);
        - ``root_id``: the top ancestor's id (the person's own id at a root);
        - ``generation``: steps up to the root (0 at a root);
        - ``direct_referrals`` / ``converted_referrals``: direct referees / those
          who are customers;
        - ``cascade_size``: all descendants; ``depth``: the largest generation
          distance to a descendant (0 without referees);
        - ``chain_value`` = Σ over descendants d of
          ``decay ** (dist(p, d) - 1) * value(d)``, with ``dist <= max_depth``
          when given. ``cascade_size`` and ``depth`` ignore ``max_depth``.

    Notes
    -----
    docs/metrics.md section 6. Cost O(V) array work plus one vectorised step per
    generation (D steps for a forest of depth D); with ``max_depth = K < D``,
    O(Σ_d min(generation(d), K)).

    Examples
    --------
    >>> import famgraph as fg
    >>> r = referral_value(fg.datasets.sample())
    >>> cols = ["person_id", "cascade_size", "depth", "chain_value"]
    >>> print(r.loc[r.person_id == "P05", cols].to_string(index=False))
    person_id  cascade_size  depth  chain_value
          P05             5      3       7675.0

    P05 referred P06 (value 1500) and P08 (4800); P08 referred P13 (150) and P14
    (1200); P13 referred P15 (2800): 1500 + 4800 + 0.5 * (150 + 1200) + 0.25 * 2800
    = 7675, over 5 descendants, 3 generations deep.
    """
    check_referral_params(decay, max_depth)
    n = g.n_people
    parent = np.asarray(g.referrer, dtype=np.int64)
    v = person_value(g, value, func="referral_value")
    root, gen = forest_levels(parent)
    levels = _by_generation(gen)
    has_parent = parent >= 0
    kids = parent[has_parent]

    direct = np.bincount(kids, minlength=n).astype(np.int64)
    converted = np.bincount(kids, weights=g.is_customer[has_parent], minlength=n).astype(np.int64)
    cascade = np.zeros(n, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    for nodes in levels:
        np.add.at(cascade, parent[nodes], cascade[nodes] + 1)
        np.maximum.at(depth, parent[nodes], depth[nodes] + 1)
    chain = _chain_sums(
        parent, levels, gen, v, float(decay), None if max_depth is None else int(max_depth)
    )

    return referral_frame(
        g.people["person_id"],
        ids_at(g, parent),
        ids_at(g, root),
        gen,
        direct,
        converted,
        cascade,
        depth,
        chain,
    )


def referral_frame(
    person_id: Any,
    referred_by: Any,
    root_id: Any,
    generation: Any,
    direct_referrals: Any,
    converted_referrals: Any,
    cascade_size: Any,
    depth: Any,
    chain_value: Any,
) -> pd.DataFrame:
    """The :func:`referral_value` result from its columns (people order): names and dtypes.

    Shared by the in-memory engine and the Neo4j push-down. Ids are text (missing
    ``referred_by`` for roots), counts int64, ``chain_value`` float64.

    Examples
    --------
    >>> referral_frame(["A", "B"], [None, "A"], ["A", "A"], [0, 1], [1, 0], [1, 0],
    ...                [1, 0], [1, 0], [5.0, 0.0]).dtypes.astype(str).tolist()
    ['str', 'str', 'str', 'int64', 'int64', 'int64', 'int64', 'int64', 'float64']
    """

    def ids(v: Any) -> pd.Series:
        return pd.Series(np.asarray(v, dtype=object) if isinstance(v, list) else v, dtype="str")

    def whole(v: Any) -> np.ndarray:
        return np.asarray(v, dtype=np.int64)

    return pd.DataFrame(
        {
            "person_id": ids(person_id).reset_index(drop=True),
            "referred_by": ids(referred_by).reset_index(drop=True),
            "root_id": ids(root_id).reset_index(drop=True),
            "generation": whole(generation),
            "direct_referrals": whole(direct_referrals),
            "converted_referrals": whole(converted_referrals),
            "cascade_size": whole(cascade_size),
            "depth": whole(depth),
            "chain_value": np.asarray(chain_value, dtype=float),
        },
        columns=list(REFERRAL_VALUE_COLUMNS),
    )


#: What ``window_days`` must be.
WINDOW_DAYS = Whole(0, unit="days", integral_only=True)


def viral_coefficient(
    g: CustomerGraph, *, freq: str = VIRAL_FREQ, window_days: int = VIRAL_WINDOW_DAYS
) -> pd.DataFrame:
    """How many new customers each joining cohort brought in within a window.

    Parameters
    ----------
    g : CustomerGraph
    freq : str, default "Q"
        Period of ``joined_at`` that forms a cohort: a pandas period alias such
        as ``"M"``, ``"Q"``, ``"Y"``.
    window_days : int, default 365
        A referral counts when ``joined_at <= referred_at <= joined_at +
        window_days`` (whole days, >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per cohort that has members, oldest first: ``cohort`` (the
        period label as text, e.g. ``"2024Q1"``, ``"2024-01"``, ``"2024"``),
        ``cohort_size`` (customers with ``joined_at`` in the period),
        ``referrals`` (kept referrals they made within the window),
        ``converted_referrals`` (those whose referee is a customer) and
        ``k_factor = converted_referrals / cohort_size``.

    Notes
    -----
    docs/metrics.md section 6. Prospects and customers without ``joined_at`` are in
    no cohort; referrals without ``referred_at`` never count. Cost O(V + R).

    Examples
    --------
    >>> import famgraph as fg
    >>> v = viral_coefficient(fg.datasets.sample(), freq="Y")
    >>> print(v[v.cohort == "2021"].to_string(index=False))
    cohort  cohort_size  referrals  converted_referrals  k_factor
      2021            2          1                    1       0.5

    P01 and P02 joined in 2021; P01 referred P02 on 2021-05-18 (inside P01's
    365 days) and P04 on 2022-03-01 (outside); P02 referred nobody.
    """
    ok = isinstance(freq, str)
    if ok:
        try:
            pd.Period("2000-01-01", freq=freq)
        except (ValueError, TypeError):
            ok = False
    check_param("viral_coefficient", "freq", freq, ok, 'a pandas period alias such as "Q"')
    check("viral_coefficient", "window_days", window_days, WINDOW_DAYS)

    joined = g.people["joined_at"]
    member = g.is_customer & joined.notna().to_numpy()
    idx = np.flatnonzero(member)
    periods = pd.PeriodIndex(joined.iloc[idx], freq=freq)
    codes, uniq = pd.factorize(periods, sort=True)
    k = len(uniq)
    cohort_of = np.full(g.n_people, -1, dtype=np.int64)
    cohort_of[idx] = codes
    size = np.bincount(codes, minlength=k).astype(np.int64)

    src, dst = g.ref_src, g.ref_dst
    at = g.referrals["referred_at"].to_numpy(dtype="datetime64[us]")
    j = joined.to_numpy(dtype="datetime64[us]")[src]
    c = cohort_of[src]
    with np.errstate(invalid="ignore"):
        hit = (c >= 0) & (at >= j) & (at <= j + np.timedelta64(int(window_days), "D"))
    refs = np.bincount(c[hit], minlength=k).astype(np.int64)
    conv = np.bincount(c[hit], weights=g.is_customer[dst[hit]], minlength=k).astype(np.int64)
    return pd.DataFrame(
        {
            "cohort": pd.Series(uniq.astype(str), dtype="str"),
            "cohort_size": size,
            "referrals": refs,
            "converted_referrals": conv,
            "k_factor": conv / np.maximum(size, 1),
        },
        columns=list(VIRAL_COLUMNS),
    )
