"""Bookkeeping of the build: one reason per rejected row, one entry per blanked cell.

:class:`Ledger` holds, for one accounted table, the outcome of every input row --
kept, merged or rejected with the first reason in precedence order (docs/metrics.md
section 2). :class:`CellIssues` lists the optional descriptive cells that were
emptied instead of rejecting their row. Details that quote a value are built only
for the rows concerned (:class:`ValuesDetail`), and only into these tables, which
belong to the user: exceptions and log lines name table, row and column, never a
value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from famgraph._arrays import lookup_ids
from famgraph._tables import empty_issues
from famgraph.errors import DataError
from famgraph.schema import ACCOUNTED_TABLES, ISSUE_COLUMNS, REASONS, REJECT_COLUMNS

__all__ = [
    "CellIssues",
    "Ledger",
    "PeopleIndex",
    "ValuesDetail",
    "empty_issues",
    "log_summary",
    "raise_first",
]

log = logging.getLogger("famgraph")

_REASON_RANK = {r: i for i, r in enumerate(REASONS)}
_TABLE_RANK = {t: i for i, t in enumerate(ACCOUNTED_TABLES)}


class ValuesDetail:
    """``prefix + 'value' + suffix``, built only for the rows a reason is recorded on."""

    def __init__(self, prefix: str, values: pd.Series, suffix: str) -> None:
        self.prefix, self.values, self.suffix = prefix, values, suffix

    def take(self, rows: np.ndarray) -> np.ndarray:
        sub = self.values.iloc[rows]
        try:
            txt = sub.astype("str")
        except (UnicodeDecodeError, TypeError, ValueError):  # e.g. bytes that are not UTF-8
            txt = pd.Series([repr(v) for v in sub.to_numpy(dtype=object)], dtype="str")
        txt = txt.fillna("").str.slice(0, 40)
        return (self.prefix + "'" + txt + "'" + self.suffix).to_numpy(dtype=object)


Detail = str | np.ndarray | ValuesDetail


def _details(detail: Detail, rows: np.ndarray) -> np.ndarray:
    if isinstance(detail, ValuesDetail):
        return detail.take(rows)
    if isinstance(detail, np.ndarray):
        return detail[rows]
    return np.full(len(rows), detail, dtype=object)


class Ledger:
    """The outcome of every row of one accounted table (first reason in precedence wins).

    ``row_numbers`` maps the ledger's positions to the input row numbers reported
    (``policy_relations`` reports the holdings row that states the fact).
    """

    def __init__(self, table: str, n: int, row_numbers: np.ndarray | None = None) -> None:
        self.table = table
        self.n = n
        self.rank = np.full(n, len(REASONS), dtype=np.int16)
        self.merged = np.zeros(n, dtype=bool)
        self._row_numbers = row_numbers
        # (rows, column, detail) of each recording, in order: a later one wins for a row it
        # names. Only rejected rows have one, so a row costs 3 bytes here (rank, merged).
        self._notes: list[tuple[np.ndarray, Any, np.ndarray]] = []

    def add(self, reason: str, mask: np.ndarray, column: str | None, detail: Detail) -> None:
        """Record ``reason`` for rows in ``mask`` where it outranks what is there."""
        r = _REASON_RANK[reason]
        take = np.asarray(mask, dtype=bool) & (self.rank > r)
        if not take.any():
            return
        rows = np.flatnonzero(take)
        self.rank[rows] = r
        self._notes.append((rows, column, _details(detail, rows)))

    def share_fate(self, rows: np.ndarray, of: np.ndarray) -> None:
        """Give ``rows`` the reason, column and detail recorded on the rows ``of``."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return
        self.merged[rows] = False
        self.rank[rows] = self.rank[of]
        column, detail = self.notes_of(of)
        self._notes.append((rows, column, detail))

    def number_of(self, rows: np.ndarray) -> np.ndarray:
        """The input row numbers reported for the ledger positions ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        return rows if self._row_numbers is None else np.asarray(self._row_numbers)[rows]

    def notes_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The column and detail recorded last on each of ``rows`` (object arrays)."""
        rows = np.asarray(rows, dtype=np.int64)
        column = np.full(len(rows), None, dtype=object)
        detail = np.full(len(rows), None, dtype=object)
        if len(rows) == 0:
            return column, detail
        order = np.argsort(rows, kind="stable")
        srt = rows[order]
        for noted, col, det in self._notes:
            pos = np.minimum(np.searchsorted(srt, noted), len(srt) - 1)
            hit = srt[pos] == noted
            if not hit.any():
                continue
            at = order[pos[hit]]
            column[at] = col[hit] if isinstance(col, np.ndarray) else col
            detail[at] = det[hit]
        return column, detail

    @property
    def rejected(self) -> np.ndarray:
        return self.rank < len(REASONS)

    @property
    def ok(self) -> np.ndarray:
        """Rows neither rejected nor merged (so far)."""
        return ~self.rejected & ~self.merged

    def reason_of(self, rows: np.ndarray) -> np.ndarray:
        """The reason recorded on ``rows`` (object array)."""
        return np.asarray(REASONS, dtype=object)[np.minimum(self.rank[rows], len(REASONS) - 1)]

    def frame(self) -> pd.DataFrame:
        rows = np.flatnonzero(self.rejected)
        column, detail = self.notes_of(rows)
        return pd.DataFrame(
            {
                "table": pd.Series([self.table] * len(rows), dtype="str"),
                "row": self.number_of(rows).astype(np.int64),
                "reason": pd.Series(self.reason_of(rows), dtype="str"),
                "column": pd.Series(column, dtype="str"),
                "detail": pd.Series(detail, dtype="str"),
            },
            columns=list(REJECT_COLUMNS),
        )

    def counts(self) -> tuple[int, int, int, int]:
        """``rows_in, kept, merged, rejected``."""
        return self.n, int(self.ok.sum()), int(self.merged.sum()), int(self.rejected.sum())


class CellIssues:
    """Optional descriptive cells of one table emptied instead of rejecting their row."""

    def __init__(self, table: str) -> None:
        self.table = table
        self._parts: list[tuple[np.ndarray, str, str, np.ndarray]] = []

    def add(self, mask: np.ndarray, column: str, reason: str, detail: Detail) -> None:
        rows = np.flatnonzero(mask)
        if len(rows):
            self._parts.append((rows, column, reason, _details(detail, rows)))

    def frame(self, keep: np.ndarray, row_numbers: np.ndarray | None = None) -> pd.DataFrame:
        """The issues of rows in ``keep`` (rows that ended kept or merged)."""
        if not self._parts:
            return empty_issues()
        rows = np.concatenate([p[0] for p in self._parts])
        col = np.concatenate([np.full(len(p[0]), p[1], dtype=object) for p in self._parts])
        why = np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in self._parts])
        det = np.concatenate([p[3] for p in self._parts])
        sel = keep[rows]
        rows, col, why, det = rows[sel], col[sel], why[sel], det[sel]
        order = np.lexsort((np.arange(len(rows)), rows))
        numbers = rows if row_numbers is None else row_numbers[rows]
        return pd.DataFrame(
            {
                "table": pd.Series([self.table] * len(rows), dtype="str"),
                "row": numbers[order].astype(np.int64),
                "column": pd.Series(col[order], dtype="str"),
                "reason": pd.Series(why[order], dtype="str"),
                "detail": pd.Series(det[order], dtype="str"),
            },
            columns=list(ISSUE_COLUMNS),
        )

    def first_row(self) -> tuple[int, str, str] | None:
        """``(row, column, reason)`` of the first issue (smallest row), for ``strict``."""
        if not self._parts:
            return None
        best = min(((int(p[0][0]), i) for i, p in enumerate(self._parts)))
        part = self._parts[best[1]]
        return best[0], part[1], part[2]


class PeopleIndex:
    """The kept person ids, and the rejected people rows, to explain ``unknown_person``.

    A row naming a person whose own people row was rejected says so: "person_id
    'P1' is not kept in people: its people row 3 was rejected (bad_type)".
    """

    def __init__(self, ids: pd.Series, led: Ledger, known: pd.Series) -> None:
        self.known = known
        gone = led.rejected & ids.notna().to_numpy()
        rows = np.flatnonzero(gone)
        first = ~ids.iloc[rows].duplicated(keep="first").to_numpy()
        rows = rows[first]
        self._gone_ids = ids.iloc[rows].reset_index(drop=True)
        self._gone_rows = rows
        self._gone_reasons = led.reason_of(rows)

    @staticmethod
    def unknown(ids: pd.Series, codes: np.ndarray) -> np.ndarray:
        """Rows naming an id (not empty) that is not among the kept people."""
        return (codes < 0) & ids.notna().to_numpy()

    def reject_unknown(self, led: Ledger, column: str, ids: pd.Series, codes: np.ndarray) -> None:
        """Reject as ``unknown_person`` the rows of ``led`` whose ``column`` names nobody kept."""
        led.add(
            "unknown_person",
            self.unknown(ids, codes),
            column,
            self.unknown_detail(column, ids, codes),
        )

    def unknown_detail(self, column: str, ids: pd.Series, codes: np.ndarray) -> np.ndarray:
        """Detail per row for ids not kept (object array; ``None`` elsewhere)."""
        out = np.full(len(ids), None, dtype=object)
        rows = np.flatnonzero(self.unknown(ids, codes))
        if len(rows) == 0:
            return out
        sub = ids.iloc[rows]
        txt = sub.astype("str").str.slice(0, 40)
        base = f"{column} '" + txt + "'"
        out[rows] = (base + " is not in people").to_numpy(dtype=object)
        if len(self._gone_ids):
            pos = lookup_ids(self._gone_ids, sub)[0]
            hit = pos >= 0
            if hit.any():
                p = pos[hit]
                why = (
                    base[hit]
                    + " is not kept in people: its people row "
                    + pd.Series(self._gone_rows[p].astype(str), index=base[hit].index)
                    + " was rejected ("
                    + pd.Series(self._gone_reasons[p].astype(str), index=base[hit].index)
                    + ")"
                )
                out[rows[hit]] = why.to_numpy(dtype=object)
        return out


def raise_first(checks: Sequence[tuple[Ledger, CellIssues | None]]) -> None:
    """``strict=True``: raise :class:`DataError` on the first rejected row or blanked cell.

    Tables in accounting order; within a table, the smallest input row, a reject
    before an issue of the same row. The message names table, row, column and
    reason -- never the value.
    """
    for led, issues in sorted(checks, key=lambda c: _TABLE_RANK.get(c[0].table, 99)):
        bad = np.flatnonzero(led.rejected)
        rej = None
        if len(bad):
            i = bad[np.argmin(led.number_of(bad))]
            rej = (
                int(led.number_of(i)),
                led.notes_of(np.array([i]))[0][0],
                led.reason_of(np.array([i]))[0],
            )
        iss = issues.first_row() if issues is not None else None
        if iss is not None and (rej is None or iss[0] < rej[0]):
            row, column, reason = iss
            raise DataError(
                f"{led.table} row {row} (0-based), column {column!r}: {reason}. Without "
                "strict=True, famgraph empties this optional cell, keeps the row and lists "
                "the cell in g.issues; fix the cell or build without strict=True.",
                table=led.table,
                column=column,
                row=row,
            )
        if rej is not None:
            row, column, reason = rej
            raise DataError(
                f"{led.table} row {row} (0-based) is rejected: {reason} in column "
                f"{column!r}. Fix the row, or call build without strict=True to collect all "
                "rejects in g.rejects.",
                table=led.table,
                column=column,
                row=row,
            )


def log_summary(rejects: pd.DataFrame, issues: pd.DataFrame) -> None:
    """One warning per (table, reason): counts only, no values."""
    if not rejects.empty:
        counts = rejects.groupby(["table", "reason"], sort=False).size().reset_index(name="k")
        for table, reason, k in counts.itertuples(index=False):
            log.warning("famgraph.ingest: %d %s row(s) rejected as %s", k, table, reason)
    if not issues.empty:
        counts = issues.groupby(["table", "column"], sort=False).size().reset_index(name="k")
        for table, column, k in counts.itertuples(index=False):
            log.warning(
                "famgraph.ingest: %d %s cell(s) of %s emptied and kept their row (g.issues)",
                k,
                table,
                column,
            )
