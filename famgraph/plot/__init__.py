"""Figures: matplotlib pictures of analysis results.

Every function takes a *result* (the DataFrame an analysis returned) -- except
:func:`household` and :func:`referral_tree`, which draw one small part of the
graph -- and returns the matplotlib :class:`~matplotlib.axes.Axes` it drew on.
Pass ``ax=`` to draw into your own figure; without it a new figure is made with
:mod:`matplotlib.pyplot`.

Colours come from the Okabe-Ito palette (:data:`PALETTE`), which stays distinct
for the common forms of colour blindness: what a person *lacks* is vermillion
(:data:`GAP`), what they *hold* is bluish green (:data:`HELD`), customers are blue,
prospects orange. Money axes name the currency (``currency="CNY"`` by default).
Chinese names are drawn with a CJK font found automatically (see
:mod:`famgraph._fonts`).

matplotlib is imported by this module only, so ``import famgraph`` stays fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from famgraph import _fonts
from famgraph._validation import check_param
from famgraph.analysis.referrals import referral_value
from famgraph.analysis.value import person_value
from famgraph.graph import CustomerGraph
from famgraph.rules import covering
from famgraph.schema import ROLES, TIERS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CUSTOMER",
    "GAP",
    "HELD",
    "NOT_NEEDED",
    "PALETTE",
    "PROSPECT",
    "chain_value",
    "coverage_heatmap",
    "funnel",
    "household",
    "money",
    "protection_gap",
    "referral_tree",
    "tiers",
    "viral_coefficient",
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


# ---------------------------------------------------------------------------------
# helpers
def money(x: float, currency: str = "CNY") -> str:
    """Short money text: ``money(1_250_000) == 'CNY 1.25M'``.

    Examples
    --------
    >>> money(1_250_000), money(9_500, "USD"), money(0)
    ('CNY 1.25M', 'USD 9.5K', 'CNY 0')
    """
    a = abs(float(x))
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div:
            return f"{currency} {x / div:.3g}{suffix}"
    return f"{currency} {x:.3g}" if a else f"{currency} 0"


def _n(count: int, noun: str) -> str:
    """``_n(1, "gap") == "1 gap"``, ``_n(2, "gap") == "2 gaps"``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _money_formatter(currency: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: money(v, currency).replace(f"{currency} ", ""))


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


# ---------------------------------------------------------------------------------
# coverage
def coverage_heatmap(
    gaps: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Heatmap of coverage gaps: persons lacking each product line, by role.

    Parameters
    ----------
    gaps : pandas.DataFrame
        The result of :func:`famgraph.coverage_gaps` (uses ``role, line,
        priority``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Rows are roles (earner, dependent, child, elder, unknown), columns are lines
        (most urgent priority first). Each cell is labelled with its count; the
        colour runs from pale to vermillion (:data:`GAP`, the largest count);
        cells with no gap are light grey (:data:`NOT_NEEDED`).

    Notes
    -----
    Cost O(rows of ``gaps``) for the counts.

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.coverage_heatmap(fg.coverage_gaps(fg.datasets.sample()))
    >>> ax.get_ylabel()
    'role'
    """
    _require_columns(gaps, ("role", "line", "priority"), "coverage_heatmap", "gaps")
    title = "Coverage gaps by role and product line" if title is None else title
    ax = _new_axes(ax, (7.5, 3.6))
    with _fonts.style():
        if gaps.empty:
            return _empty(ax, title, "No coverage gaps")
        counts = gaps.groupby(["role", "line"], observed=True).size().unstack(fill_value=0)
        role_order = [r for r in ROLES if r in counts.index]
        role_order += sorted(r for r in counts.index if r not in role_order)
        prio = gaps.groupby("line", observed=True)["priority"].min()
        line_order = sorted(counts.columns, key=lambda ln: (prio[ln], str(ln)))
        mat = counts.reindex(index=role_order, columns=line_order).to_numpy(dtype=float)
        _draw_heat(ax, mat, role_order, [str(c) for c in line_order])
        ax.set_title(title)
        ax.set_xlabel("product line (most urgent first)")
        ax.set_ylabel("role")
    return ax


def _draw_heat(ax: Axes, mat: np.ndarray, rows: list[str], cols: list[str]) -> None:
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("famgraph_gaps", [_GAP_LIGHT, GAP]).with_extremes(
        bad=NOT_NEEDED
    )
    masked = np.ma.masked_where(mat <= 0, mat)
    vmax = max(float(mat.max()), 1.0)
    im = ax.imshow(
        masked, cmap=cmap, vmin=min(1.0, vmax - 1e-9) if vmax > 1 else 0.0, vmax=vmax, aspect="auto"
    )
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.spines[:].set_visible(False)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            v = mat[i, j]
            dark = v > 0 and v >= 0.55 * vmax
            ax.text(
                j,
                i,
                f"{int(v):,}" if v > 0 else "–",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "#333333",
            )
    cb = ax.figure.colorbar(im, ax=ax, shrink=0.85, pad=0.02)
    cb.set_label("persons lacking the line (count)")


def household(
    g: CustomerGraph,
    household_id: str,
    *,
    ax: Axes | None = None,
    plan: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
    mask_names: bool = False,
) -> Axes:
    """One household: each member's role, the lines they hold and the lines they lack.

    A grid with one row per member (name, role, age; customers in blue, prospects
    in orange) and one column per product line: a green square (:data:`HELD`) where
    the member holds an active policy of the line, a vermillion square with the
    priority (:data:`GAP`) where the coverage plan asks for the line and the member
    lacks it, nothing where the plan does not ask for it.

    Parameters
    ----------
    g : CustomerGraph
    household_id : str
    ax : matplotlib.axes.Axes, optional
    plan : pandas.DataFrame, optional
        Coverage plan (default :data:`famgraph.DEFAULT_PLAN`).
    households : pandas.DataFrame, optional
        ``fg.households(g)`` if already computed (saves recomputing it).
    mask_names : bool, default False
        Label members by ``person_id`` instead of name.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Membership comes from :func:`famgraph.households` (O(V + E), vectorised) unless
    given; gaps are computed with :func:`famgraph.coverage_gaps` on the household's
    members only, so drawing costs O(members + their holdings).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.household(fg.datasets.sample(), "HH-SUN")
    >>> [t.get_text().split(" ·")[0] for t in ax.get_yticklabels()]
    ['Sun Hao', 'Sun Mei', 'Sun Yu']
    """
    from famgraph.analysis.coverage import coverage_gaps
    from famgraph.analysis.households import households as _households

    hh = _households(g) if households is None else households
    rows = hh[hh["household_id"] == household_id]
    check_param(
        "household",
        "household_id",
        household_id,
        len(rows) > 0,
        "the id of a household of the book",
    )
    pos = g.idx(rows["person_id"])
    order = np.lexsort(
        (
            rows["person_id"].to_numpy(dtype=str),
            np.asarray([ROLES.index(r) if r in ROLES else len(ROLES) for r in rows["role"]]),
        )
    )
    pos = pos[order]
    roles = rows["role"].to_numpy(dtype=object)[order]
    ages = rows["age"].to_numpy(dtype=object)[order]
    sub = _subgraph(g, pos)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*plan.*role.*", category=UserWarning)
        gaps = coverage_gaps(sub, plan=plan)
    held = _active_lines(g, pos)

    ids = g.people["person_id"].to_numpy(dtype=object)[pos]
    gap_map = {
        (p, ln): int(pr)
        for p, ln, pr in zip(gaps["person_id"], gaps["line"], gaps["priority"], strict=True)
    }
    held_set = set(zip(held["person_id"], held["line"], strict=True))
    line_prio = gaps.groupby("line")["priority"].min().to_dict()
    lines = sorted(
        {ln for _, ln in gap_map} | {ln for _, ln in held_set},
        key=lambda ln: (line_prio.get(ln, 99), ln),
    )

    names = _display_names(g, pos, mask_names)
    is_cust = g.is_customer[pos]
    ax = _new_axes(ax, (1.6 + 1.0 * max(len(lines), 3), 1.2 + 0.45 * len(pos)))
    with _fonts.style():
        title = f"Household {household_id}: {_n(len(pos), 'member')}, {_n(len(gaps), 'gap')}"
        ax.set_title(title)
        for i, pid in enumerate(ids):
            for j, ln in enumerate(lines):
                if (pid, ln) in held_set:
                    ax.scatter([j], [i], s=260, marker="s", color=HELD, zorder=3)
                    ax.text(
                        j,
                        i,
                        "✓",
                        ha="center",
                        va="center",
                        color="white",
                        fontsize=9,
                        zorder=4,
                        fontfamily="DejaVu Sans",
                    )
                elif (pid, ln) in gap_map:
                    ax.scatter([j], [i], s=260, marker="s", color=GAP, zorder=3)
                    ax.text(
                        j,
                        i,
                        f"P{gap_map[(pid, ln)]}",
                        ha="center",
                        va="center",
                        color="white",
                        fontsize=7,
                        fontweight="bold",
                        zorder=4,
                    )
        labels = []
        for nm, role, age in zip(names, roles, ages, strict=True):
            age_txt = "" if age is None or pd.isna(age) else f", {int(age)}"
            labels.append(f"{nm} · {role}{age_txt}")
        ax.set_yticks(range(len(pos)), labels)
        for tick, cust in zip(ax.get_yticklabels(), is_cust, strict=True):
            tick.set_color(CUSTOMER if cust else PROSPECT)
        ax.set_xticks(range(len(lines)), lines, rotation=30, ha="right")
        ax.set_xlim(-0.6, max(len(lines), 1) - 0.4)
        ax.set_ylim(len(pos) - 0.5, -0.5)
        ax.set_xlabel("product line (most urgent first)")
        ax.grid(True, color="#EEEEEE", zorder=0)
        ax.set_axisbelow(True)
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="s", ls="", color=HELD, markersize=9, label="holds"),
            Line2D(
                [], [], marker="s", ls="", color=GAP, markersize=9, label="lacks (P = priority)"
            ),
            Line2D([], [], marker="o", ls="", color=CUSTOMER, label="name in blue: customer"),
            Line2D([], [], marker="o", ls="", color=PROSPECT, label="name in orange: prospect"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


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


def _active_lines(g: CustomerGraph, pos: np.ndarray) -> pd.DataFrame:
    """``person_id, line`` of the active holdings (METRICS.md section 4) of persons at pos."""
    h = g.holdings
    mine = np.isin(g.hold_person, pos)
    sel = h[mine & covering(h["purchased_at"], h["expires_at"], g.as_of)]
    return sel[["person_id", "line"]].drop_duplicates()


def protection_gap(
    summary: pd.DataFrame,
    *,
    ax: Axes | None = None,
    currency: str = "CNY",
    bins: int = 30,
    title: str | None = None,
) -> Axes:
    """Distribution of the money protection gap over households with a gap.

    Parameters
    ----------
    summary : pandas.DataFrame
        The result of :func:`famgraph.household_summary` (uses ``protection_gap``).
    ax : matplotlib.axes.Axes, optional
    currency : str, default "CNY"
    bins : int, default 30
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        A histogram of ``protection_gap`` over households whose gap is > 0, with the
        median marked; the title counts households with and without a gap.

    Notes
    -----
    Cost O(households).

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.protection_gap(fg.household_summary(fg.datasets.sample()))
    >>> ax.get_xlabel()
    'protection gap per household (CNY)'
    """
    _require_columns(summary, ("protection_gap",), "protection_gap", "summary")
    ax = _new_axes(ax, (6.5, 3.4))
    gap = summary["protection_gap"].to_numpy(dtype=float, na_value=np.nan)
    pos = gap[np.isfinite(gap) & (gap > 0)]
    title = (
        f"Protection gap: {len(pos):,} of {len(gap):,} households short" if title is None else title
    )
    with _fonts.style():
        if len(pos) == 0:
            return _empty(ax, title, "No household has a money gap")
        ax.hist(pos, bins=bins, color=GAP, edgecolor="white", linewidth=0.5)
        med = float(np.median(pos))
        ax.axvline(med, color=PALETTE["black"], ls="--", lw=1)
        ax.text(
            med, ax.get_ylim()[1] * 0.95, f" median {money(med, currency)}", va="top", fontsize=8
        )
        ax.xaxis.set_major_formatter(_money_formatter(currency))
        ax.set_title(title)
        ax.set_xlabel(f"protection gap per household ({currency})")
        ax.set_ylabel("households")
    return ax


# ---------------------------------------------------------------------------------
# referrals
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
) -> Axes:
    """The referral tree below ``root_id``: generations, converted or not, value per node.

    Generation 0 (the root) is at the top, each generation one row lower. Customers
    (converted referees) are blue circles, prospects orange; each node is labelled
    with the person's name, their own value and, for referrers, their chain value
    (:func:`famgraph.referral_value` with ``decay``).

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

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Finds the descendants generation by generation over ``g.referrer``
    (O(V · depth), vectorised) and computes values on that subtree only; the
    layout loops over the drawn persons only.

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.referral_tree(fg.datasets.sample(), "P05")
    >>> len(ax.collections[0].get_offsets())
    6
    """
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
    with _fonts.style():
        for k, pk in enumerate(parent):
            if pk >= 0:
                ax.plot([x[pk], x[k]], [gen[pk], gen[k]], color="#999999", lw=1, zorder=1)
        ax.scatter(
            x,
            gen,
            s=[220 if k == 0 else 140 for k in range(len(shown))],
            c=[CUSTOMER if c else PROSPECT for c in cust],
            edgecolors="white",
            linewidths=1,
            zorder=3,
        )
        for k, li in enumerate(sel):
            text = f"{names[k]}\n{money(own[li], currency)}"
            if chain[li] > 0:
                text += f"\nchain {money(chain[li], currency)}"
            if hidden[k]:
                text += f"\n+{hidden[k]} more"
            ax.annotate(
                text,
                (x[k], gen[k]),
                xytext=(0, -11),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7,
                zorder=4,
            )
        more = f" ({total - len(shown)} not drawn)" if total > len(shown) else ""
        ax.set_title(
            f"Referral tree of {names[0]}: {total} people, "
            f"chain value {money(chain[0], currency)}{more}"
        )
        ax.set_ylabel("generation")
        ax.set_yticks(range(int(gen.max()) + 1))
        ax.set_ylim(gen.max() + 0.9, -0.5)
        ax.set_xticks([])
        ax.set_xlim(min(x) - 0.7, max(x) + 0.7)
        ax.spines["bottom"].set_visible(False)
        from matplotlib.lines import Line2D

        ax.legend(
            handles=[
                Line2D([], [], marker="o", ls="", color=CUSTOMER, label="customer (converted)"),
                Line2D([], [], marker="o", ls="", color=PROSPECT, label="prospect (not converted)"),
            ],
            loc="upper right",
            title=f"value in {currency}",
        )
    return ax


def _tree_values(g: CustomerGraph, pos: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Own value and chain value (METRICS.md 5, 6) of the tree persons, in ``pos`` order."""
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
) -> Axes:
    """Distribution of chain value over the persons who referred someone.

    Parameters
    ----------
    values : pandas.DataFrame
        The result of :func:`famgraph.referral_value` (uses ``chain_value,
        direct_referrals``).
    ax, currency, bins, title
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
    _require_columns(values, ("chain_value", "direct_referrals"), "chain_value", "values")
    ax = _new_axes(ax, (6.5, 3.4))
    refs = values[values["direct_referrals"] > 0]
    v = refs["chain_value"].to_numpy(dtype=float, na_value=np.nan)
    v = v[np.isfinite(v)]
    title = f"Chain value of {len(v):,} referrers" if title is None else title
    with _fonts.style():
        if len(v) == 0:
            return _empty(ax, title, "No referrals")
        pos = v[v > 0]
        if len(pos) and pos.max() / pos.min() > 100:
            edges = np.geomspace(pos.min(), pos.max(), bins + 1)
            ax.hist(
                pos, bins=edges.tolist(), color=PALETTE["blue"], edgecolor="white", linewidth=0.5
            )
            ax.set_xscale("log")
        else:
            ax.hist(v, bins=bins, color=PALETTE["blue"], edgecolor="white", linewidth=0.5)
        ax.xaxis.set_major_formatter(_money_formatter(currency))
        ax.set_title(title)
        ax.set_xlabel(f"chain value ({currency})")
        ax.set_ylabel("referrers")
    return ax


def viral_coefficient(
    viral: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """K-factor by cohort: converted referrals per new customer, over time.

    Parameters
    ----------
    viral : pandas.DataFrame
        The result of :func:`famgraph.viral_coefficient` (uses ``cohort,
        cohort_size, k_factor``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional

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
    _require_columns(viral, ("cohort", "cohort_size", "k_factor"), "viral_coefficient", "viral")
    title = "Viral coefficient by joining cohort" if title is None else title
    ax = _new_axes(ax, (7.0, 3.4))
    with _fonts.style():
        if viral.empty:
            return _empty(ax, title, "No cohorts (no customer has joined_at)")
        labels = [str(c) for c in viral["cohort"]]
        xs = np.arange(len(labels))
        k = viral["k_factor"].to_numpy(dtype=float, na_value=np.nan)
        size = viral["cohort_size"].to_numpy(dtype=float, na_value=0.0)
        ax2 = ax.twinx()
        ax2.bar(xs, size, color=PALETTE["sky_blue"], alpha=0.3, width=0.8)
        ax2.set_ylabel("cohort size (new customers)")
        ax2.spines["right"].set_visible(True)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.plot(xs, k, marker="o", color=PALETTE["vermillion"], lw=1.5)
        step = max(1, len(labels) // 12)
        ax.set_xticks(xs[::step], labels[::step], rotation=30, ha="right")
        ax.set_ylim(0, max(float(np.nanmax(k)) if np.isfinite(k).any() else 0.0, 0.05) * 1.2)
        ax.set_title(title)
        ax.set_xlabel("cohort (period of joining)")
        ax.set_ylabel("K-factor (converted referrals per new customer)")
    return ax


# ---------------------------------------------------------------------------------
# super users
def tiers(super_users: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """The tier funnel: how many persons are in each tier, none at the top, super at the bottom.

    Parameters
    ----------
    super_users : pandas.DataFrame
        The result of :func:`famgraph.super_users` (uses ``tier``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional

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
    _require_columns(super_users, ("tier",), "tiers", "super_users")
    counts = super_users["tier"].value_counts().reindex(list(TIERS), fill_value=0)
    total = int(counts.sum())
    title = "Tier funnel" if title is None else title
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
        ax.set_yticks(ys, list(TIERS))
        ax.set_ylim(len(TIERS) - 0.5, -0.5)
        ax.set_xlim(0, widest * 1.2)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_title(title)
        ax.set_ylabel("tier")
        ax.set_xlabel(f"persons (bar width; {total:,} in all)")
    return ax


def funnel(super_users: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
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
    _require_columns(super_users, ("tier", "converted_referrals"), "funnel", "super_users")
    levels = [t for t in TIERS if t != "none"]
    grp = super_users.groupby("tier", observed=True)
    people = grp.size().reindex(levels, fill_value=0).to_numpy(dtype=float)
    inflow = grp["converted_referrals"].sum().reindex(levels, fill_value=0).to_numpy(dtype=float)
    title = "Customers by relationship level, with referral inflow" if title is None else title
    ax = _new_axes(ax, (6.5, 3.2))
    with _fonts.style():
        ys = np.arange(len(levels))
        h = 0.38
        b1 = ax.barh(
            ys - h / 2,
            people,
            height=h,
            color=[_TIER_COLOURS[t] for t in levels],
            label="customers at this level",
        )
        b2 = ax.barh(
            ys + h / 2,
            inflow,
            height=h,
            color="white",
            edgecolor=PALETTE["black"],
            hatch="///",
            label="new customers they referred",
        )
        ax.bar_label(b1, labels=[f"{int(v):,}" for v in people], padding=3, fontsize=7)
        ax.bar_label(b2, labels=[f"{int(v):,}" for v in inflow], padding=3, fontsize=7)
        ax.set_yticks(ys, levels)
        ax.set_ylim(len(levels) - 0.5, -0.5)
        ax.margins(x=0.12)
        ax.set_title(title)
        ax.set_ylabel("relationship level (tier)")
        ax.set_xlabel("persons")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


from famgraph.plot.value import value_calibration as value_calibration  # noqa: E402
