"""Analysis results written back into Neo4j, where other services query them.

:func:`save_results` computes the analyses of a book once (households, coverage gaps,
household summaries, super users, referral chains and, when the book supports a
fit, the value model) and writes them as properties of the saved ``:Person`` and
``:Household`` nodes -- the way a graph-algorithm library's *write mode* does -- so a
CRM screen can read "this customer's household lacks critical-illness cover; she is a
super user at risk" with one Cypher lookup. The properties are documented in
``docs/data-model.md``; ``docs/neo4j.md`` shows the queries a service runs.

Every write is stamped with the results' ``as_of`` and a *token*, a hash of the
results themselves: a second write of the same results finds the token in place and
changes nothing; a write of other results (a later ``as_of``, a changed book) replaces
the figures of every person and household, and stale ones -- derived households that
no longer exist, persons no longer in the book -- are cleared, so results of two dates
are never mixed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from famgraph._validation import Count, check
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.referrals import referral_value
from famgraph.analysis.segments import value_segments
from famgraph.analysis.superusers import super_users
from famgraph.errors import DataError, StoreError
from famgraph.graph import CustomerGraph
from famgraph.rules import DECAY, MIN_REFERRALS, MINOR_AGE
from famgraph.schema import HOUSEHOLD_SUMMARY_COLUMNS
from famgraph.store.codec import to_values
from famgraph.store.writer import BatchWriter, Counters, now, split_lanes

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import neo4j

    from famgraph.store.catalogue import Catalogue

__all__ = ["PERSON_RESULTS", "ResultsReport", "save_results"]

#: The result properties every ``:Person`` gets (docs/data-model.md).
PERSON_RESULTS: tuple[str, ...] = (
    "household",
    "household_role",
    "tier",
    "score",
    "is_super",
    "converted_referrals",
    "chain_value",
    "influence",
    "gap_lines",
    "gap_priorities",
    "p_alive",
    "clv",
    "crv",
    "segment",
    "at_risk",
)
#: The figures every ``:Household`` gets: the columns of :func:`famgraph.household_summary`.
_HOUSEHOLD_RESULTS: tuple[str, ...] = HOUSEHOLD_SUMMARY_COLUMNS[1:]


class _Store(Protocol):
    """What writing results needs of a store (:class:`famgraph.Neo4jStore` provides it)."""

    @property
    def driver(self) -> neo4j.Driver: ...

    database: str
    catalogue: Catalogue

    def book(self) -> dict[str, Any]: ...

    def ensure_schema(self) -> None: ...

    def errors(self, action: str) -> AbstractContextManager[None]: ...

    def read(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class ResultsReport:
    """What :meth:`famgraph.Neo4jStore.save_results` wrote.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date of the results (the book's ``as_of``).
    token : str
        The results' stamp: equal for equal results.
    persons, households, gaps : int
        Persons and households written; coverage gaps among the persons.
    value_model : str
        ``"fitted"``, or why p_alive / clv / crv / segment / at_risk are absent.
    cleared : int
        Stale persons and households cleared (results of another write).
    properties_set, nodes_created, nodes_deleted : int
        Server counters.
    seconds : float
    """

    as_of: pd.Timestamp
    token: str
    persons: int
    households: int
    gaps: int
    value_model: str
    cleared: int
    properties_set: int
    nodes_created: int
    nodes_deleted: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"wrote results as of {self.as_of.date()} for {self.persons:,} persons and "
            f"{self.households:,} households ({self.gaps:,} coverage gaps) in "
            f"{self.seconds:.1f} s; value model: {self.value_model}; "
            f"{self.cleared:,} stale node(s) cleared; created {self.nodes_created:,} nodes"
        )


@dataclass(frozen=True)
class _Results:
    """The results of one book: per person, per household, and the gaps (CSR by person)."""

    people: pd.DataFrame
    summary: pd.DataFrame
    gap_line: np.ndarray  # object: every gap's line, person by person, in priority order
    gap_priority: np.ndarray  # int64, aligned with gap_line
    gap_start: np.ndarray  # (n + 1,): person i's gaps are [gap_start[i], gap_start[i + 1])
    status: str


def _compute(
    g: CustomerGraph, plan: pd.DataFrame | None, minor_age: int, decay: float, min_referrals: int
) -> _Results:
    hh = households(g, minor_age=minor_age)
    gaps = coverage_gaps(g, plan=plan, minor_age=minor_age)
    su = super_users(g, min_referrals=min_referrals, decay=decay)
    rv = referral_value(g, decay=decay)
    pos = g.idx(gaps["person_id"])
    order = np.argsort(pos, kind="stable")  # by person, priority order kept within
    start = np.concatenate([[0], np.cumsum(np.bincount(pos, minlength=g.n_people))])
    people = pd.DataFrame(
        {
            "person_id": hh["person_id"],
            "household": hh["household_id"],
            "household_role": hh["role"],
            "tier": su["tier"],
            "score": su["score"],
            "is_super": su["is_super"],
            "converted_referrals": rv["converted_referrals"],
            "chain_value": rv["chain_value"],
            "influence": su["influence"],
        }
    )
    value_cols = ("p_alive", "clv", "crv", "segment", "at_risk")
    try:
        seg = value_segments(g, decay=decay)
        status = "fitted"
        for col in value_cols:
            people[col] = seg[col].to_numpy()
    except DataError as exc:
        status = f"not fitted ({str(exc).split(': ', 1)[-1]})"
        for col in value_cols:
            people[col] = pd.Series([None] * g.n_people, dtype=object)
    summary = household_summary(g, plan=plan, minor_age=minor_age)
    summary = summary.assign(derived=~summary["household_id"].isin(g.people["household_id"]))
    return _Results(
        people,
        summary,
        gaps["line"].to_numpy(dtype=object)[order],
        gaps["priority"].to_numpy(dtype=np.int64)[order],
        start,
        status,
    )


def _token(as_of: pd.Timestamp, r: _Results) -> str:
    """A stamp that is equal exactly for equal results (as_of and every figure)."""
    h = hashlib.sha256(as_of.isoformat().encode())
    for frame in (r.people, r.summary):
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    gaps = pd.DataFrame({"line": r.gap_line, "priority": r.gap_priority})
    h.update(pd.util.hash_pandas_object(gaps, index=False).to_numpy().tobytes())
    h.update(r.gap_start.tobytes())
    return h.hexdigest()[:32]


def _columns(df: pd.DataFrame, names: tuple[str, ...], table: str) -> dict[str, np.ndarray]:
    """Driver-ready values (None for missing) of each column, as object arrays."""
    return {c: to_values(df[c], table=table, column=c) for c in names}


def save_results(
    store: _Store,
    g: CustomerGraph,
    *,
    plan: pd.DataFrame | None = None,
    minor_age: int = MINOR_AGE,
    decay: float = DECAY,
    min_referrals: int = MIN_REFERRALS,
    batch_size: int = 5_000,
    workers: int = 2,
) -> ResultsReport:
    """Write the analysis results of ``g`` onto the saved book's nodes.

    Parameters
    ----------
    store : Neo4jStore
        Holding the saved book ``g`` (``store.save(g)`` first).
    g : CustomerGraph
    plan, minor_age, decay, min_referrals
        Passed to the analyses (as in :func:`famgraph.report`).
    batch_size, workers : int
        Rows per write transaction; parallel write sessions.

    Returns
    -------
    ResultsReport

    Raises
    ------
    StoreError
        The database holds no saved book, or one with another number of persons than
        ``g`` (save ``g`` first); or the server fails.

    Notes
    -----
    On every ``:Person``: ``household`` (where the analyses place the person: the
    given ``household_id`` or a derived ``H:`` id), ``household_role``, ``tier``,
    ``score``, ``is_super``, ``converted_referrals``, ``chain_value``, ``influence``,
    ``gap_lines`` / ``gap_priorities`` (the person's coverage gaps in priority order)
    and, when the value model can be fitted, ``p_alive``, ``clv``, ``crv``,
    ``segment``, ``at_risk``. On every ``:Household`` (derived ones are created,
    ``derived = true``): the columns of :func:`famgraph.household_summary`. All stamped
    ``results_as_of`` and ``results_token``. Idempotent; results of another write are
    replaced, not mixed (see the module docs). Cost: the analyses, then O(V + H)
    rows written in batches.
    """
    check("save_results", "batch_size", batch_size, Count)
    check("save_results", "workers", workers, Count)
    t0 = now()
    meta = store.book()
    if int(meta.get("people_rows", -1)) != g.n_people:
        raise StoreError(
            f"The saved book has {meta.get('people_rows')} persons but this graph has "
            f"{g.n_people:,}: the results would not fit its nodes. Save this book first "
            "(store.save(g), or `famgraph neo4j save DIR`), then write its results."
        )
    r = _compute(g, plan, minor_age, decay, min_referrals)
    token = _token(g.as_of, r)
    stamp = {"results_as_of": g.as_of.to_pydatetime(), "results_token": token}
    writer = BatchWriter(store.driver, store.database)
    flat = tuple(c for c in PERSON_RESULTS if not c.startswith("gap_"))
    p_cols = _columns(r.people, ("person_id", *flat), "people")
    h_cols = _columns(r.summary, ("household_id", "derived", *_HOUSEHOLD_RESULTS), "households")
    cat = store.catalogue
    with store.errors("writing results"):
        store.ensure_schema()
        _write(writer, cat["results/people"], p_cols, stamp, batch_size, workers, gaps=r)
        _write(writer, cat["results/households"], h_cols, stamp, batch_size, workers)
        stale = store.read("results/stale", {"results_token": token})
        cleared = int(stale["persons"].iloc[0]) + int(stale["households"].iloc[0])
        for name in (
            "results/clear_people",
            "results/clear_derived_households",
            "results/clear_given_households",
        ):
            _clear(writer, cat[name], token, batch_size)
    c = writer.counters
    return ResultsReport(
        as_of=g.as_of,
        token=token,
        persons=g.n_people,
        households=len(r.summary),
        gaps=len(r.gap_line),
        value_model=r.status,
        cleared=cleared,
        properties_set=c.properties_set,
        nodes_created=c.nodes_created,
        nodes_deleted=c.nodes_deleted,
        seconds=now() - t0,
    )


def _write(
    writer: BatchWriter,
    query: Any,
    cols: dict[str, np.ndarray],
    stamp: dict[str, Any],
    batch_size: int,
    workers: int,
    *,
    gaps: _Results | None = None,
) -> None:
    """Columnar batches of disjoint rows (one node each), in parallel lanes.

    With ``gaps``, each batch also carries its persons' coverage gaps as flat lists and
    ``[first, last)`` offsets (sliced in Cypher), converted batch by batch.
    """
    n = len(next(iter(cols.values())))

    def batches(sel: np.ndarray) -> Iterator[tuple[dict[str, Any], int]]:
        for a in range(0, len(sel), batch_size):
            rows = sel[a : a + batch_size]  # consecutive persons: split_lanes keeps order
            params = {k: v[rows].tolist() for k, v in cols.items()} | stamp
            if gaps is not None:
                lo, hi = int(gaps.gap_start[rows[0]]), int(gaps.gap_start[rows[-1] + 1])
                params["gap_line"] = gaps.gap_line[lo:hi].tolist()
                params["gap_priority"] = gaps.gap_priority[lo:hi].tolist()
                params["gap_first"] = (gaps.gap_start[rows] - lo).tolist()
                params["gap_last"] = (gaps.gap_start[rows + 1] - lo).tolist()
            yield params, len(rows)

    lanes = [batches(sel) for sel in split_lanes(np.arange(n), workers)]
    writer.run_lanes(query, lanes, lambda rows, c: None)


def _clear(writer: BatchWriter, query: Any, token: str, batch_size: int) -> None:
    """Run a batched clean-up until a batch changes nothing."""
    while True:
        c: Counters = writer.run(query, {"results_token": token, "limit": int(batch_size)})
        if c.nodes_deleted == 0 and c.properties_set == 0:
            return
