"""The analyses computed inside Neo4j, on the book a :class:`Neo4jStore` holds.

Each function takes the store first and the same keyword-only options, with the same
defaults, as the in-memory analysis of the same name, and returns the same frame:
``coverage_gaps(store, ...) == fg.coverage_gaps(store.load(), ...)``. The database
does the per-person work (ages, roles, households, cover, value, referral paths) in
the named statements of ``cypher/analysis/``; the business rules reach Cypher only as
``$parameters`` taken from :mod:`famgraph.rules`, and the result frame is assembled by
the same function the in-memory engine uses. ``Neo4jStore.coverage_gaps`` and friends
delegate here.

PageRank cannot iterate in plain Cypher (and GDS is not assumed), so
:func:`super_users` reads the referral and social edges back and runs the in-memory
PageRank on them; see its Notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
import pandas as pd

from famgraph.analysis import referrals
from famgraph.analysis.coverage import gaps_frame
from famgraph.analysis.households import check_minor_age
from famgraph.analysis.influence import influence
from famgraph.analysis.plan import plan_rows, warn_absent_roles
from famgraph.analysis.referrals import check_referral_params, referral_frame
from famgraph.analysis.superusers import assemble, check_super_user_params
from famgraph.analysis.value import person_value
from famgraph.graph import CustomerGraph
from famgraph.rules import (
    ACTIVE_WINDOW_DAYS,
    DECAY,
    ELDER_AGE,
    MIN_REFERRALS,
    MINOR_AGE,
    SOCIAL_WEIGHT,
)

__all__ = ["Neo4jStore", "coverage_gaps", "referral_value", "super_users"]


class Neo4jStore(Protocol):
    """What the push-down needs of a store (:class:`famgraph.Neo4jStore` provides it)."""

    def as_of(self) -> pd.Timestamp:
        """The saved book's ``as_of``."""
        ...

    def read(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run the named read statement with ``params``; the result as a DataFrame."""
        ...

    def errors(self, action: str) -> AbstractContextManager[None]:
        """A block whose driver errors become StoreError."""
        ...


def _as_of(store: Neo4jStore) -> dict[str, Any]:
    at = store.as_of()
    return {"as_of": at.to_pydatetime(), "as_of_date": at.date()}


def _str(s: pd.Series) -> pd.Series:
    """Text values read back (``None`` for missing) as a "str" Series with a RangeIndex."""
    return pd.Series(s.to_numpy(dtype=object), dtype="str")


def _by_ord(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in saved order (by the ``ord`` column)."""
    if df.empty:
        return df.reset_index(drop=True)
    order = np.argsort(df["ord"].to_numpy(dtype=float, na_value=np.inf), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def coverage_gaps(
    store: Neo4jStore, *, plan: pd.DataFrame | None = None, minor_age: int = MINOR_AGE
) -> pd.DataFrame:
    """:func:`famgraph.coverage_gaps`, computed inside Neo4j.

    Parameters
    ----------
    store : Neo4jStore
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`famgraph.DEFAULT_PLAN` (checked with
        :func:`famgraph.validate_plan`). A given plan with rows for a role nobody has
        warns once, as in memory.
    minor_age : int, default 18
        A parent->child edge joins a derived household while the child is younger.

    Returns
    -------
    pandas.DataFrame
        The same frame as ``fg.coverage_gaps(store.load(), plan=plan,
        minor_age=minor_age)``.

    Notes
    -----
    One statement (``analysis/coverage_gaps``) computes ages at the stored
    ``as_of``, roles, the uncovered required lines and, for persons with a gap, the
    household (derived ones by a shortest-path match over SPOUSE and CHILD-to-a-minor
    relationships). One row per person whose role the plan requires anything of
    travels back, with its gaps as a list; they are exploded and sorted here. Cost
    per person: its holdings plus, with a gap, its household component.
    """
    check_minor_age("coverage_gaps", minor_age)
    rows = plan_rows(plan)
    params = {
        **_as_of(store),
        "minor_age": int(minor_age),
        "child_age": MINOR_AGE,
        "elder_age": ELDER_AGE,
        "plan": rows,
    }
    with store.errors("computing coverage gaps"):
        df = store.read("analysis/coverage_gaps", params)
    if plan is not None:
        plan_df = pd.DataFrame(rows, columns=["role", "line", "priority"])
        warn_absent_roles(plan_df, set(df["role"].tolist()), "coverage_gaps", stacklevel=3)
    gaps = df["gaps"].to_numpy(dtype=object)
    n_gaps = np.fromiter((len(x) for x in gaps), dtype=np.int64, count=len(gaps))
    each = np.repeat(np.arange(len(df)), n_gaps)
    flat = [gap for person in gaps for gap in person]
    return gaps_frame(
        _str(df["household_id"]).iloc[each],
        _str(df["person_id"]).iloc[each],
        _str(df["role"]).iloc[each],
        [gap["line"] for gap in flat],
        [gap["priority"] for gap in flat],
        df["is_customer"].to_numpy(dtype=bool)[each],
    )


def referral_value(
    store: Neo4jStore,
    *,
    decay: float = DECAY,
    max_depth: int | None = None,
    value: pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`famgraph.referral_value`, computed inside Neo4j.

    Parameters
    ----------
    store : Neo4jStore
    decay : float, default 0.5
        Weight per generation, in (0, 1].
    max_depth : int, optional
        Count only descendants at most this many generations down (>= 1).
    value : pandas.Series, optional
        Value by ``person_id`` replacing the holdings value (e.g. a predicted CLV),
        checked as in memory and sent to Neo4j as a ``$values`` map.

    Returns
    -------
    pandas.DataFrame
        The same frame as ``fg.referral_value(store.load(), ...)``, one row per
        person in saved people order.

    Notes
    -----
    Two statements: ``analysis/referral_people`` (referrer, root and generation by a
    variable-length match up the :REFERRED forest, direct and converted referrals)
    and ``analysis/referral_chains`` (for every referee its value, then every
    ancestor path: cascade size, depth and ``decay ** (dist - 1) * value`` summed per
    ancestor). Cost O(sum of generations) path steps; joined here by person_id.
    """
    check_referral_params(decay, max_depth)
    values = None
    with store.errors("computing referral value"):
        people = _by_ord(store.read("analysis/referral_people"))
        if value is not None:
            values = _values_map(store, people, value)
        chains = store.read(
            "analysis/referral_chains",
            {
                **_as_of(store),
                "decay": float(decay),
                "max_depth": None if max_depth is None else int(max_depth),
                "values": values,
            },
        )
    ch = chains.set_index(pd.Index(chains["person_id"].to_numpy(dtype=object)))
    ch = ch.reindex(people["person_id"].to_numpy(dtype=object))

    def whole(s: pd.Series) -> np.ndarray:
        return np.asarray(s.to_numpy(dtype=float, na_value=0.0), dtype=np.int64)

    return referral_frame(
        _str(people["person_id"]),
        _str(people["referred_by"]),
        _str(people["root_id"]),
        whole(people["generation"]),
        whole(people["direct_referrals"]),
        whole(people["converted_referrals"]),
        whole(ch["cascade_size"]),
        whole(ch["depth"]),
        ch["chain_value"].to_numpy(dtype=float, na_value=0.0),
    )


def _values_map(store: Neo4jStore, people: pd.DataFrame, value: pd.Series) -> dict[str, float]:
    """``value`` checked against the stored person ids, as a ``{person_id: value}`` map."""
    ids = _str(people["person_id"])
    view = CustomerGraph.from_tables(pd.DataFrame({"person_id": ids}), as_of=store.as_of())
    v = person_value(view, value, func="referral_value")
    return dict(zip(ids.tolist(), v.tolist(), strict=True))


def super_users(
    store: Neo4jStore,
    *,
    min_referrals: int = MIN_REFERRALS,
    weights: Mapping[str, float] | None = None,
    value: pd.Series | None = None,
    decay: float = DECAY,
    social_weight: float = SOCIAL_WEIGHT,
) -> pd.DataFrame:
    """:func:`famgraph.super_users`, with its inputs computed inside Neo4j.

    Parameters
    ----------
    store : Neo4jStore
    min_referrals, weights, value, decay, social_weight
        As in :func:`famgraph.super_users`.

    Returns
    -------
    pandas.DataFrame
        The same frame as ``fg.super_users(store.load(), ...)``.

    Notes
    -----
    Frequency, recency, monetary value and active quarters are computed in Neo4j
    (``analysis/value_metrics``; one pass over the holdings, amounts summed in saved
    order). The parts that iterate over the graph run here on the edges read back
    (``read/influence_edges``: the :REFERRED forest and the :KNOWS ties, in saved
    order), through an id-only ``CustomerGraph``: influence by
    :func:`famgraph.influence` (PageRank; plain Cypher cannot iterate and GDS is not
    assumed), converted referrals and chain value by :func:`famgraph.referral_value`
    with the monetary values from Neo4j. Every float is then bit-identical to the
    in-memory engine, so percentile ranks -- and their ties -- match exactly. Tiers,
    scores and reasons come from the same assembly as in memory. Cost: one pass over
    holdings and edges in Neo4j, then O(V + E) per PageRank iteration here.
    """
    w = check_super_user_params(min_referrals, weights, decay, social_weight)
    at = store.as_of()
    with store.errors("computing super users"):
        m = _by_ord(
            store.read(
                "analysis/value_metrics",
                {"as_of": at.to_pydatetime(), "window_days": ACTIVE_WINDOW_DAYS},
            )
        )
        edges = store.read("read/influence_edges", _as_of(store))
    ids = _str(m["person_id"])
    cust = m["is_customer"].to_numpy(dtype=bool)
    view = _edge_view(ids, cust, edges, at)
    if value is not None:
        m["monetary"] = person_value(view, value, func="super_users")
    monetary = m["monetary"].to_numpy(dtype=float)
    infl = influence(view, social_weight=social_weight).to_numpy()
    rv = referrals.referral_value(
        view, decay=decay, value=pd.Series(monetary, index=pd.Index(ids, dtype="str"))
    )
    return assemble(
        ids,
        cust,
        m,
        rv["converted_referrals"].to_numpy(),
        rv["chain_value"].to_numpy(),
        infl,
        min_referrals=min_referrals,
        weights=w,
    )


def _edge_view(
    ids: pd.Series, cust: np.ndarray, edges: pd.DataFrame, as_of: pd.Timestamp
) -> CustomerGraph:
    """An id-only graph of the referral and social edges read back, in saved order.

    The in-memory engine walks it exactly as it walks the full book (referrals, then
    social relations, each in saved order), so floats -- and rank ties -- match.
    """
    is_ref = edges["referral"].to_numpy(dtype=bool)
    e = edges.iloc[np.lexsort((edges["ord"].to_numpy(dtype=np.int64), ~is_ref))]
    ref = e[e["referral"].to_numpy(dtype=bool)]
    soc = e[~e["referral"].to_numpy(dtype=bool)]
    return CustomerGraph.from_tables(
        pd.DataFrame({"person_id": ids, "is_customer": cust}),
        pd.DataFrame(
            {
                "person_id": _str(soc["src"]),
                "relative_id": _str(soc["dst"]),
                "relation": _str(soc["kind"]),
            }
        ),
        pd.DataFrame({"referrer_id": _str(ref["src"]), "referee_id": _str(ref["dst"])}),
        as_of=as_of,
    )
