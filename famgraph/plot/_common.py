"""Shared pieces of the figures: the palette, money text, axes and empty states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph._validation import check_param
from famgraph.graph import CustomerGraph

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CUSTOMER",
    "GAP",
    "HELD",
    "NOT_NEEDED",
    "PALETTE",
    "PROSPECT",
    "money",
]

#: The Okabe-Ito colour-blind-safe palette.
PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
#: What a person lacks (a coverage gap).
GAP = PALETTE["vermillion"]
#: What a person holds.
HELD = PALETTE["green"]
#: A line the plan does not ask of the person.
NOT_NEEDED = "#E8E8E8"
#: A customer (converted).
CUSTOMER = PALETTE["blue"]
#: A prospect (not converted).
PROSPECT = PALETTE["orange"]
_GAP_LIGHT = "#F9DCC8"
_TIER_COLOURS = {
    "none": "#BBBBBB",
    "micro": PALETTE["sky_blue"],
    "weak": PALETTE["blue"],
    "strong": PALETTE["green"],
    "super": PALETTE["vermillion"],
}


def money(x: float, currency: str = "CNY", language: str = "en") -> str:
    """Short money text: ``money(1_250_000) == 'CNY 1.25M'`` (:func:`famgraph.i18n.money`).

    Examples
    --------
    >>> money(1_250_000), money(9_500, "USD"), money(0), money(1_250_000, language="zh")
    ('CNY 1.25M', 'USD 9.5K', 'CNY 0', '125万元')
    """
    return i18n.money(x, currency, language)


def _money_formatter(currency: str, language: str = "en") -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: i18n.money(v, currency, language, unit=False))


def _start(func: str, language: str) -> str:
    """Check a figure's ``language`` argument (the uniform error) and return it."""
    return i18n.check_language(func, language)


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    with _fonts.style():
        _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _require_columns(df: pd.DataFrame, cols: Sequence[str], func: str, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    check_param(
        func,
        what,
        f"a DataFrame without {missing}" if missing else df,
        not missing,
        f"a DataFrame with columns {list(cols)}",
    )


def _empty(ax: Axes, title: str, text: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _display_names(g: CustomerGraph, pos: np.ndarray, mask_names: bool) -> list[str]:
    ids = g.people["person_id"].to_numpy(dtype=object)[pos]
    if mask_names:
        return [str(i) for i in ids]
    names = g.people["name"].to_numpy(dtype=object)[pos]
    return [
        str(n) if isinstance(n, str) and n.strip() else str(i)
        for n, i in zip(names, ids, strict=True)
    ]


def _subgraph(g: CustomerGraph, pos: np.ndarray) -> CustomerGraph:
    """The persons at ``pos`` with their relations, referrals and holdings among them."""
    inside = np.zeros(g.n_people, dtype=bool)
    inside[pos] = True
    rel = inside[g.rel_src] & inside[g.rel_dst] if len(g.relations) else np.zeros(0, bool)
    ref = inside[g.ref_src] & inside[g.ref_dst] if len(g.referrals) else np.zeros(0, bool)
    hold = inside[g.hold_person] if len(g.holdings) else np.zeros(0, bool)
    return CustomerGraph(
        g.people.iloc[np.sort(pos)].reset_index(drop=True),
        g.relations[rel].reset_index(drop=True),
        g.referrals[ref].reset_index(drop=True),
        g.holdings[hold].reset_index(drop=True),
        as_of=g.as_of,
    )
