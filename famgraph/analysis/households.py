"""Households, families, ages and roles (docs/metrics.md section 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from famgraph._arrays import component_min_id, components, take_ids
from famgraph._validation import Whole, check
from famgraph.graph import CustomerGraph
from famgraph.rules import ELDER_AGE, MINOR_AGE
from famgraph.schema import HOUSEHOLDS_COLUMNS

__all__ = ["ages", "check_minor_age", "households", "roles"]


def ages(g: CustomerGraph) -> pd.Series:
    """Whole years from ``birth_date`` to ``g.as_of`` (else the ``age`` column); Int64.

    A birth date after ``as_of`` gives an unknown age.
    """
    b = g.people["birth_date"]
    at = g.as_of
    yrs = at.year - b.dt.year
    before_birthday = (b.dt.month > at.month) | ((b.dt.month == at.month) & (b.dt.day > at.day))
    from_birth = (yrs - before_birthday.astype("Int64")).astype("Int64")
    age = from_birth.where(b.notna(), g.people["age"].astype("Int64"))
    return age.where(~(age < 0)).astype("Int64")


def roles(g: CustomerGraph, age: pd.Series | None = None) -> pd.Series:
    """Role of every person at ``as_of``: the ``role`` column, else inferred from age and income."""
    age = ages(g) if age is None else age
    a = age.to_numpy(dtype=float, na_value=np.nan)
    inc = g.people["annual_income"].to_numpy(dtype=float, na_value=np.nan)
    inferred = np.select(
        [np.isnan(a), a < MINOR_AGE, a >= ELDER_AGE, inc == 0],
        ["unknown", "child", "elder", "dependent"],
        default="earner",
    )
    override = g.people["role"]
    return pd.Series(
        np.where(override.notna().to_numpy(), override.to_numpy(dtype=object), inferred),
        dtype="str",
        name="role",
    )


#: What ``minor_age`` must be.
MINOR_AGE_RANGE = Whole(0, 150, unit="years", integral_only=True)


def check_minor_age(func: str, minor_age: int) -> None:
    """Raise the uniform error unless ``minor_age`` is a whole number of years in [0, 150]."""
    check(func, "minor_age", minor_age, MINOR_AGE_RANGE)


def households(g: CustomerGraph, *, minor_age: int = MINOR_AGE) -> pd.DataFrame:
    """Household, family, role and age of every person.

    Parameters
    ----------
    g : CustomerGraph
    minor_age : int, default 18
        A parent->child edge joins the child's household only while the child is
        younger than this (persons without a ``household_id``).

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order: ``person_id, household_id, family_id,
        role, age``.

    Notes
    -----
    ``household_id`` is the given one where present; persons without one are
    grouped by connected components over spouse edges and parent->minor-child
    edges among persons without one, each group named ``"H:" + min(person_id)``.
    ``family_id`` is ``"F:" + min(person_id)`` over all family edges. Roles:
    ``child`` < 18, ``elder`` >= 65, ``dependent`` 18-64 with income 0, ``earner``
    18-64 otherwise, ``unknown`` without an age; the ``role`` column overrides.
    Cost O(V + E) (scipy connected components).

    Examples
    --------
    >>> import famgraph as fg
    >>> h = fg.households(fg.datasets.sample())
    >>> list(h.columns)
    ['person_id', 'household_id', 'family_id', 'role', 'age']
    >>> bool(h.household_id.notna().all())
    True
    """
    check_minor_age("households", minor_age)
    return g.memo(("households", int(minor_age)), lambda: _households(g, int(minor_age)))


def _households(g: CustomerGraph, minor_age: int) -> pd.DataFrame:
    n = g.n_people
    age = ages(g)
    role = roles(g, age)
    ids = g.people["person_id"]
    fam = g.rel_is_family
    fsrc, fdst = g.rel_src[fam], g.rel_dst[fam]
    rank = g.id_rank
    family = "F:" + component_min_id(components(n, fsrc, fdst), ids, rank)

    kind = g.relations["relation"].to_numpy(dtype=object)[fam]
    a = age.to_numpy(dtype=float, na_value=np.nan)
    is_minor_child = (kind == "child") & (a[fdst] < minor_age)
    hh_edge = (kind == "spouse") | is_minor_child
    given = g.people["household_id"]
    no_hh = given.isna().to_numpy()
    keep = hh_edge & no_hh[fsrc] & no_hh[fdst]
    labels = components(n, fsrc[keep], fdst[keep])
    # ranks within the subset keep string order, so the subset's own minimum is found
    derived = "H:" + component_min_id(labels[no_hh], ids[no_hh], rank[no_hh])
    # given ids where present, derived ones elsewhere: one Arrow take, no Python objects
    pick = np.arange(n, dtype=np.int64)
    pick[no_hh] = n + np.arange(int(no_hh.sum()), dtype=np.int64)
    hh = take_ids(pd.concat([given, derived], ignore_index=True), pick)
    out = pd.DataFrame(
        {
            "person_id": ids.reset_index(drop=True),
            "household_id": hh,
            "family_id": family,
            "role": role,
            "age": age.reset_index(drop=True),
        },
        columns=list(HOUSEHOLDS_COLUMNS),
    )
    return out
