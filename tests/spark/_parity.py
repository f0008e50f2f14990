"""Helpers of the Spark parity tests: books on disk, frames back to pandas, comparisons.

Both engines read the *same files* (CSV for books with mixed-type dirty cells,
Parquet for typed ones), so any difference is the engines', not the input's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import famgraph as fg
from famgraph.rules import PRIORITY_WEIGHT_BASE, RANK_DECIMALS, SCORE_WEIGHTS

TABLES = ("people", "relations", "referrals", "holdings")
FLOAT_ATOL = 1e-6


def write_book(tables: dict[str, pd.DataFrame], folder: Path, fmt: str) -> dict[str, Path]:
    """Write the tables as ``<name>.csv`` or ``<name>.parquet``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in tables.items():
        p = folder / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(p, index=False)
        else:
            df.to_parquet(p, index=False)
        paths[name] = p
    return paths


def to_pd(df: Any) -> pd.DataFrame:
    """A Spark DataFrame as pandas, through Arrow (PySpark's pandas path is not used)."""
    return df.toArrow().to_pandas()


def _norm(s: pd.Series) -> pd.Series:
    """One comparable form per kind: numbers as float64 (NaN missing), text as object/None."""
    s = s.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return pd.Series(s.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[us]")
    out = s.astype(object)
    return out.where(out.notna(), None)


def assert_same(spark_frame: pd.DataFrame, memory: pd.DataFrame, what: str) -> None:
    """Same columns, rows in the same order; ids, ints, text exact; floats within 1e-6."""
    assert list(spark_frame.columns) == list(memory.columns), what
    assert len(spark_frame) == len(memory), f"{what}: {len(spark_frame)} != {len(memory)} rows"
    for col in memory.columns:
        a, b = _norm(spark_frame[col]), _norm(memory[col])
        if a.dtype == float and b.dtype == float:
            ok = np.isclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=FLOAT_ATOL, equal_nan=True)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                raise AssertionError(f"{what}.{col} row {i}: spark {a[i]!r} != memory {b[i]!r}")
        else:
            neq = ~((a == b) | (a.isna() & b.isna()))
            if neq.any():
                i = int(np.flatnonzero(neq.to_numpy())[0])
                raise AssertionError(f"{what}.{col} row {i}: spark {a[i]!r} != memory {b[i]!r}")


def assert_same_book(sg: Any, g: fg.CustomerGraph) -> None:
    """Normalised tables, rejects, emptied cells, quality report and as_of of both engines."""
    m = sg.to_pandas()
    for t in TABLES:
        pd.testing.assert_frame_equal(getattr(m, t), getattr(g, t), obj=t)
    pd.testing.assert_frame_equal(m.rejects, g.rejects, obj="rejects")
    pd.testing.assert_frame_equal(m.issues, g.issues, obj="issues")
    pd.testing.assert_frame_equal(
        m.quality_report(), g.quality_report(), check_dtype=False, obj="quality_report"
    )
    assert sg.as_of == g.as_of


# --- docs/metrics.md as written, from the in-memory engine's own inputs -------------------------
def coverage_score_reference(g: fg.CustomerGraph, plan: pd.DataFrame | None) -> pd.Series:
    """Per household: covered weight / required weight with weight max(1, 5 - priority)."""
    p = fg.DEFAULT_PLAN if plan is None else fg.validate_plan(plan)
    hh = fg.households(g)[["person_id", "household_id", "role"]]
    req = hh.merge(p, on="role")
    gaps = fg.coverage_gaps(g, plan=plan)[["person_id", "line"]].assign(open=True)
    req = req.merge(gaps, on=["person_id", "line"], how="left")
    req["covered"] = req["open"].isna()
    req["w"] = np.maximum(1, PRIORITY_WEIGHT_BASE - req["priority"].to_numpy())
    req["wc"] = req["w"] * req["covered"]
    per = req.groupby("household_id")[["w", "wc"]].sum()
    score = per["wc"] / per["w"]
    return score


def score_reference(g: fg.CustomerGraph, su: pd.DataFrame, weights: dict | None) -> np.ndarray:
    """docs/metrics.md section 7 score from the in-memory super_users inputs.

    R = -recency_days ranked among customers with a purchase (others 0), F, M, C, I
    ranked among customers, M and C on values rounded to 6 decimals, I on
    round(n x influence, 6).
    """
    w = dict(SCORE_WEIGHTS) if weights is None else {k: weights.get(k, 0.0) for k in "RFMCI"}
    cust = g.is_customer
    n = len(su)
    bought = cust & (su["frequency"].to_numpy() > 0)
    rec = -su["recency_days"].to_numpy(dtype=float, na_value=np.nan)
    factors = {
        "R": (rec, bought),
        "F": (su["frequency"].to_numpy(dtype=float), cust),
        "M": (np.round(su["monetary"].to_numpy(dtype=float), RANK_DECIMALS), cust),
        "C": (np.round(su["chain_value"].to_numpy(dtype=float), RANK_DECIMALS), cust),
        "I": (np.round(n * su["influence"].to_numpy(dtype=float), RANK_DECIMALS), cust),
    }
    total = np.zeros(n)
    for k, (x, where) in factors.items():
        pct = np.zeros(n)
        if where.any():
            pct[where] = pd.Series(x[where]).rank(method="average", pct=True).to_numpy()
        total = total + w[k] * pct
    return np.where(cust, 100.0 * total, 0.0)


_TOP = re.compile(r"(?:; influence in the top |；影响力居前)(\d+)%$")


def split_reasons(reasons: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``reasons`` without their "influence in the top X%" tail (either language), and X
    (0 when absent)."""
    text = reasons.astype(object)
    head = text.map(lambda s: _TOP.sub("", s))
    top = text.map(lambda s: int(m.group(1)) if (m := _TOP.search(s)) else 0)
    return head, top


def top_reference(influence: pd.Series) -> np.ndarray:
    """The "top X%" of each person by round(n x influence, 6) (0 when above 10%)."""
    x = influence.to_numpy(dtype=float)
    n = len(x)
    r = np.round(n * x, RANK_DECIMALS)
    at_least = pd.Series(r).rank(method="max", ascending=False).to_numpy()
    top = np.ceil(100.0 * at_least / max(n, 1)).astype(int)
    return np.where(top <= 10, top, 0)
