"""Referral figures: one referral tree, the chain-value distribution, the K-factor trend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph._validation import check_param
from famgraph.analysis.referrals import referral_value
from famgraph.analysis.value import person_value
from famgraph.graph import CustomerGraph
from famgraph.plot._common import (
    CUSTOMER,
    PALETTE,
    PROSPECT,
    _display_names,
    _empty,
    _money_formatter,
    _new_axes,
    _require_columns,
    _start,
    _subgraph,
    money,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["chain_value", "referral_tree", "viral_coefficient"]


def referral_tree(
    g: CustomerGraph,
    root_id: str,
    *,
    ax: Axes | None = None,
    decay: float = 0.5,
    max_nodes: int = 40,
    max_children: int = 5,
    currency: str = "CNY",
    mask_names: bool = False,
    language: str = "en",
) -> Axes:
    """The referral tree below ``root_id``: generations, converted or not, value per node.

    Generation 0 (the root) is at the top, each generation one row lower. Customers
    (converted referees) are blue circles, prospects orange; each node is labelled
    with the person's name, their own value and, for referrers, their chain value
    (:func:`famgraph.referral_value` with ``decay``), amounts in ``currency`` (named
    in the legend). The title counts the people referred below the root -- the
    ``cascade_size`` of :func:`famgraph.referral_value` -- "+ the root", and how many
    of them are drawn. Labels never overlap: the figure is enlarged until they fit
    (measured at the figure's dpi -- save it at that dpi, as text does not scale
    exactly with it).

    Parameters
    ----------
    g : CustomerGraph
    root_id : str
        The person whose descendants are drawn (any person; usually a chain root).
    ax : matplotlib.axes.Axes, optional
    decay : float, default 0.5
        Decay of the chain value shown per node.
    max_nodes : int, default 40
        Draw at most this many persons, generation by generation; the title says
        how many were left out.
    max_children : int, default 5
        Under each person draw at most this many referees, those with the largest
        branch value (own value + chain value) first; the rest are counted on the
        person's label ("+3 more").
    currency : str, default "CNY"
    mask_names : bool, default False
        Label persons by ``person_id`` instead of name.
    language : {"en", "zh"}, default "en"
        Language of the labels and money formats (:mod:`famgraph.i18n`).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Finds the descendants generation by generation over ``g.referrer``
    (O(V · depth), vectorised) and computes values on that subtree only; the
    layout loops over the drawn persons only, plus up to 4 layout passes to fit
    the labels.

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.referral_tree(fg.datasets.sample(), "P05")
    >>> len(ax.collections[0].get_offsets())
    6
    >>> ax.get_title()
    'Referral tree of Chen Jie: 5 referred + the root; chain value CNY 7.68K'
    """
    lang = _start("referral_tree", language)
    check_param(
        "referral_tree",
        "max_nodes",
        max_nodes,
        isinstance(max_nodes, (int, np.integer)) and max_nodes >= 1,
        "a whole number >= 1",
    )
    root = g.idx([root_id])
    check_param(
        "referral_tree",
        "root_id",
        root_id,
        bool(root[0] >= 0),
        "the person_id of a person of the book",
    )
    check_param(
        "referral_tree",
        "max_children",
        max_children,
        isinstance(max_children, (int, np.integer)) and max_children >= 1,
        "a whole number >= 1",
    )
    levels = [root]
    while True:
        nxt = np.flatnonzero(np.isin(g.referrer, levels[-1]))
        if len(nxt) == 0:
            break
        levels.append(nxt)
    allpos = np.concatenate(levels)
    gen_all = np.concatenate([np.full(len(lv), i) for i, lv in enumerate(levels)])
    total = len(allpos)
    own, chain = _tree_values(g, allpos, decay)
    par_all = pd.Index(allpos).get_indexer(g.referrer[allpos])  # local parent, -1 at root
    sel, hidden = _select_tree(par_all, own + chain, max_nodes, max_children)
    shown, gen = allpos[sel], gen_all[sel]
    parent = [int(np.searchsorted(sel, par_all[k])) if par_all[k] >= 0 else -1 for k in sel]
    x = _tidy_x(parent)

    names = _display_names(g, shown, mask_names)
    cust = g.is_customer[shown]
    ax = _new_axes(ax, (min(2.0 + 1.1 * _width(x), 16.0), 1.6 + 1.1 * (int(gen.max()) + 1)))

    def amount(v: float, unit: bool = False) -> str:
        return money(v, currency, lang) if unit else i18n.money(v, currency, lang, unit=False)

    with _fonts.style():
        for k, pk in enumerate(parent):
            if pk >= 0:
                ax.plot([x[pk], x[k]], [gen[pk], gen[k]], color="#999999", lw=1, zorder=1)
        sizes = [_ROOT_SIZE if k == 0 else _NODE_SIZE for k in range(len(shown))]
        ax.scatter(
            x,
            gen,
            s=sizes,
            c=[CUSTOMER if c else PROSPECT for c in cust],
            edgecolors="white",
            linewidths=1,
            zorder=3,
        )
        labels = []
        for k, li in enumerate(sel):
            lines = [names[k], amount(own[li])]
            if chain[li] > 0:
                lines.append(i18n.text("tree.chain", lang, amount=amount(chain[li])))
            if hidden[k]:
                lines.append(i18n.text("tree.more", lang, n=f"{hidden[k]:,}"))
            labels.append(
                ax.annotate(
                    "\n".join(lines),
                    (x[k], gen[k]),
                    xytext=(0, -_LABEL_OFFSET),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=7,
                    zorder=4,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
                )
            )
        title = i18n.text(
            "tree.title",
            lang,
            name=names[0],
            referred=f"{total - 1:,}",
            amount=amount(chain[0], unit=True),
        )
        if total > len(shown):
            title += i18n.text("tree.drawn", lang, drawn=f"{len(shown):,}", people=f"{total:,}")
        ax.set_title(title)
        ax.set_ylabel(i18n.text("tree.y", lang))
        ax.set_yticks(range(int(gen.max()) + 1))
        ax.set_ylim(gen.max() + 0.9, -0.5)
        ax.set_xticks([])
        ax.set_xlim(min(x) - 0.7, max(x) + 0.7)
        ax.spines["bottom"].set_visible(False)
        from matplotlib.lines import Line2D

        ax.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    color=CUSTOMER,
                    label=i18n.text("tree.customer", lang),
                ),
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    color=PROSPECT,
                    label=i18n.text("tree.prospect", lang),
                ),
            ],
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            title=i18n.text("tree.value_in", lang, currency=i18n.currency_name(currency, lang)),
        )
        _fit_labels(ax, labels, x, gen)
    return ax


#: Marker areas (points²) of the root and the other persons of a referral tree.
_ROOT_SIZE, _NODE_SIZE = 220.0, 140.0
#: Labels start this many points below their node.
_LABEL_OFFSET = 11.0
#: Smallest room (points) between two labels, or a label and a node.
_LABEL_PAD = 4.0


def _fit_labels(ax: Axes, labels: list[Any], x: np.ndarray, gen: np.ndarray) -> None:
    """Make room so that no two node labels overlap, nor a label the row below.

    Labels are centred under their nodes, so their widths are fixed in points
    while the distance between nodes grows with the axes: measure the labels
    (``get_window_extent`` after a layout pass), then widen the x-limits so the
    outer labels stay inside the axes and enlarge the figure until neighbours in
    a row are at least their half-widths apart and each row's labels end above
    the next row's nodes, and the title fits. A few passes settle it (the layout's margins move a
    little when the figure grows). Cost: one layout pass per round, at most 4.
    """
    fig = ax.get_figure(root=True)
    if fig is None or not labels:
        return
    rows = [np.flatnonzero(gen == g_) for g_ in np.unique(gen)]
    rows = [r[np.argsort(x[r], kind="stable")] for r in rows]
    for _ in range(4):
        fig.draw_without_rendering()
        px = fig.dpi / 72.0  # pixels per point
        pad = _LABEL_PAD * px
        boxes = [t.get_window_extent() for t in labels]
        widths = np.array([b.width for b in boxes])
        x0, x1 = ax.get_xlim()
        sx = ax.bbox.width / (x1 - x0)  # pixels per data unit
        sy = ax.bbox.height / abs(ax.get_ylim()[0] - ax.get_ylim()[1])
        need_sx = sx
        for r in rows:
            if len(r) > 1:
                dist = np.diff(x[r])
                half = (widths[r][:-1] + widths[r][1:]) / 2 + pad
                need_sx = max(need_sx, float(np.max(half / np.maximum(dist, 1e-9))))
        node_top = np.sqrt(_ROOT_SIZE) / 2 * px + pad
        depth_px = np.array([b.height for b in boxes]) + _LABEL_OFFSET * px
        need_sy = max(sy, float(depth_px.max()) + node_top) if len(rows) > 1 else sy
        # room at both ends for the outer labels, in data units at the new scale
        left = min(range(len(x)), key=lambda k: x[k] - widths[k] / 2 / need_sx)
        right = max(range(len(x)), key=lambda k: x[k] + widths[k] / 2 / need_sx)
        lo = min(float(x.min()) - 0.7, x[left] - (widths[left] / 2 + pad) / need_sx)
        hi = max(float(x.max()) + 0.7, x[right] + (widths[right] / 2 + pad) / need_sx)
        ax.set_xlim(lo, hi)
        grow_x = (hi - lo) * need_sx - ax.bbox.width
        # the title, centred over the axes, must fit in the figure too
        title = ax.title.get_window_extent()
        spill = max(0.0, -title.x0, title.x1 - fig.bbox.width)
        if spill > 0:
            grow_x = max(grow_x, 2 * spill + 2 * pad)
        grow_y = (need_sy / sy - 1.0) * ax.bbox.height
        if grow_x <= 0.5 and grow_y <= 0.5:
            return
        w, h = fig.get_size_inches()
        fig.set_size_inches(w + max(grow_x, 0.0) / fig.dpi, h + max(grow_y, 0.0) / fig.dpi)


def _tree_values(g: CustomerGraph, pos: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Own value and chain value (docs/metrics.md, 5 and 6) of the tree persons, in pos order."""
    sub = _subgraph(g, pos)
    own_sub = person_value(sub)
    sub_ids = sub.people["person_id"]
    order = pd.Index(sub_ids.to_numpy(dtype=object)).get_indexer(
        g.people["person_id"].to_numpy(dtype=object)[pos]
    )
    rv = referral_value(sub, decay=decay)
    chain = rv["chain_value"].to_numpy(dtype=float)
    rv_order = pd.Index(rv["person_id"].to_numpy(dtype=object)).get_indexer(
        sub_ids.to_numpy(dtype=object)[order]
    )
    return own_sub[order], chain[rv_order]


def _select_tree(
    parent: np.ndarray, weight: np.ndarray, max_nodes: int, max_children: int
) -> tuple[np.ndarray, list[int]]:
    """Which tree nodes to draw: breadth first, the heaviest children of each first.

    ``parent`` holds local parent positions (-1 at the root, position 0). Returns
    the chosen positions (sorted; parents come before children) and, for each, how
    many of its children were left out.
    """
    order = np.lexsort((-weight, parent))  # children grouped by parent, heaviest first
    kids: dict[int, list[int]] = {}
    for k in order[parent[order] >= 0].tolist():
        kids.setdefault(int(parent[k]), []).append(k)
    chosen = [0]
    hidden: dict[int, int] = {}
    queue = [0]
    while queue:
        k = queue.pop(0)
        ch = kids.get(k, [])
        take = ch[: max(0, min(max_children, max_nodes - len(chosen)))]
        hidden[k] = len(ch) - len(take)
        chosen.extend(take)
        queue.extend(take)
    sel = np.sort(np.asarray(chosen, dtype=np.int64))
    return sel, [hidden[int(k)] for k in sel]


def _tidy_x(parent: list[int]) -> np.ndarray:
    """x of each node: leaves side by side in depth-first order, parents centred.

    ``parent[k]`` is the position of node k's parent (-1 for the root, node 0).
    """
    kids: dict[int, list[int]] = {k: [] for k in range(len(parent))}
    for k, par in enumerate(parent):
        if par >= 0:
            kids[par].append(k)
    x = np.zeros(len(parent))
    nxt = 0.0
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:  # iterative post-order over the small drawn tree
        k, done = stack.pop()
        if done or not kids[k]:
            if kids[k]:
                x[k] = float(np.mean([x[c] for c in kids[k]]))
            else:
                x[k] = nxt
                nxt += 1.0
            continue
        stack.append((k, True))
        stack.extend((c, False) for c in reversed(kids[k]))
    return x


def _width(x: np.ndarray) -> float:
    return float(x.max() - x.min() + 1) if len(x) else 1.0


def chain_value(
    values: pd.DataFrame,
    *,
    ax: Axes | None = None,
    currency: str = "CNY",
    bins: int = 30,
    title: str | None = None,
    language: str = "en",
) -> Axes:
    """Distribution of chain value over the persons who referred someone.

    Parameters
    ----------
    values : pandas.DataFrame
        The result of :func:`famgraph.referral_value` (uses ``chain_value,
        direct_referrals``).
    ax, currency, bins, title, language
        As for :func:`protection_gap`.

    Returns
    -------
    matplotlib.axes.Axes
        A histogram of ``chain_value`` over referrers (``direct_referrals > 0``) on
        a logarithmic money axis when the values span more than two decades.

    Notes
    -----
    Cost O(persons).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.chain_value(fg.referral_value(fg.datasets.sample()))
    >>> ax.get_ylabel()
    'referrers'
    """
    lang = _start("chain_value", language)
    _require_columns(values, ("chain_value", "direct_referrals"), "chain_value", "values")
    ax = _new_axes(ax, (6.5, 3.4))
    refs = values[values["direct_referrals"] > 0]
    v = refs["chain_value"].to_numpy(dtype=float, na_value=np.nan)
    v = v[np.isfinite(v)]
    title = i18n.text("chain.title", lang, n=f"{len(v):,}") if title is None else title
    with _fonts.style():
        if len(v) == 0:
            return _empty(ax, title, i18n.text("chain.empty", lang))
        pos = v[v > 0]
        if len(pos) and pos.max() / pos.min() > 100:
            edges = np.geomspace(pos.min(), pos.max(), bins + 1)
            ax.hist(
                pos, bins=edges.tolist(), color=PALETTE["blue"], edgecolor="white", linewidth=0.5
            )
            ax.set_xscale("log")
        else:
            ax.hist(v, bins=bins, color=PALETTE["blue"], edgecolor="white", linewidth=0.5)
        ax.xaxis.set_major_formatter(_money_formatter(currency, lang))
        ax.set_title(title)
        ax.set_xlabel(i18n.text("chain.x", lang, currency=i18n.currency_name(currency, lang)))
        ax.set_ylabel(i18n.text("chain.y", lang))
    return ax


def viral_coefficient(
    viral: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
) -> Axes:
    """K-factor by cohort: converted referrals per new customer, over time.

    Parameters
    ----------
    viral : pandas.DataFrame
        The result of :func:`famgraph.viral_coefficient` (uses ``cohort,
        cohort_size, k_factor``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    language : {"en", "zh"}, default "en"
        Language of the labels (:mod:`famgraph.i18n`).

    Returns
    -------
    matplotlib.axes.Axes
        The line of ``k_factor`` per cohort (one marker per cohort, in the given
        order) with the cohort sizes as pale bars on a second axis.

    Notes
    -----
    Cost O(cohorts).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.viral_coefficient(fg.viral_coefficient(fg.datasets.sample()))
    >>> ax.get_ylabel()
    'K-factor (converted referrals per new customer)'
    """
    lang = _start("viral_coefficient", language)
    _require_columns(viral, ("cohort", "cohort_size", "k_factor"), "viral_coefficient", "viral")
    title = i18n.text("viral.title", lang) if title is None else title
    ax = _new_axes(ax, (7.0, 3.4))
    with _fonts.style():
        if viral.empty:
            return _empty(ax, title, i18n.text("viral.empty", lang))
        labels = [str(c) for c in viral["cohort"]]
        xs = np.arange(len(labels))
        k = viral["k_factor"].to_numpy(dtype=float, na_value=np.nan)
        size = viral["cohort_size"].to_numpy(dtype=float, na_value=0.0)
        ax2 = ax.twinx()
        ax2.bar(xs, size, color=PALETTE["sky_blue"], alpha=0.3, width=0.8)
        ax2.set_ylabel(i18n.text("viral.size", lang))
        ax2.spines["right"].set_visible(True)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.plot(xs, k, marker="o", color=PALETTE["vermillion"], lw=1.5)
        step = max(1, len(labels) // 12)
        ax.set_xticks(xs[::step], labels[::step], rotation=30, ha="right")
        ax.set_ylim(0, max(float(np.nanmax(k)) if np.isfinite(k).any() else 0.0, 0.05) * 1.2)
        ax.set_title(title)
        ax.set_xlabel(i18n.text("viral.x", lang))
        ax.set_ylabel(i18n.text("viral.y", lang))
    return ax
