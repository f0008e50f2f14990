"""Reading cells as their canonical kinds, as Spark column expressions.

The rules are those of :func:`famgraph.build` (docs/metrics.md sections 1-2): text is
stripped and an empty cell is missing; a cell that cannot be read as its column's
kind is ``bad_type``. Every function returns ``(value, missing, bad)`` columns and
never raises on a bad cell (ANSI mode included: only ``try_`` casts are used).
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph.ingest.parse import DATE_FORMS
from famgraph.rules import EARLIEST_DATE, LARGEST_AMOUNT, LATEST_DATE, OLDEST_AGE

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse", "text", "why"]

TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0", "是", "真", "对")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0", "否", "假", "错")

# Python's str.strip() whitespace: Unicode White_Space plus the separators \x1c-\x1f.
_EDGE_SPACE = r"(?U)^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$"
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
#: Date forms people write (docs/metrics.md section 2), once 年 and 月 are turned into "-" and
#: 日 dropped: 2023-01-05, 2023/1/5, 2023.1.5 or 20230105, optionally with a time of
#: day and a time-zone suffix (dropped: the wall time as written is kept).
_DATE = (
    r"^([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|([0-9]{2})([0-9]{2}))"
    r"(?:(?:[Tt]|\s+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?"
    r"\s*(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?|UTC|GMT)?$"
)

_FLOATS = (T.FloatType, T.DoubleType)
_INTEGERS = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)


def text(col: Column, dtype: T.DataType, *, integral: bool = False) -> Column:
    """The text form of any cell, stripped; an empty text is missing (null).

    Numbers print as the in-memory engine prints them where it matters for ids:
    a float column whose values are all whole (``integral``) loses its ``.0``;
    booleans print ``True`` / ``False``.
    """
    if isinstance(dtype, T.StringType):
        s = F.regexp_replace(col, _EDGE_SPACE, "")
        return F.when(s != F.lit(""), s)
    if isinstance(dtype, T.BooleanType):
        return F.when(col, F.lit("True")).when(~col, F.lit("False"))
    if isinstance(dtype, _FLOATS):
        ok = col.isNotNull() & ~F.isnan(col)
        shown = col.try_cast("long").cast("string") if integral else col.cast("string")
        return F.when(ok, shown)
    if isinstance(dtype, T.DecimalType):
        return col.cast("string")
    return col.cast("string")


def _decimal_seconds(sec: Column, frac: Column) -> Column:
    """Seconds with up to six decimals, as the decimal ``make_timestamp`` wants."""
    digits = F.rpad(F.substring(frac, 1, 6), 6, "0")
    whole = F.coalesce(F.when(sec != "", sec), F.lit("0"))
    txt = F.concat(whole, F.lit("."), F.when(frac != "", digits).otherwise(F.lit("000000")))
    return txt.try_cast(T.DecimalType(8, 6))


def _date_from_text(t: Column) -> Column:
    t = F.regexp_replace(F.regexp_replace(t, "[年月]", "-"), "日", "")

    def g(i: int) -> Column:
        return F.regexp_extract(t, _DATE, i)

    def num(i: int, j: int | None = None) -> Column:
        v = g(i) if j is None else F.when(g(i) != "", g(i)).otherwise(g(j))
        return v.try_cast("int")

    hour = F.when(g(6) != "", g(6)).otherwise(F.lit("0")).try_cast("int")
    minute = F.when(g(7) != "", g(7)).otherwise(F.lit("0")).try_cast("int")
    value = F.try_make_timestamp_ntz(
        num(1), num(2, 4), num(3, 5), hour, minute, _decimal_seconds(g(8), g(9))
    )
    return F.when(t.rlike(_DATE), value)


def _in_range(v: Column, *, open_ended_after: bool) -> tuple[Column, Column]:
    """``(value, late)``: dates outside EARLIEST_DATE..LATEST_DATE become null; ``late``
    marks the ones after LATEST_DATE (open-ended when ``open_ended_after``)."""
    day = F.to_date(v)
    late = day > F.lit(LATEST_DATE).cast("date")
    ok = (day >= F.lit(EARLIEST_DATE).cast("date")) & ~late
    return F.when(ok, v), F.coalesce(late, F.lit(False)) if open_ended_after else F.lit(False)


def why(kind: str, dtype: T.DataType) -> str:
    """What a cell of ``kind`` should be: ends "cannot read <value> as ..." details."""
    if kind == "date":
        if isinstance(dtype, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            return f"a date between {EARLIEST_DATE} and {LATEST_DATE}"
        return f"a date (year first: {DATE_FORMS})"
    if kind == "float":
        return f"a number up to {LARGEST_AMOUNT:.0e} (plain digits, e.g. 120000 or 1.5e5)"
    if kind == "int":
        return f"a whole number in [0, {OLDEST_AGE}]"
    if kind == "bool":
        return "true/false (是/否, yes/no, 1/0)"
    return "text (UTF-8)"


def parse(
    col: Column,
    dtype: T.DataType,
    kind: str,
    *,
    integral: bool = False,
    open_ended_after: bool = False,
) -> tuple[Column, Column, Column]:
    """``(value, missing, bad)`` for one input column read as ``kind``.

    ``kind`` is one of ``str, date, float, int, bool`` (famgraph.schema). Values:
    text (stripped), ``timestamp_ntz``, ``double``, ``long``, ``boolean`` (an empty
    bool cell takes the default True). Dates outside 1800-2199 are bad -- or, with
    ``open_ended_after`` (``expires_at``), missing when later; numbers beyond
    ``LARGEST_AMOUNT`` are bad, whole numbers outside ``[0, OLDEST_AGE]`` too.
    """
    no = F.lit(False)
    if kind == "str":
        t = text(col, dtype, integral=integral)
        return t, t.isNull(), no
    if kind == "date":
        if isinstance(dtype, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            v = col.cast("timestamp_ntz")
            value, late = _in_range(v, open_ended_after=open_ended_after)
            return value, v.isNull(), v.isNotNull() & value.isNull() & ~late
        t = text(col, dtype, integral=integral)
        v = _date_from_text(t)
        value, late = _in_range(v, open_ended_after=open_ended_after)
        return value, t.isNull(), t.isNotNull() & value.isNull() & ~late
    if kind in ("float", "int"):
        if isinstance(dtype, T.BooleanType):
            # a true/false column is no number (the in-memory engine rejects it too)
            return F.lit(None).cast("double"), col.isNull(), col.isNotNull()
        if isinstance(dtype, (*_FLOATS, *_INTEGERS, T.DecimalType)):
            d = col.cast("double")
            missing = d.isNull() | F.isnan(d)
            finite = ~missing & (F.abs(d) != F.lit(float("inf")))
        else:
            t = text(col, dtype, integral=integral)
            d = F.when(t.rlike(_NUMBER), t.try_cast("double"))
            missing = t.isNull()
            finite = d.isNotNull() & ~F.isnan(d) & (F.abs(d) != F.lit(float("inf")))
        bad = ~missing & ~finite
        if kind == "int":
            out = (d != F.floor(d)) | (d < 0) | (d > OLDEST_AGE)
            bad = bad | (finite & out)
            return F.when(~bad & ~missing, d.try_cast("long")), missing, bad
        bad = bad | (finite & (F.abs(d) > LARGEST_AMOUNT))
        return F.when(~bad & ~missing, d), missing, bad
    if kind == "bool":
        if isinstance(dtype, T.BooleanType):
            return F.coalesce(col, F.lit(True)), col.isNull(), no
        t = F.lower(text(col, dtype, integral=integral))
        missing = t.isNull()
        is_t = t.isin(*TRUE_WORDS)
        is_f = t.isin(*FALSE_WORDS)
        bad = ~missing & ~is_t & ~is_f
        return (missing | is_t), missing, bad
    raise AssertionError(kind)
