"""Reading cells as their canonical kinds, as Spark column expressions.

The rules are those of :func:`famgraph.build` (METRICS.md sections 1-2): text is
stripped and an empty cell is missing; a cell that cannot be read as its column's
kind is ``bad_type``. Every function returns ``(value, missing, bad)`` columns and
never raises on a bad cell (ANSI mode included: only ``try_`` casts are used).
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse", "text"]

TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0", "是", "真")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0", "否", "假")

# Python's str.strip() whitespace: Unicode White_Space plus the separators \x1c-\x1f.
_EDGE_SPACE = r"(?U)^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$"
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
# time of day: 10:30, 10:30:15, 10:30:15.123456
_TIME = r"(?:[ T]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:[.,]([0-9]{1,9}))?)?)?"
#: Date forms people write (METRICS.md section 2): ISO and 2023/1/5, 2023.1.5 (with or
#: without a time of day), 20230105, 2023年1月5日.
_DATES = (
    r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})" + _TIME + "$",
    r"^([0-9]{4})([0-9]{2})([0-9]{2})" + _TIME + "$",
    r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日" + _TIME.replace("[ T]", "[ T]?") + "$",
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
    out: Column = F.lit(None).cast("timestamp_ntz")
    for pattern in reversed(_DATES):

        def g(i: int, pattern: str = pattern) -> Column:
            return F.regexp_extract(t, pattern, i)

        hour = F.when(g(4) != "", g(4)).otherwise(F.lit("0")).try_cast("int")
        minute = F.when(g(5) != "", g(5)).otherwise(F.lit("0")).try_cast("int")
        value = F.try_make_timestamp_ntz(
            g(1).try_cast("int"),
            g(2).try_cast("int"),
            g(3).try_cast("int"),
            hour,
            minute,
            _decimal_seconds(g(6), g(7)),
        )
        out = F.when(t.rlike(pattern), value).otherwise(out)
    return out


def parse(
    col: Column, dtype: T.DataType, kind: str, *, integral: bool = False
) -> tuple[Column, Column, Column]:
    """``(value, missing, bad)`` for one input column read as ``kind``.

    ``kind`` is one of ``str, date, float, int, bool`` (famgraph.schema). Values:
    text (stripped), ``timestamp_ntz``, ``double``, ``long``, ``boolean`` (an empty
    bool cell takes the default True).
    """
    no = F.lit(False)
    if kind == "str":
        t = text(col, dtype, integral=integral)
        return t, t.isNull(), no
    if kind == "date":
        if isinstance(dtype, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            v = col.cast("timestamp_ntz")
            return v, v.isNull(), no
        t = text(col, dtype, integral=integral)
        v = _date_from_text(t)
        return v, t.isNull(), t.isNotNull() & v.isNull()
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
            bad = bad | (finite & (d != F.floor(d)))
            return F.when(~bad & ~missing, d.try_cast("long")), missing, bad
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
