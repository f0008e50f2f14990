"""fg.influence: docs/metrics.md section 7 -- PageRank equal to networkx within 1e-6."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.analysis.influence import pagerank

SOCIAL = ("friend", "colleague", "neighbour", "acquaintance")


def test_two_nodes_by_hand() -> None:
    # a -> b with weight 1, b dangling. With alpha = 0.85, x = (xa, xb):
    #   xa = 0.85 * xb / 2 + 0.075,  xb = 0.85 * (xa + xb / 2) + 0.075,  xa + xb = 1
    # -> xa = 0.075 + 0.425 xb and xa + xb = 1 -> 1.425 xb = 0.925 -> xb = 0.649122807
    from scipy.sparse import csr_matrix

    x = pagerank(csr_matrix(np.array([[0.0, 1.0], [0.0, 0.0]])), alpha=0.85)
    np.testing.assert_allclose(x, [1 - 0.925 / 1.425, 0.925 / 1.425], atol=1e-10)


def test_referral_and_social_edges_by_hand() -> None:
    # A referred B (edge B -> A, weight 1); A and C are friends (A <-> C, weight 0.5
    # each). Out-weights: B 1 -> A; A 0.5 -> C; C 0.5 -> A. B gets nothing but teleport:
    # xB = 0.15 / 3 = 0.05; A and C are symmetric except B's mass into A:
    # xA = 0.05 + 0.85 (xB + xC), xC = 0.05 + 0.85 xA, xA + xB + xC = 1
    # -> xA = 0.05 + 0.85 (0.05 + 0.05 + 0.85 xA) -> xA (1 - 0.7225) = 0.135
    people = pd.DataFrame({"person_id": ["A", "B", "C"]})
    g = fg.build(
        people,
        relations=pd.DataFrame({"person_id": ["A"], "relative_id": ["C"], "relation": ["friend"]}),
        referrals=pd.DataFrame({"referrer_id": ["A"], "referee_id": ["B"]}),
        as_of="2025-01-01",
    )
    s = fg.influence(g)
    xa = 0.135 / 0.2775
    np.testing.assert_allclose(s.to_numpy(), [xa, 0.05, 0.05 + 0.85 * xa], atol=1e-10)
    assert s.name == "influence"
    assert s.index.name == "person_id"
    assert s.index.tolist() == ["A", "B", "C"]


def random_book(n: int, seed: int) -> fg.CustomerGraph:
    """Random persons with referrals (a forest), repeated social ties of several kinds
    between the same pair, dangling and isolated persons."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in range(n)]
    people = pd.DataFrame({"person_id": ids, "joined_at": "2024-01-01"})
    referee = rng.choice(np.arange(1, n), size=n // 3, replace=False)
    referrer = (rng.random(len(referee)) * referee).astype(int)
    referrals = pd.DataFrame(
        {"referrer_id": [ids[i] for i in referrer], "referee_id": [ids[i] for i in referee]}
    )
    k = n // 2
    a = rng.integers(0, n // 2, k)  # the upper half has no social tie at all
    b = rng.integers(0, n // 2, k)
    rows = [
        (ids[x], ids[y], SOCIAL[int(rng.integers(0, 4))])
        for x, y in zip(a, b, strict=True)
        if x != y
    ]
    rows += [(y, x, "colleague") for x, y, kind in rows[:5] if kind != "colleague"]  # repeats
    rows += [(ids[0], ids[1], "spouse")]  # family ties do not count
    relations = pd.DataFrame(rows, columns=["person_id", "relative_id", "relation"])
    return fg.build(people, relations=relations, referrals=referrals)


def nx_graph(g: fg.CustomerGraph, social_weight: float) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(g.people["person_id"])
    for u, v, w in [
        *[
            (ee, er, 1.0)
            for er, ee in zip(g.referrals.referrer_id, g.referrals.referee_id, strict=True)
        ],
        *[
            e
            for a, b, kind in zip(
                g.relations.person_id, g.relations.relative_id, g.relations.relation, strict=True
            )
            if kind in SOCIAL
            for e in ((a, b, social_weight), (b, a, social_weight))
        ],
    ]:
        G.add_edge(u, v, weight=G.get_edge_data(u, v, {"weight": 0.0})["weight"] + w)
    return G


@pytest.mark.parametrize(
    ("n", "seed", "alpha", "social_weight"),
    [
        (30, 0, 0.85, 0.5),
        (120, 1, 0.85, 0.5),
        (200, 2, 0.5, 2.0),
        (80, 3, 0.95, 0.0),
        (150, 4, 0.99, 0.1),
    ],
)
def test_equals_networkx(n: int, seed: int, alpha: float, social_weight: float) -> None:
    g = random_book(n, seed)
    s = fg.influence(g, alpha=alpha, social_weight=social_weight)
    G = nx_graph(g, social_weight)
    # some persons dangle (no out-edge), some are isolated, some pairs repeat
    assert any(G.out_degree(u) == 0 for u in G)
    assert any(G.degree(u) == 0 for u in G)
    n_social = int(g.relations.relation.isin(SOCIAL).sum())
    assert G.number_of_edges() < len(g.referrals) + 2 * n_social  # repeated pairs merged
    total = sum(d["weight"] for _, _, d in G.edges(data=True))
    assert total == pytest.approx(len(g.referrals) + 2 * social_weight * n_social)
    want = nx.pagerank(G, alpha=alpha, tol=1e-12, max_iter=100_000)
    got = s.to_dict()
    assert max(abs(got[k] - want[k]) for k in want) < 1e-6
    assert s.sum() == pytest.approx(1.0, abs=1e-9)


def test_no_edges_is_uniform_and_empty_book() -> None:
    g = fg.build(pd.DataFrame({"person_id": ["A", "B", "C", "D"]}), as_of="2025-01-01")
    np.testing.assert_allclose(fg.influence(g).to_numpy(), [0.25] * 4, atol=1e-12)
    empty = fg.build(pd.DataFrame({"person_id": pd.Series([], dtype="str")}), as_of="2025-01-01")
    assert len(fg.influence(empty)) == 0


def test_memo_returns_independent_copies() -> None:
    g = random_book(40, 5)
    a = fg.influence(g)
    a.iloc[0] = 99.0
    b = fg.influence(g)
    assert b.iloc[0] != 99.0
    assert not np.array_equal(fg.influence(g, social_weight=2.0).to_numpy(), b.to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 1.0}, "The `alpha` parameter of `influence` must be in (0, 1); got 1.0."),
        ({"alpha": 0}, "The `alpha` parameter of `influence` must be in (0, 1); got 0."),
        (
            {"social_weight": -0.5},
            "The `social_weight` parameter of `influence` must be a finite number >= 0; got -0.5.",
        ),
        (
            {"social_weight": float("nan")},
            "The `social_weight` parameter of `influence` must be a finite number >= 0; got nan.",
        ),
    ],
)
def test_argument_errors(kwargs: dict[str, object], message: str) -> None:
    g = fg.build(pd.DataFrame({"person_id": ["A"]}), as_of="2025-01-01")
    with pytest.raises(ValueError) as err:
        fg.influence(g, **kwargs)  # type: ignore[arg-type]
    assert str(err.value) == message
