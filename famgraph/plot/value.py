"""Future-value figures: how well the purchase model predicts a holdout period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph.analysis.valuemodel import ValueModel, calibration_table
from famgraph.graph import CustomerGraph
from famgraph.plot._common import PALETTE, _empty, _new_axes, _require_columns, _start
from famgraph.rules import CALIBRATION_MAX_X

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ACTUAL", "PREDICTED", "value_calibration", "value_quadrants"]

#: What customers actually did.
ACTUAL = PALETTE["black"]
#: What the model predicted.
PREDICTED = PALETTE["vermillion"]


def value_calibration(
    g: CustomerGraph,
    model: ValueModel,
    *,
    ax: Axes | None = None,
    max_x: int = CALIBRATION_MAX_X,
    title: str | None = None,
) -> Axes:
    """Actual against predicted purchases after the fitting period, by purchases before it.

    The classic check of a purchase model: customers are grouped by how many
    repeat purchases they made up to ``model.as_of`` (0, 1, ..., ``max_x`` or more);
    for each group the figure shows how many purchases they made on average in
    the holdout period up to ``g.as_of`` (black, solid) and how many the model
    predicted (vermillion, dashed). Close lines mean the model can be trusted to
    rank and value customers.

    Parameters
    ----------
    g : CustomerGraph
        The book up to the end of the holdout period.
    model : ValueModel
        Fitted on the same book up to an earlier date (``model.as_of``).
    ax : matplotlib.axes.Axes, optional
    max_x : int, default 7
        The last group gathers customers with ``max_x`` or more repeat purchases.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Two lines, ``ax.get_lines()[0]`` the actual means (label ``"actual"``) and
        ``[1]`` the predicted ones (label ``"predicted"``), one point per group of
        :func:`famgraph.analysis.valuemodel.calibration_table`; the x tick labels
        give each group's size.

    Raises
    ------
    ValueError
        As :func:`~famgraph.analysis.valuemodel.calibration_table` (a model not
        fitted before ``g.as_of``, a bad ``max_x``).

    Notes
    -----
    Cost of :func:`~famgraph.analysis.valuemodel.calibration_table`: O(H log H)
    for H holdings plus one hypergeometric evaluation per distinct history.

    Examples
    --------
    >>> import famgraph as fg
    >>> tables = fg.datasets.synthetic(3_000, seed=0)
    >>> model = fg.fit_value_model(fg.build(**tables, as_of="2023-06-30"))
    >>> ax = fg.plot.value_calibration(fg.build(**tables), model)
    >>> [line.get_label() for line in ax.get_lines()]
    ['actual', 'predicted']
    """
    table = calibration_table(g, model, max_x=max_x)
    start, end = model.as_of.date(), g.as_of.date()
    title = f"Purchases after {start}: actual vs predicted" if title is None else title
    ax = _new_axes(ax, (7.0, 3.8))
    with _fonts.style():
        n = table["customers"].to_numpy(dtype=float)
        if n.sum() == 0:
            return _empty(ax, title, f"No customer bought on or before {start}")
        xs = np.arange(len(table))
        actual = table["actual"].to_numpy(dtype=float)
        predicted = table["predicted"].to_numpy(dtype=float)
        ax.plot(xs, actual, color=ACTUAL, marker="o", lw=1.8, label="actual")
        ax.plot(xs, predicted, color=PREDICTED, marker="s", lw=1.8, ls="--", label="predicted")
        total_a = float(np.nansum(actual * n))
        total_p = float(np.nansum(predicted * n))
        labels = [f"{f}\n{int(c):,}" for f, c in zip(table["frequency"], n, strict=True)]
        ax.set_xticks(xs, labels)
        ax.set_ylim(0, None)
        ax.set_title(title)
        ax.set_xlabel(f"repeat purchases up to {start}\n(second line: customers in the group)")
        first = (model.as_of + pd.Timedelta(days=1)).date()
        ax.set_ylabel(f"purchases per customer\n{first} to {end}")
        ax.legend(
            loc="upper left",
            title=f"all customers: {total_a:,.0f} actual, {total_p:,.0f} predicted",
            title_fontsize=8,
        )
        ax.grid(True, axis="y", color="#EEEEEE")
        ax.set_axisbelow(True)
    return ax


def value_quadrants(
    segments: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
    max_points: int = 4_000,
    seed: int = 0,
) -> Axes:
    """Customers by their own future value (CLV) and what their referrals bring (CRV).

    Parameters
    ----------
    segments : pandas.DataFrame
        The result of :func:`famgraph.value_segments` (uses ``clv``, ``crv``,
        ``segment``, ``at_risk``); prospects are left out.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    language : {"en", "zh"}, default "en"
    max_points : int, default 4000
        At most this many customers are drawn (a fixed random sample, ``seed``), so
        the figure stays readable and small at a million customers; the quadrant
        counts are over all customers.

    Returns
    -------
    matplotlib.axes.Axes
        One dot per drawn customer on symmetric-log axes (CRV is 0 for most), grey,
        vermillion for the strong and super customers at risk; dashed lines at the
        customers' medians (the segment boundaries) and, in each corner, the segment
        and its number of customers.

    Notes
    -----
    Cost O(customers) for the counts; drawing is bounded by ``max_points``.

    Examples
    --------
    >>> import famgraph as fg
    >>> seg = fg.value_segments(fg.build(**fg.datasets.synthetic(3_000, seed=0)))
    >>> ax = fg.plot.value_quadrants(seg)
    >>> sorted(t.get_text().split(":")[0] for t in ax.texts)
    ['advocate', 'affluent', 'champion', 'miser']
    """
    lang = _start("value_quadrants", language)
    _require_columns(segments, ("clv", "crv", "segment", "at_risk"), "value_quadrants", "segments")
    cust = segments[segments["segment"] != "prospect"]
    title = i18n.text("quad.title", lang) if title is None else title
    ax = _new_axes(ax, (7.0, 4.6))
    with _fonts.style():
        if cust.empty:
            return _empty(ax, title, i18n.text("quad.none", lang))
        clv = cust["clv"].to_numpy(dtype=float)
        crv = cust["crv"].to_numpy(dtype=float)
        risk = cust["at_risk"].to_numpy(dtype=bool)
        rng = np.random.default_rng(seed)
        shown = np.arange(len(cust))
        if len(shown) > max_points:
            shown = np.sort(rng.choice(len(cust), max_points, replace=False))
        calm = shown[~risk[shown]]
        hot = shown[risk[shown]]
        ax.scatter(clv[calm], crv[calm], s=6, color="#9a9a9a", alpha=0.5, linewidths=0)
        ax.scatter(
            clv[hot],
            crv[hot],
            s=12,
            color=PALETTE["vermillion"],
            alpha=0.9,
            linewidths=0,
            label=i18n.text("quad.at_risk", lang),
        )
        ax.set_xscale("symlog", linthresh=max(1.0, float(np.median(clv)) / 10))
        ax.set_yscale("symlog", linthresh=max(1.0, float(np.percentile(crv, 90)) / 10 or 1.0))
        x_mid, y_mid = float(np.median(clv)), float(np.median(crv))
        ax.axvline(x_mid, color="#555555", lw=0.8, ls="--")
        ax.axhline(y_mid, color="#555555", lw=0.8, ls="--")
        counts = cust["segment"].value_counts()
        corners = {
            "champion": (0.98, 0.97, "right", "top"),
            "affluent": (0.98, 0.08, "right", "bottom"),
            "advocate": (0.02, 0.97, "left", "top"),
            "miser": (0.02, 0.08, "left", "bottom"),
        }
        for seg, (x, y, ha, va) in corners.items():
            label = i18n.text(
                "quad.count",
                lang,
                segment=i18n.term("segment", seg, lang),
                n=f"{int(counts.get(seg, 0)):,}",
            )
            ax.text(
                x,
                y,
                label,
                transform=ax.transAxes,
                ha=ha,
                va=va,
                fontsize=9,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
            )
        ax.set_xlabel(i18n.text("quad.x", lang))
        ax.set_ylabel(i18n.text("quad.y", lang))
        ax.set_title(title)
        if len(hot):
            ax.legend(loc="center right", fontsize=8, frameon=False)
    return ax
