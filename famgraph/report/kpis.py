"""Headline figures of a book, as shown at the top of the report (docs/report.md)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from famgraph.graph import CustomerGraph
from famgraph.rules import VIRAL_WINDOW_DAYS

__all__ = ["KPI_COLUMNS", "Kpi", "headline_kpis", "latest_k_factor"]

#: Columns of :func:`headline_kpis`.
KPI_COLUMNS: tuple[str, ...] = ("kpi", "label", "value", "display", "definition")


@dataclass(frozen=True)
class Kpi:
    """One headline figure: machine name, label, value, display text, definition."""

    kpi: str
    label: str
    value: float
    display: str
    definition: str


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x:.1%}"


def latest_k_factor(
    viral: pd.DataFrame, as_of: pd.Timestamp, *, window_days: int = VIRAL_WINDOW_DAYS
) -> tuple[str | None, float]:
    """The K-factor of the latest cohort whose referral window has closed.

    A cohort (a period label such as ``"2024Q1"``) is *complete* when its period's
    last day plus ``window_days`` is on or before ``as_of``: every member has had
    the full window to refer. Returns ``(cohort, k_factor)`` of the latest
    complete cohort; if no cohort is complete (or labels are not periods), the
    latest cohort; ``(None, nan)`` when there are no cohorts.

    Examples
    --------
    >>> v = pd.DataFrame({"cohort": ["2023Q4", "2024Q1", "2024Q4"],
    ...                   "k_factor": [0.2, 0.3, 0.05]})
    >>> latest_k_factor(v, pd.Timestamp("2025-05-10"))
    ('2024Q1', 0.3)
    """
    if viral.empty:
        return None, float("nan")
    labels = [str(c) for c in viral["cohort"]]
    k = viral["k_factor"].to_numpy(dtype=float, na_value=np.nan)
    try:  # one Period per cohort: O(cohorts)
        ends = pd.DatetimeIndex([pd.Period(c).end_time.normalize() for c in labels])
    except (ValueError, TypeError):
        return labels[-1], float(k[-1])
    complete = np.asarray(ends + pd.Timedelta(days=window_days) <= as_of)
    if complete.any():
        i = int(np.flatnonzero(complete)[-1])
        return labels[i], float(k[i])
    return labels[-1], float(k[-1])


def headline_kpis(
    g: CustomerGraph,
    *,
    households: pd.DataFrame,
    viral: pd.DataFrame | None = None,
    window_days: int = VIRAL_WINDOW_DAYS,
) -> pd.DataFrame:
    """The report's headline KPIs, each with its definition.

    Parameters
    ----------
    g : CustomerGraph
    households : pandas.DataFrame
        ``fg.households(g)``.
    viral : pandas.DataFrame, optional
        ``fg.viral_coefficient(g)``; without it the K-factor is NaN.
    window_days : int, default 365
        The window ``viral`` was computed with (for :func:`latest_k_factor`).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, label, value, display, definition``, one row per KPI:
        ``people, customers, households, penetration, family_conversion,
        referral_share, k_factor``.

    Notes
    -----
    Definitions (also in docs/report.md):

    * people: persons kept in ``g.people`` (customers and prospects);
    * customers: persons with ``is_customer``;
    * households: distinct ``household_id`` of :func:`famgraph.households`;
    * penetration: customers / people (= the book's customers per household
      member);
    * family conversion rate: among persons with at least one *family* relation to
      a customer, the share who are customers themselves;
    * referral share: customers who are the referee of a kept referral /
      customers;
    * K-factor: :func:`latest_k_factor` of ``viral``.

    Cost O(V + E).

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.datasets.sample()
    >>> k = headline_kpis(g, households=fg.households(g))
    >>> k.set_index("kpi").loc[["people", "customers", "households"], "value"].tolist()
    [15.0, 11.0, 9.0]
    """
    n = g.n_people
    cust = g.is_customer
    n_cust = int(cust.sum())
    n_hh = int(households["household_id"].nunique())

    fam = g.rel_is_family
    src, dst = g.rel_src[fam], g.rel_dst[fam]
    near_customer = np.zeros(n, dtype=bool)
    near_customer[src[cust[dst]]] = True
    near_customer[dst[cust[src]]] = True
    fam_conv = _ratio(int((near_customer & cust).sum()), int(near_customer.sum()))

    referred = g.referrer >= 0
    ref_share = _ratio(int((referred & cust).sum()), n_cust)

    cohort, k = (
        (None, float("nan"))
        if viral is None
        else latest_k_factor(viral, g.as_of, window_days=window_days)
    )
    rows = [
        Kpi(
            "people",
            "People",
            float(n),
            f"{n:,}",
            "Persons in the book: customers and prospects (known relatives).",
        ),
        Kpi(
            "customers",
            "Customers",
            float(n_cust),
            f"{n_cust:,}",
            "Persons with is_customer = true.",
        ),
        Kpi(
            "households",
            "Households",
            float(n_hh),
            f"{n_hh:,}",
            "Distinct household_id after household inference (docs/metrics.md, section 3).",
        ),
        Kpi(
            "penetration",
            "Penetration",
            _ratio(n_cust, n),
            _pct(_ratio(n_cust, n)),
            "Customers / people: the share of known household members who are customers.",
        ),
        Kpi(
            "family_conversion",
            "Family conversion rate",
            fam_conv,
            _pct(fam_conv),
            "Of the persons with at least one family relation to a customer, "
            "the share who are customers themselves.",
        ),
        Kpi(
            "referral_share",
            "Acquired by referral",
            ref_share,
            _pct(ref_share),
            "Customers who are the referee of a kept referral / customers.",
        ),
        Kpi(
            "k_factor",
            "K-factor" + (f" ({cohort})" if cohort else ""),
            k,
            "–" if not np.isfinite(k) else f"{k:.2f}",
            f"Converted referrals per new customer of the latest cohort whose "
            f"{window_days}-day referral window has closed (fg.viral_coefficient).",
        ),
    ]
    return pd.DataFrame([r.__dict__ for r in rows], columns=list(KPI_COLUMNS))
