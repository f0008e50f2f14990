"""Future value of every customer: BG/NBD, Gamma-Gamma and CLV (docs/metrics.md section 10).

How often a customer will buy again, whether they are still a customer at all,
and what their next purchases will be worth, from nothing but their purchase
history:

* a *transaction* is a calendar day with at least one purchase (its value the sum
  of that day's ``amount``); per person ``x`` (repeat transactions), ``t_x`` (time
  of the last one) and ``T`` (time since the first one), in units of
  ``unit_days``, and ``m`` (mean value of the repeat transactions) --
  :func:`transaction_summary`;
* the BG/NBD model (Fader, Hardie & Lee 2005) for the number of future
  transactions and the probability of being alive, the Gamma-Gamma model for
  their value -- both fitted by maximum likelihood in :func:`fit_value_model`;
* the expected purchases, expected value and discounted customer lifetime value
  (CLV) of every person -- :func:`predict_value` -- whose ``clv`` column plugs
  into every ``value=`` parameter;
* how well the model predicts a holdout period -- :func:`calibration_table`.

The engine works on integer day numbers; persons with identical ``(x, t_x, T)``
share one likelihood term (weighted) and persons with identical ``(x, T)`` share
one hypergeometric evaluation, so a million customers fit and predict in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from famgraph._validation import Count, Interval, Whole, check, check_param
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.rules import (
    CALIBRATION_MAX_X,
    DAYS_PER_MONTH,
    DISCOUNT,
    HORIZON_MONTHS,
    MIN_GAMMA_GAMMA_BUYERS,
    UNIT_DAYS,
    bought,
)
from famgraph.schema import (
    CALIBRATION_COLUMNS,
    PREDICT_VALUE_COLUMNS,
    TRANSACTION_SUMMARY_COLUMNS,
)

__all__ = [
    "CALIBRATION_COLUMNS",
    "PREDICT_VALUE_COLUMNS",
    "TRANSACTION_SUMMARY_COLUMNS",
    "ValueModel",
    "calibration_table",
    "fit_value_model",
    "predict_value",
    "transaction_summary",
]

_DAY_US = 86_400 * 1_000_000
#: Log-parameters are searched in [-_LOG_BOUND, _LOG_BOUND] (after rescaling the data
#: to order 1), which keeps every intermediate finite.
_LOG_BOUND = 25.0
#: A fitted log-parameter beyond +-_RUNAWAY (a factor of about 3 million from the
#: rescaled data's order 1) means the likelihood grows without bound towards 0 or
#: infinity: the data do not pin that parameter down.
_RUNAWAY = 15.0
#: A fit is accepted when the optimiser reports success or the largest gradient
#: component of the mean log-likelihood (per log-parameter) is below this.
_GRAD_TOL = 1e-6
#: Around the removable singularities of N(t) (a = 1; a + b + x - 1 = 0) the closed form
#: is evaluated this far on both sides and interpolated linearly.
_SINGULAR_STEP = 1e-4


# ---------------------------------------------------------------------------------
# who a holding counts for, and the per-person transactions
def _buyer(g: CustomerGraph) -> np.ndarray:
    """Person index each holding counts for on the buyer side (value, frequency, CLV).

    The one place that says whose purchase a holding is; today the insured person.
    """
    return g.hold_person


def _day(ts: pd.Timestamp) -> int:
    """Day number (days since 1970-01-01) of the calendar day of ``ts``."""
    return int(ts.value // 1000) // _DAY_US


@dataclass(frozen=True)
class _Transactions:
    """Per-person transaction summary in whole days (arrays over all persons)."""

    n_tx: np.ndarray  # int64: transactions (distinct purchase days); 0 = none
    first: np.ndarray  # int64 day number of the first transaction (undefined when n_tx == 0)
    last: np.ndarray  # int64 day number of the last transaction
    m: np.ndarray  # float64 mean value of the repeat transactions (0 when none)
    as_of_day: int

    @property
    def has(self) -> np.ndarray:
        return self.n_tx > 0

    @property
    def x(self) -> np.ndarray:
        return np.maximum(self.n_tx - 1, 0)

    @property
    def tx_days(self) -> np.ndarray:
        return np.where(self.has, self.last - self.first, 0)

    @property
    def t_days(self) -> np.ndarray:
        return np.where(self.has, self.as_of_day - self.first, 0)


def _tx_days(g: CustomerGraph, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (person, day) transactions up to ``as_of`` with their values.

    Returns person index, day number and value of every transaction, sorted by
    person and then day.
    """
    at = g.holdings["purchased_at"]
    keep = bought(at, as_of)
    who = _buyer(g)[keep]
    keep_ok = who >= 0
    who = who[keep_ok]
    day = at.to_numpy(dtype="datetime64[us]")[keep][keep_ok].astype(np.int64) // _DAY_US
    amt = g.holdings["amount"].to_numpy(dtype=float, na_value=0.0)[keep][keep_ok]
    if len(who) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=float)
    d0 = int(day.min())
    span = int(day.max()) - d0 + 1
    key = who.astype(np.int64) * span + (day - d0)
    uk, _, inv, _ = _unique_keys(key)
    value = np.bincount(inv, weights=amt, minlength=len(uk))
    return uk // span, uk % span + d0, value


def _transactions(g: CustomerGraph, as_of: pd.Timestamp) -> _Transactions:
    """The transaction summary up to ``as_of``, computed once per graph (``g.memo``)."""
    return g.memo(("value_transactions", pd.Timestamp(as_of)), lambda: _summarise(g, as_of))


def _summarise(g: CustomerGraph, as_of: pd.Timestamp) -> _Transactions:
    n = g.n_people
    per, day, value = _tx_days(g, as_of)
    n_tx = np.bincount(per, minlength=n).astype(np.int64)
    first = np.zeros(n, dtype=np.int64)
    last = np.zeros(n, dtype=np.int64)
    m = np.zeros(n, dtype=float)
    if len(per):
        start = np.flatnonzero(np.r_[True, per[1:] != per[:-1]])
        end = np.r_[start[1:] - 1, len(per) - 1]
        first[per[start]] = day[start]
        last[per[start]] = day[end]
        repeat = np.ones(len(per), dtype=bool)
        repeat[start] = False
        rep_sum = np.bincount(per[repeat], weights=value[repeat], minlength=n)
        x = n_tx - 1
        np.divide(rep_sum, x, out=m, where=x > 0)
    for arr in (n_tx, first, last, m):
        arr.flags.writeable = False
    return _Transactions(n_tx, first, last, m, _day(as_of))


def transaction_summary(g: CustomerGraph, *, unit_days: float = UNIT_DAYS) -> pd.DataFrame:
    """Repeat transactions, their timing and their mean value, for every person.

    A *transaction* is a calendar day on which the person bought at least one
    holding with ``purchased_at <= g.as_of``; its value is the sum of the
    ``amount`` of those holdings (an empty amount counts 0).

    Parameters
    ----------
    g : CustomerGraph
    unit_days : float, default 7
        The time unit in days (7: weeks).

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order:

        - ``person_id``
        - ``x`` (Int64): repeat transactions, transactions - 1;
        - ``t_x`` (float64): (last - first transaction day) / ``unit_days``;
        - ``T`` (float64): (``as_of`` - first transaction day) / ``unit_days``;
        - ``m`` (float64): mean value of the repeat transactions (all but the
          first day); ``NaN`` when ``x == 0``.

        Persons without a transaction have every column but ``person_id`` empty.

    Notes
    -----
    Definitions in ``docs/value.md``. Cost O(H log H) for H holdings (one sort of
    the (person, day) pairs), then O(V).

    Examples
    --------
    >>> import famgraph as fg
    >>> s = transaction_summary(fg.datasets.sample(), unit_days=1)
    >>> s.iloc[0].to_dict()  # P01: four purchase days 2021-02-01 .. 2025-03-01, as_of 2025-05-10
    {'person_id': 'P01', 'x': 3, 't_x': 1489.0, 'T': 1559.0, 'm': 8300.0}
    >>> s.iloc[2].isna().tolist()  # P03 bought nothing
    [False, True, True, True, True]
    """
    check("transaction_summary", "unit_days", unit_days, Interval(0, None, closed="neither"))
    tr = _transactions(g, g.as_of)
    has = tr.has
    x = pd.array(tr.x, dtype="Int64")
    x[~has] = pd.NA
    u = float(unit_days)
    return pd.DataFrame(
        {
            "person_id": g.people["person_id"].reset_index(drop=True),
            "x": x,
            "t_x": np.where(has, tr.tx_days / u, np.nan),
            "T": np.where(has, tr.t_days / u, np.nan),
            "m": np.where(tr.x > 0, tr.m, np.nan),
        },
        columns=list(TRANSACTION_SUMMARY_COLUMNS),
    )


# ---------------------------------------------------------------------------------
# the fitted model
@dataclass(frozen=True)
class ValueModel:
    """A fitted BG/NBD + Gamma-Gamma model: what :func:`fit_value_model` returns.

    Attributes
    ----------
    r, alpha : float
        BG/NBD purchase rates: Gamma(shape ``r``, rate ``alpha``) across customers,
        in transactions per unit; the mean rate is ``r / alpha``.
    a, b : float
        BG/NBD drop-out: after each transaction a customer leaves with a
        probability drawn from Beta(``a``, ``b``); the mean is ``a / (a + b)``.
    p, q, v : float
        Gamma-Gamma transaction values: a transaction is Gamma(``p``, nu) with
        nu ~ Gamma(``q``, ``v``) across customers; the mean transaction value is
        ``v p / (q - 1)``.
    bgnbd_loglik, gg_loglik : float
        Maximised log-likelihoods (summed over the persons fitted; time in units,
        money in the book's currency).
    n_persons : int
        Persons with a transaction: those the BG/NBD model was fitted on.
    n_repeat : int
        Persons with at least one repeat transaction (``x >= 1``).
    n_gamma_gamma : int
        Repeat buyers with ``m > 0``: those the Gamma-Gamma model was fitted on.
    unit_days : float
        The time unit in days (7: weeks).
    as_of : pandas.Timestamp
        The end of the period the model was fitted on (the book's ``as_of``).
    bgnbd_iterations, gg_iterations : int
        Optimiser iterations.
    bgnbd_converged, gg_converged : bool
        Whether each optimiser converged. Always true for a model returned by
        :func:`fit_value_model`, which raises :class:`~famgraph.DataError` otherwise;
        kept so a stored model says so.
    """

    r: float
    alpha: float
    a: float
    b: float
    p: float
    q: float
    v: float
    bgnbd_loglik: float
    gg_loglik: float
    n_persons: int
    n_repeat: int
    n_gamma_gamma: int
    unit_days: float
    as_of: pd.Timestamp
    bgnbd_iterations: int = 0
    gg_iterations: int = 0
    bgnbd_converged: bool = True
    gg_converged: bool = True

    def __post_init__(self) -> None:
        # a model can also be made from stored parameters: check them once, here
        for name in ("r", "alpha", "a", "b", "p", "v", "unit_days"):
            check("ValueModel", name, getattr(self, name), Interval(0, None, closed="neither"))
        check("ValueModel", "q", self.q, Interval(1, None, closed="neither"))
        object.__setattr__(self, "as_of", pd.Timestamp(self.as_of))

    @property
    def mean_value(self) -> float:
        """Expected value of a transaction of a customer we know nothing about: v p / (q - 1)."""
        return self.v * self.p / (self.q - 1.0)

    def summary(self) -> pd.DataFrame:
        """The fitted parameters and what they say about the customer base.

        Returns
        -------
        pandas.DataFrame
            Columns ``model, parameter, estimate, meaning``: the seven parameters,
            then the implied mean purchase rate per unit, mean drop-out probability
            after a purchase, mean transaction value, and the log-likelihoods.

        Examples
        --------
        >>> m = ValueModel(0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.45, -9582.4,
        ...                -4000.0, 2357, 946, 946, 7, pd.Timestamp("1997-09-30"))
        >>> round(float(m.summary().set_index("parameter").loc["mean dropout", "estimate"]), 3)
        0.246
        """
        u = f"{self.unit_days:g} days"
        rows: list[tuple[str, str, float, str]] = [
            ("BG/NBD", "r", self.r, "shape of the purchase rates across customers"),
            ("BG/NBD", "alpha", self.alpha, f"rate (scale) of the purchase rates, in units of {u}"),
            ("BG/NBD", "a", self.a, "drop-out: Beta shape a"),
            ("BG/NBD", "b", self.b, "drop-out: Beta shape b"),
            ("Gamma-Gamma", "p", self.p, "shape of a customer's transaction values"),
            ("Gamma-Gamma", "q", self.q, "shape of the value scale across customers"),
            ("Gamma-Gamma", "v", self.v, "scale of the value scale across customers"),
            ("BG/NBD", "mean rate", self.r / self.alpha, f"purchases per {u} while alive"),
            (
                "BG/NBD",
                "mean dropout",
                self.a / (self.a + self.b),
                "probability of leaving after a purchase",
            ),
            ("Gamma-Gamma", "mean value", self.mean_value, "value of a transaction, on average"),
            (
                "BG/NBD",
                "log-likelihood",
                self.bgnbd_loglik,
                f"{self.n_persons:,} persons, {self.bgnbd_iterations} iterations",
            ),
            (
                "Gamma-Gamma",
                "log-likelihood",
                self.gg_loglik,
                f"{self.n_gamma_gamma:,} repeat buyers, {self.gg_iterations} iterations",
            ),
        ]
        return pd.DataFrame(rows, columns=["model", "parameter", "estimate", "meaning"])

    # -- the closed forms, for any (hypothetical) customers --------------------------
    def p_alive(self, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """Probability that customers with history ``(x, t_x, T)`` are still customers.

        ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``.

        Parameters
        ----------
        x, t_x, T : array_like
            Repeat transactions, time of the last and time since the first, in
            units of ``unit_days`` (broadcast together).

        Returns
        -------
        numpy.ndarray of float

        Examples
        --------
        >>> m = ValueModel(0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.45, -9582.4,
        ...                -4055.9, 2357, 946, 946, 7, pd.Timestamp("1997-09-30"))
        >>> m.p_alive([0, 2, 2], [0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3).tolist()
        [1.0, 0.727, 0.124]
        """
        xb, txb, Tb = _broadcast(x, t_x, T)
        return _p_alive(self, xb.ravel(), txb.ravel(), Tb.ravel()).reshape(xb.shape)

    def expected_purchases(self, t: float, x: Any, t_x: Any, T: Any) -> np.ndarray:
        """Expected transactions in the next ``t`` units of customers with history ``(x, t_x, T)``.

        The BG/NBD conditional expectation N(t) (``docs/value.md``).

        Parameters
        ----------
        t : float
            Length of the period ahead, in units of ``unit_days`` (>= 0).
        x, t_x, T : array_like
            As for :meth:`p_alive`.

        Returns
        -------
        numpy.ndarray of float

        Examples
        --------
        >>> m = ValueModel(0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.45, -9582.4,
        ...                -4055.9, 2357, 946, 946, 7, pd.Timestamp("1997-09-30"))
        >>> m.expected_purchases(39, [0, 2], [0, 30.43], [38.86, 38.86]).round(3).tolist()
        [0.195, 1.226]
        """
        check("expected_purchases", "t", t, Interval(0, None))
        xb, _, Tb = _broadcast(x, t_x, T)
        br = _bracket(self, xb.ravel(), Tb.ravel(), float(t)).reshape(xb.shape)
        return br * self.p_alive(x, t_x, T)

    def expected_value(self, x: Any, m: Any) -> np.ndarray:
        """Expected value of a future transaction of customers with ``x`` repeats of mean ``m``.

        ``(1 - w) v p / (q - 1) + w m`` with ``w = p x / (p x + q - 1)``; for ``x = 0``
        the mean ``v p / (q - 1)`` whatever ``m``.

        Examples
        --------
        >>> m = ValueModel(0.243, 4.414, 0.793, 2.426, 6.25, 3.74, 15.45, -9582.4,
        ...                -4055.9, 2357, 946, 946, 7, pd.Timestamp("1997-09-30"))
        >>> m.expected_value([0, 2], [0.0, 22.35]).round(2).tolist()
        [35.24, 24.67]
        """
        xb, mb = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(m, dtype=float))
        return _expected_value(self, xb, np.where(xb > 0, mb, 0.0))

    def __repr__(self) -> str:
        return (
            f"ValueModel(BG/NBD r={self.r:.4g}, alpha={self.alpha:.4g}, a={self.a:.4g}, "
            f"b={self.b:.4g}; Gamma-Gamma p={self.p:.4g}, q={self.q:.4g}, v={self.v:.4g}; "
            f"{self.n_persons:,} persons, {self.n_repeat:,} repeat buyers "
            f"({self.n_gamma_gamma:,} with value); unit {self.unit_days:g} days; "
            f"as_of {self.as_of.date()})"
        )


# ---------------------------------------------------------------------------------
# likelihoods (negative mean log-likelihood and gradient in log-parameters)
@dataclass(frozen=True)
class _BGData:
    """BG/NBD data, grouped: everything that depends on T or t_x only is kept per distinct value.

    Times are rescaled by ``scale`` (the mean T) to be of order 1. Rows are the distinct
    histories ``(x, t_x, T)`` with ``x > 0``; persons with ``x == 0`` enter only through
    the weights per distinct T (their likelihood is the first term alone).
    """

    uT: np.ndarray  # distinct T
    wT: np.ndarray  # persons per distinct T
    wxT: np.ndarray  # sum of x over those persons
    utx: np.ndarray  # distinct t_x of the rows
    x1: np.ndarray  # rows: x (float64, >= 1)
    w1: np.ndarray  # rows: persons with that history
    iT1: np.ndarray  # rows: index into uT
    itx1: np.ndarray  # rows: index into utx
    ix1: np.ndarray  # rows: index into ux
    ux: np.ndarray  # distinct x (float64), 0 included when present
    wu: np.ndarray  # persons per distinct x
    W: float  # persons
    scale: float


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two vectors without BLAS.

    OpenBLAS threads its vector dot products; on a shared, busy machine the threads
    wait on each other and one likelihood evaluation gets 20x slower.
    """
    return float(np.einsum("i,i->", a, b))


def _rising_sums(c: float, ux: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each whole ``x`` in ``ux``: sum_{k<x} ln(c + k) and sum_{k<x} 1 / (c + k).

    These are lnGamma(c + x) - lnGamma(c) and digamma(c + x) - digamma(c), computed
    without the cancellation of two huge log-gammas when ``c`` is large.
    """
    k = np.arange(int(ux.max(initial=0)), dtype=float) + c
    lsum = np.r_[0.0, np.cumsum(np.log(k))]
    rsum = np.r_[0.0, np.cumsum(1.0 / k)]
    i = ux.astype(np.int64)
    return lsum[i], rsum[i]


def _bg_negll(phi: np.ndarray, d: _BGData) -> tuple[float, np.ndarray]:
    """Negative mean log-likelihood of BG/NBD and its gradient in log-parameters.

    Per person, log L = C(x) + A + [x > 0] log(1 + e^D) with
    C(x) = lnG(r+x) - lnG(r) + lnG(b+x) - lnG(b) - lnG(a+b+x) + lnG(a+b),
    A = r ln alpha - (r+x) ln(alpha+T) = -r ln(1 + T/alpha) - x ln(alpha+T) and
    D = ln a - ln(b+x-1) + (r+x) ln((alpha+T)/(alpha+t_x)): the log-sum-exp of the two
    terms of the likelihood, written so that no term overflows and large r, alpha stay
    exact.
    """
    r, alpha, a, b = np.exp(phi)
    ux, wu = d.ux, d.wu
    # per distinct T and t_x
    l1T = np.log1p(d.uT / alpha)
    lT = np.log(alpha + d.uT)
    iaT = 1.0 / (alpha + d.uT)
    l1tx = np.log1p(d.utx / alpha)
    iatx = 1.0 / (alpha + d.utx)
    # per distinct x: C(x) and its derivatives, without differences of huge log-gammas
    lr, dr = _rising_sums(r, ux)
    lb, db = _rising_sums(b, ux)
    lab, dab = _rising_sums(a + b, ux)
    rep = ux > 0
    cx = np.full(len(ux), -np.inf)
    cx[rep] = np.log(a) - np.log(b + ux[rep] - 1.0)
    # per row (x > 0)
    x1 = d.x1
    delta = l1T[d.iT1] - l1tx[d.itx1]  # ln((alpha + T) / (alpha + t_x)) >= 0
    D = cx[d.ix1] + (r + x1) * delta
    # softplus(D) = log(1 + e^D) and expit(D) from one exp(-|D|) <= 1 (exp and log are
    # the vectorised ufuncs; np.logaddexp and scipy's expit are several times slower)
    e = np.exp(-np.abs(D))
    one_e = 1.0 + e
    softplus = np.maximum(D, 0.0) + np.log(one_e)
    pi = np.where(D >= 0, 1.0, e) / one_e  # share of the second term in the likelihood
    wpi = d.w1 * pi
    ll = _dot(wu, lr + lb - lab) - r * _dot(d.wT, l1T) - _dot(d.wxT, lT) + _dot(d.w1, softplus)
    g_r = _dot(wu, dr) - _dot(d.wT, l1T) + _dot(wpi, delta)
    g_alpha = (
        r / alpha * _dot(d.wT, d.uT * iaT)
        - _dot(d.wxT, iaT)
        + _dot(wpi * (r + x1), iaT[d.iT1] - iatx[d.itx1])
    )
    wpi_x = np.bincount(d.ix1, weights=wpi, minlength=len(ux))
    g_a = -_dot(wu, dab) + float(wpi.sum()) / a
    g_b = _dot(wu, db - dab) - _dot(wpi_x[rep], 1.0 / (b + ux[rep] - 1.0))
    grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
    return -ll / d.W, -grad / d.W


@dataclass(frozen=True)
class _GGData:
    """Gamma-Gamma data: repeat buyers with m > 0, m rescaled to mean 1."""

    x: np.ndarray
    xm: np.ndarray  # x * m
    ux: np.ndarray
    wu: np.ndarray
    N: float
    sum_x_lnm: float
    sum_lnm: float
    sum_x_lnx: float
    scale: float  # m was divided by this (its mean) to be of order 1


def _gg_negll(phi: np.ndarray, d: _GGData) -> tuple[float, np.ndarray]:
    p, q, v = np.exp(phi)
    L = np.log(d.xm + v)
    sum_xL = _dot(d.x, L)
    sum_L = float(L.sum())
    pux = p * d.ux
    ll = (
        _dot(d.wu, gammaln(pux + q) - gammaln(pux))
        - d.N * gammaln(q)
        + d.N * q * np.log(v)
        + p * d.sum_x_lnm
        - d.sum_lnm
        + p * d.sum_x_lnx
        - p * sum_xL
        - q * sum_L
    )
    g_p = _dot(d.wu * d.ux, digamma(pux + q) - digamma(pux)) + d.sum_x_lnm + d.sum_x_lnx - sum_xL
    g_q = _dot(d.wu, digamma(pux + q)) - d.N * digamma(q) + d.N * np.log(v) - sum_L
    g_v = d.N * q / v - _dot(p * d.x + q, 1.0 / (d.xm + v))
    grad = np.array([g_p * p, g_q * q, g_v * v])
    return -ll / d.N, -grad / d.N


def _maximise(
    f: Any, start: np.ndarray, data: Any, what: str, names: tuple[str, ...], func: str
) -> tuple[np.ndarray, float, int]:
    """Minimise ``f`` (negative mean log-likelihood) over log-parameters; raise if it fails.

    BFGS with the analytic gradient. (L-BFGS-B would bound the parameters, but its
    LAPACK calls go through threaded OpenBLAS, which on a busy machine costs ~10 ms per
    iteration of a 4-parameter problem.) Parameters are clipped to +-_LOG_BOUND inside
    the objective so that no step can overflow; a fit that ends beyond +-_RUNAWAY is
    reported below.
    """

    def clipped(phi: np.ndarray, d: Any) -> tuple[float, np.ndarray]:
        return f(np.clip(phi, -_LOG_BOUND, _LOG_BOUND), d)

    res = minimize(
        clipped,
        start,
        args=(data,),
        jac=True,
        method="BFGS",
        options={"maxiter": 1000, "gtol": 1e-9},
    )
    phi = np.clip(np.asarray(res.x, dtype=float), -_LOG_BOUND, _LOG_BOUND)
    fun, grad = f(phi, data)
    ok = np.isfinite(fun) and (res.success or float(np.max(np.abs(grad))) < _GRAD_TOL)
    low = [nm for nm, ph in zip(names, phi, strict=True) if ph < -_RUNAWAY]
    high = [nm for nm, ph in zip(names, phi, strict=True) if ph > _RUNAWAY]
    if ok and not low and not high:
        return phi, float(fun), int(res.nit)
    if low or high:
        why = "; ".join(
            f"{_and(nms)} ran off towards {to}"
            for nms, to in ((low, "0"), (high, "infinity"))
            if nms
        )
    else:
        why = "the optimiser stopped without reaching a maximum"
    raise DataError(
        f"{func}: the {what} fit did not converge ({why}; {res.nit} iterations). The "
        "purchase histories do not pin the model down -- typically too few customers, or "
        "histories that are all alike (e.g. every repeat purchase of the same amount). "
        "Use a book with more customers and repeat purchases, or a later as_of."
    )


def _and(names: list[str]) -> str:
    """``["a"] -> "a"``, ``["a", "b", "c"] -> "a, b and c"``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _unique_keys(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct non-negative int64 keys: (sorted keys, first index of each, inverse, counts).

    Small key ranges are counted in a dense table (O(n + range)); others are sorted
    with a stable sort, which is linear on data that come grouped (by person, say).
    """
    n = len(key)
    top = int(key.max(initial=-1)) + 1
    if top <= 4 * n + (1 << 16):
        present = np.zeros(top, dtype=bool)
        present[key] = True
        code = np.cumsum(present) - 1
        inv = code[key]
        uniq = np.flatnonzero(present)
        first = np.full(len(uniq), n, dtype=np.int64)
        np.minimum.at(first, inv, np.arange(n, dtype=np.int64))
    else:
        order = np.argsort(key, kind="stable")
        sk = key[order]
        new = np.empty(n, dtype=bool)
        new[:1] = True
        np.not_equal(sk[1:], sk[:-1], out=new[1:])
        inv = np.empty(n, dtype=np.int64)
        inv[order] = np.cumsum(new) - 1
        uniq = sk[new]
        first = order[new]
    counts = np.bincount(inv, minlength=len(uniq))
    return uniq, first, inv, counts


def _group_rows(*cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of non-negative int64 columns: (first index of each, inverse, counts)."""
    width = 1
    for c in cols:
        width *= int(c.max(initial=0)) + 1
    if width >= 2**62:  # pragma: no cover - histories spanning millions of years
        _, first, inv, counts = np.unique(
            np.column_stack(cols),
            axis=0,
            return_index=True,
            return_inverse=True,
            return_counts=True,
        )
        return first, inv.reshape(-1), counts
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        key = key * (int(c.max(initial=0)) + 1) + c
    _, first, inv, counts = _unique_keys(key)
    return first, inv, counts


# ---------------------------------------------------------------------------------
# fitting
def fit_value_model(g: CustomerGraph, *, unit_days: float = UNIT_DAYS) -> ValueModel:
    """Fit the BG/NBD and Gamma-Gamma models to the purchase histories of ``g``.

    BG/NBD: parameters ``r, alpha, a, b`` by maximum likelihood over every person
    with a transaction (a purchase day on or before ``g.as_of``). Gamma-Gamma:
    ``p, q, v`` over the repeat buyers whose repeat transactions have a positive
    mean value ``m``. Definitions and formulas: ``docs/value.md``.

    Parameters
    ----------
    g : CustomerGraph
    unit_days : float, default 7
        The time unit in days (7: weeks). It scales ``alpha`` only; the other
        parameters and every prediction do not depend on it.

    Returns
    -------
    ValueModel

    Raises
    ------
    DataError
        When the data cannot support a fit: no person has a purchase on or before
        ``as_of``; nobody bought on two different days (no repeat buyers); fewer
        than ``MIN_GAMMA_GAMMA_BUYERS`` (10) repeat buyers with a positive value; a
        Gamma-Gamma fit with ``q <= 1`` (the mean value would be infinite); or an
        optimiser that did not converge. The message says what to do.
    ValueError
        When ``unit_days`` is not a positive number.

    Notes
    -----
    Maximum likelihood with BFGS on the logarithms of the parameters, with
    analytic gradients; log-gamma sums and log-sum-exp keep every term finite.
    The fit is computed once per graph and ``unit_days`` (a second call, or
    :func:`predict_value` without a model, reuses it). Persons
    with the same ``(x, t_x, T)`` share one weighted likelihood term, so the cost
    per iteration is O(distinct histories) for BG/NBD and O(repeat buyers) for
    Gamma-Gamma, after an O(H log H) pass over the H holdings. One million
    persons fit in a few seconds (``benchmarks/results/value_model.md``).

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.build(**fg.datasets.synthetic(3_000, seed=0))
    >>> m = fg.fit_value_model(g)
    >>> m.n_persons, m.n_repeat > 100, m.q > 1
    (2..., True, True)
    """
    check("fit_value_model", "unit_days", unit_days, Interval(0, None, closed="neither"))
    u = float(unit_days)
    return g.memo(("value_model", u), lambda: _fit(g, u))


def _fit(g: CustomerGraph, u: float) -> ValueModel:
    func = "fit_value_model"
    tr = _transactions(g, g.as_of)
    has = tr.has
    n_persons = int(has.sum())
    when = g.as_of.date()
    if n_persons == 0:
        raise DataError(
            f"{func}: no person has a purchase on or before as_of ({when}), so there is "
            "nothing to fit. Give holdings with purchased_at on or before as_of (or a "
            "later as_of).",
            table="holdings",
        )
    x_all = tr.x[has]
    n_repeat = int((x_all > 0).sum())
    if n_repeat == 0:
        raise DataError(
            f"{func}: none of the {n_persons:,} buyers bought on two different days by "
            f"{when}; without repeat purchases the BG/NBD model cannot be estimated. Use "
            "a longer purchase history (a later as_of or earlier holdings).",
            table="holdings",
        )
    bg = _bg_data(x_all, tr.tx_days[has], tr.t_days[has], u)
    phi_bg, f_bg, it_bg = _maximise(
        _bg_negll, _bg_start(bg), bg, "BG/NBD", ("r", "alpha", "a", "b"), func
    )
    r, alpha_s, a, b = np.exp(phi_bg)
    scale_t = float(bg.scale)
    alpha = alpha_s * scale_t
    # the likelihood in original units: each (alpha + t)^-(r+x) alpha^r carries scale^-x
    ll_bg = -f_bg * bg.W - float(bg.wxT.sum()) * np.log(scale_t)

    rep = has & (tr.x > 0) & (tr.m > 0)
    n_gg = int(rep.sum())
    if n_gg < MIN_GAMMA_GAMMA_BUYERS:
        raise DataError(
            f"{func}: only {n_gg:,} repeat buyer(s) have repeat purchases of positive "
            f"value; the Gamma-Gamma value model needs at least {MIN_GAMMA_GAMMA_BUYERS}. "
            "Check that holdings carry `amount`, or use a longer purchase history.",
            table="holdings",
            column="amount",
        )
    gg = _gg_data(tr.x[rep].astype(float), tr.m[rep])
    phi_gg, f_gg, it_gg = _maximise(
        _gg_negll, _gg_start(), gg, "Gamma-Gamma", ("p", "q", "v"), func
    )
    p, q, v_s = np.exp(phi_gg)
    scale_m = float(gg.scale)
    ll_gg = -f_gg * gg.N - gg.N * np.log(scale_m)
    if q <= 1.0:
        raise DataError(
            f"{func}: the Gamma-Gamma fit gives q = {q:.3g} <= 1, for which the expected "
            "transaction value is infinite: a few repeat buyers with very large mean "
            "values dominate. Check the largest `amount` values for errors, or leave "
            "the extreme buyers out of the book.",
            table="holdings",
            column="amount",
        )
    return ValueModel(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        p=float(p),
        q=float(q),
        v=float(v_s * scale_m),
        bgnbd_loglik=float(ll_bg),
        gg_loglik=float(ll_gg),
        n_persons=n_persons,
        n_repeat=n_repeat,
        n_gamma_gamma=n_gg,
        unit_days=u,
        as_of=g.as_of,
        bgnbd_iterations=it_bg,
        gg_iterations=it_gg,
    )


def _bg_data(x: np.ndarray, tx_days: np.ndarray, t_days: np.ndarray, unit: float) -> _BGData:
    W = float(len(x))
    scale = float(t_days.mean()) / unit  # mean T in units: the data are rescaled to order 1
    scale = scale if scale > 0 else 1.0
    per = unit * scale  # days per rescaled unit
    uT_days, _, iT, cT = _unique_keys(t_days)
    wT = cT.astype(float)
    wxT = np.bincount(iT, weights=x, minlength=len(uT_days))
    ux_i, _, ix, cx = _unique_keys(x)
    wu = cx.astype(float)
    rep = x > 0
    first, _, counts = _group_rows(x[rep], tx_days[rep], t_days[rep])
    utx_days, _, itx1, _ = _unique_keys(tx_days[rep][first])
    return _BGData(
        uT=uT_days / per,
        wT=wT,
        wxT=wxT,
        utx=utx_days / per,
        x1=x[rep][first].astype(float),
        w1=counts.astype(float),
        iT1=iT[rep][first],
        itx1=itx1,
        ix1=ix[rep][first],
        ux=ux_i.astype(float),
        wu=wu,
        W=W,
        scale=scale,
    )


def _bg_start(d: _BGData) -> np.ndarray:
    # r = 1 and alpha from the overall repeat rate (x per unit of T, rescaled)
    rate = float(d.wxT.sum()) / max(_dot(d.wT, d.uT), 1e-12)
    alpha = 1.0 / max(rate, 1e-6)
    return np.log(np.array([1.0, min(alpha, 1e6), 1.0, 1.0]))


def _gg_data(x: np.ndarray, m: np.ndarray) -> _GGData:
    scale = float(m.mean())
    ms = m / scale
    ux, xi = np.unique(x, return_inverse=True)
    lnm = np.log(ms)
    return _GGData(
        x=x,
        xm=x * ms,
        ux=ux,
        wu=np.bincount(xi, minlength=len(ux)).astype(float),
        N=float(len(x)),
        sum_x_lnm=_dot(x, lnm),
        sum_lnm=float(lnm.sum()),
        sum_x_lnx=_dot(x, np.log(x)),
        scale=scale,
    )


def _gg_start() -> np.ndarray:
    # p = 1, q = 2, v = 1: a mean transaction value of 1 on the rescaled data
    return np.log(np.array([1.0, 2.0, 1.0]))


# ---------------------------------------------------------------------------------
# closed forms (arrays; time in units)
def _broadcast(x: Any, t_x: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xb, txb, Tb = np.broadcast_arrays(
        np.asarray(x, dtype=float), np.asarray(t_x, dtype=float), np.asarray(T, dtype=float)
    )
    return np.atleast_1d(xb), np.atleast_1d(txb), np.atleast_1d(Tb)


def _p_alive(md: ValueModel, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))."""
    out = np.ones(len(x), dtype=float)
    rep = x > 0
    xr = x[rep]
    z = (
        np.log(md.a)
        - np.log(md.b + xr - 1.0)
        + (md.r + xr) * np.log1p((T[rep] - tx[rep]) / (md.alpha + tx[rep]))
    )
    out[rep] = expit(-z)
    return out


def _bracket_raw(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, T: np.ndarray, t: float
) -> np.ndarray:
    """(a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)].

    Evaluated through Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B)
    2F1(C-A, C-B; C; z), which turns ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z)
    into (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z): parameters that do not grow with x and
    a value near 1 instead of a product of a tiny and a huge number.
    """
    c = a + b + x - 1.0
    log1mz = -np.log1p(t / (alpha + T))  # log(1 - z), z = t / (alpha + T + t)
    z = -np.expm1(log1mz)
    f = hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    return c / (a - 1.0) * (1.0 - np.exp((a - 1.0) * log1mz) * f)


def _bracket(md: ValueModel, x: np.ndarray, T: np.ndarray, t: float) -> np.ndarray:
    """The part of N(t) before the division by 1 / P(alive); removable singularities handled.

    At a = 1 (and, for x = 0, at a + b = 1) the closed form is 0/0; there it is
    evaluated ``_SINGULAR_STEP`` on both sides of the singular parameter and
    interpolated linearly (the function is smooth in the parameters).
    """
    r, alpha, a, b = md.r, md.alpha, md.a, md.b
    h = _SINGULAR_STEP
    out = np.empty(len(x), dtype=float)
    if t == 0:
        out[:] = 0.0
        return out
    near_c = np.abs(a + b + x - 1.0) < h  # only possible for x == 0 (a + b near 1)
    if abs(a - 1.0) < h:
        lo = _bracket_raw(r, alpha, 1.0 - h, b, x, T, t)
        hi = _bracket_raw(r, alpha, 1.0 + h, b, x, T, t)
        out[:] = lo + (hi - lo) * (a - (1.0 - h)) / (2 * h)
        return out
    far = ~near_c
    out[far] = _bracket_raw(r, alpha, a, b, x[far], T[far], t)
    if near_c.any():
        b_lo, b_hi = 1.0 - a - h, 1.0 - a + h  # a + b - 1 = -h and +h
        if b_lo <= 0:  # b - h would not be a valid parameter: step upward from b instead
            b_lo, b_hi = b_hi, b_hi + h
        xs, Ts = x[near_c], T[near_c]
        lo = _bracket_raw(r, alpha, a, b_lo, xs, Ts, t)
        hi = _bracket_raw(r, alpha, a, b_hi, xs, Ts, t)
        out[near_c] = lo + (hi - lo) * (b - b_lo) / (b_hi - b_lo)
    return out


def _expected_value(md: ValueModel, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[value] = (1 - w) v p / (q - 1) + w m, w = p x / (p x + q - 1) (0 for x = 0)."""
    px = md.p * x
    w = px / (px + md.q - 1.0)
    return (1.0 - w) * md.mean_value + w * m


def _clv_parts(
    md: ValueModel,
    x: np.ndarray,
    T: np.ndarray,
    horizon_units: float,
    months: int,
    month_units: float,
    discount: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per (x, T) row: N(horizon) / P(alive) and sum_i (N(iM) - N((i-1)M)) / P(alive) / (1+d)^i."""
    total = _bracket(md, x, T, horizon_units)
    disc = np.zeros(len(x), dtype=float)
    prev = np.zeros(len(x), dtype=float)
    for i in range(1, months + 1):  # a loop over months, not over persons
        cur = _bracket(md, x, T, i * month_units)
        disc += (cur - prev) / (1.0 + discount) ** i
        prev = cur
    return total, disc


# ---------------------------------------------------------------------------------
# prediction
def predict_value(
    g: CustomerGraph,
    model: ValueModel | None = None,
    *,
    horizon_months: int = HORIZON_MONTHS,
    discount: float = DISCOUNT,
) -> pd.DataFrame:
    """Expected purchases, expected value and customer lifetime value of every person.

    Parameters
    ----------
    g : CustomerGraph
        The book whose customers are predicted, from their history up to ``g.as_of``.
    model : ValueModel, optional
        A fitted model (e.g. fitted on an earlier ``as_of``); by default
        ``fit_value_model(g)``. Its ``unit_days`` sets the time unit.
    horizon_months : int, default 12
        Months ahead for ``expected_purchases`` and ``clv``.
    discount : float, default 0.01
        Monthly discount rate of the CLV (>= 0).

    Returns
    -------
    pandas.DataFrame
        One row per person, in people order:

        - ``person_id``
        - ``x`` (Int64), ``t_x``, ``T`` (float64): the transaction summary, as in
          :func:`transaction_summary`;
        - ``p_alive``: probability that the person is still a customer;
        - ``expected_purchases``: expected transactions in the next
          ``horizon_months`` months, N(horizon);
        - ``expected_value``: expected value of one future transaction
          (Gamma-Gamma), in the currency of ``amount``;
        - ``clv``: sum over months i = 1..H of expected_value x (N(i M) -
          N((i-1) M)) / (1 + discount)^i, M = one month (4.345 weeks).

        Persons without a transaction (no purchase on or before ``g.as_of``) are
        not predicted: their ``x, t_x, T, p_alive, expected_purchases,
        expected_value`` are empty (``<NA>`` / ``NaN``) and their ``clv`` is 0, so
        ``clv`` is always a finite number.

    Raises
    ------
    DataError
        When ``model`` is None and the book cannot support a fit (see
        :func:`fit_value_model`).
    ValueError
        For a bad argument.

    Notes
    -----
    Closed forms (``docs/value.md``): P(alive) and N(t) of the BG/NBD model, with
    the Gauss hypergeometric function :func:`scipy.special.hyp2f1`, and the
    Gamma-Gamma expected value. Cost O(H log H) for the transaction summary, then
    O(V) plus ``horizon_months + 1`` hypergeometric evaluations per distinct
    ``(x, T)`` -- far fewer than the persons. About a second at one million
    persons (``benchmarks/results/value_model.md``).

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.build(**fg.datasets.synthetic(3_000, seed=0))
    >>> pred = fg.predict_value(g)
    >>> list(pred.columns)
    ['person_id', 'x', 't_x', 'T', 'p_alive', 'expected_purchases', 'expected_value', 'clv']
    >>> bool(pred["clv"].ge(0).all()), bool(pred["p_alive"].dropna().between(0, 1).all())
    (True, True)

    The ``clv`` column, as a Series by person id, is a ``value=`` for the analyses
    that weigh persons by value:

    >>> clv = pred.set_index("person_id")["clv"]
    >>> chains = fg.referral_value(g, value=clv)
    >>> top = fg.super_users(g, value=clv)
    """
    func = "predict_value"
    check_param(
        func,
        "model",
        type(model).__name__,
        model is None or isinstance(model, ValueModel),
        "a ValueModel (from fit_value_model) or None",
    )
    check(func, "horizon_months", horizon_months, Count)
    check(func, "discount", discount, Interval(0, None))
    md = fit_value_model(g) if model is None else model
    u = md.unit_days
    tr = _transactions(g, g.as_of)
    has = tr.has
    n = g.n_people

    x_p = tr.x[has]
    tx_p = tr.tx_days[has] / u
    T_days = tr.t_days[has]
    T_p = T_days / u
    xf = x_p.astype(float)
    p_alive = _p_alive(md, xf, tx_p, T_p)

    # one hypergeometric evaluation per distinct (x, T) and month
    first, inv, _ = _group_rows(x_p, T_days)
    month_units = DAYS_PER_MONTH / u
    total, disc = _clv_parts(
        md,
        xf[first],
        T_p[first],
        int(horizon_months) * month_units,
        int(horizon_months),
        month_units,
        float(discount),
    )
    exp_purchases = total[inv] * p_alive
    exp_value = _expected_value(md, xf, tr.m[has])
    clv_p = exp_value * p_alive * disc[inv]

    x_col = pd.array(np.zeros(n, dtype=np.int64), dtype="Int64")
    x_col[has] = x_p
    x_col[~has] = pd.NA

    def spread(vals: np.ndarray, fill: float = np.nan) -> np.ndarray:
        out = np.full(n, fill, dtype=float)
        out[has] = vals
        return out

    return pd.DataFrame(
        {
            "person_id": g.people["person_id"].reset_index(drop=True),
            "x": x_col,
            "t_x": spread(tx_p),
            "T": spread(T_p),
            "p_alive": spread(p_alive),
            "expected_purchases": spread(exp_purchases),
            "expected_value": spread(exp_value),
            "clv": spread(clv_p, 0.0),
        },
        columns=list(PREDICT_VALUE_COLUMNS),
    )


# ---------------------------------------------------------------------------------
# holdout check
def calibration_table(
    g: CustomerGraph, model: ValueModel, *, max_x: int = CALIBRATION_MAX_X
) -> pd.DataFrame:
    """Predicted against actual purchases in a holdout period, by purchases before it.

    The model was fitted on the book up to ``model.as_of`` (the calibration
    period); ``g`` is the same book up to a later ``g.as_of``. For every person
    with a transaction in the calibration period, the repeat transactions there
    (``x``) put them in a bucket 0, 1, ..., ``max_x`` or more; per bucket the
    table gives the mean number of transactions (purchase days) the customers
    actually made in the holdout period (``model.as_of``, ``g.as_of``] and the
    mean the model predicted, N(holdout length).

    Parameters
    ----------
    g : CustomerGraph
        The book, with ``as_of`` after ``model.as_of``.
    model : ValueModel
        Fitted on the calibration period (e.g. on the same tables built with
        ``as_of`` = the end of calibration).
    max_x : int, default 7
        The last bucket gathers ``x >= max_x``.

    Returns
    -------
    pandas.DataFrame
        ``max_x + 1`` rows, one per bucket: ``frequency`` (str: ``"0"``, ``"1"``,
        ..., ``"7+"``), ``customers`` (int64), ``actual`` and ``predicted``
        (float64, mean holdout transactions; ``NaN`` for an empty bucket).

    Raises
    ------
    ValueError
        When ``model`` is not a ValueModel, ``g.as_of`` is not after
        ``model.as_of``, or ``max_x`` is not a whole number >= 1.

    Notes
    -----
    Cost O(H log H) for the transactions, then one hypergeometric evaluation per
    distinct (x, T).

    Examples
    --------
    >>> import famgraph as fg
    >>> tables = fg.datasets.synthetic(3_000, seed=0)
    >>> early = fg.build(**tables, as_of="2023-06-30")
    >>> cal = calibration_table(fg.build(**tables), fg.fit_value_model(early))
    >>> cal["frequency"].tolist()
    ['0', '1', '2', '3', '4', '5', '6', '7+']
    >>> int(cal["customers"].sum()) == fg.fit_value_model(early).n_persons
    True
    """
    func = "calibration_table"
    check_param(func, "model", type(model).__name__, isinstance(model, ValueModel), "a ValueModel")
    check(func, "max_x", max_x, Whole(1, integral_only=True))
    check_param(
        func,
        "model",
        f"a model fitted up to {model.as_of.date()}",
        _day(model.as_of) < _day(g.as_of),
        f"fitted on an earlier period than the book's as_of ({g.as_of.date()})",
    )
    u = model.unit_days
    cal = _transactions(g, model.as_of)
    has = cal.has
    per, day, _ = _tx_days(g, g.as_of)
    later = day > cal.as_of_day
    hold = np.bincount(per[later], minlength=g.n_people)[has].astype(float)
    x = cal.x[has]
    T_days = cal.t_days[has]
    p_alive = _p_alive(model, x.astype(float), cal.tx_days[has] / u, T_days / u)
    first, inv, _ = _group_rows(x, T_days)
    length = (_day(g.as_of) - cal.as_of_day) / u
    pred = _bracket(model, x[first].astype(float), T_days[first] / u, length)[inv] * p_alive
    bucket = np.minimum(x, int(max_x))
    k = int(max_x) + 1
    count = np.bincount(bucket, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        actual = np.bincount(bucket, weights=hold, minlength=k) / count
        predicted = np.bincount(bucket, weights=pred, minlength=k) / count
    labels = [str(i) for i in range(int(max_x))] + [f"{int(max_x)}+"]
    return pd.DataFrame(
        {
            "frequency": pd.array(labels, dtype="str"),
            "customers": count.astype(np.int64),
            "actual": actual,
            "predicted": predicted,
        },
        columns=list(CALIBRATION_COLUMNS),
    )
