"""Coverage plans: which product lines each role should hold, and in which order.

A *coverage plan* is a table ``role, line, priority`` (1 = buy first). The default,
:data:`DEFAULT_PLAN`, follows the family protection order (docs/metrics.md, section
4): life for the breadwinners first, then critical illness and health, then accident
and pension, savings last. Every engine checks a given plan with
:func:`validate_plan` and warns about rows for roles nobody has with
:func:`warn_absent_roles`.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from famgraph._validation import is_whole
from famgraph.errors import DataError
from famgraph.rules import DEFAULT_PLAN_ROWS
from famgraph.schema import ROLES

__all__ = [
    "DEFAULT_PLAN",
    "PLAN_COLUMNS",
    "plan_rows",
    "resolve_plan",
    "validate_plan",
    "warn_absent_roles",
]

PLAN_COLUMNS: tuple[str, ...] = ("role", "line", "priority")


#: The default coverage plan (docs/metrics.md section 4): ``role, line, priority``,
#: after the family protection order -- protect the earner's income first.
DEFAULT_PLAN: pd.DataFrame = pd.DataFrame(
    {
        "role": pd.Series([r for r, _, _ in DEFAULT_PLAN_ROWS], dtype="str"),
        "line": pd.Series([ln for _, ln, _ in DEFAULT_PLAN_ROWS], dtype="str"),
        "priority": pd.Series([p for _, _, p in DEFAULT_PLAN_ROWS], dtype="int64"),
    }
)

_N_ROLES = len(ROLES)


def validate_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """Check a coverage plan and return it normalised.

    Parameters
    ----------
    plan : pandas.DataFrame
        Columns ``role, line, priority`` (other columns are ignored). ``role`` must
        be one of ``earner, dependent, child, elder, unknown`` (case and surrounding
        spaces ignored); ``line`` is any product line, matched against holdings
        after lower-casing and trimming; ``priority`` is a whole number, 1 = buy
        first. Each ``(role, line)`` may appear once.

    Returns
    -------
    pandas.DataFrame
        A new frame with exactly ``role`` (str), ``line`` (str) and ``priority``
        (int64), in the input order, with a RangeIndex.

    Raises
    ------
    DataError
        Not a DataFrame, a missing column, an empty cell, an unknown role, a
        priority that is not a whole number, or a repeated ``(role, line)``; the
        message names the offending values and says how to fix them.

    Notes
    -----
    Cost O(rows of the plan). The plan is small; this runs once per analysis call.

    Examples
    --------
    >>> import pandas as pd
    >>> import famgraph as fg
    >>> validate_plan(pd.DataFrame({"role": [" Earner"], "line": ["LIFE "], "priority": [1.0]}))
         role  line  priority
    0  earner  life         1
    >>> validate_plan(pd.DataFrame({"role": ["boss"], "line": ["life"], "priority": [1]}))
    Traceback (most recent call last):
    ...
    famgraph.errors.DataError: The coverage plan names an unknown role 'boss'; ...
    """
    if not isinstance(plan, pd.DataFrame):
        raise DataError(
            "The coverage plan must be a pandas DataFrame with columns role, line, "
            f"priority; got {type(plan).__name__}. Start from a copy of fg.DEFAULT_PLAN.",
            table="plan",
        )
    missing = [c for c in PLAN_COLUMNS if c not in plan.columns]
    if missing:
        raise DataError(
            f"The coverage plan has no column {', '.join(map(repr, missing))}; it needs "
            "columns role, line, priority (see fg.DEFAULT_PLAN).",
            table="plan",
            column=missing[0],
        )
    for col in PLAN_COLUMNS:
        empty = plan[col].isna().to_numpy()
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise DataError(
                f"The coverage plan has an empty `{col}` in row {row}; every row needs "
                "a role, a line and a priority.",
                table="plan",
                column=col,
                row=row,
            )
    role = pd.Series(plan["role"].to_numpy(dtype=object), dtype="str").str.strip().str.lower()
    unknown = sorted(set(role[~role.isin(ROLES)].tolist()))
    if unknown:
        raise DataError(
            f"The coverage plan names an unknown role {', '.join(map(repr, unknown))}; "
            f"valid roles are {', '.join(ROLES)}. Rename or drop those rows.",
            table="plan",
            column="role",
        )
    line = pd.Series(plan["line"].to_numpy(dtype=object), dtype="str").str.strip().str.lower()
    blank = (line == "").to_numpy()
    if blank.any():
        row = int(np.flatnonzero(blank)[0])
        raise DataError(
            f"The coverage plan has a blank `line` in row {row}; give a product line "
            "such as 'life' or 'medical'.",
            table="plan",
            column="line",
            row=row,
        )
    raw_prio = plan["priority"].tolist()  # the plan is small: a handful of rows
    bad = [v for v in raw_prio if not is_whole(v)]
    if bad:
        shown = ", ".join(repr(v) for v in bad[:5])
        raise DataError(
            f"The coverage plan's `priority` must be whole numbers (1 = buy first); "
            f"got {shown}. Use integers such as 1, 2, 3, 4.",
            table="plan",
            column="priority",
        )
    priority = pd.Series([int(v) for v in raw_prio], dtype="int64")
    out = pd.DataFrame({"role": role, "line": line, "priority": priority})
    dup = out.duplicated(["role", "line"], keep=False).to_numpy()
    if dup.any():
        pairs = sorted({f"({r}, {ln})" for r, ln in zip(role[dup], line[dup], strict=True)})
        raise DataError(
            f"The coverage plan lists {', '.join(pairs)} more than once (after "
            "lower-casing and trimming); keep one row per role and line.",
            table="plan",
        )
    return out


def plan_rows(plan: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The (validated) plan as a list of ``{role, line, priority}`` maps, e.g. for Cypher.

    Examples
    --------
    >>> plan_rows(None)[0]
    {'role': 'earner', 'line': 'life', 'priority': 1}
    """
    p = DEFAULT_PLAN if plan is None else validate_plan(plan)
    return [
        {"role": str(r), "line": str(ln), "priority": int(q)}
        for r, ln, q in zip(p["role"], p["line"], p["priority"], strict=True)
    ]


def warn_absent_roles(
    plan: pd.DataFrame, present: Collection[str], func: str, *, stacklevel: int = 2
) -> None:
    """Warn once when a given plan has rows for roles no person has (docs/metrics.md, 4).

    Those rows require nothing, which is usually a typo in the plan's role names.
    Shared by the in-memory and the Neo4j engines.
    """
    absent = [r for r in dict.fromkeys(plan["role"].tolist()) if r not in present]
    if absent:
        warnings.warn(
            f"{func}: the coverage plan has rows for role(s) {', '.join(map(repr, absent))}, "
            "which no person in this book has; those rows require nothing here. Check "
            "the plan's role names, or drop those rows to silence this warning.",
            UserWarning,
            stacklevel=stacklevel + 1,
        )


def resolve_plan(plan: pd.DataFrame | None, role_code: np.ndarray, func: str) -> pd.DataFrame:
    """The validated plan; warn once about roles of a given plan that nobody has."""
    if plan is None:
        return DEFAULT_PLAN.copy()
    p = validate_plan(plan)
    seen = np.bincount(role_code[role_code >= 0], minlength=_N_ROLES) > 0
    # _resolve_plan <- _core <- the analysis <- caller
    warn_absent_roles(p, {r for r, s in zip(ROLES, seen, strict=True) if s}, func, stacklevel=4)
    return p
