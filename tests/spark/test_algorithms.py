"""The distributed building blocks of famgraph.spark against plain references.

Several partitions on purpose: the row numbering and the rank prefix sums carry
offsets from one partition to the next, which a one-partition test would not see.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from _parity import to_pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from famgraph.analysis.referrals import forest_levels
from famgraph.spark._frames import number_rows, pct_rank, value_ranks
from famgraph.spark._graphs import ancestors, components, pagerank

pytestmark = pytest.mark.spark


def _ids(idx: np.ndarray) -> list[str]:
    # ids of different lengths, so string order is not numeric order
    return [f"p{i}" if i % 3 else f"q{i:05d}" for i in idx]


def test_number_rows_follows_the_order_across_partitions(spark: Any) -> None:
    df = spark.range(0, 1000, numPartitions=5).selectExpr("id * 7 % 1000 AS v")
    out = to_pd(number_rows(df, "row"))
    assert out["row"].tolist() == list(range(1000))
    assert out["v"].tolist() == [i * 7 % 1000 for i in range(1000)]
    by = to_pd(number_rows(df.repartition(3), "row", order_by="v").orderBy("row"))
    assert by["v"].tolist() == list(range(1000))


def test_pct_rank_and_value_ranks_equal_pandas(spark: Any) -> None:
    rng = np.random.default_rng(3)
    n = 3000
    values = np.round(rng.normal(size=n), 1)  # many ties
    values[rng.random(n) < 0.05] = np.nan
    where = rng.random(n) < 0.7
    pdf = pd.DataFrame({"k": np.arange(n), "v": values, "w": where})
    df = spark.createDataFrame(pa.Table.from_pandas(pdf, preserve_index=False)).repartition(4)
    df = df.selectExpr("k", "IF(isnan(v), NULL, v) AS v", "w")
    got = to_pd(value_ranks(pct_rank(df, "v", "pct", where=df["w"]), "v", "at_least").orderBy("k"))
    sel = where & ~np.isnan(values)
    expected = np.zeros(n)
    expected[sel] = pd.Series(values[sel]).rank(method="average", pct=True).to_numpy()
    np.testing.assert_array_equal(got["pct"].to_numpy(), expected)  # the same floats
    at_least = pd.Series(values).rank(method="max", ascending=False).to_numpy()
    np.testing.assert_array_equal(got["at_least"].to_numpy(dtype=float), at_least)


def test_components_equal_scipy(spark: Any) -> None:
    rng = np.random.default_rng(5)
    n, m = 400, 300
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    ids = np.array(_ids(np.arange(n)), dtype=object)
    nodes = spark.createDataFrame([(i,) for i in ids], "node string").repartition(3)
    edges = spark.createDataFrame(list(zip(ids[a], ids[b], strict=True)), "a string, b string")
    got = to_pd(components(nodes, edges.repartition(3))).set_index("node")["label"]
    _, lab = connected_components(coo_matrix((np.ones(m), (a, b)), shape=(n, n)), directed=False)
    expected = pd.Series(ids).groupby(lab).transform("min")
    assert got.reindex(ids).tolist() == expected.tolist()


def test_ancestors_give_generations_and_roots(spark: Any) -> None:
    rng = np.random.default_rng(9)
    n = 300
    parent = np.where(rng.random(n) < 0.8, (rng.random(n) * np.arange(n)).astype(int), -1)
    parent[0] = -1
    ids = np.array(_ids(np.arange(n)), dtype=object)
    rows = [(ids[i], ids[p]) for i, p in enumerate(parent) if p >= 0]
    df = spark.createDataFrame(rows, "node string, parent string").repartition(3)
    got = to_pd(ancestors(df))
    root, gen = forest_levels(parent)
    assert len(got) == int(gen.sum())
    per = got.groupby("d")["dist"].max().reindex(ids).fillna(0).astype(int)
    assert per.tolist() == gen.tolist()
    top = got.sort_values("dist").groupby("d")["a"].last().reindex(ids)
    assert top.fillna(pd.Series(ids, index=ids)).tolist() == ids[root].tolist()


def _graph(n: int, seed: int) -> tuple[list[str], list[tuple[str, str, float]]]:
    """A forest of referrals plus social ties both ways (cycles), repeats, isolated nodes."""
    rng = np.random.default_rng(seed)
    ids = _ids(np.arange(n))
    edges = [(ids[i], ids[int(rng.random() * i)], 1.0) for i in range(1, n // 2)]
    for _ in range(n // 3):
        a, b = rng.integers(0, n // 2, 2)
        if a != b:
            edges += [(ids[a], ids[b], 0.5), (ids[b], ids[a], 0.5)]
    return ids, edges


@pytest.mark.parametrize("alpha", [0.85, 0.5])
def test_pagerank_both_paths_equal_networkx(spark: Any, alpha: float) -> None:
    ids, edges = _graph(60, 2)
    G = nx.DiGraph()
    G.add_nodes_from(ids)
    for a, b, w in edges:
        G.add_edge(a, b, weight=G.get_edge_data(a, b, {"weight": 0.0})["weight"] + w)
    expected = pd.Series(nx.pagerank(G, alpha=alpha, tol=1e-12, max_iter=10_000))
    nodes = spark.createDataFrame([(i,) for i in ids], "node string")
    e = spark.createDataFrame(edges, "src string, dst string, w double")
    local = to_pd(pagerank(nodes, e, alpha=alpha, tol=1e-10)).set_index("node")["x"]
    np.testing.assert_allclose(local.reindex(ids), expected.reindex(ids), atol=1e-9)
    if alpha == 0.5:  # the distributed path: about 35 steps at alpha 0.5
        dist = to_pd(pagerank(nodes, e, alpha=alpha, tol=1e-10, local_edges=0))
        x = dist.set_index("node")["x"].reindex(ids)
        np.testing.assert_allclose(x, expected.reindex(ids), atol=1e-9)
        assert abs(float(x.sum()) - 1.0) < 1e-12
