"""Tables <-> Neo4j values: column-wise conversion, no per-cell Python.

Saving turns every column of a normalised table into an ``object`` array of
values the driver packs natively (``None`` for a missing value, so the property
is absent); loading turns the columns read back into the original dtypes.

* text -> STRING; floats -> FLOAT; ``Int64`` -> INTEGER; bool -> BOOLEAN;
* a date (midnight) -> DATE; a date with a time of day -> LOCAL DATETIME;
  canonical date columns travel as ISO text (``2020-01-02`` or
  ``2020-01-02T10:30:00.000000``), which the load statements turn into DATE or
  LOCAL DATETIME -- packing text is about four times cheaper for the client than
  packing driver date objects; both come back as ISO text (``toString``) and are
  parsed column-wise;
* extra (non-canonical) columns are stored as ``extra_<name>`` properties; their
  dtypes are remembered on the ``:Book`` node and restored on load.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from famgraph.errors import DataError
from famgraph.schema import TABLES

__all__ = [
    "EXTRA_PREFIX",
    "extra_columns",
    "restore",
    "restore_extra",
    "to_values",
]

#: Extra columns are stored as properties named ``EXTRA_PREFIX + column``.
EXTRA_PREFIX = "extra_"

_DTYPES = {"str": "str", "date": "datetime64[us]", "float": "float64", "int": "Int64"}


def _is_temporal(dtype: Any) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(dtype))


def to_values(s: pd.Series, *, table: str, column: str, dates_as_text: bool = False) -> np.ndarray:
    """One column as an object array the Neo4j driver packs; ``None`` where missing.

    Parameters
    ----------
    s : Series
    table, column : str
        For error messages.
    dates_as_text : bool, default False
        Date/time columns as ISO text (``YYYY-MM-DD`` at midnight, else
        ``YYYY-MM-DDTHH:MM:SS[.fraction]``) instead of ``datetime.date`` /
        ``datetime.datetime`` objects. The statement must convert them.

    Raises
    ------
    DataError
        For dtypes Neo4j cannot store (timezone-aware dates, timedeltas,
        categoricals, complex numbers); the message names table and column.

    Examples
    --------
    >>> to_values(pd.Series([1.5, None]), table="t", column="c").tolist()
    [1.5, None]
    >>> to_values(pd.Series(pd.to_datetime(["2020-01-02", None])), table="t", column="c").tolist()
    [datetime.date(2020, 1, 2), None]
    >>> stamps = pd.Series(
    ...     pd.to_datetime(["2020-01-02", "2020-01-02T10:30", None], format="ISO8601"))
    >>> to_values(stamps, table="t", column="c", dates_as_text=True).tolist()
    ['2020-01-02', '2020-01-02T10:30:00.000000', None]
    """
    dtype = s.dtype
    missing = s.isna().to_numpy(dtype=bool)
    if _is_temporal(dtype):
        if getattr(s.dt, "tz", None) is not None:
            raise _unsupported(table, column, dtype)
        if dates_as_text:
            return _iso_text(s.to_numpy(), missing)
        stamps = s.astype(object).to_numpy(dtype=object)
        midnight = (s == s.dt.normalize()).to_numpy(dtype=bool, na_value=False)
        dates = s.dt.date.to_numpy(dtype=object)
        out = np.where(midnight, dates, stamps)
    elif (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
    ):
        raise _unsupported(table, column, dtype)
    elif isinstance(dtype, pd.StringDtype) or dtype == "str":
        # Arrow-backed text: Arrow makes the Python strings, None where missing.
        return np.asarray(pa.array(s, from_pandas=True).to_numpy(zero_copy_only=False), object)
    else:  # numbers, booleans, object columns
        out = s.astype(object).to_numpy()
    out = np.array(out, dtype=object, copy=True)
    out[missing] = None
    return out


def _iso_text(stamps: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """datetime64 values as ISO text: the date alone at midnight; None where missing."""
    days = stamps.astype("datetime64[D]")
    # Arrow formats dates (YYYY-MM-DD) fastest; NaT becomes None.
    out = np.array(
        pa.array(days, type=pa.date32(), from_pandas=True)
        .cast(pa.string())
        .to_numpy(zero_copy_only=False),
        dtype=object,
    )
    timed = np.flatnonzero((stamps != days) & ~missing)
    if len(timed):
        out[timed] = np.datetime_as_string(stamps[timed]).astype(object)
    return out


def _unsupported(table: str, column: str, dtype: Any) -> DataError:
    return DataError(
        f"The {table} column {column!r} has dtype {dtype}, which the Neo4j store cannot keep "
        "exactly. Convert it first (e.g. to text with .astype('str'), or dates to naive UTC).",
        table=table,
        column=column,
    )


def extra_columns(df: pd.DataFrame, table: str) -> list[str]:
    """The non-canonical columns of a normalised table, in order."""
    names = set(TABLES[table].names)
    return [str(c) for c in df.columns if c not in names]


def restore(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Canonical columns read back (dates as ISO text) -> their normalised dtypes.

    ``df`` must hold every canonical column of ``table``; the result has them in
    canonical order.

    Examples
    --------
    >>> raw = pd.DataFrame({"referrer_id": ["a"], "referee_id": ["b"],
    ...                     "referred_at": ["2020-01-02"]})
    >>> restore(raw, "referrals").dtypes.astype(str).tolist()
    ['str', 'str', 'datetime64[us]']
    """
    cols: dict[str, pd.Series] = {}
    for c in TABLES[table].columns:
        s = df[c.name].reset_index(drop=True)
        if c.kind == "date":
            cols[c.name] = _parse_dates(s).astype("datetime64[us]")
        elif c.kind == "bool":
            cols[c.name] = s.astype(object).where(s.notna(), True).astype(bool)
        elif c.kind == "str":
            cols[c.name] = s.astype(object).astype("str")
        elif c.kind == "int":
            cols[c.name] = s.astype(object).where(s.notna(), None).astype("Int64")
        else:
            cols[c.name] = s.astype(object).where(s.notna(), np.nan).astype("float64")
    return pd.DataFrame(cols)


def _parse_dates(s: pd.Series) -> pd.Series:
    txt = s.astype(object).where(s.notna(), None)
    if not txt.notna().any():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    return pd.to_datetime(txt, format="ISO8601")


def restore_extra(values: pd.Series, dtype_name: str) -> pd.Series:
    """One extra column read back -> the dtype it had when saved.

    Temporal columns arrive as ISO text. ``object`` columns keep the values as
    read (``None`` for missing).

    Examples
    --------
    >>> restore_extra(pd.Series([1, None], dtype=object), "Int64").tolist()
    [1, <NA>]
    >>> restore_extra(pd.Series(["x", None], dtype=object), "str").isna().tolist()
    [False, True]
    """
    s = values.reset_index(drop=True)
    dtype: Any = dtype_name
    if dtype_name.startswith("datetime64"):
        return _parse_dates(s).astype(dtype)
    if dtype == "object":
        return s.astype(object).where(s.notna(), None)
    if dtype in ("str", "string"):
        return s.astype(object).astype(dtype)
    if dtype == "bool":
        return s.astype(bool)
    if dtype.startswith(("float", "Float")):
        return s.astype(object).where(s.notna(), np.nan).astype(dtype)
    return s.astype(object).where(s.notna(), None).astype(dtype)
