"""Every business rule of famgraph, named once.

The numbers and small rules that the definitions in ``docs/metrics.md`` rest on
live here and nowhere else: the in-memory analyses take their defaults from these
names, the Neo4j push-down passes them to Cypher as ``$parameters`` (no ``.cypher``
file carries a business number; a test checks it), and the report writes its
captions from the values actually used. Change a rule here and every engine,
caption and default follows.

Section numbers refer to ``docs/metrics.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ACTIVE_WINDOW_DAYS",
    "ALPHA",
    "CALIBRATION_MAX_X",
    "CHURN_THRESHOLD",
    "CI_MULTIPLE",
    "CONTINUOUS_QUARTERS",
    "DAYS_PER_MONTH",
    "DECAY",
    "DEFAULT_PLAN_ROWS",
    "DISCOUNT",
    "EARLIEST_DATE",
    "ELDER_AGE",
    "HORIZON_MONTHS",
    "LARGEST_AMOUNT",
    "LATEST_DATE",
    "LEAD_FAMILY_POINTS",
    "LEAD_GAP_POINTS",
    "LEAD_TIER_POINTS",
    "LEAD_TIER_WEIGHTS",
    "LIFE_MULTIPLE",
    "MINOR_AGE",
    "MIN_GAMMA_GAMMA_BUYERS",
    "MIN_REFERRALS",
    "OLDEST_AGE",
    "PAGERANK_TOL",
    "PRIORITY_WEIGHT_BASE",
    "RANK_DECIMALS",
    "SCORE_WEIGHTS",
    "SOCIAL_WEIGHT",
    "STRONG_REFERRALS",
    "TOP_INFLUENCE_PCT",
    "UNIT_DAYS",
    "VIRAL_FREQ",
    "VIRAL_WINDOW_DAYS",
    "WEAK_FREQUENCY",
    "WEEKS_PER_MONTH",
    "bought",
    "covering",
    "priority_weight",
]

# --- sections 1-2: reading the input tables --------------------------------------------
#: Dates before this are unreadable (``bad_type``): no customer book goes further back.
EARLIEST_DATE: Final = "1800-01-01"
#: Dates after this are unreadable (``bad_type``), except ``expires_at``, where a later
#: date -- e.g. the ``9999-12-31`` many systems write for "never" -- means open-ended.
#: Well inside pandas' nanosecond range (2262), so date arithmetic cannot overflow.
LATEST_DATE: Final = "2199-12-31"
#: An ``age`` above this (or below 0) is unreadable: the cell is blanked (a cell issue).
OLDEST_AGE: Final = 150
#: Money (``amount``, ``sum_assured``, ``annual_income``) larger than this in absolute value
#: is unreadable: no policy or income is that large, and sums of such values would overflow.
LARGEST_AMOUNT: Final = 1e15

# --- section 3: ages, roles, households ---------------------------------------------
#: Younger than this is a ``child``; a parent->child edge joins a household while the
#: child is younger than this (the ``minor_age`` default).
MINOR_AGE: Final = 18
#: This age or older is an ``elder``.
ELDER_AGE: Final = 65

# --- section 4: coverage --------------------------------------------------------------
#: The default coverage plan ``(role, line, priority)``, after the family protection
#: order: life for the breadwinners first, then critical illness and health, then
#: accident and pension, savings last.
DEFAULT_PLAN_ROWS: Final[tuple[tuple[str, str, int], ...]] = (
    ("earner", "life", 1),
    ("earner", "critical_illness", 2),
    ("earner", "medical", 2),
    ("earner", "accident", 3),
    ("earner", "pension", 3),
    ("earner", "savings", 4),
    ("dependent", "critical_illness", 2),
    ("dependent", "medical", 2),
    ("dependent", "accident", 3),
    ("dependent", "pension", 3),
    ("child", "medical", 2),
    ("child", "critical_illness", 2),
    ("child", "accident", 3),
    ("child", "education", 4),
    ("elder", "medical", 2),
    ("elder", "accident", 3),
    ("unknown", "medical", 2),
    ("unknown", "accident", 3),
)
#: A required line of priority ``p`` weighs ``max(1, PRIORITY_WEIGHT_BASE - p)`` in the
#: coverage score.
PRIORITY_WEIGHT_BASE: Final = 5
#: Life cover an earner needs, in multiples of annual income.
LIFE_MULTIPLE: Final = 10.0
#: Critical-illness cover an earner needs, in multiples of annual income.
CI_MULTIPLE: Final = 3.0

# --- section 5: value and repurchase --------------------------------------------------
#: Active quarters are counted over purchases in ``(as_of - this many days, as_of]``.
ACTIVE_WINDOW_DAYS: Final = 365
#: A customer buying in at least this many of those quarters buys *continuously*.
CONTINUOUS_QUARTERS: Final = 2

# --- section 6: referral chains -------------------------------------------------------
#: Weight per generation of the referral-chain value.
DECAY: Final = 0.5
#: Cohort period of the viral coefficient (a pandas period alias).
VIRAL_FREQ: Final = "Q"
#: A cohort member's referral counts within this many days of joining.
VIRAL_WINDOW_DAYS: Final = 365

# --- section 7: influence and super users --------------------------------------------
#: PageRank damping factor.
ALPHA: Final = 0.85
#: Weight of each direction of a social tie in the influence graph (a referral weighs 1).
SOCIAL_WEIGHT: Final = 0.5
#: PageRank stops when the L1 change between two iterates is below this.
PAGERANK_TOL: Final = 1e-10
#: Converted referrals a continuous customer needs to be ``super``.
MIN_REFERRALS: Final = 2
#: Converted referrals that make a customer ``strong`` even without continuous buying.
STRONG_REFERRALS: Final = 1
#: Purchases that make a customer ``weak`` (a repeat buyer); one purchase is ``micro``.
WEAK_FREQUENCY: Final = 2
#: Weights of the percentile ranks in the super-user score: Recency, Frequency,
#: Monetary, Chain value, Influence.
SCORE_WEIGHTS: Final[dict[str, float]] = {"R": 0.10, "F": 0.20, "M": 0.15, "C": 0.35, "I": 0.20}
#: Monetary, chain value and ``n x influence`` are ranked on values rounded to this
#: many decimals, so float noise cannot split ties.
RANK_DECIMALS: Final = 6
#: ``reasons`` mention influence for persons in this top share (percent) of all persons.
TOP_INFLUENCE_PCT: Final = 10

# --- warm leads (docs/metrics.md, warm leads) -----------------------------------------
#: Share of the via customer's score a lead inherits, by the via customer's tier.
LEAD_TIER_WEIGHTS: Final[dict[str, float]] = {"super": 1.0, "strong": 0.6}
#: Points of the lead score: the via customer's weighted score, the prospect's open
#: cover (relative to an earner missing the whole default plan), a family tie.
LEAD_TIER_POINTS: Final = 50.0
LEAD_GAP_POINTS: Final = 30.0
LEAD_FAMILY_POINTS: Final = 20.0

# --- section 10: future value ---------------------------------------------------------
#: Time unit of the value model, in days (7: weeks).
UNIT_DAYS: Final = 7
#: Months of future value in the CLV.
HORIZON_MONTHS: Final = 12
#: Monthly discount rate of the CLV.
DISCOUNT: Final = 0.01
#: A month, in weeks, for the CLV sum.
WEEKS_PER_MONTH: Final = 4.345
#: A month, in days (``WEEKS_PER_MONTH`` weeks).
DAYS_PER_MONTH: Final = WEEKS_PER_MONTH * 7
#: The Gamma-Gamma value model is fitted only with at least this many repeat buyers
#: whose repeat purchases have a positive mean value.
MIN_GAMMA_GAMMA_BUYERS: Final = 10
#: The calibration table and figure gather customers with this many repeat purchases
#: or more in their last bucket ("7+").
CALIBRATION_MAX_X: Final = 7
#: A strong or super customer whose probability of being alive is below this is at risk.
CHURN_THRESHOLD: Final = 0.5


def priority_weight(priority: np.ndarray) -> np.ndarray:
    """Weight of a required line in the coverage score: ``max(1, 5 - priority)``.

    Examples
    --------
    >>> priority_weight(np.array([1, 2, 4, 5, 9])).tolist()
    [4, 3, 1, 1, 1]
    """
    return np.maximum(1, PRIORITY_WEIGHT_BASE - np.asarray(priority))


def bought(purchased_at: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Mask over holdings: bought on or before ``as_of`` (section 5).

    Examples
    --------
    >>> import pandas as pd
    >>> bought(pd.Series(pd.to_datetime(["2024-01-01", "2025-01-01", None])),
    ...        pd.Timestamp("2024-06-30")).tolist()
    [True, False, False]
    """
    return np.asarray((purchased_at <= as_of).to_numpy(dtype=bool, na_value=False), dtype=bool)


def covering(purchased_at: pd.Series, expires_at: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Mask over holdings: running cover at ``as_of`` (section 4).

    A holding covers when ``purchased_at <= as_of`` and (``expires_at`` is empty or
    ``expires_at > as_of``).

    Examples
    --------
    >>> import pandas as pd
    >>> at = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01"]))
    >>> exp = pd.Series(pd.to_datetime([None, "2024-06-30", "2030-01-01"]))
    >>> covering(at, exp, pd.Timestamp("2024-06-30")).tolist()
    [True, False, True]
    """
    running = (expires_at.isna() | (expires_at > as_of)).to_numpy(dtype=bool, na_value=False)
    return bought(purchased_at, as_of) & np.asarray(running, dtype=bool)
