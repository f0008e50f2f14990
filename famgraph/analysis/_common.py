"""Small shared helpers for the analyses: parameter checks and component labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from famgraph.graph import take_ids

__all__ = ["check_param", "component_min_id", "components"]


def check_param(func: str, name: str, value: Any, ok: bool, expect: str) -> None:
    """Raise the uniform argument error when ``ok`` is false.

    Examples
    --------
    >>> check_param("referral_value", "decay", 1.5, False, "in (0, 1]")
    Traceback (most recent call last):
    ...
    ValueError: The `decay` parameter of `referral_value` must be in (0, 1]; got 1.5.
    """
    if not ok:
        raise ValueError(f"The `{name}` parameter of `{func}` must be {expect}; got {value!r}.")


def components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes over undirected edges."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # float weights: repeated edges are summed, and small integers could wrap to 0
    adj = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return np.asarray(labels, dtype=np.int64)


def component_min_id(labels: np.ndarray, ids: pd.Series, rank: np.ndarray) -> pd.Series:
    """For each node, the smallest id (string order) within its component.

    ``rank`` is each id's rank in string order (``CustomerGraph.id_rank``), so the
    minimum is taken over integers, not strings. O(V).
    """
    if len(labels) == 0:
        return pd.Series([], dtype="str")
    k = int(labels.max()) + 1
    big = np.iinfo(np.int64).max
    min_rank = np.full(k, big, dtype=np.int64)
    np.minimum.at(min_rank, labels, rank)
    pos_of_rank = np.empty(int(rank.max()) + 1, dtype=np.int64)
    pos_of_rank[rank] = np.arange(len(rank))
    return take_ids(ids.reset_index(drop=True), pos_of_rank[min_rank[labels]])
