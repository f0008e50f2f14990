"""fg.fit_value_model, fg.predict_value, calibration_table: docs/metrics.md section 10.

Verified against the published record on the CDNOW sample (Fader, Hardie & Lee 2005;
tests/data/cdnow/README.md), against the closed forms evaluated independently here
(plain power series of the hypergeometric function, no famgraph code), and on small
hand-made books.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.analysis.valuemodel import calibration_table, transaction_summary
from famgraph.schema import CALIBRATION_COLUMNS, PREDICT_VALUE_COLUMNS

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
CAL_END = "1997-09-30"  # calibration 1997-01-01 .. 1997-09-30: 39 weeks
HOLDOUT_END = "1998-06-30"  # holdout 1997-10-01 .. 1998-06-30: 39 weeks
WEEKS_PER_MONTH = 4.345


# ---------------------------------------------------------------------------------
# books
def cdnow_tables() -> dict[str, pd.DataFrame]:
    """The CDNOW sample as a famgraph book: customers, one holding per purchase row."""
    raw = pd.read_csv(
        CDNOW,
        sep=r"\s+",
        header=None,
        names=["master_id", "person_id", "date", "cds", "dollars"],
        dtype={"master_id": "str", "person_id": "str", "date": "str"},
    )
    people = pd.DataFrame({"person_id": raw["person_id"].unique()})
    holdings = pd.DataFrame(
        {
            "person_id": raw["person_id"],
            "line": "cd",
            "purchased_at": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollars"],
        }
    )
    return {"people": people, "holdings": holdings}


@pytest.fixture(scope="module")
def cdnow_cal() -> fg.CustomerGraph:
    return fg.build(**cdnow_tables(), as_of=CAL_END)


@pytest.fixture(scope="module")
def cdnow_all() -> fg.CustomerGraph:
    return fg.build(**cdnow_tables(), as_of=HOLDOUT_END)


@pytest.fixture(scope="module")
def cdnow_model(cdnow_cal: fg.CustomerGraph) -> fg.ValueModel:
    return fg.fit_value_model(cdnow_cal)


@pytest.fixture(scope="module")
def cdnow_pred(cdnow_cal: fg.CustomerGraph, cdnow_model: fg.ValueModel) -> pd.DataFrame:
    return fg.predict_value(cdnow_cal, cdnow_model).set_index("person_id")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def simulated_book(
    n: int,
    *,
    seed: int,
    r: float = 0.5,
    alpha: float = 5.0,
    a: float = 0.8,
    b: float = 2.5,
    p: float = 4.0,
    q: float = 3.0,
    v: float = 30.0,
    amount: float | None = None,
    as_of: str = "2024-12-31",
) -> fg.CustomerGraph:
    """Purchases drawn from the BG/NBD and Gamma-Gamma models themselves (time in weeks).

    Each customer starts within the first 120 days of a 365-day window, buys at
    exponential gaps of rate lambda ~ Gamma(r, alpha) per week, and leaves after each
    purchase with probability ~ Beta(a, b); amounts are Gamma(p, nu) with
    nu ~ Gamma(q, v) per customer, or the constant ``amount``.
    """
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=364)
    lam = rng.gamma(r, 1 / alpha, n)
    drop = rng.beta(a, b, n)
    nu = rng.gamma(q, 1 / v, n)
    rows = []
    for i in range(n):  # a small test book: a plain loop is clearest
        day = int(rng.integers(0, 120))
        t = float(day)
        while day <= 364:
            value = amount if amount is not None else float(rng.gamma(p, 1 / nu[i]))
            rows.append((f"S{i:05d}", start + pd.Timedelta(days=day), value))
            if rng.random() < drop[i]:
                break
            t += rng.exponential(7 / lam[i])
            day = int(t)
    holdings = pd.DataFrame(rows, columns=["person_id", "purchased_at", "amount"])
    holdings["line"] = "cd"
    holdings["holding_id"] = [f"h{k}" for k in range(len(holdings))]
    people = pd.DataFrame({"person_id": [f"S{i:05d}" for i in range(n)]})
    return fg.build(people, holdings=holdings, as_of=as_of)


# ---------------------------------------------------------------------------------
# the closed forms, evaluated independently (plain floats, power series)
def hyp2f1_series(a: float, b: float, c: float, z: float) -> float:
    """Gauss 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1: every term positive."""
    term, total, n = 1.0, 1.0, 0
    while True:
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        n += 1
        total += term
        if term < 1e-18 * total:
            return total
        assert n < 200_000


def p_alive_ref(m: fg.ValueModel, x: int, tx: float, T: float) -> float:
    if x == 0:
        return 1.0
    odds = m.a / (m.b + x - 1) * ((m.alpha + T) / (m.alpha + tx)) ** (m.r + x)
    return 1.0 / (1.0 + odds)


def n_ref(m: fg.ValueModel, t: float, x: int, tx: float, T: float) -> float:
    """N(t) exactly as written: (a+b+x-1)/(a-1) [1 - (...)^(r+x) 2F1(...)] / (1 + ...)."""
    if t == 0:
        return 0.0
    z = t / (m.alpha + T + t)
    f = hyp2f1_series(m.r + x, m.b + x, m.a + m.b + x - 1, z)
    head = (m.a + m.b + x - 1) / (m.a - 1)
    bracket = 1 - ((m.alpha + T) / (m.alpha + T + t)) ** (m.r + x) * f
    return head * bracket * p_alive_ref(m, x, tx, T)


def n_ref_a1(m: fg.ValueModel, t: float, x: int, tx: float, T: float) -> float:
    """N(t) at a = 1, the limit a -> 1 of the closed form (by l'Hopital in a).

    (b+x) (1-z)^(r+x) sum_n (r+x)_n z^n / n! (psi(b+x+n) - psi(b+x)), the derivative of
    2F1 in its third parameter; psi differences are harmonic sums.
    """
    s, beta = m.r + x, m.b + x
    z = t / (m.alpha + T + t)
    term, harm, total, n = 1.0, 0.0, 0.0, 0
    while True:
        harm += 1.0 / (beta + n)
        term *= (s + n) * z / (n + 1)
        n += 1
        total += term * harm
        if term * harm < 1e-18 * total:
            break
    return beta * (1 - z) ** s * total * p_alive_ref(m, x, tx, T)


def n_ref_x0_c0(m: fg.ValueModel, t: float, T: float) -> float:
    """N(t) of a person with x = 0 when a + b = 1 (c = 0): the limit c -> 0.

    -(1-z)^r / (a-1) sum_{n>=1} (r)_n (b)_n z^n / ((n-1)! n!).
    """
    z = t / (m.alpha + T + t)
    term = m.r * m.b * z  # n = 1
    total, n = term, 1
    while term > 1e-18 * total:
        term *= (m.r + n) * (m.b + n) * z / (n * (n + 1))
        n += 1
        total += term
    return -((1 - z) ** m.r) / (m.a - 1) * total


def e_value_ref(m: fg.ValueModel, x: int, mean: float) -> float:
    pop = m.v * m.p / (m.q - 1)
    if x == 0:
        return pop
    w = m.p * x / (m.p * x + m.q - 1)
    return (1 - w) * pop + w * mean


def clv_ref(
    m: fg.ValueModel, x: int, tx: float, T: float, mean: float, months: int = 12, d: float = 0.01
) -> float:
    ev = e_value_ref(m, x, mean)
    month = WEEKS_PER_MONTH
    return sum(
        ev * (n_ref(m, i * month, x, tx, T) - n_ref(m, (i - 1) * month, x, tx, T)) / (1 + d) ** i
        for i in range(1, months + 1)
    )


# ---------------------------------------------------------------------------------
# CDNOW: the published record
def test_cdnow_transaction_summary_matches_the_published_counts(
    cdnow_cal: fg.CustomerGraph,
) -> None:
    # the file has rows identical in every column (same customer, day, CDs and dollars):
    # separate purchases, which the published summaries count -- every row is kept
    assert cdnow_cal.quality_report().set_index("table").loc["holdings", "kept"] == 6919
    s = transaction_summary(cdnow_cal).set_index("person_id")
    assert len(s) == 2357
    assert int((s["x"] == 0).sum()) == 1411  # customers without a repeat purchase
    assert int((s["x"] > 0).sum()) == 946  # the Gamma-Gamma sample
    # customer 0001: purchases 1997-01-01, 01-18, 08-02 (and 12-12, after the calibration)
    one = s.loc["0001"]
    assert one["x"] == 2
    assert one["t_x"] == pytest.approx(213 / 7)  # 1997-01-01 .. 08-02: 213 days = 30.43 weeks
    assert one["T"] == pytest.approx(272 / 7)  # .. 1997-09-30: 272 days = 38.86 weeks
    assert one["m"] == pytest.approx((29.73 + 14.96) / 2)
    # the published summaries give T = 38.86 for every customer who started on 1997-01-01
    first_day = s["T"].max()
    assert first_day == pytest.approx(38.86, abs=0.005)


def test_cdnow_bgnbd_reproduces_the_published_fit(cdnow_model: fg.ValueModel) -> None:
    m = cdnow_model
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    assert m.r == pytest.approx(0.243, rel=0.01)
    assert m.alpha == pytest.approx(4.414, rel=0.01)
    assert m.a == pytest.approx(0.793, rel=0.01)
    assert m.b == pytest.approx(2.426, rel=0.01)
    assert m.bgnbd_loglik == pytest.approx(-9582.4, abs=0.1)
    assert (m.n_persons, m.n_repeat, m.unit_days) == (2357, 946, 7.0)
    assert m.as_of == pd.Timestamp(CAL_END)
    assert m.bgnbd_converged and m.gg_converged


def test_cdnow_gamma_gamma_reproduces_the_published_fit(cdnow_model: fg.ValueModel) -> None:
    m = cdnow_model
    # Fader & Hardie, on the 946 repeat customers: p = 6.25, q = 3.74, v = 15.44 (15.45)
    assert m.p == pytest.approx(6.25, rel=0.01)
    assert m.q == pytest.approx(3.74, rel=0.01)
    assert m.v == pytest.approx(15.45, rel=0.01)
    assert m.v == pytest.approx(15.44, rel=0.001)
    assert m.n_gamma_gamma == 946


def test_cdnow_predictions_match_the_lifetimes_documentation(cdnow_model: fg.ValueModel) -> None:
    # the CDNOW example of the Lifetimes package documentation: expected purchases in the
    # next week of its five best customers, from summaries rounded to 2 decimals
    x = [18, 19, 17, 29, 26]
    t_x = [35.14, 34.00, 28.43, 37.71, 30.86]
    T = [35.86, 34.14, 28.86, 38.00, 31.00]
    published = [0.424877, 0.474738, 0.486526, 0.662396, 0.710623]
    got = cdnow_model.expected_purchases(1, x, t_x, T)
    np.testing.assert_allclose(got, published, rtol=5e-5)


CUSTOMERS = ["0001", "0002", "0003", "0006", "0157", "1516", "2357"]


@pytest.mark.parametrize("pid", CUSTOMERS)
def test_closed_forms_against_independent_series(
    cdnow_cal: fg.CustomerGraph, cdnow_model: fg.ValueModel, cdnow_pred: pd.DataFrame, pid: str
) -> None:
    m = cdnow_model
    row = cdnow_pred.loc[pid]
    summ = transaction_summary(cdnow_cal).set_index("person_id").loc[pid]
    x, tx, T = int(row["x"]), float(row["t_x"]), float(row["T"])
    mean = 0.0 if x == 0 else float(summ["m"])
    assert row["p_alive"] == pytest.approx(p_alive_ref(m, x, tx, T), rel=1e-10)
    horizon = 12 * WEEKS_PER_MONTH
    assert row["expected_purchases"] == pytest.approx(n_ref(m, horizon, x, tx, T), rel=1e-9)
    assert row["expected_value"] == pytest.approx(e_value_ref(m, x, mean), rel=1e-12)
    assert row["clv"] == pytest.approx(clv_ref(m, x, tx, T, mean), rel=1e-9)
    # the model's own methods agree with the table
    assert m.expected_purchases(horizon, x, tx, T)[0] == pytest.approx(row["expected_purchases"])


def test_n_of_t_at_a_equal_one_is_the_limit(cdnow_model: fg.ValueModel) -> None:
    # N(t) has (a - 1) in a denominator; at a = 1 the bracket is 0 too (removable)
    m1 = dataclasses.replace(cdnow_model, a=1.0)
    hist = [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86), (29, 37.71, 38.0)]
    for x, tx, T in hist:
        for t in (1.0, 39.0, 200.0):
            want = n_ref_a1(m1, t, x, tx, T)
            assert m1.expected_purchases(t, x, tx, T)[0] == pytest.approx(want, rel=1e-7)
            # and just off a = 1 (inside and outside the interpolated band) the closed form
            for eps in (-3e-5, 2e-4, -1e-3):
                mm = dataclasses.replace(cdnow_model, a=1.0 + eps)
                got = mm.expected_purchases(t, x, tx, T)[0]
                assert got == pytest.approx(n_ref(mm, t, x, tx, T), rel=1e-6)


def test_n_of_t_at_a_plus_b_equal_one_for_x_zero(cdnow_model: fg.ValueModel) -> None:
    # for x = 0, c = a + b - 1 = 0 is the other removable singularity
    m = dataclasses.replace(cdnow_model, a=0.4, b=0.6)
    for T in (0.0, 10.0, 38.86):
        for t in (1.0, 52.14):
            got = m.expected_purchases(t, 0, 0.0, T)[0]
            assert got == pytest.approx(n_ref_x0_c0(m, t, T), rel=1e-7)


def test_cdnow_holdout_by_calibration_frequency(
    cdnow_all: fg.CustomerGraph, cdnow_model: fg.ValueModel
) -> None:
    """Predicted vs actual repeat purchases 1997-10-01 .. 1998-06-30 (39 weeks).

    Tolerance: each bucket's predicted mean lies within 3 standard errors of the
    actual mean (the sampling noise of a bucket of n customers). Measured: the
    model under-predicts buckets 1 and 2 by 2.8 standard errors (0.52 vs 0.70, 1.04
    vs 1.39) and is within 1.1 standard errors elsewhere; over all customers it
    predicts 1,653 holdout transactions against 1,882 (-12 %), within 15 %.
    """
    cal = calibration_table(cdnow_all, cdnow_model)
    assert list(cal.columns) == list(CALIBRATION_COLUMNS)
    assert cal["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert cal["customers"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    # actual holdout purchase days, counted here from the raw file
    raw = cdnow_tables()["holdings"]
    days = raw.drop_duplicates(["person_id", "purchased_at"])
    cal_x = days[days["purchased_at"] <= CAL_END].groupby("person_id").size() - 1
    later = days[days["purchased_at"] > CAL_END].groupby("person_id").size()
    later = later.reindex(cal_x.index, fill_value=0)
    bucket = cal_x.clip(upper=7)
    actual = later.groupby(bucket).mean()
    se = later.groupby(bucket).std(ddof=1) / np.sqrt(later.groupby(bucket).size())
    np.testing.assert_allclose(cal["actual"], actual.to_numpy(), rtol=1e-12)
    assert int(later.sum()) == 1882
    gap = np.abs(cal["predicted"].to_numpy() - actual.to_numpy())
    assert (gap <= 3 * se.to_numpy()).all(), (gap / se.to_numpy()).round(2).tolist()
    assert bool(np.all(np.diff(cal["predicted"].to_numpy()) > 0))  # more before, more after
    total_pred = float((cal["predicted"] * cal["customers"]).sum())
    assert total_pred == pytest.approx(1882, rel=0.15)
    assert total_pred == pytest.approx(1653.4, abs=0.5)


def test_value_calibration_plot(cdnow_all: fg.CustomerGraph, cdnow_model: fg.ValueModel) -> None:
    ax = fg.plot.value_calibration(cdnow_all, cdnow_model)
    cal = calibration_table(cdnow_all, cdnow_model)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["actual", "predicted"]
    np.testing.assert_allclose(lines[0].get_ydata(), cal["actual"])
    np.testing.assert_allclose(lines[1].get_ydata(), cal["predicted"])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "0\n1,411" and ticks[-1] == "7+\n64"
    assert "1997-09-30" in ax.get_title()
    _fig, own = plt.subplots()
    assert fg.plot.value_calibration(cdnow_all, cdnow_model, ax=own) is own


def test_unit_days_scales_alpha_only(
    cdnow_cal: fg.CustomerGraph, cdnow_model: fg.ValueModel
) -> None:
    days = fg.fit_value_model(cdnow_cal, unit_days=1)
    assert days.alpha == pytest.approx(7 * cdnow_model.alpha, rel=1e-5)
    for name in ("r", "a", "b", "p", "q", "v"):
        assert getattr(days, name) == pytest.approx(getattr(cdnow_model, name), rel=1e-5)
    a = fg.predict_value(cdnow_cal, days)
    b = fg.predict_value(cdnow_cal, cdnow_model)
    np.testing.assert_allclose(a["T"], 7 * b["T"])
    for col in ("p_alive", "expected_purchases", "expected_value", "clv"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-5)


# ---------------------------------------------------------------------------------
# predict_value: shape, people without purchases, value= plug-in
def test_predict_value_columns_and_persons_without_purchases() -> None:
    g = fg.build(**fg.datasets.synthetic(3_000, seed=2))
    pred = fg.predict_value(g)
    assert list(pred.columns) == list(PREDICT_VALUE_COLUMNS)
    assert pred["person_id"].tolist() == g.people["person_id"].tolist()
    none = ~g.people["person_id"].isin(g.holdings["person_id"]).to_numpy()
    assert none.any() and (~none).any()
    assert pred.loc[none, ["x", "t_x", "T", "p_alive", "expected_purchases"]].isna().all().all()
    assert pred.loc[none, "expected_value"].isna().all()
    assert (pred.loc[none, "clv"] == 0).all()
    buyers = pred[~none]
    assert buyers[["x", "p_alive", "expected_purchases", "expected_value"]].notna().all().all()
    assert buyers["p_alive"].between(0, 1).all()
    assert (buyers["clv"] > 0).all()
    assert str(pred["x"].dtype) == "Int64"
    # model=None fits on g, once per graph: the fit is memoised
    model = fg.fit_value_model(g)
    assert fg.fit_value_model(g) is model
    assert fg.fit_value_model(g, unit_days=1) is not model
    again = fg.predict_value(g, model)
    pd.testing.assert_frame_equal(pred, again)


def test_clv_grows_with_horizon_and_falls_with_discount() -> None:
    g = fg.build(**fg.datasets.synthetic(2_000, seed=3))
    m = fg.fit_value_model(g)
    base = fg.predict_value(g, m)["clv"]
    longer = fg.predict_value(g, m, horizon_months=24)["clv"]
    dearer = fg.predict_value(g, m, discount=0.05)["clv"]
    free = fg.predict_value(g, m, discount=0.0)
    buyers = base > 0
    assert (longer[buyers] > base[buyers]).all()
    assert (dearer[buyers] < base[buyers]).all()
    # without discount, clv = expected value x expected purchases over the horizon
    np.testing.assert_allclose(
        free["clv"][buyers],
        (free["expected_value"] * free["expected_purchases"])[buyers],
        rtol=1e-9,
    )


def test_clv_plugs_into_value_parameters() -> None:
    g = fg.build(**fg.datasets.synthetic(3_000, seed=4))
    clv = fg.predict_value(g).set_index("person_id")["clv"]
    su = fg.super_users(g, value=clv)
    np.testing.assert_allclose(
        su.set_index("person_id")["monetary"].reindex(clv.index), clv.to_numpy()
    )
    rv = fg.referral_value(g, value=clv, decay=0.5).set_index("person_id")
    # a referrer whose referees refer nobody: chain value = sum of their clv
    ref = g.referrals
    has_kids = set(ref["referrer_id"])
    leaf_parents = ref.groupby("referrer_id")["referee_id"].apply(
        lambda kids: not any(k in has_kids for k in kids)
    )
    pid = leaf_parents[leaf_parents].index[0]
    kids = ref.loc[ref["referrer_id"] == pid, "referee_id"]
    assert rv.loc[pid, "chain_value"] == pytest.approx(float(clv.loc[kids].sum()))
    assert rv["chain_value"].sum() != pytest.approx(fg.referral_value(g)["chain_value"].sum())


# ---------------------------------------------------------------------------------
# transaction summaries on a hand-made book
def tiny_book(as_of: str = "2024-03-31") -> fg.CustomerGraph:
    people = pd.DataFrame({"person_id": ["A", "B", "C", "D", "E"]})
    holdings = pd.DataFrame(
        [
            ("A", "2024-01-01", 10.0),  # first day: 10 + 5 (merged into one transaction)
            ("A", "2024-01-01", 5.0),
            ("A", "2024-01-15", 20.0),
            ("A", "2024-02-12 14:30", 40.0),  # a time of day: still that calendar day
            ("A", "2024-06-01", 1000.0),  # after as_of: ignored
            ("B", "2024-03-31", 7.0),  # one purchase, on as_of
            ("D", "2024-04-01", 3.0),  # only after as_of: no transaction
            ("E", "2024-02-01", 4.0),
            ("E", "2024-03-01", None),  # a repeat day without amount: value 0
        ],
        columns=["person_id", "purchased_at", "amount"],
    )
    holdings["line"] = "cd"
    holdings["holding_id"] = [f"h{i}" for i in range(len(holdings))]
    return fg.build(people, holdings=holdings, as_of=as_of)


def test_transaction_summary_hand_computed() -> None:
    s = transaction_summary(tiny_book()).set_index("person_id")
    assert s.loc["A", "x"] == 2  # days 01-01, 01-15, 02-12
    assert s.loc["A", "t_x"] == pytest.approx(42 / 7)  # 01-01 .. 02-12: 42 days
    assert s.loc["A", "T"] == pytest.approx(90 / 7)  # 01-01 .. 03-31: 90 days (leap year)
    assert s.loc["A", "m"] == pytest.approx(30.0)  # (20 + 40) / 2, first day left out
    assert s.loc["B"].drop("x").tolist()[:2] == [0.0, 0.0]
    assert s.loc["B", "x"] == 0 and np.isnan(s.loc["B", "m"])
    for pid in ("C", "D"):
        assert s.loc[pid].isna().all()
    assert s.loc["E", "x"] == 1 and s.loc["E", "m"] == 0.0
    assert s.loc["E", "t_x"] == pytest.approx(29 / 7)
    days = transaction_summary(tiny_book(), unit_days=1).set_index("person_id")
    assert days.loc["A", ["t_x", "T"]].tolist() == [42.0, 90.0]


def test_predict_value_uses_the_summaries() -> None:
    g = simulated_book(1_500, seed=1)
    s = transaction_summary(g)
    pred = fg.predict_value(g)
    pd.testing.assert_series_equal(pred["x"], s["x"])
    np.testing.assert_allclose(pred["t_x"], s["t_x"])
    np.testing.assert_allclose(pred["T"], s["T"])
    m = fg.fit_value_model(g)
    np.testing.assert_allclose(
        pred["expected_value"], m.expected_value(s["x"].fillna(0), s["m"].fillna(0)), rtol=1e-12
    )
    assert m.n_persons == int(s["x"].notna().sum())


# ---------------------------------------------------------------------------------
# errors
def test_no_purchase_is_a_data_error() -> None:
    g = tiny_book(as_of="2023-12-31")  # every purchase is later
    with pytest.raises(fg.DataError, match="no person has a purchase on or before as_of"):
        fg.fit_value_model(g)
    with pytest.raises(fg.DataError, match="no person has a purchase"):
        fg.predict_value(g)


def test_no_repeat_buyer_is_a_data_error() -> None:
    people = pd.DataFrame({"person_id": ["A", "B"]})
    holdings = pd.DataFrame(
        {
            "person_id": ["A", "A", "B"],
            "line": "cd",
            "purchased_at": ["2024-01-01", "2024-01-01", "2024-02-01"],  # A twice the same day
            "amount": [1.0, 2.0, 3.0],
        }
    )
    g = fg.build(people, holdings=holdings, as_of="2024-03-31")
    with pytest.raises(fg.DataError, match="bought on two different days"):
        fg.fit_value_model(g)


def test_too_few_repeat_buyers_with_value_is_a_data_error() -> None:
    g = simulated_book(600, seed=5, amount=0.0)  # every purchase free: m = 0
    with pytest.raises(fg.DataError, match=r"only 0 repeat buyer\(s\).*`amount`"):
        fg.fit_value_model(g)


def test_q_at_most_one_is_a_data_error() -> None:
    g = simulated_book(1_500, seed=1, q=0.6)  # heavy tail of mean values across customers
    with pytest.raises(fg.DataError, match=r"q = 0\.\d+ <= 1.*infinite"):
        fg.fit_value_model(g)


def test_optimiser_without_convergence_is_a_data_error() -> None:
    g = simulated_book(1_500, seed=1, amount=20.0)  # every purchase the same amount
    with pytest.raises(fg.DataError, match="Gamma-Gamma fit did not converge"):
        fg.fit_value_model(g)


def test_argument_checks(cdnow_cal: fg.CustomerGraph, cdnow_all: fg.CustomerGraph) -> None:
    for bad in (0, -7, True, "7", float("nan")):
        with pytest.raises(
            ValueError, match="The `unit_days` parameter of `fit_value_model` must be"
        ):
            fg.fit_value_model(cdnow_cal, unit_days=bad)  # type: ignore[arg-type]
    model = fg.fit_value_model(cdnow_cal)
    for bad in (0, 1.5, 12.0, True):
        with pytest.raises(ValueError, match="`horizon_months` parameter of `predict_value`"):
            fg.predict_value(cdnow_cal, model, horizon_months=bad)  # type: ignore[arg-type]
    for bad in (-0.01, float("inf"), "1%"):
        with pytest.raises(ValueError, match="`discount` parameter of `predict_value`"):
            fg.predict_value(cdnow_cal, model, discount=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`model` parameter of `predict_value` must be a"):
        fg.predict_value(cdnow_cal, "model")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`max_x` parameter of `calibration_table`"):
        calibration_table(cdnow_all, model, max_x=0)
    with pytest.raises(ValueError, match=r"`model` parameter of `calibration_table`.*earlier"):
        calibration_table(cdnow_cal, model)  # no holdout: same as_of
    with pytest.raises(ValueError, match="`t` parameter of `expected_purchases`"):
        model.expected_purchases(-1, 0, 0, 1)


def test_value_model_repr_and_summary(cdnow_model: fg.ValueModel) -> None:
    text = repr(cdnow_model)
    assert "r=0.2426" in text and "2,357 persons" in text and "as_of 1997-09-30" in text
    summ = cdnow_model.summary().set_index("parameter")
    assert summ.loc["alpha", "estimate"] == cdnow_model.alpha
    mean_value = cdnow_model.v * cdnow_model.p / (cdnow_model.q - 1)
    assert summ.loc["mean value", "estimate"] == pytest.approx(mean_value)
    assert cdnow_model.mean_value == pytest.approx(35.17, abs=0.01)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cdnow_model.r = 1.0  # type: ignore[misc]
    # made from stored parameters: checked
    with pytest.raises(ValueError, match="The `q` parameter of `ValueModel` must be a finite"):
        dataclasses.replace(cdnow_model, q=1.0)
    with pytest.raises(ValueError, match="The `alpha` parameter of `ValueModel`"):
        dataclasses.replace(cdnow_model, alpha=-1.0)
    stored = dataclasses.replace(cdnow_model, as_of="1997-09-30")  # type: ignore[arg-type]
    assert stored.as_of == pd.Timestamp("1997-09-30")


def test_calibration_table_max_x() -> None:
    tables = fg.datasets.synthetic(2_000, seed=3)
    model = fg.fit_value_model(fg.build(**tables, as_of="2023-12-31"))
    cal = calibration_table(fg.build(**tables), model, max_x=3)
    assert cal["frequency"].tolist() == ["0", "1", "2", "3+"]
    assert int(cal["customers"].sum()) == model.n_persons
    assert math.isfinite(float(cal["predicted"].sum()))
