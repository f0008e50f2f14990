"""Movement figures: who moved between relationship levels since an earlier date."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts
from famgraph.analysis.transitions import transition_matrix
from famgraph.plot._common import PALETTE, _empty, _new_axes, _require_columns
from famgraph.schema import TIERS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["biggest_move", "tier_flow"]

_UP = PALETTE["green"]
_DOWN = PALETTE["vermillion"]
_STAY = "#D9D9D9"


def _date(transitions: pd.DataFrame, key: str) -> str:
    at = transitions.attrs.get(key)
    return "" if at is None else pd.Timestamp(at).date().isoformat()


def biggest_move(transitions: pd.DataFrame) -> str:
    """One sentence naming the largest move between two different tiers.

    Examples
    --------
    >>> import famgraph as fg
    >>> t = fg.tier_transitions(fg.datasets.sample(), "2024-12-31")
    >>> biggest_move(t)
    '2 persons moved strong → super since 2024-12-31'
    """
    m = transition_matrix(transitions).to_numpy()
    off = m.copy()
    np.fill_diagonal(off, 0)
    since = _date(transitions, "since")
    tail = f" since {since}" if since else ""
    if off.sum() == 0:
        return "Nobody changed relationship level" + tail
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    k = int(off[i, j])
    who = "person" if k == 1 else "persons"
    return f"{k:,} {who} moved {TIERS[i]} → {TIERS[j]}{tail}"


def tier_flow(
    transitions: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Who moved between relationship levels: a tier x tier matrix of counts.

    Parameters
    ----------
    transitions : pandas.DataFrame
        The result of :func:`famgraph.tier_transitions`.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: the largest move, e.g. "412 persons moved weak → strong since
        2024-12-31".

    Returns
    -------
    matplotlib.axes.Axes
        Rows are the tier at the earlier date, columns the tier now (none, micro,
        weak, strong, super). Each cell shows its count; cells right of the diagonal
        (rose) are green, left of it (slipped) vermillion, the diagonal (stayed) grey,
        each shaded by its count. The x label sums up: so many rose, so many slipped.

    Notes
    -----
    Cost O(persons) for the counts.

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.tier_flow(fg.tier_transitions(fg.datasets.sample(), "2024-12-31"))
    >>> ax.get_title()
    '2 persons moved strong → super since 2024-12-31'
    """
    _require_columns(transitions, ("tier_before", "tier_after"), "tier_flow", "transitions")
    title = biggest_move(transitions) if title is None and len(transitions) else title
    ax = _new_axes(ax, (6.5, 4.6))
    with _fonts.style():
        if transitions.empty:
            return _empty(ax, title or "Tier flow", "No persons")
        m = transition_matrix(transitions).to_numpy()
        k = len(TIERS)
        rows, cols = np.indices((k, k))
        colour = np.where(cols > rows, _UP, np.where(cols < rows, _DOWN, _STAY))
        top = max(int(m.max()), 1)
        for i in range(k):
            for j in range(k):
                n = int(m[i, j])
                alpha = 0.12 + 0.88 * (np.log1p(n) / np.log1p(top)) if n else 0.04
                ax.add_patch(
                    _rect(j - 0.5, i - 0.5, colour[i, j], alpha=float(alpha))  # type: ignore[arg-type]
                )
                dark = n and alpha > 0.6 and i != j
                ax.text(
                    j,
                    i,
                    f"{n:,}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else "#333333",
                )
        ax.set_xlim(-0.5, k - 0.5)
        ax.set_ylim(k - 0.5, -0.5)
        ax.set_xticks(range(k), list(TIERS))
        ax.set_yticks(range(k), list(TIERS))
        since, now = _date(transitions, "since"), _date(transitions, "as_of")
        ax.set_ylabel(f"tier on {since}" if since else "tier before")
        up = int(np.triu(m, 1).sum())
        down = int(np.tril(m, -1).sum())
        ax.set_xlabel(
            (f"tier on {now}" if now else "tier now")
            + f"  —  {up:,} rose (green), {down:,} slipped (vermillion)"
        )
        ax.set_title(title or "Tier flow")
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
    return ax


def _rect(x: float, y: float, colour: str, *, alpha: float) -> object:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, alpha=alpha, edgecolor="white", lw=2)
