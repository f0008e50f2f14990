"""Coverage figures: the gap heat map, one household's member x line grid, the money gap."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from famgraph import _fonts, i18n
from famgraph._validation import check_param
from famgraph.graph import CustomerGraph
from famgraph.plot._common import (
    _GAP_LIGHT,
    CUSTOMER,
    GAP,
    HELD,
    NOT_NEEDED,
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
from famgraph.rules import covering
from famgraph.schema import ROLES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["coverage_heatmap", "household", "protection_gap"]


def coverage_heatmap(
    gaps: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str = "en",
    line_names: Mapping[str, str] | None = None,
) -> Axes:
    """Heatmap of coverage gaps: persons lacking each product line, by role.

    Parameters
    ----------
    gaps : pandas.DataFrame
        The result of :func:`famgraph.coverage_gaps` (uses ``role, line,
        priority``).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    language : {"en", "zh"}, default "en"
        Language of the labels (:mod:`famgraph.i18n`).
    line_names : dict, optional
        Display names of product lines (code -> name), before
        :data:`famgraph.i18n.LINE_NAMES`.

    Returns
    -------
    matplotlib.axes.Axes
        Rows are roles (earner, dependent, child, elder, unknown), columns are lines
        (most urgent priority first), both by display name. Each cell is labelled
        with its count; the colour runs from pale to vermillion (:data:`GAP`, the largest count);
        cells with no gap are light grey (:data:`NOT_NEEDED`).

    Notes
    -----
    Cost O(rows of ``gaps``) for the counts.

    Examples
    --------
    >>> import famgraph as fg
    >>> ax = fg.plot.coverage_heatmap(fg.coverage_gaps(fg.datasets.sample()))
    >>> ax.get_ylabel(), [t.get_text() for t in ax.get_xticklabels()][:2]
    ('role', ['Life', 'Critical illness'])
    """
    lang = _start("coverage_heatmap", language)
    _require_columns(gaps, ("role", "line", "priority"), "coverage_heatmap", "gaps")
    title = i18n.text("heat.title", lang) if title is None else title
    ax = _new_axes(ax, (7.5, 3.6))
    with _fonts.style():
        if gaps.empty:
            return _empty(ax, title, i18n.text("heat.empty", lang))
        counts = gaps.groupby(["role", "line"], observed=True).size().unstack(fill_value=0)
        role_order = [r for r in ROLES if r in counts.index]
        role_order += sorted(r for r in counts.index if r not in role_order)
        prio = gaps.groupby("line", observed=True)["priority"].min()
        line_order = sorted(counts.columns, key=lambda ln: (prio[ln], str(ln)))
        mat = counts.reindex(index=role_order, columns=line_order).to_numpy(dtype=float)
        _draw_heat(
            ax,
            mat,
            [i18n.term("role", r, lang) for r in role_order],
            [i18n.term("line", c, lang, line_names) for c in line_order],
            i18n.text("heat.bar", lang),
        )
        ax.set_title(title)
        ax.set_xlabel(i18n.text("heat.x", lang))
        ax.set_ylabel(i18n.text("heat.y", lang))
    return ax


def _draw_heat(ax: Axes, mat: np.ndarray, rows: list[str], cols: list[str], bar: str) -> None:
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
    cb.set_label(bar)


def household(
    g: CustomerGraph,
    household_id: str,
    *,
    ax: Axes | None = None,
    plan: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
    mask_names: bool = False,
    language: str = "en",
    line_names: Mapping[str, str] | None = None,
) -> Axes:
    """One household: each member's role, the lines they hold and the lines they lack.

    A grid with one row per member (name, role, age -- "age unknown" when it is,
    and "income unknown" for an earner without income, whose money gap cannot be
    computed; customers in blue, prospects in orange) and one column per product
    line: a green square (:data:`HELD`) where the member holds an active policy of
    the line, a vermillion square with the priority (:data:`GAP`) where the
    coverage plan asks for the line and the member lacks it, nothing where the
    plan does not ask for it.

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
    language : {"en", "zh"}, default "en"
        Language of the labels (:mod:`famgraph.i18n`).
    line_names : dict, optional
        Display names of product lines (code -> name), before
        :data:`famgraph.i18n.LINE_NAMES`.

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
    >>> [t.get_text() for t in ax.get_yticklabels()][1]
    'Sun Mei · earner, 54, income unknown'
    """
    lang = _start("household", language)
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
        title = i18n.text(
            "hh.title",
            lang,
            hid=household_id,
            members=i18n.plural("n_members", len(pos), lang),
            gaps=i18n.plural("n_gaps", len(gaps), lang),
        )
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
        income = g.people["annual_income"].to_numpy(dtype=float, na_value=np.nan)[pos]
        labels = []
        for nm, role, age, inc in zip(names, roles, ages, income, strict=True):
            if age is None or pd.isna(age):
                age_txt = "" if role == "unknown" else i18n.text("hh.age_unknown", lang)
            else:
                age_txt = i18n.text("hh.age", lang, age=int(age))
            if role == "earner" and np.isnan(inc):
                age_txt += i18n.text("hh.income_unknown", lang)
            labels.append(f"{nm} · {i18n.term('role', role, lang)}{age_txt}")
        ax.set_yticks(range(len(pos)), labels)
        for tick, cust in zip(ax.get_yticklabels(), is_cust, strict=True):
            tick.set_color(CUSTOMER if cust else PROSPECT)
        ax.set_xticks(
            range(len(lines)),
            [i18n.term("line", ln, lang, line_names) for ln in lines],
            rotation=30,
            ha="right",
        )
        ax.set_xlim(-0.6, max(len(lines), 1) - 0.4)
        ax.set_ylim(len(pos) - 0.5, -0.5)
        ax.set_xlabel(i18n.text("heat.x", lang))
        ax.grid(True, color="#EEEEEE", zorder=0)
        ax.set_axisbelow(True)
        from matplotlib.lines import Line2D

        handles = [
            Line2D(
                [],
                [],
                marker="s",
                ls="",
                color=HELD,
                markersize=9,
                label=i18n.text("hh.holds", lang),
            ),
            Line2D(
                [],
                [],
                marker="s",
                ls="",
                color=GAP,
                markersize=9,
                label=i18n.text("hh.lacks", lang),
            ),
            Line2D([], [], marker="o", ls="", color=CUSTOMER, label=i18n.text("hh.customer", lang)),
            Line2D([], [], marker="o", ls="", color=PROSPECT, label=i18n.text("hh.prospect", lang)),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def _active_lines(g: CustomerGraph, pos: np.ndarray) -> pd.DataFrame:
    """``person_id, line`` of the active holdings (docs/metrics.md section 4) of persons at pos."""
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
    language: str = "en",
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
    language : {"en", "zh"}, default "en"
        Language of the labels and money formats (:mod:`famgraph.i18n`).

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
    lang = _start("protection_gap", language)
    _require_columns(summary, ("protection_gap",), "protection_gap", "summary")
    ax = _new_axes(ax, (6.5, 3.4))
    gap = summary["protection_gap"].to_numpy(dtype=float, na_value=np.nan)
    pos = gap[np.isfinite(gap) & (gap > 0)]
    if title is None:
        title = i18n.text("gap.title", lang, short=f"{len(pos):,}", total=f"{len(gap):,}")
    with _fonts.style():
        if len(pos) == 0:
            return _empty(ax, title, i18n.text("gap.empty", lang))
        ax.hist(pos, bins=bins, color=GAP, edgecolor="white", linewidth=0.5)
        med = float(np.median(pos))
        ax.axvline(med, color=PALETTE["black"], ls="--", lw=1)
        ax.text(
            med,
            ax.get_ylim()[1] * 0.95,
            i18n.text("gap.median", lang, amount=money(med, currency, lang)),
            va="top",
            fontsize=8,
        )
        ax.xaxis.set_major_formatter(_money_formatter(currency, lang))
        ax.set_title(title)
        ax.set_xlabel(i18n.text("gap.x", lang, currency=i18n.currency_name(currency, lang)))
        ax.set_ylabel(i18n.text("gap.y", lang))
    return ax
