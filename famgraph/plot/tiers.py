"""Relationship-level figures: the tier funnel and customers by level with referral inflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph.plot._common import (
    _TIER_COLOURS,
    PALETTE,
    _new_axes,
    _require_columns,
    _start,
)
from famgraph.schema import TIERS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["funnel", "tiers"]


def tiers(
    super_users: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
) -> Axes:
    """The tier funnel: how many persons are in each tier, none at the top, super at the bottom.

    Parameters
    ----------
    super_users : pandas.DataFrame
        The result of :func:`famgraph.super_users` (uses ``tier``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    language : {"en", "zh"}, default "en"
        Language of the labels (:mod:`famgraph.i18n`).

    Returns
    -------
    matplotlib.axes.Axes
        One centred horizontal bar per tier in the order none, micro, weak, strong,
        super (every tier drawn, zero-width when empty), labelled with its count and
        share.

    Notes
    -----
    Cost O(persons).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.tiers(fg.super_users(fg.datasets.sample()))
    >>> len(ax.patches)
    5
    """
    lang = _start("tiers", language)
    _require_columns(super_users, ("tier",), "tiers", "super_users")
    counts = super_users["tier"].value_counts().reindex(list(TIERS), fill_value=0)
    total = int(counts.sum())
    title = i18n.text("tiers.title", lang) if title is None else title
    ax = _new_axes(ax, (6.5, 3.2))
    with _fonts.style():
        widest = max(int(counts.max()), 1)
        ys = np.arange(len(TIERS))
        vals = counts.to_numpy(dtype=float)
        ax.barh(
            ys, vals, left=(widest - vals) / 2, color=[_TIER_COLOURS[t] for t in TIERS], height=0.75
        )
        for y, v in zip(ys, vals, strict=True):
            share = v / total if total else 0.0
            ax.text(
                (widest + v) / 2 + 0.015 * widest,
                float(y),
                f"{int(v):,} ({share:.0%})",
                ha="left",
                va="center",
                fontsize=8,
                color="#111111",
            )
        ax.set_yticks(ys, [i18n.term("tier", t, lang) for t in TIERS])
        ax.set_ylim(len(TIERS) - 0.5, -0.5)
        ax.set_xlim(0, widest * 1.2)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_title(title)
        ax.set_ylabel(i18n.text("tiers.y", lang))
        ax.set_xlabel(i18n.text("tiers.x", lang, total=f"{total:,}"))
    return ax


def funnel(
    super_users: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
) -> Axes:
    """Customers by relationship level (tier), with the referral inflow each level brings.

    For each tier micro, weak, strong, super: a bar of the persons in it and,
    beside it, a hatched bar of the customers they brought in (the sum of their
    ``converted_referrals``). Shows where the new customers come from.

    Parameters
    ----------
    super_users : pandas.DataFrame
        The result of :func:`famgraph.super_users` (uses ``tier,
        converted_referrals``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    language : {"en", "zh"}, default "en"
        Language of the labels (:mod:`famgraph.i18n`).

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers: ``ax.containers[0]`` the persons per level,
        ``ax.containers[1]`` the referral inflow per level.

    Notes
    -----
    The ``none`` tier (prospects and customers without a purchase) is left out.
    Cost O(persons).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.funnel(fg.super_users(fg.datasets.sample()))
    >>> len(ax.containers[0]), len(ax.containers[1])
    (4, 4)
    """
    lang = _start("funnel", language)
    _require_columns(super_users, ("tier", "converted_referrals"), "funnel", "super_users")
    levels = [t for t in TIERS if t != "none"]
    grp = super_users.groupby("tier", observed=True)
    people = grp.size().reindex(levels, fill_value=0).to_numpy(dtype=float)
    inflow = grp["converted_referrals"].sum().reindex(levels, fill_value=0).to_numpy(dtype=float)
    title = i18n.text("funnel.title", lang) if title is None else title
    ax = _new_axes(ax, (6.5, 3.2))
    with _fonts.style():
        ys = np.arange(len(levels))
        h = 0.38
        b1 = ax.barh(
            ys - h / 2,
            people,
            height=h,
            color=[_TIER_COLOURS[t] for t in levels],
            label=i18n.text("funnel.people", lang),
        )
        b2 = ax.barh(
            ys + h / 2,
            inflow,
            height=h,
            color="white",
            edgecolor=PALETTE["black"],
            hatch="///",
            label=i18n.text("funnel.inflow", lang),
        )
        ax.bar_label(b1, labels=[f"{int(v):,}" for v in people], padding=3, fontsize=7)
        ax.bar_label(b2, labels=[f"{int(v):,}" for v in inflow], padding=3, fontsize=7)
        ax.set_yticks(ys, [i18n.term("tier", t, lang) for t in levels])
        ax.set_ylim(len(levels) - 0.5, -0.5)
        ax.margins(x=0.12)
        ax.set_title(title)
        ax.set_ylabel(i18n.text("funnel.y", lang))
        ax.set_xlabel(i18n.text("funnel.x", lang))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
