"""Movement figures: who moved between relationship levels since an earlier date."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph.analysis.transitions import transition_matrix
from famgraph.plot._common import PALETTE, _empty, _new_axes, _require_columns, _start
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


def biggest_move(transitions: pd.DataFrame, language: str = "en") -> str:
    """One sentence naming the largest move between two different tiers.

    Examples
    --------
    >>> import famgraph as fg
    >>> t = fg.tier_transitions(fg.datasets.sample(), "2024-12-31")
    >>> biggest_move(t)
    '2 persons moved strong → super since 2024-12-31'
    >>> biggest_move(t, "zh")
    '自2024-12-31以来有2人从“紧密”变为“超级”'
    """
    m = transition_matrix(transitions).to_numpy()
    off = m.copy()
    np.fill_diagonal(off, 0)
    since = _date(transitions, "since")
    tail = i18n.text("flow.since", language, date=since) if since else ""
    if off.sum() == 0:
        return i18n.text("flow.none", language, since=tail)
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    k = int(off[i, j])
    who = i18n.text("flow.person" if k == 1 else "flow.persons", language)
    n = f"{k:,} {who}" if language == "en" else f"{k:,}"
    a, b = (i18n.term("tier", TIERS[x], language) for x in (i, j))
    return i18n.text("flow.move", language, n=n, a=a, b=b, since=tail)


def tier_flow(
    transitions: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
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
    language : {"en", "zh"}, default "en"
        Language of the labels and the default title.

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
    lang = _start("tier_flow", language)
    _require_columns(transitions, ("tier_before", "tier_after"), "tier_flow", "transitions")
    if title is None:
        title = (
            biggest_move(transitions, lang) if len(transitions) else i18n.text("flow.title", lang)
        )
    ax = _new_axes(ax, (6.5, 4.6))
    with _fonts.style():
        if transitions.empty:
            return _empty(ax, title, i18n.text("quad.none", lang))
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
        names = [i18n.term("tier", t, lang) for t in TIERS]
        ax.set_xticks(range(k), names)
        ax.set_yticks(range(k), names)
        since, now = _date(transitions, "since"), _date(transitions, "as_of")
        ax.set_ylabel(
            i18n.text("flow.y", lang, date=since) if since else i18n.text("flow.y_plain", lang)
        )
        up = int(np.triu(m, 1).sum())
        down = int(np.tril(m, -1).sum())
        moves = i18n.text("flow.moves", lang, up=f"{up:,}", down=f"{down:,}")
        x = i18n.text("flow.x", lang, date=now) if now else i18n.text("flow.x_plain", lang)
        ax.set_xlabel(f"{x}  —  {moves}")
        ax.set_title(title)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
    return ax


def _rect(x: float, y: float, colour: str, *, alpha: float) -> object:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, alpha=alpha, edgecolor="white", lw=2)
