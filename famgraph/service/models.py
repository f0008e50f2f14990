"""Typed response bodies of the famgraph service (they generate its OpenAPI schema).

Conventions, the same on every endpoint: every body carries ``as_of`` (the book's
analysis date, ISO 8601) and ``version`` (famgraph's); dates are ISO 8601 strings,
money and scores are JSON numbers, a missing number is ``null`` (never NaN). Field
names are those of the Python API's result columns (:func:`famgraph.super_users`,
:func:`famgraph.household_summary`, ...), so a figure can be compared one to one.

A person's predicted future value (p_alive, expected purchases, CLV, CRV, segment,
at risk) is :class:`FutureValue`, the ``future_value`` of :class:`Person` (``null``
when the book cannot support the value model). List items may gain optional fields
the same way. Clients should ignore fields they do not know.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Counts",
    "ErrorBody",
    "FutureValue",
    "Health",
    "Household",
    "HouseholdGap",
    "HouseholdMember",
    "HouseholdSummary",
    "Lead",
    "LeadPage",
    "Person",
    "PersonGap",
    "Purchases",
    "Quality",
    "QualityRow",
    "Referrals",
    "RejectCount",
    "Relationship",
    "ReloadAccepted",
    "ReloadStatus",
    "SuperUser",
    "SuperUserPage",
]

Tier = Literal["none", "micro", "weak", "strong", "super"]


class _Body(BaseModel):
    """Fields every response body carries."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(
        description="Analysis date of the book served (null only before a book is loaded)."
    )
    version: str = Field(description="famgraph version of the server.")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------
class ErrorDetail(_Part):
    """One invalid parameter (422 only)."""

    loc: list[str | int] = Field(description='Where, e.g. ["query", "limit"].')
    msg: str = Field(description="What is wrong with it.")


class ErrorBody(_Body):
    """Every error: a stable code, a sentence, and for 422 the invalid parameters."""

    error: str = Field(
        description="Stable code: unauthorized, not_found, invalid_request, "
        "reload_running, not_reloadable, body_too_large, internal_error."
    )
    message: str = Field(description="What went wrong and what to do next.")
    details: list[ErrorDetail] | None = None


# --- health ---------------------------------------------------------------------------
class Counts(_Part):
    """Sizes of the book served."""

    people: int
    customers: int
    prospects: int
    households: int
    relations: int
    referrals: int
    holdings: int
    rejects: int = Field(description="Rejected input rows.")
    gaps: int = Field(description="Coverage-gap rows.")
    leads: int = Field(description="Warm leads.")


class ReloadStatus(_Part):
    """The latest reload (POST /reload)."""

    state: Literal["idle", "running", "done", "failed"]
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = Field(None, description="Why the last reload failed, if it did.")


class Health(_Body):
    """Liveness and readiness. Answered without a token; ``counts`` and ``reload``
    are filled only for a request that carries the valid token."""

    status: Literal["ok"]
    ready: bool = Field(description="A book is loaded and answered from.")
    loaded_at: datetime | None = Field(description="When the book served was loaded (UTC).")
    source: Literal["directory", "neo4j", "memory"]
    counts: Counts | None = None
    reload: ReloadStatus | None = None
    value_model: str | None = Field(
        None,
        description='"fitted", or why the value model could not be fitted (future_value '
        "is then null); with the valid token only.",
    )


# --- persons --------------------------------------------------------------------------
class Relationship(_Part):
    """Relationship level (:func:`famgraph.super_users`)."""

    tier: Tier
    score: float | None = Field(description="0-100; prospects 0.")
    is_super: bool
    influence: float | None = Field(description="PageRank over referrals and social ties.")
    reasons: str | None = Field(description="A short sentence saying why.")


class Purchases(_Part):
    """Repurchase figures (value, frequency, recency, active quarters)."""

    frequency: int
    recency_days: int | None = Field(description="Days since the last purchase; null if none.")
    monetary: float | None
    active_quarters: int


class Referrals(_Part):
    """Referral-chain figures (:func:`famgraph.referral_value`)."""

    referred_by: str | None
    root_id: str | None
    generation: int
    direct_referrals: int
    converted_referrals: int
    cascade_size: int
    depth: int
    chain_value: float | None


class PersonGap(_Part):
    """One required line the person does not hold (priority 1 = buy first)."""

    line: str | None
    priority: int


class Lead(_Part):
    """A warm lead (:func:`famgraph.warm_leads`)."""

    person_id: str
    via_person_id: str
    via_tier: Tier
    relation: str | None = Field(description="What the via customer is to the prospect.")
    household_id: str | None
    open_gaps: int
    top_gap_line: str | None
    protection_gap: float | None
    lead_score: float | None = Field(description="0-100.")
    reason: str | None


class FutureValue(_Part):
    """Predicted future value (BG/NBD, Gamma-Gamma, CLV x CRV; docs/metrics.md section 10).

    ``p_alive``, ``expected_purchases`` and ``expected_value`` are null for a person
    without any purchase.
    """

    p_alive: float | None = None
    expected_purchases: float | None = None
    expected_value: float | None = None
    clv: float | None = None
    crv: float | None = None
    segment: str | None = None
    at_risk: bool | None = None


class Person(_Body):
    """One person: household, role, relationship level, purchases, referrals, gaps, lead."""

    person_id: str
    is_customer: bool
    household_id: str | None
    family_id: str | None
    role: str | None = Field(description="earner, dependent, child, elder or unknown.")
    relationship: Relationship
    purchases: Purchases
    referrals: Referrals
    gaps: list[PersonGap] = Field(description="Open coverage gaps, in priority order.")
    lead: Lead | None = Field(description="The person's warm-lead row, if a prospect lead.")
    future_value: FutureValue | None = Field(
        None,
        description="Predicted future value; null when the book cannot support the value "
        "model (GET /health says why).",
    )


# --- households -----------------------------------------------------------------------
class HouseholdSummary(_Part):
    """The household's row of :func:`famgraph.household_summary`."""

    members: int
    customers: int
    penetration: float | None
    required: int
    covered: int
    coverage_ratio: float | None
    coverage_score: float | None
    protection_gap: float | None = Field(description="Missing life + critical-illness cover.")
    top_gap_person: str | None
    top_gap_line: str | None


class HouseholdMember(_Part):
    """A member, in person_id order."""

    person_id: str
    role: str | None
    is_customer: bool
    tier: Tier
    score: float | None


class HouseholdGap(_Part):
    """A coverage gap of a member (:func:`famgraph.coverage_gaps` row)."""

    person_id: str
    role: str | None
    line: str | None
    priority: int
    is_customer: bool


class Household(_Body):
    """One household: summary (with the protection gap), members, gaps in priority order."""

    household_id: str
    summary: HouseholdSummary
    members: list[HouseholdMember]
    gaps: list[HouseholdGap] = Field(description="By priority, then person_id, then line.")


# --- lists ----------------------------------------------------------------------------
class _Page(_Body):
    total: int = Field(description="Rows in the whole list (before offset and limit).")
    offset: int
    limit: int


class LeadPage(_Page):
    """Warm leads, best first (lead_score, protection_gap, person_id)."""

    items: list[Lead]


class SuperUser(_Part):
    """A row of :func:`famgraph.super_users`."""

    person_id: str
    tier: Tier
    score: float | None
    is_super: bool
    frequency: int
    recency_days: int | None
    monetary: float | None
    active_quarters: int
    converted_referrals: int
    chain_value: float | None
    influence: float | None
    reasons: str | None


class SuperUserPage(_Page):
    """Persons by score (highest first, then person_id), optionally of one tier."""

    tier: Tier | None
    items: list[SuperUser]


# --- quality --------------------------------------------------------------------------
class QualityRow(_Part):
    """``g.quality_report()`` row: rows_in = kept + merged + rejected."""

    table: str
    rows_in: int
    kept: int
    merged: int
    rejected: int
    cells_blanked: int | None = None


class RejectCount(_Part):
    """Rejected rows of one table for one reason (no row contents)."""

    table: str
    reason: str
    rows: int


class Quality(_Body):
    """Accounting of every input row, and rejects counted by reason."""

    tables: list[QualityRow]
    rejects_by_reason: list[RejectCount]


# --- reload ---------------------------------------------------------------------------
class ReloadAccepted(_Body):
    """A reload has started in the background; ``as_of`` is still the old book's."""

    reload: ReloadStatus
