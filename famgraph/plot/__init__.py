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

from famgraph.plot._common import CUSTOMER, GAP, HELD, NOT_NEEDED, PALETTE, PROSPECT, money
from famgraph.plot.coverage import coverage_heatmap, household, protection_gap
from famgraph.plot.flow import tier_flow
from famgraph.plot.referral import chain_value, referral_tree, viral_coefficient
from famgraph.plot.tiers import funnel, tiers
from famgraph.plot.value import value_calibration, value_quadrants

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
    "tier_flow",
    "tiers",
    "value_calibration",
    "value_quadrants",
    "viral_coefficient",
]
