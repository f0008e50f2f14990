"""The report's inputs and pieces: its settings, the analysis results, shared helpers.

:class:`Settings` holds every option of :func:`famgraph.report` that reaches an
analysis; :func:`compute` runs each analysis once with them and returns
:class:`Results`; the section functions (:mod:`famgraph.report.sections`) take a
:class:`Context` -- the graph, the settings, the results and the display helpers --
and return HTML. Captions are written from the settings, never from constants.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.superusers import super_users
from famgraph.graph import CustomerGraph
from famgraph.rules import (
    CI_MULTIPLE,
    DECAY,
    LIFE_MULTIPLE,
    MIN_REFERRALS,
    MINOR_AGE,
    SOCIAL_WEIGHT,
    VIRAL_FREQ,
    VIRAL_WINDOW_DAYS,
)

__all__ = ["STEPS", "Context", "Names", "Results", "Settings", "compute", "png"]

#: The steps :func:`compute` and the page assembly report to ``progress``.
STEPS: tuple[str, ...] = (
    "households",
    "coverage gaps",
    "household summary",
    "referral value",
    "viral coefficient",
    "super users",
    "warm leads",
    "figures",
    "writing",
)


@dataclass(frozen=True)
class Settings:
    """The options of one report; every analysis of the report runs with these."""

    plan: pd.DataFrame | None = None
    minor_age: int = MINOR_AGE
    life_multiple: float = LIFE_MULTIPLE
    ci_multiple: float = CI_MULTIPLE
    decay: float = DECAY
    max_depth: int | None = None
    value: pd.Series | None = None
    min_referrals: int = MIN_REFERRALS
    social_weight: float = SOCIAL_WEIGHT
    freq: str = VIRAL_FREQ
    window_days: int = VIRAL_WINDOW_DAYS
    currency: str = "CNY"
    mask_names: bool = False
    top: int = 20


@dataclass(frozen=True)
class Results:
    """The analysis results one report shows, each computed once."""

    households: pd.DataFrame
    gaps: pd.DataFrame
    summary: pd.DataFrame
    referrals: pd.DataFrame
    viral: pd.DataFrame
    super_users: pd.DataFrame
    leads: pd.DataFrame


def compute(g: CustomerGraph, s: Settings, step: Callable[[str], None]) -> Results:
    """Run every analysis of the report once, with the report's settings."""
    step("households")
    hh = households(g, minor_age=s.minor_age)
    step("coverage gaps")
    gaps = coverage_gaps(g, plan=s.plan, minor_age=s.minor_age)
    step("household summary")
    summary = household_summary(
        g,
        plan=s.plan,
        life_multiple=s.life_multiple,
        ci_multiple=s.ci_multiple,
        minor_age=s.minor_age,
    )
    step("referral value")
    rv = referral_value(g, decay=s.decay, max_depth=s.max_depth, value=s.value)
    step("viral coefficient")
    viral = viral_coefficient(g, freq=s.freq, window_days=s.window_days)
    step("super users")
    su = super_users(
        g,
        min_referrals=s.min_referrals,
        value=s.value,
        decay=s.decay,
        social_weight=s.social_weight,
    )
    step("warm leads")
    leads = warm_leads(
        g, plan=s.plan, minor_age=s.minor_age, min_referrals=s.min_referrals, value=s.value
    )
    return Results(hh, gaps, summary, rv, viral, su, leads)


def png(draw: Callable[..., Any], size: tuple[float, float], dpi: int = 90) -> str:
    """Draw with ``draw(ax=ax)`` on a fresh (pyplot-free) figure; return base64 PNG."""
    from matplotlib.figure import Figure

    from famgraph import _fonts

    with _fonts.style():
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
        draw(ax=ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


class Names:
    """Person id -> display name, and the name scrubber used with ``mask_names``."""

    def __init__(self, g: CustomerGraph, mask: bool) -> None:
        self.mask = mask
        people = g.people
        ids = people["person_id"]
        names = people["name"]
        self.by_id = pd.Series(names.to_numpy(dtype=object), index=ids.to_numpy(dtype=object))
        self._pairs: list[tuple[str, str]] = []
        if mask:
            ok = names.notna() & (names.astype("str").str.strip().str.len() > 0)
            pairs = pd.DataFrame({"name": names[ok].astype("str"), "id": ids[ok]})
            pairs = pairs.drop_duplicates("name")
            order = pairs["name"].str.len().sort_values(ascending=False).index
            self._pairs = list(zip(pairs.loc[order, "name"], pairs.loc[order, "id"], strict=True))

    def names(self, ids: pd.Series) -> pd.Series:
        """Display names of ``ids`` (the id itself when masked or unnamed)."""
        out = ids.map(self.by_id) if not self.mask else ids
        return pd.Series(np.where(pd.isna(out), ids, out), index=ids.index, dtype="str")

    def scrub(self, texts: pd.Series) -> pd.Series:
        """Replace any person's name inside free text by their id (only when masking)."""
        if not self.mask:
            return texts

        def one(t: Any) -> Any:
            if not isinstance(t, str):
                return t
            for nm, pid in self._pairs:
                if nm in t:
                    t = t.replace(nm, pid)
            return t

        return texts.map(one)  # only the few displayed rows reach here


@dataclass(frozen=True)
class Context:
    """What every section needs: the book, the settings, the results, display helpers."""

    g: CustomerGraph
    settings: Settings
    results: Results
    names: Names

    def money(self, v: Any) -> str:
        """A money amount in the report's currency (compact: 1.2M), "" when missing."""
        from famgraph.plot import money

        return "" if v is None or pd.isna(v) else money(float(v), self.settings.currency)

    @staticmethod
    def pct(v: Any) -> str:
        """A share as a whole percentage, "" when missing."""
        return "" if v is None or pd.isna(v) else f"{float(v):.0%}"
