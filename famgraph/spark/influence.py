"""Influence: PageRank over referrals and social ties, on Spark (docs/metrics.md section 7)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from famgraph._validation import Interval, check
from famgraph.rules import ALPHA, PAGERANK_TOL, SOCIAL_WEIGHT
from famgraph.schema import SOCIAL_KINDS
from famgraph.spark._frames import materialize
from famgraph.spark._graphs import LOCAL_EDGES, pagerank
from famgraph.spark._ledger import ORD
from famgraph.spark.graph import SparkGraph

__all__ = ["influence", "influence_frame"]


def influence_frame(
    sg: SparkGraph,
    alpha: float = ALPHA,
    social_weight: float = SOCIAL_WEIGHT,
    *,
    local_edges: int = LOCAL_EDGES,
) -> DataFrame:
    """``ORD, person_id, influence`` for every person, materialised and memoised."""
    key = ("influence", float(alpha), float(social_weight))
    if key in sg._memo:
        return sg._memo[key]
    ref = sg.tables["referrals"].select(
        F.col("referee_id").alias("src"), F.col("referrer_id").alias("dst"), F.lit(1.0).alias("w")
    )
    soc = sg.active_relations().filter(F.col("relation").isin(*SOCIAL_KINDS))
    w = F.lit(float(social_weight))
    edges = ref.unionByName(
        soc.select(F.col("person_id").alias("src"), F.col("relative_id").alias("dst"), w.alias("w"))
    ).unionByName(
        soc.select(F.col("relative_id").alias("src"), F.col("person_id").alias("dst"), w.alias("w"))
    )
    people = sg.tables["people"].select(F.col(ORD), F.col("person_id"))
    x = pagerank(
        people.select(F.col("person_id").alias("node")),
        edges,
        alpha=float(alpha),
        tol=PAGERANK_TOL,
        local_edges=local_edges,
    )
    out = people.join(x.withColumnRenamed("node", "person_id"), "person_id").select(
        F.col(ORD), "person_id", F.col("x").alias("influence")
    )
    out = materialize(out)
    sg._memo[key] = out
    return out


def influence(
    sg: SparkGraph, *, alpha: float = ALPHA, social_weight: float = SOCIAL_WEIGHT
) -> DataFrame:
    """How central each person is in the referral and social network (PageRank), on Spark.

    Parameters
    ----------
    sg : SparkGraph
    alpha : float, default 0.85
        Damping factor, in (0, 1).
    social_weight : float, default 0.5
        Weight of each direction of a social relation (>= 0); a kept referral
        weighs 1 from referee to referrer.

    Returns
    -------
    pyspark.sql.DataFrame
        ``person_id, influence`` in people order (the in-memory function returns
        the same numbers as a Series indexed by person_id); sums to 1.

    Notes
    -----
    The graph and the definition of :func:`famgraph.influence`: every person a
    node, referee -> referrer weight 1 per kept referral, social ties both ways
    ``social_weight``, repeated edges adding up; PageRank with networkx semantics,
    equal within 1e-6 to ``networkx.pagerank(G, tol=1e-12)``. Computed as the
    solution of ``y = 1 + alpha P^T y``, normalised (see
    ``famgraph.spark._graphs.pagerank``): graphs of up to 5 million distinct edges
    in one executor task (scipy), larger ones by a distributed power iteration with
    a checkpoint per step. Memoised with the graph, so :func:`super_users` reuses it.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> s = fgs.influence(fgs.sample(fgs.local_session()))
    >>> s.orderBy(s.influence.desc()).first().person_id
    'P05'
    """
    check("influence", "alpha", alpha, Interval(0, 1, closed="neither"))
    check("influence", "social_weight", social_weight, Interval(0, None))
    out = influence_frame(sg, float(alpha), float(social_weight))
    return out.orderBy(ORD).select("person_id", "influence")
