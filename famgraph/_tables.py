"""Normalised tables: canonical dtypes, empty tables, conforming trusted tables, ``as_of``.

Shared by :mod:`famgraph.ingest` (which validates untrusted input) and
:class:`famgraph.graph.CustomerGraph` (which wraps trusted, already normalised
tables, e.g. read back from Neo4j).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd

from famgraph.schema import ISSUE_COLUMNS, REJECT_COLUMNS, TABLES

__all__ = [
    "DTYPES",
    "as_text",
    "conform",
    "empty_column",
    "empty_issues",
    "empty_rejects",
    "infer_as_of",
]

log = logging.getLogger("famgraph")

DTYPES: dict[str, str] = {
    "str": "str",
    "date": "datetime64[us]",
    "float": "float64",
    "int": "Int64",
    "bool": "bool",
}


def as_text(s: pd.Series) -> pd.Series:
    """Text form of any column: integral floats lose their ``.0``; stripped."""
    if pd.api.types.is_float_dtype(s.dtype):
        vals = s.to_numpy(dtype=float)
        finite = np.isfinite(vals)
        exact = finite.any() and np.all(np.abs(vals[finite]) < 2.0**53)
        if exact and np.all(np.mod(vals[finite], 1) == 0):
            s = s.astype("Int64")
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        out = s.astype("str")
        return out.where(s.notna())
    out = s.astype("str").str.strip()
    return out.where(out != "")


def empty_column(kind: str, n: int) -> pd.Series:
    if kind == "bool":
        return pd.Series(np.ones(n, dtype=bool))
    if kind == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"))
    empty = pd.Series(np.full(n, np.nan))
    if kind == "str":
        return empty.astype("str")
    return empty.astype(DTYPES[kind])  # type: ignore[call-overload]


def conform(name: str, df: pd.DataFrame | None) -> pd.DataFrame:
    """Give a trusted table the canonical column order and dtypes (adds empty columns)."""
    spec = TABLES[name]
    if df is None:
        df = pd.DataFrame(columns=list(spec.required))
    n = len(df)
    cols: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c.name in df.columns:
            s = df[c.name].reset_index(drop=True)
            if c.kind == "bool":
                s = s.fillna(True).astype(bool)
            elif c.kind == "str":
                s = as_text(s).astype("str")
            else:
                s = s.astype(DTYPES[c.kind])  # type: ignore[call-overload]
            cols[c.name] = s
        else:
            cols[c.name] = empty_column(c.kind, n)
    extras = [c for c in df.columns if c not in spec.names]
    out = pd.DataFrame(cols)
    for extra in extras:
        out[extra] = df[extra].reset_index(drop=True)
    return out


def empty_rejects() -> pd.DataFrame:
    """An empty rejects table with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            "table": pd.Series([], dtype="str"),
            "row": pd.Series([], dtype="int64"),
            "reason": pd.Series([], dtype="str"),
            "column": pd.Series([], dtype="str"),
            "detail": pd.Series([], dtype="str"),
        },
        columns=list(REJECT_COLUMNS),
    )


def empty_issues() -> pd.DataFrame:
    """An empty cell-issues table with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            "table": pd.Series([], dtype="str"),
            "row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
            "reason": pd.Series([], dtype="str"),
            "detail": pd.Series([], dtype="str"),
        },
        columns=list(ISSUE_COLUMNS),
    )


def infer_as_of(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """The latest date in ``purchased_at``, ``referred_at``, ``joined_at`` (kept rows)."""
    cands = [
        tables["holdings"]["purchased_at"].max(),
        tables["referrals"]["referred_at"].max(),
        tables["people"]["joined_at"].max(),
    ]
    found = [pd.Timestamp(c) for c in cands if not pd.isna(c)]
    if not found:
        log.warning("No dates in purchased_at, referred_at or joined_at: as_of = today.")
        return pd.Timestamp.today().normalize()
    return max(found)
