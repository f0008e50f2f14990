"""Integer-indexed array helpers: ids to positions and back, and connected components.

The engine never compares id strings row by row: ids are looked up once into
integer positions (:func:`lookup_ids`, one Arrow hash pass), compared by their rank
in string order (:func:`id_rank`), and turned back into text by an Arrow ``take``
(:func:`take_ids`). :func:`components` labels connected components with scipy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["component_min_id", "components", "id_rank", "lookup_ids", "take_ids"]


def _arrow(ids: pd.Series) -> Any:
    import pyarrow as pa

    return pa.array(ids.astype("str"), type=pa.large_string(), from_pandas=True)


def lookup_ids(known: pd.Series, *queries: pd.Series) -> list[np.ndarray]:
    """Positions of ids in ``known`` (``-1`` when absent or empty), for several columns at once.

    One hash set is built over ``known`` and every query column is looked up in it in a
    single vectorised pass (pyarrow ``index_in``), which is what makes building a
    million-person book fast.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not queries:
        return []
    chunks = [_arrow(q) for q in queries]
    joined = pa.chunked_array(chunks, type=pa.large_string())
    found = pc.index_in(joined, value_set=_arrow(known))
    pos = np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)
    bounds = np.cumsum([0, *(len(q) for q in queries)])
    return [pos[bounds[i] : bounds[i + 1]] for i in range(len(queries))]


def id_rank(ids: pd.Series) -> np.ndarray:
    """Rank of every id in string order, so string comparisons become integer ones."""
    import pyarrow.compute as pc

    order = np.asarray(pc.sort_indices(_arrow(ids)).to_numpy(), dtype=np.int64)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank


def take_ids(ids: pd.Series, positions: np.ndarray) -> pd.Series:
    """``ids`` at integer ``positions`` as a "str" Series; ``-1`` gives a missing value.

    A take on the Arrow-backed column: no Python strings are made.

    Examples
    --------
    >>> take_ids(pd.Series(["a", "b"], dtype="str"), np.array([1, -1])).tolist()
    ['b', nan]
    """
    import pyarrow as pa

    pos = np.asarray(positions, dtype=np.int64)
    taken = _arrow(ids).take(pa.array(pos, type=pa.int64(), mask=pos < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken)).astype("str")


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
