"""famgraph: family and social-referral graphs of customers.

Build one validated graph from customer tables, then ask: which household
members lack which cover (:func:`coverage_gaps`), who the super users are
(:func:`super_users`), and what each referral chain is worth
(:func:`referral_value`). See ``docs/quickstart.md``.
"""

from famgraph import datasets, plot
from famgraph._version import __version__
from famgraph.analysis import households
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.influence import influence
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.plan import DEFAULT_PLAN, validate_plan
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.segments import value_segments
from famgraph.analysis.superusers import super_users
from famgraph.analysis.transitions import tier_transitions, transition_matrix
from famgraph.analysis.value import value_metrics
from famgraph.analysis.valuemodel import ValueModel, fit_value_model, predict_value
from famgraph.errors import DataError, FamgraphError, StoreError
from famgraph.graph import CustomerGraph, LargeGraphWarning
from famgraph.ingest import build, read_dir
from famgraph.report import report
from famgraph.schema import TIERS
from famgraph.store import Neo4jStore

__all__ = [
    "DEFAULT_PLAN",
    "TIERS",
    "CustomerGraph",
    "DataError",
    "FamgraphError",
    "LargeGraphWarning",
    "Neo4jStore",
    "StoreError",
    "ValueModel",
    "__version__",
    "build",
    "coverage_gaps",
    "datasets",
    "fit_value_model",
    "household_summary",
    "households",
    "influence",
    "plot",
    "predict_value",
    "read_dir",
    "referral_value",
    "report",
    "super_users",
    "tier_transitions",
    "transition_matrix",
    "validate_plan",
    "value_metrics",
    "value_segments",
    "viral_coefficient",
    "warm_leads",
]
