"""Household coverage: who lacks which cover, and how protected each household is.

METRICS.md section 4. A *coverage plan* says which product lines each role should
hold and in which order to buy them (priority 1 = buy first). Two analyses use it:

* :func:`coverage_gaps` -- one row per required (person, line) that is not covered;
* :func:`household_summary` -- per household: penetration, coverage ratio, the
  priority-weighted coverage score, the money protection gap and the top gap.

Everything works on integer codes (person index, role code, line code) with numpy;
no Python loop ever runs over persons or holdings.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph._validation import check_param
from famgraph.analysis.households import households
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.rules import CI_MULTIPLE, DEFAULT_PLAN_ROWS, LIFE_MULTIPLE, covering, priority_weight
from famgraph.schema import COVERAGE_GAP_COLUMNS, HOUSEHOLD_SUMMARY_COLUMNS, ROLES

__all__ = ["DEFAULT_PLAN", "coverage_gaps", "household_summary", "validate_plan"]

PLAN_COLUMNS: tuple[str, ...] = ("role", "line", "priority")


#: The default coverage plan (METRICS.md section 4): ``role, line, priority``,
#: after the family protection order -- protect the earner's income first.
DEFAULT_PLAN: pd.DataFrame = pd.DataFrame(
    {
        "role": pd.Series([r for r, _, _ in DEFAULT_PLAN_ROWS], dtype="str"),
        "line": pd.Series([ln for _, ln, _ in DEFAULT_PLAN_ROWS], dtype="str"),
        "priority": pd.Series([p for _, _, p in DEFAULT_PLAN_ROWS], dtype="int64"),
    }
)

_EARNER = ROLES.index("earner")
_N_ROLES = len(ROLES)


# ---------------------------------------------------------------------------------
# the plan
# ---------------------------------------------------------------------------------
def _is_whole(v: Any) -> bool:
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, numbers.Integral):
        return True
    if isinstance(v, numbers.Real):
        f = float(v)
        return bool(np.isfinite(f) and f == int(f))
    return False


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
    bad = [v for v in raw_prio if not _is_whole(v)]
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


def _resolve_plan(plan: pd.DataFrame | None, role_code: np.ndarray, func: str) -> pd.DataFrame:
    """The validated plan; warn once about roles of a given plan that nobody has."""
    if plan is None:
        return DEFAULT_PLAN.copy()
    p = validate_plan(plan)
    present = np.bincount(role_code[role_code >= 0], minlength=_N_ROLES) > 0
    absent = [r for r in dict.fromkeys(p["role"].tolist()) if not present[ROLES.index(r)]]
    if absent:
        warnings.warn(
            f"{func}: the coverage plan has rows for role(s) {', '.join(map(repr, absent))}, "
            "which no person in this book has; those rows require nothing here. Check "
            "the plan's role names, or drop those rows to silence this warning.",
            UserWarning,
            stacklevel=4,  # _resolve_plan <- _core <- the analysis <- caller
        )
    return p


# ---------------------------------------------------------------------------------
# the shared core: integer arrays
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Core:
    """Integer view of one coverage computation.

    Persons are rows ``0..n-1`` (people order); the plan's distinct lines are
    columns ``0..L-1`` (sorted). Roles are codes into ``ROLES`` plus one extra
    code ``5`` for a role outside the vocabulary (requires nothing).
    """

    n: int
    hh: pd.DataFrame  # fg.households(g), people order
    role: np.ndarray  # (n,) role code 0..5
    hh_code: np.ndarray  # (n,) rank of household_id among the sorted distinct ids
    hh_ids: pd.api.extensions.ExtensionArray  # sorted distinct household ids ("str")
    p_rank: np.ndarray  # (n,) rank of person_id in string order
    lines: np.ndarray  # (L,) sorted distinct plan lines (object)
    prio_values: np.ndarray  # (Q,) sorted distinct priorities
    need: np.ndarray  # (6, L) bool: the role requires the line
    prio: np.ndarray  # (6, L) priority code (index into prio_values); -1 = not required
    covered: np.ndarray  # (n, L) bool: the person holds running cover of the line
    active: np.ndarray  # (holdings,) bool: running at as_of
    hold_line: np.ndarray  # (holdings,) code into hold_lines
    hold_lines: np.ndarray  # distinct holding lines (object)


def _active_holdings(g: CustomerGraph) -> np.ndarray:
    """Mask over holdings: running cover at ``as_of`` (:func:`famgraph.rules.covering`)."""
    return covering(g.holdings["purchased_at"], g.holdings["expires_at"], g.as_of)


def _str_array(values: Any) -> pd.api.extensions.ExtensionArray:
    """``values`` (a pyarrow array, Series or sequence) as a pandas "str" array."""
    if isinstance(values, pd.Series):
        values = values.array
    return pd.array(values, dtype="str")


def _dict_codes(values: pd.Series) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
    """Dictionary-encode strings (one hash pass): per row a code, ``-1`` for missing,
    and the distinct values in order of first appearance ("str" array)."""
    arr = pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = arr.dictionary_encode()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, _str_array(enc.dictionary)


def _argsort_str(values: pd.api.extensions.ExtensionArray) -> np.ndarray:
    """Order of distinct non-null strings, in string (code point) order.

    Code point order is what Python's ``str`` comparison and pandas' ``sort_values``
    on "str" columns use, so results sort the same way as a user's own sort.
    """
    n = len(values)
    if n < 2 or pd.Index(values).is_monotonic_increasing:
        return np.arange(n, dtype=np.int64)
    width = int(pd.Series(values).str.len().max())
    if n * width * 4 <= 512 * 2**20:  # fixed-width unicode: sorted in C, no Python objects
        return np.asarray(np.argsort(values.to_numpy(dtype=f"U{width}")), dtype=np.int64)
    return np.asarray(np.argsort(values.to_numpy(dtype=object)), dtype=np.int64)


def _rank(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank


def _base(g: CustomerGraph) -> dict[str, Any]:
    """The plan-independent part of :func:`_core`, computed once per graph."""
    return dict(g.memo(("coverage_base",), lambda: _compute_base(g)))


def _compute_base(g: CustomerGraph) -> dict[str, Any]:
    hh = households(g)
    r_code, r_uniq = _dict_codes(hh["role"])
    role_map = np.append(pd.Index(list(ROLES)).get_indexer(pd.Index(r_uniq)), -1)
    # household and person order (string order of the ids; g.id_rank is person_id's)
    h_code, h_uniq = _dict_codes(hh["household_id"])
    h_order = _argsort_str(h_uniq)
    hh_ids = h_uniq if np.array_equal(h_order, np.arange(len(h_order))) else h_uniq.take(h_order)
    # (a holding of a person not in people can only come from unvalidated tables)
    hold_line, hold_lines = _dict_codes(g.holdings["line"])
    base = {
        "hh": hh,
        "role": role_map[r_code],  # -1: missing or not a known role
        "hh_code": _rank(h_order)[h_code],
        "hh_ids": hh_ids,
        "p_rank": g.id_rank,
        "active": _active_holdings(g) & (g.hold_person >= 0),
        "hold_line": hold_line,
        "hold_lines": hold_lines,
    }
    return base


def _core(g: CustomerGraph, plan: pd.DataFrame | None, func: str) -> _Core:
    n = g.n_people
    b = _base(g)
    hh, role = b["hh"].copy(deep=False), b["role"]
    p = _resolve_plan(plan, role, func)
    role = np.where(role >= 0, role, _N_ROLES)

    # the plan as (role x line) matrices
    lines = np.sort(np.asarray(p["line"].unique(), dtype=object))
    prio_values, p_prio = np.unique(p["priority"].to_numpy(dtype=np.int64), return_inverse=True)
    p_line = pd.Index(lines).get_indexer(p["line"].to_numpy(dtype=object))
    p_role = np.array([ROLES.index(r) for r in p["role"]], dtype=np.int64)  # plan rows only
    need = np.zeros((_N_ROLES + 1, len(lines)), dtype=bool)
    need[p_role, p_line] = True
    prio = np.full((_N_ROLES + 1, len(lines)), -1, dtype=np.int64)
    prio[p_role, p_line] = p_prio

    hh_code, hh_ids, p_rank = b["hh_code"], b["hh_ids"], b["p_rank"]

    # running cover per (person, plan line)
    active, hold_line, hold_lines = b["active"], b["hold_line"], b["hold_lines"]
    plan_col = np.append(pd.Index(lines).get_indexer(pd.Index(hold_lines)), -1)
    col = plan_col[hold_line]
    use = active & (col >= 0)
    covered = np.zeros((n, len(lines)), dtype=bool)
    covered[g.hold_person[use], col[use]] = True
    return _Core(
        n=n,
        hh=hh,
        role=role,
        hh_code=hh_code,
        hh_ids=hh_ids,
        p_rank=p_rank,
        lines=lines,
        prio_values=prio_values,
        need=need,
        prio=prio,
        covered=covered,
        active=active,
        hold_line=hold_line,
        hold_lines=hold_lines.to_numpy(dtype=object),
    )


def _str_column(values: Any, idx: np.ndarray) -> pd.Series:
    """``values[idx]`` as a "str" Series with a RangeIndex; ``-1`` in ``idx`` gives NaN."""
    arr = _str_array(values)
    return pd.Series(arr.take(idx, allow_fill=True), dtype="str")


# ---------------------------------------------------------------------------------
# public analyses
# ---------------------------------------------------------------------------------
def coverage_gaps(g: CustomerGraph, *, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every required (person, line) of the coverage plan that is not covered.

    Parameters
    ----------
    g : CustomerGraph
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`DEFAULT_PLAN`. Checked with
        :func:`validate_plan`. A given plan with rows for a role that no person in
        ``g`` has triggers one ``UserWarning`` (those rows require nothing).

    Returns
    -------
    pandas.DataFrame
        ``household_id, person_id, role, line, priority, is_customer``, sorted by
        household_id, priority, person_id, line (string order). Prospects
        (``is_customer`` False) are included: their gaps are leads.

    Notes
    -----
    A person is *covered* for a line when a holding of that line has
    ``purchased_at <= as_of`` and (``expires_at`` empty or ``expires_at > as_of``).
    Households and roles come from :func:`famgraph.households`; the plan's roles
    are matched case-insensitively and its lines after lower-casing and trimming.
    Cost O(V log V + V * L + H) for V persons, L distinct plan lines and H holdings:
    one sort of the person and household ids, then array passes over a dense
    (person x line) cover matrix (V * L bytes); the output order comes from a
    counting sort, not a comparison sort.

    Examples
    --------
    >>> import famgraph as fg
    >>> gaps = fg.coverage_gaps(fg.datasets.sample())
    >>> list(gaps.columns)
    ['household_id', 'person_id', 'role', 'line', 'priority', 'is_customer']
    >>> gaps[gaps.person_id == "P01"][["line", "priority"]].values.tolist()
    [['critical_illness', 2], ['accident', 3], ['pension', 3]]
    """
    c = _core(g, plan, "coverage_gaps")
    nh, n_prio = len(c.hh_ids), len(c.prio_values)
    # persons in (household_id, person_id) order; their open gaps as an (n, L) matrix
    people_order = np.argsort(c.hh_code * max(c.n, 1) + c.p_rank)
    role = c.role[people_order]
    open_ = c.need[role] & ~c.covered[people_order]
    prio = c.prio.astype(np.int16 if len(c.prio_values) < 2**15 else np.int64)[role]
    # one pass per priority: np.nonzero walks rows then columns, so each pass yields
    # its gaps in (household, person, line) order; a counting sort on household then
    # interleaves the passes into (household, priority, person, line) order
    parts = []
    done = np.zeros(nh, dtype=np.int64)  # rows already placed per household
    hh_sorted = c.hh_code[people_order]
    cnt = np.bincount(hh_sorted, weights=open_.sum(axis=1), minlength=nh).astype(np.int64)
    start = np.cumsum(cnt) - cnt
    for q in range(n_prio):
        rows, cols = np.nonzero(open_ & (prio == q))
        person = people_order[rows]
        h = c.hh_code[person]
        c_q = np.bincount(h, minlength=nh)
        first = np.cumsum(c_q) - c_q  # where each household begins in this pass
        dest = start[h] + done[h] + np.arange(len(h), dtype=np.int64) - first[h]
        parts.append((dest, person, cols, np.full(len(h), q, dtype=np.int64)))
        done += c_q
    total = int(cnt.sum())
    person = np.empty(total, dtype=np.int64)
    line = np.empty(total, dtype=np.int64)
    prio_code = np.empty(total, dtype=np.int64)
    for dest, pers, cols, qs in parts:
        person[dest], line[dest], prio_code[dest] = pers, cols, qs
    return pd.DataFrame(
        {
            "household_id": _str_column(c.hh_ids, c.hh_code[person]),
            "person_id": _str_column(c.hh["person_id"], person),
            # a person whose role is outside ROLES requires nothing: never in here
            "role": _str_column(np.asarray(ROLES, dtype=object), c.role[person]),
            "line": _str_column(c.lines, line),
            "priority": pd.Series(c.prio_values[prio_code], dtype="int64"),
            "is_customer": pd.Series(g.is_customer[person], dtype="bool"),
        },
        columns=list(COVERAGE_GAP_COLUMNS),
    )


def _money_gap(g: CustomerGraph, c: _Core, life_multiple: float, ci_multiple: float) -> np.ndarray:
    """Per person: life + critical-illness money gap (0 for anyone but earners with income)."""
    n = g.n_people
    income = g.people["annual_income"].to_numpy(dtype=float, na_value=np.nan)
    earner = (c.role == _EARNER) & (income > 0)
    sa = np.nan_to_num(g.holdings["sum_assured"].to_numpy(dtype=float, na_value=np.nan))
    out = np.zeros(n, dtype=float)
    for name, multiple in (("life", life_multiple), ("critical_illness", ci_multiple)):
        m = c.active & np.isin(c.hold_line, np.flatnonzero(c.hold_lines == name))
        existing = np.bincount(g.hold_person[m], weights=sa[m], minlength=n)
        need = float(multiple) * np.where(earner, income, 0.0)
        out += np.where(earner, np.maximum(0.0, need - existing), 0.0)
    return out


def household_summary(
    g: CustomerGraph,
    *,
    plan: pd.DataFrame | None = None,
    life_multiple: float = LIFE_MULTIPLE,
    ci_multiple: float = CI_MULTIPLE,
) -> pd.DataFrame:
    """Coverage and protection of every household, one row each.

    Parameters
    ----------
    g : CustomerGraph
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`DEFAULT_PLAN` (see
        :func:`coverage_gaps`).
    life_multiple : float, default 10
        Life cover needed per unit of an earner's annual income.
    ci_multiple : float, default 3
        Critical-illness cover needed per unit of an earner's annual income.

    Returns
    -------
    pandas.DataFrame
        Sorted by household_id, columns:

        - ``household_id``
        - ``members``, ``customers`` (int64); ``penetration`` = customers / members
        - ``required``, ``covered`` (int64): required (person, line) pairs of the
          plan and how many of them are covered
        - ``coverage_ratio`` = covered / required (NaN when required == 0)
        - ``coverage_score`` = sum over required pairs of ``max(1, 5 - priority)``
          * covered, divided by the sum of ``max(1, 5 - priority)`` (NaN when the
          household has no requirement)
        - ``protection_gap``: money gap of the household's earners (below)
        - ``top_gap_person``, ``top_gap_line``: the most urgent open gap -- lowest
          priority number; ties by role (earner, dependent, child, elder, unknown),
          then person_id, then line; missing when the household has no gap.

    Notes
    -----
    Money gap, per earner (role ``earner``) with ``annual_income > 0``, whatever
    the plan says: life need = ``life_multiple`` x income, critical-illness need =
    ``ci_multiple`` x income; existing = sum of ``sum_assured`` of that person's
    covering holdings of the line (missing = 0); gap = max(0, need - existing) per
    line; a household's ``protection_gap`` is the sum over its earners and both
    lines (0 when it has no such earner).

    Cost O(V log V + V * L + H), as :func:`coverage_gaps`.

    Examples
    --------
    >>> import famgraph as fg
    >>> s = fg.household_summary(fg.datasets.sample())
    >>> s.loc[s.household_id == "H:P01", ["members", "required", "covered"]].values.tolist()
    [[3, 16, 5]]
    >>> float(s.set_index("household_id").loc["H:P01", "protection_gap"])
    1360000.0
    """
    for name, v in (("life_multiple", life_multiple), ("ci_multiple", ci_multiple)):
        ok = (
            isinstance(v, numbers.Real)
            and not isinstance(v, bool)
            and bool(np.isfinite(float(v)) and float(v) >= 0)
        )
        check_param("household_summary", name, v, ok, "a number >= 0")
    c = _core(g, plan, "household_summary")
    hh_code, nh, n, nl = c.hh_code, len(c.hh_ids), c.n, max(len(c.lines), 1)
    need = c.need[c.role]  # (n, L)
    has = need & c.covered
    weight = np.where(c.prio >= 0, priority_weight(c.prio_values[np.maximum(c.prio, 0)]), 0)
    weight = weight[c.role]

    def per_household(values: np.ndarray) -> np.ndarray:
        return np.bincount(hh_code, weights=values, minlength=nh)

    members = np.bincount(hh_code, minlength=nh)
    customers = np.bincount(hh_code[g.is_customer], minlength=nh)
    required = np.bincount(hh_code, weights=need.sum(axis=1), minlength=nh).astype(np.int64)
    covered = np.bincount(hh_code, weights=has.sum(axis=1), minlength=nh).astype(np.int64)
    w_all = per_household((weight * need).sum(axis=1).astype(float))
    w_cov = per_household((weight * has).sum(axis=1).astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(required > 0, covered / np.maximum(required, 1), np.nan)
        score = np.where(w_all != 0, w_cov / np.where(w_all != 0, w_all, 1.0), np.nan)
    money = per_household(_money_gap(g, c, life_multiple, ci_multiple))

    # most urgent gap: per person the smallest (priority, line) among open gaps, then
    # per household the smallest packed (priority, role, person rank, line)
    big = np.iinfo(np.int64).max
    open_ = need & ~c.covered
    pl = np.where(open_, c.prio[c.role] * nl + np.arange(nl), big).min(axis=1, initial=big)
    who = np.flatnonzero(pl < big)
    q, ln = pl[who] // nl, pl[who] % nl
    key = ((q * (_N_ROLES + 1) + c.role[who]) * max(n, 1) + c.p_rank[who]) * nl + ln
    best = np.full(nh, big, dtype=np.int64)
    np.minimum.at(best, hh_code[who], key)
    has_gap = best < big
    b = best[has_gap]
    top_person = np.full(nh, -1, dtype=np.int64)
    top_person[has_gap] = _rank(c.p_rank)[(b // nl) % max(n, 1)]
    top_line = np.full(nh, -1, dtype=np.int64)
    top_line[has_gap] = b % nl

    return pd.DataFrame(
        {
            "household_id": pd.Series(c.hh_ids, dtype="str"),
            "members": pd.Series(members, dtype="int64"),
            "customers": pd.Series(customers, dtype="int64"),
            "penetration": pd.Series(customers / np.maximum(members, 1), dtype="float64"),
            "required": pd.Series(required, dtype="int64"),
            "covered": pd.Series(covered, dtype="int64"),
            "coverage_ratio": pd.Series(ratio, dtype="float64"),
            "coverage_score": pd.Series(score, dtype="float64"),
            "protection_gap": pd.Series(money, dtype="float64"),
            "top_gap_person": _str_column(c.hh["person_id"], top_person),
            "top_gap_line": _str_column(c.lines, top_line),
        },
        columns=list(HOUSEHOLD_SUMMARY_COLUMNS),
    )
