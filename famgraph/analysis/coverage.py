"""Household coverage: who lacks which cover, and how protected each household is.

docs/metrics.md section 4. A *coverage plan* says which product lines each role should
hold and in which order to buy them (priority 1 = buy first). Two analyses use it:

* :func:`coverage_gaps` -- one row per required (person, line) that is not covered;
* :func:`household_summary` -- per household: penetration, coverage ratio, the
  priority-weighted coverage score, the money protection gap and the top gap.

Everything works on integer codes (person index, role code, line code) with numpy;
no Python loop ever runs over persons or holdings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph._validation import Interval, check
from famgraph.analysis.households import check_minor_age, households
from famgraph.analysis.plan import DEFAULT_PLAN, resolve_plan, validate_plan
from famgraph.graph import CustomerGraph
from famgraph.rules import (
    CI_MULTIPLE,
    LIFE_MULTIPLE,
    MINOR_AGE,
    covering,
    priority_weight,
)
from famgraph.schema import COVERAGE_GAP_COLUMNS, HOUSEHOLD_SUMMARY_COLUMNS, ROLES

__all__ = ["DEFAULT_PLAN", "coverage_gaps", "gaps_frame", "household_summary", "validate_plan"]

_EARNER = ROLES.index("earner")
_N_ROLES = len(ROLES)

#: What ``life_multiple`` and ``ci_multiple`` must be.
MULTIPLE_RANGE = Interval(0, None)


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


def _base(g: CustomerGraph, minor_age: int) -> dict[str, Any]:
    """The plan-independent part of :func:`_core`, computed once per graph and minor_age."""
    return dict(g.memo(("coverage_base", minor_age), lambda: _compute_base(g, minor_age)))


def _compute_base(g: CustomerGraph, minor_age: int) -> dict[str, Any]:
    hh = households(g, minor_age=minor_age)
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


def _core(g: CustomerGraph, plan: pd.DataFrame | None, func: str, minor_age: int) -> _Core:
    check_minor_age(func, minor_age)
    n = g.n_people
    b = _base(g, int(minor_age))
    hh, role = b["hh"].copy(deep=False), b["role"]
    p = resolve_plan(plan, role, func)
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
def coverage_gaps(
    g: CustomerGraph, *, plan: pd.DataFrame | None = None, minor_age: int = MINOR_AGE
) -> pd.DataFrame:
    """Every required (person, line) of the coverage plan that is not covered.

    Parameters
    ----------
    g : CustomerGraph
    plan : pandas.DataFrame, optional
        ``role, line, priority``; default :data:`DEFAULT_PLAN`. Checked with
        :func:`validate_plan`. A given plan with rows for a role that no person in
        ``g`` has triggers one ``UserWarning`` (those rows require nothing).
    minor_age : int, default 18
        Households as :func:`famgraph.households` forms them with this ``minor_age``.

    Returns
    -------
    pandas.DataFrame
        ``household_id, person_id, role, line, priority, is_customer``, sorted by
        household_id, priority, person_id, line (string order). Prospects
        (``is_customer`` False) are included: their gaps are leads. dtypes:
        ``household_id``, ``role`` and ``line`` are ``category`` (the values present,
        sorted; a book's gaps repeat them millions of times), ``person_id`` ``str``,
        ``priority`` int64, ``is_customer`` bool.

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
    c = _core(g, plan, "coverage_gaps", minor_age)
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
    return gaps_frame(
        _categories(c.hh_code[person], c.hh_ids, vocab_sorted=True),
        _str_column(c.hh["person_id"], person),
        # a person whose role is outside ROLES requires nothing: never in here
        _categories(c.role[person], np.asarray(ROLES, dtype=object)),
        _categories(line, c.lines, vocab_sorted=True),
        c.prio_values[prio_code],
        g.is_customer[person],
        presorted=True,
    )


def _categories(codes: np.ndarray, vocab: Any, *, vocab_sorted: bool = False) -> pd.Categorical:
    """``vocab[codes]`` as a Categorical whose categories are the values present, sorted.

    No string is materialised per row: the codes are remapped onto the sorted
    present values (string order), which is what :func:`gaps_frame` gives any input.
    ``vocab_sorted`` says ``vocab`` is already in string order (no sort needed).
    """
    vocab = pd.Index(_str_array(vocab))
    present = np.flatnonzero(np.bincount(codes, minlength=len(vocab)))
    names = vocab[present]
    order = (
        np.arange(len(present))
        if vocab_sorted
        else np.argsort(names.to_numpy(dtype=object), kind="stable")
    )
    new_code = np.full(len(vocab), -1, dtype=np.int64)
    new_code[present[order]] = np.arange(len(present))
    cats = pd.Index(names[order], dtype="str")
    return pd.Categorical.from_codes(new_code[codes], categories=cats)


def _category(values: Any) -> pd.Categorical:
    """Text values as a Categorical of the values present, sorted (string order)."""
    if isinstance(values, pd.Categorical):
        return values
    codes, uniq = pd.Series(_str_array(values)).factorize()
    if len(codes) == 0:
        return pd.Categorical([], categories=pd.Index([], dtype="str"))
    return _categories(codes, uniq)


def gaps_frame(
    household_id: Any,
    person_id: Any,
    role: Any,
    line: Any,
    priority: Any,
    is_customer: Any,
    *,
    presorted: bool = False,
) -> pd.DataFrame:
    """The :func:`coverage_gaps` result from its columns: canonical names, dtypes and order.

    Shared by the in-memory engine (which produces its rows already in order:
    ``presorted=True``) and the Neo4j push-down (rows in any order: they are sorted
    here by household_id, priority, person_id, line in string order).

    Examples
    --------
    >>> gaps_frame(["H2", "H1"], ["B", "A"], ["child", "earner"], ["medical", "life"],
    ...            [2, 1], [True, False])
      household_id person_id    role     line  priority  is_customer
    0           H1         A  earner     life         1        False
    1           H2         B   child  medical         2         True
    """
    out = pd.DataFrame(
        {
            "household_id": pd.Series(_category(household_id)),
            "person_id": pd.Series(_str_array(person_id), dtype="str"),
            "role": pd.Series(_category(role)),
            "line": pd.Series(_category(line)),
            "priority": pd.Series(np.asarray(priority, dtype=np.int64), dtype="int64"),
            "is_customer": pd.Series(np.asarray(is_customer, dtype=bool), dtype="bool"),
        },
        columns=list(COVERAGE_GAP_COLUMNS),
    )
    if presorted:
        return out
    # categories are sorted, so sorting by them is sorting by the text
    order = ["household_id", "priority", "person_id", "line"]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


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
    minor_age: int = MINOR_AGE,
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
    minor_age : int, default 18
        Households as :func:`famgraph.households` forms them with this ``minor_age``.

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
    check("household_summary", "life_multiple", life_multiple, MULTIPLE_RANGE)
    check("household_summary", "ci_multiple", ci_multiple, MULTIPLE_RANGE)
    c = _core(g, plan, "household_summary", minor_age)
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
