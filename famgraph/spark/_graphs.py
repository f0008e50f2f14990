"""Graph algorithms on Spark DataFrames: components, referral-forest closure, PageRank.

* :func:`components` -- connected components by alternating *large-star* and
  *small-star* rounds (Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii,
  "Connected Components in MapReduce and Beyond", SoCC 2014): O(log n) rounds, each
  a couple of shuffles, every node ends pointing at the smallest id of its component.
* :func:`ancestors` -- every (descendant, ancestor, distance) pair of the kept
  referral forest, one generation per round.
* :func:`pagerank` -- PageRank with networkx semantics as the solution of a linear
  system, by power iteration (see its Notes).

Node ids are the person_id strings themselves: "smallest" is string order, as the
in-memory engine's ``min(person_id)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph.spark._frames import arrow_udfs, materialize, release

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["LOCAL_EDGES", "ancestors", "components", "pagerank"]

#: PageRank graphs with at most this many (weighted, distinct) edges are solved in
#: one executor task with scipy (fast); larger ones by the distributed power iteration.
LOCAL_EDGES = 5_000_000


# ---------------------------------------------------------------------------------
# connected components
# ---------------------------------------------------------------------------------
def _checksum(edges: DataFrame) -> tuple[int, int]:
    row = edges.agg(
        F.count(F.lit(1)).alias("n"), F.bit_xor(F.xxhash64("a", "b")).alias("h")
    ).collect()[0]
    return int(row["n"]), int(row["h"] or 0)


def components(nodes: DataFrame, edges: DataFrame) -> DataFrame:
    """Component label of every node: the smallest node id of its component.

    Parameters
    ----------
    nodes : DataFrame
        Column ``node`` (string ids, unique).
    edges : DataFrame
        Columns ``a``, ``b``: undirected edges between nodes (repeats and self
        loops allowed).

    Returns
    -------
    DataFrame
        ``node, label`` for every node (a node without edges is its own label).

    Notes
    -----
    Large-star: every node links its larger neighbours to the smallest id of its
    closed neighbourhood; small-star: every node links itself and its smaller
    neighbours to the smallest of them. Both keep the components; alternated, they
    turn each component into a star around its smallest id in O(log n) rounds.
    A round ends with a checkpoint; the loop stops when a round leaves the edge set
    unchanged (count and an XOR of edge hashes, one small job).
    """
    e = edges.select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"))
    e = e.filter(F.col("a") != F.col("b")).distinct()
    e = materialize(e)
    last = _checksum(e)
    while True:
        # large-star: (u, v) for v > u becomes (v, m(u)), m(u) = min of u and its neighbours
        both = e.select(F.col("a").alias("u"), F.col("b").alias("v")).unionByName(
            e.select(F.col("b").alias("u"), F.col("a").alias("v"))
        )
        m = F.least(F.col("u"), F.min("v").over(Window.partitionBy("u")))
        large = both.withColumn("m", m).filter(F.col("v") > F.col("u"))
        large = large.select(F.col("v").alias("a"), F.col("m").alias("b"))
        # small-star: on edges (hi -> lo), u's smaller neighbours N and u all point at min(N)
        s = large.select(F.greatest("a", "b").alias("u"), F.least("a", "b").alias("v"))
        s = s.filter(F.col("u") != F.col("v")).distinct()
        s = s.withColumn("m", F.min("v").over(Window.partitionBy("u")))
        small = s.select(F.col("v").alias("a"), F.col("m").alias("b")).unionByName(
            s.select(F.col("u").alias("a"), F.col("m").alias("b"))
        )
        small = small.select(F.least("a", "b").alias("a"), F.greatest("a", "b").alias("b"))
        small = materialize(small.filter(F.col("a") != F.col("b")).distinct())
        now = _checksum(small)
        release(e)
        e = small
        if now == last:
            break
        last = now
    # the star: every non-root node b points at its root a (the smallest id)
    label = e.groupBy(F.col("b").alias("node")).agg(F.min("a").alias("label"))
    out = nodes.join(label, "node", "left")
    return out.withColumn("label", F.coalesce(F.col("label"), F.col("node")))


# ---------------------------------------------------------------------------------
# the referral forest
# ---------------------------------------------------------------------------------
def ancestors(parent: DataFrame) -> DataFrame:
    """Every (descendant, ancestor, distance) pair of a forest.

    Parameters
    ----------
    parent : DataFrame
        ``node, parent``: each node at most once (a forest, as ``build`` keeps it).

    Returns
    -------
    DataFrame
        ``d, a, dist`` with ``dist`` >= 1, one row per ancestor of every node: as
        many rows as the sum of all generations.

    Notes
    -----
    Generation by generation: the pairs at distance k + 1 are those at distance k
    joined with the parent table. One join and a checkpoint per generation (the
    depth of the deepest chain); the frontier shrinks as chains end.
    """
    up = materialize(parent.select(F.col("node").alias("x"), F.col("parent").alias("p")))
    frontier = materialize(
        up.select(F.col("x").alias("d"), F.col("p").alias("a"), F.lit(1).alias("dist"))
    )
    parts = [frontier]
    while True:
        nxt = frontier.join(up, frontier["a"] == up["x"], "inner").select(
            frontier["d"], up["p"].alias("a"), (frontier["dist"] + 1).alias("dist")
        )
        nxt = materialize(nxt)
        if nxt.isEmpty():
            break
        parts.append(nxt)
        frontier = nxt
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out


# ---------------------------------------------------------------------------------
# PageRank
# ---------------------------------------------------------------------------------
def _solve_local(
    batches: Iterator[pa.RecordBatch], alpha: float, tol: float, n: int
) -> Iterator[pa.RecordBatch]:
    """Executor side: y = 1 + alpha P^T y for the whole edge list in one task (scipy)."""
    import numpy as np
    import pyarrow as pa
    from scipy.sparse import csr_matrix

    table = pa.Table.from_batches(list(batches))
    if table.num_rows == 0:
        return
    src = table.column("src").combine_chunks()
    dst = table.column("dst").combine_chunks()
    ids = pa.concat_arrays([src, dst]).unique()
    import pyarrow.compute as pc

    s_i = np.asarray(pc.index_in(src, value_set=ids).to_numpy(), dtype=np.int64)
    d_i = np.asarray(pc.index_in(dst, value_set=ids).to_numpy(), dtype=np.int64)
    p = np.asarray(table.column("p").to_numpy(), dtype=float)
    m = len(ids)
    # alpha * P^T: row v lists the in-edges u -> v scaled by alpha
    pt = csr_matrix((alpha * p, (d_i, s_i)), shape=(m, m))
    y = np.ones(m, dtype=float)
    cap = 2 * math.ceil(math.log(tol / 2) / math.log(alpha)) + 100
    for _ in range(cap):
        nxt = pt @ y + 1.0
        change = float(np.abs(nxt - y).sum())
        y = nxt
        if change < tol * (float(y.sum()) + (n - m)):
            break
    yield pa.RecordBatch.from_arrays([ids, pa.array(y, type=pa.float64())], names=["node", "y"])


def pagerank(
    nodes: DataFrame,
    edges: DataFrame,
    *,
    alpha: float,
    tol: float,
    local_edges: int = LOCAL_EDGES,
    check_every: int = 4,
) -> DataFrame:
    """PageRank of every node, networkx semantics.

    Parameters
    ----------
    nodes : DataFrame
        ``node``: every node (isolated ones included).
    edges : DataFrame
        ``src, dst, w``: directed weighted edges; repeats add their weights, edges
        of total weight 0 are dropped.
    alpha, tol : float
        Damping factor; stop when the L1 change of the (normalised) vector is
        below ``tol``.
    local_edges : int
        Up to this many distinct edges, solve in one executor task (scipy);
        above, iterate with DataFrames.
    check_every : int
        The distributed iteration checks convergence every this many steps.

    Returns
    -------
    DataFrame
        ``node, x``; x sums to 1.

    Notes
    -----
    networkx's PageRank ``x = alpha (P^T x + (d . x) / n 1) + (1 - alpha) / n 1``
    (P the out-weight normalised transitions, d the dangling indicator) has the
    fixed point ``x = g y`` with ``y = 1 + alpha P^T y`` and the scalar
    ``g = (alpha (d . x) + 1 - alpha) / n``, fixed by ``sum(x) = 1``: so
    ``x = y / sum(y)``. The teleport and the dangling mass only scale the solution,
    and ``y`` needs no global sum per step -- each step is one join (edges with y
    of their source) and one aggregation by target. Nodes without in-edges keep
    ``y = 1`` and are not iterated. Iterate from ``y = 1`` until
    ``|y_new - y|_1 < tol * sum(y)`` (the L1 change of ``x`` below ``tol``); the
    error left is below ``tol * alpha / (1 - alpha)``, far inside the 1e-6 to which
    the result equals ``networkx.pagerank(G, tol=1e-12)``.

    Cost per step O(E) (a shuffle of the edges' contributions); at most
    ``log(tol) / log(alpha)`` (~140) steps when the graph has cycles, fewer on the
    referral forest alone (y is exact after its depth). The distributed path
    checkpoints y every step and checks the change every ``check_every`` steps.
    """
    e = edges.groupBy("src", "dst").agg(F.sum("w").alias("w")).filter(F.col("w") != 0)
    out = e.groupBy("src").agg(F.sum("w").alias("out"))
    e = materialize(e.join(out, "src").select("src", "dst", (F.col("w") / F.col("out")).alias("p")))
    n = nodes.count()
    if n == 0:
        return nodes.select("node", F.lit(0.0).alias("x"))
    m = e.count()
    if m <= local_edges:
        schema = T.StructType(
            [T.StructField("node", T.StringType()), T.StructField("y", T.DoubleType())]
        )

        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            return _solve_local(batches, float(alpha), float(tol), int(n))

        with arrow_udfs():
            y = materialize(e.repartition(1).mapInArrow(run, schema))
    else:
        y = _iterate(e, alpha=alpha, tol=tol, n=n, check_every=check_every)
    total = y.agg(F.sum("y").alias("s"), F.count(F.lit(1)).alias("k")).collect()[0]
    s = float(total["s"] or 0.0) + (n - int(total["k"]))
    return nodes.join(y, "node", "left").select(
        "node", (F.coalesce(F.col("y"), F.lit(1.0)) / F.lit(s)).alias("x")
    )


def _iterate(e: DataFrame, *, alpha: float, tol: float, n: int, check_every: int) -> DataFrame:
    """The distributed power iteration ``y <- 1 + alpha P^T y`` (see :func:`pagerank`)."""
    targets = e.select(F.col("dst").alias("v")).distinct()
    inner = materialize(e.join(targets.withColumnRenamed("v", "src"), "src", "left_semi"))
    # in-weight from sources that are not iterated (y = 1 there, for ever)
    fixed = (
        e.join(targets.withColumnRenamed("v", "src"), "src", "left_anti")
        .groupBy(F.col("dst").alias("v"))
        .agg(F.sum("p").alias("b"))
    )
    base = materialize(
        targets.join(fixed, "v", "left").select(
            "v", (1.0 + alpha * F.coalesce(F.col("b"), F.lit(0.0))).alias("base")
        )
    )
    y = held = materialize(base.select("v", F.col("base").alias("y")))
    k = y.count()  # iterated nodes; the n - k others keep y = 1
    cap = 2 * math.ceil(math.log(tol / 2) / math.log(alpha)) + 100
    for step in range(1, cap + 1):
        sums = (
            inner.join(y.withColumnRenamed("v", "src"), "src")
            .groupBy(F.col("dst").alias("v"))
            .agg(F.sum(F.col("p") * F.col("y")).alias("s"))
        )
        nxt = base.join(sums, "v", "left").select(
            "v", (F.col("base") + alpha * F.coalesce(F.col("s"), F.lit(0.0))).alias("y")
        )
        nxt = materialize(nxt)
        done = False
        if step % check_every == 0:
            # the change of this step (not checkpointed: a frame holding y twice would
            # make Spark's size estimates of the next steps grow without bound)
            both = nxt.join(y.withColumnRenamed("y", "prev"), "v")
            row = both.agg(
                F.sum(F.abs(F.col("y") - F.col("prev"))).alias("d"), F.sum("y").alias("s")
            ).collect()[0]
            done = float(row["d"]) < tol * (float(row["s"]) + (n - k))
        release(held)
        held = y = nxt
        if done:
            break
    return y.withColumnRenamed("v", "node")
