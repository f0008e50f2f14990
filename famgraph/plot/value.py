"""Future-value figures: how well the purchase model predicts a holdout period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts
from famgraph.analysis.valuemodel import ValueModel, calibration_table
from famgraph.graph import CustomerGraph
from famgraph.plot._common import PALETTE, _empty, _new_axes
from famgraph.rules import CALIBRATION_MAX_X

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ACTUAL", "PREDICTED", "value_calibration"]

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
