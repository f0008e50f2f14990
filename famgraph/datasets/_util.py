"""Array helpers of the synthetic book: calendar arithmetic on day numbers, Arrow text."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "NAT",
    "add_years",
    "dates",
    "day",
    "decode",
    "decode_arrow",
    "from_ymd",
    "id_array",
    "ids",
    "texts",
    "ymd",
]

# ---------------------------------------------------------------------------------
# date helpers: dates are int64 days since 1970-01-01; NAT marks a missing date
# ---------------------------------------------------------------------------------
NAT = np.iinfo(np.int64).min


def day(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize().date(), "D").astype(np.int64))


def dates(days: np.ndarray) -> pd.Series:
    """int64 days (``NAT`` = missing) -> datetime64[us] Series."""
    return pd.Series(
        np.asarray(days, dtype=np.int64).view("datetime64[D]").astype("datetime64[us]")
    )


_CAL_FIRST_YEAR, _CAL_YEARS = 1800, 500


@functools.cache
def _calendar() -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lookup tables for 1800-2299: day number -> (y, m, d) and (y, m, d) -> day number."""
    first = np.datetime64(f"{_CAL_FIRST_YEAR}-01-01", "D")
    days = np.arange(first, first + np.timedelta64(int(_CAL_YEARS * 365.25), "D"))
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    # (y, m, d) for d in 1..31 -> day number, days past the month's end clipped to it
    starts = np.arange(
        np.datetime64(f"{_CAL_FIRST_YEAR}-01", "M"),
        np.datetime64(f"{_CAL_FIRST_YEAR + _CAL_YEARS}-01", "M"),
    )
    lo = starts.astype("datetime64[D]").astype(np.int64)
    length = (starts + 1).astype("datetime64[D]").astype(np.int64) - lo
    to_day = lo[:, None] + np.minimum(np.arange(31)[None, :], length[:, None] - 1)
    return int(first.astype(np.int64)), year, month, day, to_day.reshape(-1)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Civil year, month, day of int64 day numbers (a table lookup)."""
    day0, year, month, day, _ = _calendar()
    i = np.asarray(days, dtype=np.int64) - day0
    return year[i], month[i], day[i]


def from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Day numbers of civil dates; a day past the month's end (29 Feb) becomes its last day."""
    to_day = _calendar()[4]
    return to_day[
        ((np.asarray(y) - _CAL_FIRST_YEAR) * 12 + np.asarray(m) - 1) * 31 + np.asarray(d) - 1
    ]


def add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """Calendar arithmetic: the same day ``years`` later (29 Feb -> 28 Feb)."""
    days = np.asarray(days, dtype=np.int64)
    missing = days == NAT
    y, m, d = ymd(np.where(missing, _calendar()[0], days))
    return np.where(missing, NAT, from_ymd(y + years, m, d))


def texts(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.large_string())


def decode(vocab: pa.Array, codes: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    """``vocab[codes]`` as a ``str`` Series (missing where not ``valid``)."""
    return pd.Series(pd.array(decode_arrow(vocab, codes, valid), dtype="str"))


def decode_arrow(vocab: pa.Array, codes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``vocab[codes]`` as an arrow string array; negative codes index from the end."""
    codes = np.asarray(codes, dtype=np.int64)
    codes = np.where(codes < 0, codes + len(vocab), codes)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    if mask is not None:
        codes = np.where(mask, 0, codes)
    idx = pa.array(codes, mask=mask)
    return pa.DictionaryArray.from_arrays(idx, vocab).cast(pa.large_string())


def ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` + zero-padded ``numbers`` as a ``str`` Series."""
    return pd.Series(pd.array(id_array(prefix, numbers, width), dtype="str"))


def id_array(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers``, written as bytes column by column."""
    nums = np.asarray(numbers, dtype=np.int64)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    w = len(head) + width
    out = np.empty((len(nums), w), dtype=np.uint8)
    out[:, : len(head)] = head
    rest = nums.copy()
    for j in range(w - 1, len(head) - 1, -1):  # one pass per digit position
        out[:, j] = 48 + rest % 10
        rest //= 10
    offsets = np.arange(len(nums) + 1, dtype=np.int64) * w
    return pa.LargeStringArray.from_buffers(
        len(nums), pa.py_buffer(offsets), pa.py_buffer(out.reshape(-1))
    )
