"""Reading cells as people write them: text, dates, numbers, whole numbers, booleans.

Every parser takes a whole column and returns its values together with boolean
masks -- ``missing`` (empty) and ``bad`` (present but unreadable) -- so that the
build step decides what a bad cell means (a rejected row, or a blanked cell).
Nothing here loops over rows in Python: text is handled by Arrow kernels (regex,
trim, ``is_in``) and numbers and dates by numpy arithmetic on whole arrays.

Dates are read year first only, so that no date is ever read the wrong way round:
ISO 8601 (``2023-01-05``, ``2023-01-05T10:30:00``, with fractions of a second
and a ``Z`` or ``+08:00`` offset), ``2023/1/5``, ``2023.1.5``, ``20230105`` and
``2023年1月5日``, each with or without a time of day. A time-zone offset is
dropped: the local date and time *as written* is kept (a purchase at
``2023-01-05T00:30+08:00`` happened on 5 January where it was made). Day-first and
month-first forms such as ``05/01/2023`` are refused (``bad_type``) rather than
guessed.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import numbers
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph.rules import EARLIEST_DATE, LARGEST_AMOUNT, LATEST_DATE, OLDEST_AGE

__all__ = [
    "DATE_FORMS",
    "Parsed",
    "parse_bools",
    "parse_column",
    "parse_date_value",
    "parse_dates",
    "parse_numbers",
    "text_of",
]

#: How the accepted date forms are described to users (messages, docs).
DATE_FORMS = "2023-01-05, 2023/1/5, 2023.1.5, 20230105 or 2023年1月5日"

_TRUE = ("true", "t", "yes", "y", "1", "是", "真", "对")
_FALSE = ("false", "f", "no", "n", "0", "否", "假", "错")
_MAX_EXACT = 2.0**53  # floats beyond this are not exact integers

_US = 1_000_000
_DAY_US = 86_400 * _US
_MIN_DAY = int(np.datetime64(EARLIEST_DATE, "D").astype(np.int64))
_MAX_DAY = int(np.datetime64(LATEST_DATE, "D").astype(np.int64))

# year first; Chinese 年/月/日 are turned into "-" before this pattern runs
_DATE_RE = (
    r"^(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})|(?P<m8>\d{2})(?P<d8>\d{2}))"
    r"(?:(?:[Tt]|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$"
)
_NUMBER_RE = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


class Parsed:
    """One parsed column: ``values`` plus ``missing`` / ``bad`` masks and why a cell is bad.

    ``why`` completes "cannot read <value> as ..." in reject and issue details,
    e.g. ``"a date (write it year first: 2023-01-05, ...)"``.
    """

    __slots__ = ("bad", "missing", "values", "why")

    def __init__(self, values: pd.Series, missing: np.ndarray, bad: np.ndarray, why: str) -> None:
        self.values, self.missing, self.bad, self.why = values, missing, bad, why


# ---------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------
def text_of(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The text of every cell of any column, and a mask of cells that have none.

    Returns a "str" Series (surrounding spaces trimmed, an empty cell missing) and a
    boolean mask of *unreadable* cells: bytes that are not UTF-8, and values that are
    not text, numbers, booleans or dates (lists, dicts, ...). Integral floats lose
    their ``.0`` (``2.0`` -> ``"2"``, also inside mixed object columns, so that an id
    written ``2`` and ``2.0`` is one id); floats beyond 2**53 keep their float form.

    Examples
    --------
    >>> t, bad = text_of(pd.Series([2.0, " a ", None, b"\\xff", 1e20], dtype=object))
    >>> t.tolist(), bad.tolist()
    (['2', 'a', nan, nan, '1e+20'], [False, False, False, True, False])
    """
    n = len(s)
    bad = np.zeros(n, dtype=bool)
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object)
        dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        out = s.astype("str").where(s.notna())
    elif pd.api.types.is_float_dtype(dtype):
        out = _float_text(s.to_numpy(dtype=float, na_value=np.nan))
    elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        out = s.astype("str").where(s.notna())
    elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        out = s.astype("str")
    else:
        out, bad = _object_text(s.to_numpy(dtype=object))
    return _trimmed(out.reset_index(drop=True).astype("str")), bad


#: Bytes a cell may not start or end with for its column to skip trimming: ASCII white
#: space, and any non-ASCII byte (it might belong to an ideographic space).
_TRIM_BYTE = np.zeros(256, dtype=bool)
_TRIM_BYTE[np.frombuffer(b" \t\n\r\x0b\x0c", dtype=np.uint8)] = True
_TRIM_BYTE[0x80:] = True


def _trimmed(text: pd.Series) -> pd.Series:
    """Surrounding white space removed and empty text missing -- copying only if needed.

    Most columns (ids, ISO dates, numbers) have neither, which the first and last byte
    of every cell tell without a copy; a cell starting or ending with a non-ASCII byte
    might be an ideographic space, so its column is trimmed to be sure.
    """
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if n == 0 or arr.offset or arr.buffers()[2] is None:
        out = text.str.strip()
        return out.where(out != "")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    length = np.diff(offsets)
    full = np.flatnonzero(length > 0)
    first, last = data[offsets[full]], data[offsets[full + 1] - 1]
    if _TRIM_BYTE[first].any() or _TRIM_BYTE[last].any():
        out = text.str.strip()
        return out.where(out != "")
    empty = length == 0  # empty text, or a missing cell (which has no bytes either)
    if empty.any() and arr.null_count < int(empty.sum()):
        return text.where(~empty)
    return text


def _float_text(vals: np.ndarray) -> pd.Series:
    """Floats as text: integral ones (within 2**53) without ``.0``; NaN missing (Arrow casts)."""
    vals = np.asarray(vals, dtype=float)
    finite = np.isfinite(vals)
    whole = finite & (np.abs(vals) < _MAX_EXACT)
    whole[whole] = np.mod(vals[whole], 1) == 0
    as_int = pa.array(np.where(whole, vals, 0).astype(np.int64)).cast(pa.large_string())
    as_float = pa.array(vals, from_pandas=True).cast(pa.large_string())
    text = pc.if_else(pa.array(whole), as_int, as_float)
    return pd.Series(pd.arrays.ArrowStringArray(text)).astype("str")


def _object_text(vals: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Text of an object column holding any mix of Python / numpy values."""
    n = len(vals)
    bad = np.zeros(n, dtype=bool)
    kind = pd.api.types.infer_dtype(vals, skipna=True)
    if kind in ("string", "empty"):
        return pd.Series(vals, dtype="str"), bad
    # classify by type once per distinct type (a handful), not once per cell
    codes, uniques = pd.factorize(np.fromiter(map(type, vals), dtype=object, count=n))
    out = np.full(n, None, dtype=object)
    missing = pd.isna(vals)
    for i, t in enumerate(uniques):
        sel = (codes == i) & ~missing
        if not sel.any():
            continue
        if issubclass(t, str):
            out[sel] = vals[sel]
        elif issubclass(t, (bool, np.bool_)):
            out[sel] = np.where(vals[sel].astype(bool), "True", "False")
        elif issubclass(t, (float, np.floating)):
            out[sel] = _float_text(vals[sel].astype(float)).to_numpy(dtype=object)
        elif issubclass(t, (bytes, bytearray, memoryview)):
            text, undecodable = _decode_utf8(vals[sel])
            out[sel] = text
            bad[np.flatnonzero(sel)[undecodable]] = True
        elif issubclass(
            t, (numbers.Number, decimal.Decimal, _dt.date, _dt.time, pd.Timestamp, np.generic)
        ):
            out[sel] = pd.Series(vals[sel], dtype=object).astype(str).to_numpy(dtype=object)
        else:  # dicts, lists, sets, arbitrary objects: not a cell value
            bad |= sel
    return pd.Series(out, dtype="str"), bad


def _decode_utf8(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 text of byte strings; ``(text, undecodable mask)``."""
    arr = pa.array([bytes(v) for v in vals], type=pa.large_binary())
    try:
        text = pc.cast(arr, pa.large_string()).to_numpy(zero_copy_only=False)
        return np.asarray(text, dtype=object), np.zeros(len(vals), dtype=bool)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    # some cell is not UTF-8: find which (only on this failure path)
    out = np.full(len(vals), None, dtype=object)
    undecodable = np.zeros(len(vals), dtype=bool)
    for i, v in enumerate(vals):
        try:
            out[i] = bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            undecodable[i] = True
    return out, undecodable


# ---------------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------------
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (since 1970-01-01) of civil dates, and a mask of valid (y, m, d).

    Integer arithmetic only (the proleptic Gregorian calendar, days counted from
    1 March of year 0), so that millions of dates cost a few whole-array operations.
    """
    y = np.asarray(y, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    d = np.asarray(d, dtype=np.int64)
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    ok &= d <= _MONTH_DAYS[np.clip(m, 0, 12)] + ((m == 2) & leap)
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468, ok


def _number(digits: np.ndarray, positions: list[int]) -> np.ndarray:
    """The number written at ``positions`` of a (width, rows) block of digit values."""
    value = digits[positions[0]].astype(np.int64)
    for p in positions[1:]:
        value = value * 10 + digits[p]
    return value


#: Shapes read straight from the bytes: (length, month digit positions, day digit
#: positions, with a time of day). The year is always the first four digits and the
#: separators (``-``, ``/`` or ``.``, the same twice) follow the year and the month.
_SHAPES: tuple[tuple[int, list[int], list[int], bool], ...] = (
    (10, [5, 6], [8, 9], False),  # 2023-01-05
    (19, [5, 6], [8, 9], True),  # 2023-01-05 10:30:00, 2023-01-05T10:30:00
    (8, [5], [7], False),  # 2023-1-5
    (9, [5], [7, 8], False),  # 2023-1-15
    (9, [5, 6], [8], False),  # 2023-10-5
)
_SEPS = np.frombuffer(b"-/.", dtype=np.uint8)


def _shaped(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Fast path for the common year-first shapes of :data:`_SHAPES`, with no regex.

    Reads the digits straight from the Arrow buffers. Returns ``(microseconds, done)``:
    ``done`` marks the cells of one of those shapes, valid or not; an invalid one (such
    as ``2023-02-30``) gets the sentinel ``int64 min`` in ``microseconds``.
    """
    n = len(arr)
    us = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    valid_date = np.zeros(n, dtype=bool)
    if n == 0:
        return us, done
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    if arr.offset:
        arr = pa.concat_arrays([arr])  # a fresh array with offset 0
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    length = np.diff(offsets)
    todo = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    for width, m_pos, d_pos, timed in _SHAPES:
        rows = np.flatnonzero(todo & (length == width))
        if len(rows) == 0:
            continue
        # one gather of the rows' bytes, position by position (contiguous columns); a
        # digit is byte - 48, and every other byte wraps above 9 in uint8
        st = offsets[rows]
        cols = np.empty((width, len(rows)), dtype=np.uint8)
        for p in range(width):
            np.take(data, st + p, out=cols[p])
        digits = cols - np.uint8(48)
        s2 = m_pos[-1] + 1
        shape = np.isin(cols[4], _SEPS) & (cols[4] == cols[s2])
        for c in (0, 1, 2, 3, *m_pos, *d_pos):
            shape &= digits[c] <= 9
        t = np.zeros(len(rows), dtype=np.int64)
        if timed:
            shape &= ((cols[10] == ord(" ")) | (cols[10] == ord("T"))) & (cols[13] == ord(":"))
            shape &= cols[16] == ord(":")
            for c in (11, 12, 14, 15, 17, 18):
                shape &= digits[c] <= 9
            hh, mi, ss = (_number(digits, c) for c in ([11, 12], [14, 15], [17, 18]))
            good_t = (hh < 24) & (mi < 60) & (ss < 60)
            t = np.where(good_t, ((hh * 60 + mi) * 60 + ss) * _US, -1)
        y, m, d = (_number(digits, c) for c in ([0, 1, 2, 3], m_pos, d_pos))
        day, ok = _days_from_civil(y, m, d)
        rows, day, ok, t = rows[shape], day[shape], ok[shape], t[shape]
        ok &= t >= 0
        done[rows] = True
        todo[rows] = False
        valid_date[rows] = ok
        us[rows] = day * _DAY_US + np.maximum(t, 0)
    us[done & ~valid_date] = np.iinfo(np.int64).min  # a sentinel: shaped right, not a date
    return us, done


def _regex_dates(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Every accepted form, by one regular expression. Returns ``(microseconds, ok)``."""
    n = len(arr)
    t = pc.replace_substring_regex(arr, r"\s*[年月]\s*", "-")
    t = pc.replace_substring_regex(t, r"\s*日", "")
    m = pc.extract_regex(t, _DATE_RE)
    matched = np.asarray(m.is_valid().to_numpy(zero_copy_only=False), dtype=bool)

    def field(name: str) -> np.ndarray:
        f = pc.struct_field(m, name)
        f = pc.if_else(pc.equal(pc.utf8_length(f), 0), pa.scalar("0"), f)
        return np.asarray(
            pc.cast(f.fill_null("0"), pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64
        )

    if not matched.any():
        return np.zeros(n, dtype=np.int64), matched
    y = field("y")
    m8 = field("m8")
    compact = m8 > 0
    mo = np.where(compact, m8, field("m"))
    d = np.where(compact, field("d8"), field("d"))
    hh, mi, ss = field("H"), field("M"), field("S")
    frac_txt = pc.struct_field(m, "f").fill_null("")
    frac_txt = pc.utf8_rpad(pc.utf8_slice_codeunits(frac_txt, 0, 6), 6, "0")
    frac = np.asarray(pc.cast(frac_txt, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    day, ok = _days_from_civil(y, mo, d)
    ok &= matched & (hh < 24) & (mi < 60) & (ss < 60)
    us = day * _DAY_US + ((hh * 60 + mi) * 60 + ss) * _US + frac
    return us, ok


def parse_dates(text: pd.Series, *, open_ended_after: bool = False) -> Parsed:
    """Read a text column as dates (``datetime64[us]``), year first, as people write them.

    Parameters
    ----------
    text : Series
        Output of :func:`text_of` (trimmed, empty = missing).
    open_ended_after : bool, default False
        A date after ``LATEST_DATE`` (e.g. ``9999-12-31``) is read as empty instead of
        unreadable -- for ``expires_at``, where such dates mean "never".

    Examples
    --------
    >>> p = parse_dates(pd.Series(["2023-01-05", "2023年1月5日", "20230105", "2023/1/5 10:30",
    ...                            "05/01/2023", "now", "2023-02-30", None], dtype="str"))
    >>> [str(v)[:16] for v in p.values], p.bad.tolist()  # doctest: +NORMALIZE_WHITESPACE
    (['2023-01-05 00:00', '2023-01-05 00:00', '2023-01-05 00:00', '2023-01-05 10:30',
      'NaT', 'NaT', 'NaT', 'NaT'], [False, False, False, False, True, True, True, False])
    """
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    us, done = _shaped(arr)
    rest = np.flatnonzero(~done & ~missing)
    if len(rest):
        # 2023年1月5日: the same shapes once 年 and 月 are separators and 日 is dropped
        sub = arr.take(pa.array(rest))
        zh = pc.replace_substring(pc.replace_substring(sub, "年", "-"), "月", "-")
        z_us, z_done = _shaped(pc.replace_substring(zh, "日", ""))
        us[rest], done[rest] = z_us, z_done
        rest = rest[~z_done]
    ok = done & (us != np.iinfo(np.int64).min)
    if len(rest):  # every other accepted form: one regular expression
        r_us, r_ok = _regex_dates(arr.take(pa.array(rest)))
        us[rest] = r_us
        ok[rest] = r_ok
    day = np.floor_divide(us, _DAY_US)
    late = ok & (day > _MAX_DAY)
    ok &= (day >= _MIN_DAY) & (day <= _MAX_DAY)
    bad = ~missing & ~ok
    if open_ended_after:
        bad &= ~late
    vals = np.where(ok, us, np.iinfo(np.int64).min).view("datetime64[us]")
    return Parsed(pd.Series(vals), missing, bad, f"a date (year first: {DATE_FORMS})")


def _typed_dates(s: pd.Series, *, open_ended_after: bool) -> Parsed:
    """A column that already holds datetimes: local wall time, range-checked."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    vals = s.to_numpy(dtype="datetime64[us]")
    missing = np.isnat(vals)
    day = vals.astype("datetime64[D]").astype(np.int64)
    late = ~missing & (day > _MAX_DAY)
    ok = ~missing & (day >= _MIN_DAY) & (day <= _MAX_DAY)
    bad = ~missing & ~ok
    if open_ended_after:
        bad &= ~late
    vals = np.where(ok, vals, np.datetime64("NaT"))
    return Parsed(
        pd.Series(vals), missing, bad, f"a date between {EARLIEST_DATE} and {LATEST_DATE}"
    )


# ---------------------------------------------------------------------------------
# numbers and booleans
# ---------------------------------------------------------------------------------
def parse_numbers(s: pd.Series, text: pd.Series | None = None, *, whole: bool = False) -> Parsed:
    """Read a column as finite numbers (``float64``; ``Int64`` when ``whole``).

    Text is read in plain decimal or scientific notation (``1200``, ``-3.5``,
    ``1e5``); thousands separators and currency signs (``1,200``, ``¥300``) are
    unreadable rather than guessed. Infinite and NaN values are unreadable, and so
    are numbers beyond ``LARGEST_AMOUNT`` (1e15); with ``whole``, fractions and
    numbers outside ``[0, OLDEST_AGE]`` (ages).

    Examples
    --------
    >>> p = parse_numbers(pd.Series(["1200", " -3.5", "1,200", "inf", None], dtype="str"))
    >>> p.values.tolist(), p.bad.tolist()
    ([1200.0, -3.5, nan, nan, nan], [False, False, True, True, False])
    """
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        missing = np.asarray(s.isna().to_numpy(), dtype=bool)
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~missing & ~np.isfinite(arr)
    else:
        if text is None:
            text, unreadable = text_of(s)
        else:
            unreadable = np.zeros(len(s), dtype=bool)
        t = pa.array(text, type=pa.large_string(), from_pandas=True)
        missing = np.asarray(t.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        shaped = pc.fill_null(pc.match_substring_regex(t, _NUMBER_RE), False)
        arr = np.asarray(
            pc.cast(
                pc.if_else(shaped, t, pa.scalar(None, pa.large_string())), pa.float64()
            ).to_numpy(zero_copy_only=False),
            dtype=float,
        )
        arr = np.where(np.isnan(arr), np.nan, arr)
        bad = (~missing & ~np.isfinite(arr)) | (unreadable & ~missing)
        missing &= ~unreadable
    why = f"a number up to {LARGEST_AMOUNT:.0e} (plain digits, e.g. 120000 or 1.5e5)"
    if whole:
        fin = np.isfinite(arr)
        frac = np.zeros(len(arr), dtype=bool)
        frac[fin] = (np.mod(arr[fin], 1) != 0) | (arr[fin] < 0) | (arr[fin] > OLDEST_AGE)
        bad |= frac
        clean = np.where(bad | missing, np.nan, arr)
        why = f"a whole number in [0, {OLDEST_AGE}]"
        return Parsed(pd.Series(clean).astype("Int64"), missing, bad, why)
    with np.errstate(invalid="ignore"):
        bad |= ~missing & (np.abs(arr) > LARGEST_AMOUNT)
    clean = np.where(bad | missing, np.nan, arr)
    return Parsed(pd.Series(clean, dtype="float64"), missing, bad, why)


def parse_bools(s: pd.Series, text: pd.Series | None = None) -> Parsed:
    """Read a column as booleans: true/false, yes/no, y/n, t/f, 1/0, 是/否, 真/假, 对/错.

    An empty cell is missing (the caller decides its default).

    Examples
    --------
    >>> p = parse_bools(pd.Series(["是", "No", "1", "maybe", None], dtype="str"))
    >>> p.values.tolist(), p.missing.tolist(), p.bad.tolist()
    ([True, False, True, False, False], [False, False, False, False, True], \
[False, False, False, True, False])
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        missing = np.asarray(s.isna().to_numpy(), dtype=bool)
        vals = np.asarray(s.fillna(False).to_numpy(dtype=bool), dtype=bool)
        return Parsed(pd.Series(vals), missing, np.zeros(len(s), dtype=bool), "true/false")
    if text is None:
        text, unreadable = text_of(s)
    else:
        unreadable = np.zeros(len(s), dtype=bool)
    t = pc.utf8_lower(pa.array(text, type=pa.large_string(), from_pandas=True))
    missing = np.asarray(t.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    is_t = np.asarray(
        pc.fill_null(pc.is_in(t, pa.array(_TRUE, pa.large_string())), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    is_f = np.asarray(
        pc.fill_null(pc.is_in(t, pa.array(_FALSE, pa.large_string())), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    bad = (~missing & ~is_t & ~is_f) | unreadable
    return Parsed(pd.Series(is_t), missing & ~unreadable, bad, "true/false (是/否, yes/no, 1/0)")


# ---------------------------------------------------------------------------------
# one column, and one value
# ---------------------------------------------------------------------------------
def parse_column(s: pd.Series, kind: str, *, open_ended_after: bool = False) -> Parsed:
    """Parse one input column as its canonical ``kind`` (str, date, float, int, bool).

    Examples
    --------
    >>> parse_column(pd.Series([" x ", ""]), "str").values.tolist()
    ['x', nan]
    """
    if kind == "str":
        text, bad = text_of(s)
        missing = np.asarray(text.isna().to_numpy(), dtype=bool) & ~bad
        return Parsed(text, missing, bad, "text (UTF-8)")
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            return _typed_dates(s, open_ended_after=open_ended_after)
        text, bad = text_of(s)
        p = parse_dates(text, open_ended_after=open_ended_after)
        p.bad |= bad
        p.missing &= ~bad
        return p
    if kind in ("float", "int"):
        return parse_numbers(s, whole=kind == "int")
    if kind == "bool":
        return parse_bools(s)
    raise AssertionError(kind)


def parse_date_value(value: Any) -> pd.Timestamp | None:
    """One date given as an argument (``as_of``, ``--as-of``): a Timestamp, or ``None``.

    Accepts dates and datetimes (a time zone is dropped: local time as written),
    numpy datetimes, and text or an integer in the forms of :func:`parse_dates`
    (``20230105`` is 5 January 2023). Returns ``None`` when ``value`` is none of
    these or lies outside the supported years.

    Examples
    --------
    >>> parse_date_value("2023年1月5日"), parse_date_value(20230105)
    (Timestamp('2023-01-05 00:00:00'), Timestamp('2023-01-05 00:00:00'))
    >>> parse_date_value("now") is None, parse_date_value(True) is None
    (True, True)
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (_dt.date, np.datetime64, pd.Timestamp)):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, OverflowError):
            return None
        if pd.isna(ts):
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        s: pd.Series = pd.Series([ts.to_datetime64()]).astype("datetime64[us]")
        p = _typed_dates(s, open_ended_after=False)
    elif isinstance(value, (str, int, np.integer)):
        text, _ = text_of(pd.Series([value], dtype=object))
        p = parse_dates(text)
    else:
        return None
    if p.bad[0] or p.missing[0]:
        return None
    return pd.Timestamp(p.values.iloc[0])
