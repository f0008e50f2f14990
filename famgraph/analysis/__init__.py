"""The analyses: one module per question, each function graph first."""

from famgraph.analysis.households import households

__all__ = ["households"]
