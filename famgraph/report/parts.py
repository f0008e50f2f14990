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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from famgraph import i18n
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.segments import value_segments
from famgraph.analysis.superusers import super_users
from famgraph.analysis.transitions import tier_transitions
from famgraph.errors import DataError
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

__all__ = [
    "STEPS",
    "Context",
    "Names",
    "Results",
    "Settings",
    "at_risk_customers",
    "compute",
    "gap_status",
    "png",
    "previous_quarter_end",
]

#: The steps :func:`compute` and the page assembly report to ``progress``.
STEPS: tuple[str, ...] = (
    "households",
    "coverage gaps",
    "household summary",
    "referral value",
    "viral coefficient",
    "super users",
    "warm leads",
    "value segments",
    "tier transitions",
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
    language: str = "en"
    line_names: Mapping[str, str] | None = None
    #: Rows of the leaderboard, the warm leads and the at-risk table.
    top: int = 20
    #: Households listed (and drawn, one grid each) under "households to call first".
    households_shown: int = 10
    #: The earlier date of "Rising, slipping, at risk"; None = the previous quarter end.
    since: pd.Timestamp | None = None


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
    #: Per household (index ``household_id``): ``known`` earners with an income,
    #: ``unknown`` earners without one, ``given`` whether the id came with the data.
    gap_status: pd.DataFrame
    #: ``fg.value_segments`` rows with ``at_risk``; None when not available.
    at_risk: pd.DataFrame | None
    #: Why ``at_risk`` is None (shown on the page), else "".
    at_risk_note: str = ""
    #: ``fg.tier_transitions`` since ``Settings.since`` (or the previous quarter end).
    transitions: pd.DataFrame | None = None


def gap_status(g: CustomerGraph, hh: pd.DataFrame) -> pd.DataFrame:
    """Per household: earners with a known income, earners without one, id given or formed.

    A household's money gap (``household_summary``'s ``protection_gap``) counts only
    earners with an income, so a household whose earners' incomes are all unknown
    shows 0 there although its gap is *unknown*; one with some unknown is *at least*
    the gap shown. ``given`` is true when a member's ``household_id`` came with the
    data (else the id was formed from family ties: ``"H:"`` + smallest member id).

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.datasets.sample()
    >>> st = gap_status(g, fg.households(g))
    >>> st.loc[["H:P07", "HH-SUN", "H:P01"]].values.tolist()
    [[0, 1, False], [1, 1, True], [2, 0, False]]
    """
    pos = g.idx(hh["person_id"])
    inc = g.people["annual_income"].to_numpy(dtype=float, na_value=np.nan)[pos]
    earner = (hh["role"] == "earner").to_numpy(dtype=bool)
    given = g.people["household_id"].notna().to_numpy(dtype=bool)[pos]
    df = pd.DataFrame(
        {
            "household_id": hh["household_id"].to_numpy(),
            "known": (earner & (inc > 0)).astype(np.int64),
            "unknown": (earner & np.isnan(inc)).astype(np.int64),
            "given": given,
        }
    )
    return df.groupby("household_id", sort=True).agg(
        known=("known", "sum"), unknown=("unknown", "sum"), given=("given", "any")
    )


def at_risk_customers(g: CustomerGraph, s: Settings) -> tuple[pd.DataFrame | None, str]:
    """``fg.value_segments(g)`` (CLV x CRV, ``at_risk``), or None and why not.

    The value model needs purchase histories to fit; when it cannot be fitted
    (e.g. a book with hardly any purchases) the report says so instead of failing.
    """
    try:
        return value_segments(g, decay=s.decay), ""
    except DataError:
        return None, i18n.text("risk.unfit", s.language)


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
        language=s.language,
    )
    step("warm leads")
    leads = warm_leads(
        g,
        plan=s.plan,
        minor_age=s.minor_age,
        min_referrals=s.min_referrals,
        value=s.value,
        language=s.language,
    )
    step("value segments")
    risk, why = at_risk_customers(g, s)
    step("tier transitions")
    moves = tier_transitions(
        g,
        previous_quarter_end(g.as_of) if s.since is None else s.since,
        min_referrals=s.min_referrals,
        decay=s.decay,
        social_weight=s.social_weight,
    )
    return Results(hh, gaps, summary, rv, viral, su, leads, gap_status(g, hh), risk, why, moves)


def previous_quarter_end(as_of: pd.Timestamp) -> pd.Timestamp:
    """The last calendar quarter end strictly before ``as_of`` (the report's default ``since``).

    Examples
    --------
    >>> previous_quarter_end(pd.Timestamp("2025-06-30")).date().isoformat()
    '2025-03-31'
    >>> previous_quarter_end(pd.Timestamp("2025-05-10 14:00")).date().isoformat()
    '2025-03-31'
    """
    day = pd.Timestamp(as_of).normalize()
    return pd.Timestamp((day - pd.offsets.QuarterEnd(1)).normalize())


def png(draw: Callable[..., Any], size: tuple[float, float], dpi: int = 90) -> str:
    """Draw with ``draw(ax=ax)`` on a fresh (pyplot-free) figure; return base64 PNG."""
    from matplotlib.figure import Figure

    from famgraph import _fonts

    with _fonts.style():
        fig = Figure(figsize=size, dpi=dpi, layout="constrained")
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
    """What every section needs: the book, the settings, the results, display helpers.

    Every word and number on the page comes through these helpers from the message
    catalogue :mod:`famgraph.i18n`, in the report's language.
    """

    g: CustomerGraph
    settings: Settings
    results: Results
    names: Names

    @property
    def lang(self) -> str:
        """The report's language."""
        return self.settings.language

    def t(self, key: str, /, **fields: Any) -> str:
        """The message ``key`` in the report's language."""
        return i18n.text(key, self.lang, **fields)

    def money(self, v: Any) -> str:
        """A money amount in the report's currency (compact: 1.2M / 120万), "unknown" if missing."""
        return i18n.money(v, self.settings.currency, self.lang)

    def count(self, n: Any) -> str:
        """A whole number with thousands separators."""
        return i18n.count(n, self.lang)

    @staticmethod
    def pct(v: Any) -> str:
        """A share as a whole percentage, "–" when missing."""
        return i18n.pct(v)

    def term(self, kind: str, code: Any) -> str:
        """Display name of a code (line, role, tier, relation, segment, ...)."""
        extra = self.settings.line_names if kind == "line" else None
        return i18n.term(kind, code, self.lang, extra)

    def line_in_text(self, code: Any) -> str:
        """A product line's name inside a sentence (lower case in English: "no life cover")."""
        name = self.term("line", code)
        return name.lower() if self.lang == "en" else name

    def terms(self, kind: str, codes: pd.Series) -> pd.Series:
        """Display names of a column of codes."""
        extra = self.settings.line_names if kind == "line" else None
        return i18n.terms(kind, codes, self.lang, extra)

    @property
    def currency_name(self) -> str:
        """The currency as headers name it (``CNY``; ``元`` in Chinese)."""
        return i18n.currency_name(self.settings.currency, self.lang)

    def gap_state(self, household_ids: pd.Series) -> np.ndarray:
        """Per household: 0 the money gap is known, 1 at least (some earner's income
        unknown), 2 unknown (every earner's income unknown)."""
        st = self.results.gap_status.reindex(household_ids.to_numpy())
        known = st["known"].fillna(0).to_numpy(dtype=np.int64)
        unknown = st["unknown"].fillna(0).to_numpy(dtype=np.int64)
        return np.where(unknown > 0, np.where(known > 0, 1, 2), 0)

    def gap_cells(self, household_ids: pd.Series, gaps: pd.Series) -> tuple[pd.Series, list[str]]:
        """A protection-gap column that never shows an unknown as 0.

        Returns the raw values (NaN where unknown: sorted last, empty in the CSV)
        and the display text: ``CNY 1.2M``, ``≥ CNY 1.2M`` when some earner's income
        is unknown, "unknown" when every earner's is.
        """
        state = self.gap_state(household_ids)
        raw = pd.Series(gaps.to_numpy(dtype=float), index=gaps.index).where(state != 2)
        shown = [
            self.t("unknown")
            if st == 2
            else (self.t("gap.at_least", amount=self.money(v)) if st == 1 else self.money(v))
            for st, v in zip(state, gaps.to_numpy(dtype=float), strict=True)
        ]
        return raw, shown

    def table(self, df: pd.DataFrame, name: str, **kw: Any) -> str:
        """:func:`famgraph.report.template.table` with the page's words and headers."""
        from famgraph.report import template as T

        headers = {c: self.header(c) for c in df.columns}
        headers.update(kw.pop("headers", {}))
        return T.table(
            df,
            name=name,
            labels={
                "filter": self.t("tbl.filter"),
                "download": self.t("tbl.download"),
                "count": self.t("tbl.count"),
            },
            headers=headers,
            unknown=self.t("unknown"),
            empty=kw.pop("empty", self.t("tbl.empty")),
            **kw,
        )

    def header(self, column: str) -> str:
        """The header of a result column (``col.<name>`` in the catalogue)."""
        key = f"col.{column}"
        if key in i18n.MESSAGES:
            return self.t(key, currency=self.currency_name)
        return column.replace("_", " ")

    def display_names(self, ids: pd.Series) -> pd.Series:
        """Display names of person ids (ids when masked)."""
        return self.names.names(ids)

    def join(self, items: Sequence[str]) -> str:
        """A short list in the page's language: ``a, b, c`` / ``a、b、c``."""
        return self.t("list_sep").join(items)
