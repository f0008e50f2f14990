"""Save plans: which load statement writes which rows, in which batches and parallel lanes.

:func:`save_plans` turns a :class:`~famgraph.CustomerGraph` into one :class:`Plan` per
load statement (people, households, MEMBER_OF, each relation type, referrals,
holdings). A plan knows how to cut its rows into batches and its batches into lanes
of whole *groups* -- rows that touch the same nodes (a person's holdings, a connected
piece of one relation type, a household's members) -- so the lanes can be written in
parallel without locking the same node (:func:`famgraph.store.writer.split_lanes`).
Values are converted batch by batch (:mod:`famgraph.store.codec`), in the writer
threads, while the server works on the previous batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from famgraph._arrays import components
from famgraph._version import __version__
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.schema import FAMILY_KINDS, SOCIAL_KINDS, TABLES
from famgraph.store.codec import EXTRA_PREFIX, extra_columns, to_values
from famgraph.store.writer import split_lanes

__all__ = ["REL_QUERY", "Plan", "book_props", "check_references", "save_plans"]

#: Relation kind -> the load statement that writes it (the relationship type is
#: fixed inside each file; values never choose Cypher text).
REL_QUERY: dict[str, str] = {
    **{k: f"load/rel_{k}" for k in FAMILY_KINDS},
    **dict.fromkeys(SOCIAL_KINDS, "load/rel_knows"),
}
_REL_ORDER = (*FAMILY_KINDS, "knows")

#: Column values for some table rows (positions), as a list the driver packs.
_Getter = Callable[[np.ndarray], list[Any]]


def _from_array(values: np.ndarray) -> _Getter:
    return lambda idx: values[idx].tolist()


def _from_series(s: pd.Series, table: str, column: str) -> _Getter:
    """Converts batch by batch (in the writer threads, while the server works)."""
    to_values(s.iloc[:0], table=table, column=column)  # unsupported dtype -> DataError now
    values = s.reset_index(drop=True)
    return lambda idx: to_values(
        values.iloc[idx], table=table, column=column, dates_as_text=True
    ).tolist()


class Plan:
    """One load statement over some rows (``positions``) of a table.

    ``groups`` labels the rows that touch the same nodes; :meth:`lanes` splits the
    rows into lanes of whole groups that can be written in parallel. ``counted``
    says whether the rows are input rows (progress, rows/s) or derived ones
    (households and MEMBER_OF come from the people rows already counted).
    With ``owner``, the rows of one group are sent as one ``$owner`` entry with the
    ``[$first, $last)`` range of its rows in the batch.
    """

    def __init__(
        self,
        table: str,
        query: str,
        columns: dict[str, _Getter],
        extras: dict[str, _Getter],
        groups: np.ndarray,
        *,
        positions: np.ndarray | None = None,
        counted: bool = True,
        owner: str | None = None,
    ) -> None:
        self.table = table
        self.query = query
        self.columns = columns
        self.extras = extras
        self.groups = groups
        self.rows = len(groups)
        self.positions = np.arange(self.rows) if positions is None else positions
        self.counted = counted
        self.owner = owner

    def lanes(self, workers: int, batch_size: int) -> list[Iterator[tuple[dict[str, Any], int]]]:
        return [self._batches(sel, batch_size) for sel in split_lanes(self.groups, workers)]

    def _batches(self, sel: np.ndarray, batch_size: int) -> Iterator[tuple[dict[str, Any], int]]:
        keys = list(self.extras)
        for a in range(0, len(sel), batch_size):
            rows = sel[a : a + batch_size]
            idx = self.positions[rows]
            params: dict[str, Any] = {
                k: get(idx) for k, get in self.columns.items() if k != self.owner
            }
            if self.owner is not None:
                g = self.groups[rows]
                first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
                params["owner"] = self.columns[self.owner](idx[first])
                params["first"] = first.tolist()
                params["last"] = np.r_[first[1:], len(rows)].tolist()
            if keys:
                params["extra_keys"] = keys
                params["extra_values"] = [self.extras[k](idx) for k in keys]
            yield params, len(rows) if self.counted else 0


def _table_columns(df: pd.DataFrame, table: str) -> tuple[dict[str, _Getter], dict[str, _Getter]]:
    """Getters of a table: ``ord`` + canonical columns (dates as ISO text), and extras."""
    cols: dict[str, _Getter] = {"ord": lambda idx: idx.tolist()}
    for c in TABLES[table].names:
        cols[c] = _from_series(df[c], table, c)
    extras = {EXTRA_PREFIX + c: _extra(df[c], table, c) for c in extra_columns(df, table)}
    return cols, extras


def _extra(s: pd.Series, table: str, column: str) -> _Getter:
    """Extra columns keep driver-native values (dates as date objects)."""
    return _from_array(to_values(s, table=table, column=column))


def save_plans(g: CustomerGraph) -> list[Plan]:
    n = g.n_people
    plans: list[Plan] = []
    cols, extras = _table_columns(g.people, "people")
    plans.append(Plan("people", "load/people", cols, extras, np.arange(n)))
    hh = g.people["household_id"]
    given = np.flatnonzero(hh.notna().to_numpy())
    if len(given):
        codes, uniques = pd.factorize(hh.iloc[given])
        plans.append(
            Plan(
                "people",
                "load/households",
                {"household_id": _from_array(np.asarray(uniques, dtype=object))},
                {},
                np.arange(len(uniques)),
                counted=False,
            )
        )
        member_cols = {k: cols[k] for k in ("person_id", "household_id")}
        plans.append(
            Plan(
                "people",
                "load/member_of",
                member_cols,
                {},
                codes,
                positions=given,
                counted=False,
            )
        )

    cols, extras = _table_columns(g.relations, "relations")
    kind = g.relations["relation"].to_numpy(dtype=object)
    unknown = sorted({str(k) for k in pd.unique(kind[~np.isin(kind, list(REL_QUERY))])})
    if unknown:
        raise DataError(
            f"The relations table has kinds {unknown[:5]} outside the vocabulary; build the "
            "graph with famgraph.ingest, which normalises relation labels.",
            table="relations",
            column="relation",
        )
    for k in _REL_ORDER:
        social = k == "knows"
        sel = np.flatnonzero(np.isin(kind, list(SOCIAL_KINDS)) if social else kind == k)
        if len(sel) == 0:
            continue
        # For a family kind the relationship type says it; KNOWS keeps the kind.
        sub = cols if social else {c: f for c, f in cols.items() if c != "relation"}
        src = g.rel_src[sel]
        groups = components(n, src, g.rel_dst[sel])[src]  # the piece of each row
        query = REL_QUERY[k if not social else "friend"]
        plans.append(Plan("relations", query, sub, extras, groups, positions=sel))

    cols, extras = _table_columns(g.referrals, "referrals")
    groups = components(n, g.ref_src, g.ref_dst)[g.ref_src]
    plans.append(Plan("referrals", "load/referrals", cols, extras, groups))
    cols, extras = _table_columns(g.holdings, "holdings")
    plans.append(Plan("holdings", "load/holdings", cols, extras, g.hold_person, owner="person_id"))
    return plans


def book_props(g: CustomerGraph) -> dict[str, Any]:
    props: dict[str, Any] = {
        "as_of": pd.Timestamp(g.as_of).to_pydatetime(),
        "famgraph_version": __version__,
    }
    for t in TABLES:
        df: pd.DataFrame = getattr(g, t)
        extras = extra_columns(df, t)
        props[f"{t}_rows"] = len(df)
        props[f"{t}_extras"] = extras
        props[f"{t}_extra_dtypes"] = [str(df[c].dtype) for c in extras]
    return props


def check_references(g: CustomerGraph) -> None:
    """Every relation / referral / holding must name a person of ``g.people``."""
    checks = (
        ("relations", "person_id", g.rel_src),
        ("relations", "relative_id", g.rel_dst),
        ("referrals", "referrer_id", g.ref_src),
        ("referrals", "referee_id", g.ref_dst),
        ("holdings", "person_id", g.hold_person),
    )
    for table, column, idx in checks:
        bad = np.flatnonzero(idx < 0)
        if len(bad):
            raise DataError(
                f"{len(bad)} {table} row(s) name a {column} that is not in people (first: row "
                f"{int(bad[0])}); Neo4j would drop them. Build the graph with famgraph.ingest, "
                "which rejects such rows.",
                table=table,
                column=column,
                row=int(bad[0]),
            )
    dup = g.people["person_id"].duplicated()
    if dup.any():
        raise DataError(
            f"{int(dup.sum())} people row(s) repeat a person_id (first: row "
            f"{int(np.flatnonzero(dup.to_numpy())[0])}); build the graph with famgraph.ingest.",
            table="people",
            column="person_id",
        )
