"""The analyses: one module per question, each function graph first."""

from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.influence import influence
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.plan import DEFAULT_PLAN, validate_plan
from famgraph.analysis.referrals import referral_value, viral_coefficient
from famgraph.analysis.superusers import super_users
from famgraph.analysis.value import value_metrics
from famgraph.analysis.valuemodel import ValueModel, fit_value_model, predict_value

__all__ = ["households"]
__all__ += ["DEFAULT_PLAN", "coverage_gaps", "household_summary", "validate_plan"]
__all__ += ["influence", "referral_value", "super_users", "value_metrics", "viral_coefficient"]
__all__ += ["warm_leads"]
__all__ += ["ValueModel", "fit_value_model", "predict_value"]
