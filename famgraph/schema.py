"""Canonical names: input columns and types, relation vocabulary, result columns.

This module is the single place where famgraph names things. Input tables are
described by :data:`TABLES`; analyses name their output columns with the
``*_COLUMNS`` tuples below; the Neo4j store takes labels and relationship types
only from :data:`NODE_LABELS` and :data:`REL_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ACCOUNTED_TABLES",
    "CALIBRATION_COLUMNS",
    "COVERAGE_GAP_COLUMNS",
    "FAMILY_KINDS",
    "HOUSEHOLDS_COLUMNS",
    "HOUSEHOLD_SUMMARY_COLUMNS",
    "ISSUE_COLUMNS",
    "NODE_LABELS",
    "POLICY_RELATION_COLUMNS",
    "PREDICT_VALUE_COLUMNS",
    "QUALITY_COLUMNS",
    "REASONS",
    "REFERRAL_VALUE_COLUMNS",
    "REJECT_COLUMNS",
    "RELATION_SYNONYMS",
    "REL_TYPES",
    "ROLES",
    "SEGMENTS",
    "SELF_LABELS",
    "SOCIAL_KINDS",
    "SOURCE_POLICY",
    "SOURCE_RELATIONS",
    "SUPER_USER_COLUMNS",
    "TABLES",
    "TABLE_ORDER",
    "TIERS",
    "TRANSACTION_SUMMARY_COLUMNS",
    "TRANSITION_COLUMNS",
    "VALUE_COLUMNS",
    "VALUE_SEGMENT_COLUMNS",
    "VIRAL_COLUMNS",
    "WARM_LEAD_COLUMNS",
    "Column",
    "Table",
    "canonical_relation",
]

Kind = Literal["str", "date", "float", "int", "bool"]


@dataclass(frozen=True)
class Column:
    """One canonical input column.

    ``blank`` marks an optional *descriptive* cell: when it cannot be read (or is
    out of range), :func:`famgraph.ingest` empties the cell and lists it in
    ``g.issues`` instead of rejecting the row.
    """

    name: str
    kind: Kind
    required: bool = False
    blank: bool = False


@dataclass(frozen=True)
class Table:
    """One canonical input table: its columns in output order and its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def kind(self, column: str) -> Kind:
        for c in self.columns:
            if c.name == column:
                return c.kind
        raise KeyError(column)


PEOPLE = Table(
    "people",
    (
        Column("person_id", "str", required=True),
        Column("name", "str"),
        Column("birth_date", "date", blank=True),
        Column("age", "int", blank=True),
        Column("gender", "str", blank=True),
        Column("household_id", "str"),
        Column("annual_income", "float", blank=True),
        Column("is_customer", "bool"),
        Column("joined_at", "date", blank=True),
        Column("channel", "str"),
        Column("role", "str"),
    ),
    key=("person_id",),
)
RELATIONS = Table(
    "relations",
    (
        Column("person_id", "str", required=True),
        Column("relative_id", "str", required=True),
        Column("relation", "str", required=True),
        Column("since", "date", blank=True),
        Column("until", "date", blank=True),
        Column("source", "str"),
    ),
)
REFERRALS = Table(
    "referrals",
    (
        Column("referrer_id", "str", required=True),
        Column("referee_id", "str", required=True),
        Column("referred_at", "date", blank=True),
    ),
)
HOLDINGS = Table(
    "holdings",
    (
        Column("holding_id", "str"),
        Column("person_id", "str", required=True),
        Column("line", "str", required=True),
        Column("purchased_at", "date", required=True),
        Column("amount", "float"),
        Column("expires_at", "date"),
        Column("sum_assured", "float"),
        Column("product_id", "str"),
        Column("payer_id", "str", blank=True),
        Column("payer_relation", "str", blank=True),
    ),
    key=("holding_id",),
)

#: The four input tables, by name, in processing order.
TABLES: dict[str, Table] = {t.name: t for t in (PEOPLE, RELATIONS, REFERRALS, HOLDINGS)}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)
#: Every accounted table of ``quality_report()``: the four inputs, then the relation
#: facts that holdings state through ``payer_relation`` (one row per such holding).
ACCOUNTED_TABLES: tuple[str, ...] = (*TABLE_ORDER, "policy_relations")

#: ``source`` of a relation row read from the relations table (when it names none).
SOURCE_RELATIONS = "relations"
#: ``source`` of a relation fact stated by a holding's ``payer_relation``.
SOURCE_POLICY = "policy"

# --- relation vocabulary ---------------------------------------------------------
#: Family kinds. ``child`` and ``grandchild`` are the canonical *directed* kinds:
#: a normalised row ``(person_id=A, relative_id=B, relation="child")`` is the edge
#: parent A -> child B. Every other kind is undirected (stored with A < B).
FAMILY_KINDS: tuple[str, ...] = (
    "spouse",
    "child",
    "sibling",
    "grandchild",
    "relative",
)
SOCIAL_KINDS: tuple[str, ...] = ("friend", "colleague", "neighbour", "acquaintance")
DIRECTED_KINDS: dict[str, str] = {"parent": "child", "grandparent": "grandchild"}

_VOCAB: dict[str, tuple[str, ...]] = {
    "spouse": ("spouse", "partner", "husband", "wife", "配偶", "夫妻", "丈夫", "妻子"),
    "parent": ("parent", "father", "mother", "父亲", "母亲", "父母"),
    "child": ("child", "son", "daughter", "儿子", "女儿", "子女"),
    "sibling": ("sibling", "brother", "sister", "兄弟", "姐妹", "兄弟姐妹"),
    "grandparent": (
        "grandparent",
        "grandfather",
        "grandmother",
        "祖父母",
        "爷爷",
        "奶奶",
        "外公",
        "外婆",
    ),
    "grandchild": ("grandchild", "grandson", "granddaughter", "孙子", "孙女", "外孙", "外孙女"),
    "relative": (
        "relative",
        "in-law",
        "cousin",
        "uncle",
        "aunt",
        "nephew",
        "niece",
        "亲戚",
    ),
    "friend": ("friend", "朋友"),
    "colleague": ("colleague", "同事"),
    "neighbour": ("neighbour", "neighbor", "邻居"),
    "acquaintance": ("acquaintance", "熟人"),
}

#: ``payer_relation`` labels meaning "the insured is the payer" (no relation fact).
SELF_LABELS: tuple[str, ...] = ("self", "本人", "自己", "oneself")

#: Every accepted label (lower case, stripped) -> its kind as written (before the
#: parent/grandparent reversal). ``parent`` and ``grandparent`` appear here; the
#: build step reverses them into ``child`` / ``grandchild`` edges.
RELATION_SYNONYMS: dict[str, str] = {
    label: kind for kind, labels in _VOCAB.items() for label in labels
}


def canonical_relation(label: str) -> str | None:
    """Return the kind of a relation label, or ``None`` when it is not in the vocabulary.

    Case-insensitive, surrounding spaces ignored. ``parent`` and ``grandparent``
    labels return ``"parent"`` / ``"grandparent"`` (the build step turns those
    facts around into ``child`` / ``grandchild`` edges).

    Examples
    --------
    >>> canonical_relation(" Wife ")
    'spouse'
    >>> canonical_relation("外婆")
    'grandparent'
    >>> canonical_relation("boss") is None
    True
    """
    return RELATION_SYNONYMS.get(label.strip().lower())


# --- roles, tiers, reasons ------------------------------------------------------
ROLES: tuple[str, ...] = ("earner", "dependent", "child", "elder", "unknown")
TIERS: tuple[str, ...] = ("none", "micro", "weak", "strong", "super")
#: CLV x CRV segments (docs/metrics.md section 10), prospects last.
SEGMENTS: tuple[str, ...] = ("champion", "affluent", "advocate", "miser", "prospect")

#: Reject reasons in precedence order (docs/metrics.md section 2).
REASONS: tuple[str, ...] = (
    "missing_value",
    "bad_type",
    "negative_amount",
    "unknown_relation",
    "self_relation",
    "self_referral",
    "unknown_person",
    "duplicate_id",
    "conflicting_relation",
    "duplicate_referee",
    "referral_cycle",
)

# --- result columns -------------------------------------------------------------
REJECT_COLUMNS = ("table", "row", "reason", "column", "detail")
ISSUE_COLUMNS = ("table", "row", "column", "reason", "detail")
QUALITY_COLUMNS = ("table", "rows_in", "kept", "merged", "rejected", "cells_blanked")
POLICY_RELATION_COLUMNS = (
    "holding_id",
    "payer_id",
    "person_id",
    "payer_relation",
    "line",
    "purchased_at",
    "amount",
)
HOUSEHOLDS_COLUMNS = ("person_id", "household_id", "family_id", "role", "age")
COVERAGE_GAP_COLUMNS = ("household_id", "person_id", "role", "line", "priority", "is_customer")
HOUSEHOLD_SUMMARY_COLUMNS = (
    "household_id",
    "members",
    "customers",
    "penetration",
    "required",
    "covered",
    "coverage_ratio",
    "coverage_score",
    "protection_gap",
    "top_gap_person",
    "top_gap_line",
)
REFERRAL_VALUE_COLUMNS = (
    "person_id",
    "referred_by",
    "root_id",
    "generation",
    "direct_referrals",
    "converted_referrals",
    "cascade_size",
    "depth",
    "chain_value",
)
VALUE_COLUMNS = (
    "person_id",
    "frequency",
    "recency_days",
    "monetary",
    "active_quarters",
    "continuous",
)
VIRAL_COLUMNS = ("cohort", "cohort_size", "referrals", "converted_referrals", "k_factor")
SUPER_USER_COLUMNS = (
    "person_id",
    "tier",
    "score",
    "is_super",
    "frequency",
    "recency_days",
    "monetary",
    "active_quarters",
    "converted_referrals",
    "chain_value",
    "influence",
    "reasons",
)
TRANSITION_COLUMNS = (
    "person_id",
    "tier_before",
    "tier_after",
    "score_before",
    "score_after",
    "change",
)
TRANSACTION_SUMMARY_COLUMNS = ("person_id", "x", "t_x", "T", "m")
PREDICT_VALUE_COLUMNS = (
    "person_id",
    "x",
    "t_x",
    "T",
    "p_alive",
    "expected_purchases",
    "expected_value",
    "clv",
)
CALIBRATION_COLUMNS = ("frequency", "customers", "actual", "predicted")
VALUE_SEGMENT_COLUMNS = ("person_id", "clv", "crv", "segment", "p_alive", "tier", "at_risk")
WARM_LEAD_COLUMNS = (
    "person_id",
    "via_person_id",
    "via_tier",
    "relation",
    "household_id",
    "open_gaps",
    "top_gap_line",
    "protection_gap",
    "lead_score",
    "reason",
)

# --- Neo4j whitelist ---------------------------------------------------------------
#: The only node labels the store writes or reads.
NODE_LABELS: tuple[str, ...] = ("Person", "Household", "Holding", "Book")
#: The only relationship types the store writes or reads.
REL_TYPES: tuple[str, ...] = (
    "SPOUSE",
    "CHILD",
    "SIBLING",
    "GRANDCHILD",
    "RELATIVE",
    "KNOWS",
    "REFERRED",
    "MEMBER_OF",
    "HOLDS",
)
