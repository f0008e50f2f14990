"""Headline figures of a book, as shown at the top of the report (docs/report.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from famgraph.graph import CustomerGraph
from famgraph.i18n import check_language, money, text
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
    summary: pd.DataFrame | None = None,
    currency: str = "CNY",
    language: str = "en",
) -> pd.DataFrame:
    """The report's headline KPIs, each with its definition, in English or Chinese.

    Parameters
    ----------
    g : CustomerGraph
    households : pandas.DataFrame
        ``fg.households(g)``.
    viral : pandas.DataFrame, optional
        ``fg.viral_coefficient(g)``; without it the K-factor is NaN.
    window_days : int, default 365
        The window ``viral`` was computed with (for :func:`latest_k_factor`).
    summary : pandas.DataFrame, optional
        ``fg.household_summary(g)``; with it the money KPIs are added.
    currency : str, default "CNY"
        Currency of the money KPIs' display text.
    language : {"en", "zh"}, default "en"
        Language of ``label``, ``display`` and ``definition``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, label, value, display, definition``, one row per KPI:
        ``people, customers, households, penetration, family_conversion,
        referral_share, k_factor`` and, with ``summary``, ``protection_gap`` (the
        total) and ``households_short``.

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
    * K-factor: :func:`latest_k_factor` of ``viral``;
    * protection gap: the sum of ``protection_gap`` over households -- the money
      gap of earners with a known income; earners whose income is unknown are not
      in it (the definition says how many households have one);
    * households short: households with ``protection_gap > 0``.

    Cost O(V + E).

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.datasets.sample()
    >>> k = headline_kpis(g, households=fg.households(g), summary=fg.household_summary(g))
    >>> k.set_index("kpi").loc[["people", "customers", "households"], "value"].tolist()
    [15.0, 11.0, 9.0]
    >>> k.set_index("kpi").loc[["protection_gap", "households_short"], "display"].tolist()
    ['CNY 4.42M', '5']
    """
    check_language("headline_kpis", language)

    def t(key: str, **kw: Any) -> str:
        return text(key, language, **kw)

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
        Kpi("people", t("kpi.people"), float(n), f"{n:,}", t("kpi.people.def")),
        Kpi("customers", t("kpi.customers"), float(n_cust), f"{n_cust:,}", t("kpi.customers.def")),
        Kpi("households", t("kpi.households"), float(n_hh), f"{n_hh:,}", t("kpi.households.def")),
        Kpi(
            "penetration",
            t("kpi.penetration"),
            _ratio(n_cust, n),
            _pct(_ratio(n_cust, n)),
            t("kpi.penetration.def"),
        ),
        Kpi(
            "family_conversion",
            t("kpi.family_conversion"),
            fam_conv,
            _pct(fam_conv),
            t("kpi.family_conversion.def"),
        ),
        Kpi(
            "referral_share",
            t("kpi.referral_share"),
            ref_share,
            _pct(ref_share),
            t("kpi.referral_share.def"),
        ),
        Kpi(
            "k_factor",
            t("kpi.k_factor") + (t("kpi.k_factor.cohort", cohort=cohort) if cohort else ""),
            k,
            "–" if not np.isfinite(k) else f"{k:.2f}",
            t("kpi.k_factor.def", days=f"{window_days:,}"),
        ),
    ]
    if summary is not None:
        gap = summary["protection_gap"].to_numpy(dtype=float, na_value=0.0)
        short = int((gap > 0).sum())
        unknown = _households_with_unknown_income(g, households)
        total = float(gap.sum())
        rows += [
            Kpi(
                "protection_gap",
                t("kpi.protection_gap"),
                total,
                money(total, currency, language),
                t("kpi.protection_gap.def", unknown=f"{unknown:,}"),
            ),
            Kpi(
                "households_short",
                t("kpi.households_short"),
                float(short),
                f"{short:,}",
                t("kpi.households_short.def", households=f"{len(gap):,}"),
            ),
        ]
    return pd.DataFrame([r.__dict__ for r in rows], columns=list(KPI_COLUMNS))


def _households_with_unknown_income(g: CustomerGraph, households: pd.DataFrame) -> int:
    """Households with at least one earner whose annual income is unknown."""
    pos = g.idx(households["person_id"])
    inc = g.people["annual_income"].to_numpy(dtype=float, na_value=np.nan)[pos]
    earner = (households["role"] == "earner").to_numpy(dtype=bool)
    return int(households["household_id"][earner & np.isnan(inc)].nunique())
