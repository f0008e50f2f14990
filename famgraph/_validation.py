"""Argument checking for every public function: declarative constraints, one message shape.

A constraint says what a parameter must be; :func:`check` raises the uniform
:class:`ValueError` when it is not::

    The `decay` parameter of `referral_value` must be in (0, 1]; got 1.5.

Booleans are never numbers here (``True`` is refused wherever a number is asked
for), numpy scalars count as the Python numbers they hold, and every numeric
constraint refuses NaN and infinity unless it says otherwise. The constraints are
small frozen dataclasses in the spirit of scikit-learn's ``Interval`` and
``StrOptions``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Constraint",
    "Count",
    "Interval",
    "Options",
    "Whole",
    "check",
    "check_date",
    "check_param",
    "is_real",
    "is_whole",
]


def is_real(x: object) -> bool:
    """A real number that is not a bool (numpy scalars included).

    Examples
    --------
    >>> is_real(1.5), is_real(True), is_real("1")
    (True, False, False)
    """
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"


def is_whole(x: object) -> bool:
    """An integer that is not a bool, or a finite float with no fraction (``2.0``).

    Examples
    --------
    >>> is_whole(3), is_whole(3.0), is_whole(3.5), is_whole(True)
    (True, True, False, False)
    """
    if not is_real(x):
        return False
    if isinstance(x, numbers.Integral):
        return True
    f = float(x)  # type: ignore[arg-type]
    return math.isfinite(f) and f == int(f)


class Constraint:
    """What a parameter must be: ``ok(value)`` and a description for the message."""

    description: str

    def ok(self, value: Any) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class Interval(Constraint):
    """A finite real number (not a bool) between ``lo`` and ``hi``.

    ``closed`` says which ends belong to the interval: ``"both"``, ``"left"``,
    ``"right"`` or ``"neither"``. ``None`` leaves an end open-ended.

    Examples
    --------
    >>> Interval(0, 1, closed="right").description
    'in (0, 1]'
    >>> Interval(0, None).description
    'a finite number >= 0'
    >>> Interval(0, 1, closed="right").ok(1), Interval(0, 1, closed="right").ok(0)
    (True, False)
    """

    lo: float | None = None
    hi: float | None = None
    closed: str = "both"

    def ok(self, value: Any) -> bool:
        if not is_real(value):
            return False
        v = float(value)
        if not math.isfinite(v):
            return False
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.lo is not None and (v < self.lo or (v == self.lo and not lo_in)):
            return False
        return not (self.hi is not None and (v > self.hi or (v == self.hi and not hi_in)))

    @property
    def description(self) -> str:  # type: ignore[override]
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.lo is not None and self.hi is not None:
            return (
                f"in {'[' if lo_in else '('}{_num(self.lo)}, {_num(self.hi)}{']' if hi_in else ')'}"
            )
        if self.lo is not None:
            return f"a finite number {'>=' if lo_in else '>'} {_num(self.lo)}"
        if self.hi is not None:
            return f"a finite number {'<=' if hi_in else '<'} {_num(self.hi)}"
        return "a finite number"


@dataclass(frozen=True)
class Whole(Constraint):
    """A whole number (an int, or a float without fraction; never a bool) in ``[lo, hi]``.

    With ``integral_only=True`` floats such as ``2.0`` are refused too.

    Examples
    --------
    >>> Whole(1).description, Whole(0, 150, unit="years").description
    ('a whole number >= 1', 'a whole number of years in [0, 150]')
    >>> Whole(1).ok(2), Whole(1).ok(0), Whole(1).ok(True), Whole(1, integral_only=True).ok(2.0)
    (True, False, False, False)
    """

    lo: int | None = None
    hi: int | None = None
    unit: str | None = None
    integral_only: bool = False

    def ok(self, value: Any) -> bool:
        if self.integral_only and not (is_real(value) and isinstance(value, numbers.Integral)):
            return False
        if not is_whole(value):
            return False
        v = int(value)
        return (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi)

    @property
    def description(self) -> str:  # type: ignore[override]
        what = "a whole number" + (f" of {self.unit}" if self.unit else "")
        if self.lo is not None and self.hi is not None:
            return f"{what} in [{self.lo}, {self.hi}]"
        if self.lo is not None:
            return f"{what} >= {self.lo}"
        if self.hi is not None:
            return f"{what} <= {self.hi}"
        return what


#: A count of things: a whole number >= 1 that is a real integer (``2.0`` refused).
Count = Whole(1, integral_only=True)


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of values (strings, usually).

    Examples
    --------
    >>> Options(("en", "zh")).description
    "one of 'en', 'zh'"
    """

    values: Collection[Any] = ()

    def ok(self, value: Any) -> bool:
        try:
            return value in self.values and not isinstance(value, bool)
        except TypeError:  # unhashable
            return False

    @property
    def description(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(repr(v) for v in self.values)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check(
    func: str, name: str, value: Any, constraint: Constraint, *, none_ok: bool = False
) -> Any:
    """Return ``value`` when it meets ``constraint``; else raise the uniform error.

    Parameters
    ----------
    func, name : str
        The public function and its parameter, for the message.
    value : object
    constraint : Constraint
    none_ok : bool, default False
        Also accept ``None`` (the message then says "or None").

    Raises
    ------
    ValueError
        "The `name` parameter of `func` must be <description>; got <value>."

    Examples
    --------
    >>> check("referral_value", "decay", 0.5, Interval(0, 1, closed="right"))
    0.5
    >>> check("referral_value", "decay", 1.5, Interval(0, 1, closed="right"))
    Traceback (most recent call last):
    ...
    ValueError: The `decay` parameter of `referral_value` must be in (0, 1]; got 1.5.
    """
    if none_ok and value is None:
        return value
    if not constraint.ok(value):
        expect = constraint.description + (" or None" if none_ok else "")
        raise ValueError(f"The `{name}` parameter of `{func}` must be {expect}; got {value!r}.")
    return value


def check_date(func: str, name: str, value: Any) -> Any:
    """``value`` as a timezone-free ``pandas.Timestamp``, or the uniform error.

    Accepts dates, datetimes, Timestamps and date text; refuses numbers (a bare
    ``20230105`` is not read as nanoseconds since 1970), booleans, unreadable text and
    the wall-clock words ``now`` / ``today`` (a result must not depend on when it is
    computed). A time-zone offset is dropped, keeping the time as written -- as
    :func:`famgraph.build` does with dates in the data.

    Examples
    --------
    >>> check_date("at", "date", "2024-12-31").date().isoformat()
    '2024-12-31'
    >>> check_date("at", "date", "2024-12-31T08:00:00+08:00").isoformat()
    '2024-12-31T08:00:00'
    >>> check_date("at", "date", "today")
    Traceback (most recent call last):
    ...
    ValueError: The `date` parameter of `at` must be a date such as '2024-12-31'; got 'today'.
    """
    import numpy as np
    import pandas as pd

    at: Any
    try:
        at = pd.Timestamp(value)
    except (TypeError, ValueError):
        at = pd.NaT
    wall_clock = isinstance(value, str) and value.strip().lower() in ("now", "today")
    if pd.isna(at) or wall_clock or isinstance(value, bool | int | float | np.number):
        raise ValueError(
            f"The `{name}` parameter of `{func}` must be a date such as '2024-12-31'; "
            f"got {value!r}."
        )
    return at.tz_localize(None) if at.tzinfo is not None else at


def check_param(func: str, name: str, value: Any, ok: bool, expect: str) -> None:
    """Raise the uniform argument error when ``ok`` is false (for one-off conditions).

    Examples
    --------
    >>> check_param("report", "currency", "", False, "a non-empty text")
    Traceback (most recent call last):
    ...
    ValueError: The `currency` parameter of `report` must be a non-empty text; got ''.
    """
    if not ok:
        raise ValueError(f"The `{name}` parameter of `{func}` must be {expect}; got {value!r}.")
