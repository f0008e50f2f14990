"""famgraph: family and social-referral graphs of customers.

Build one validated graph from customer tables, then ask: which household
members lack which cover (:func:`coverage_gaps`), who the super users are
(:func:`super_users`), and what each referral chain is worth
(:func:`referral_value`). See ``docs/quickstart.md``.
"""

from famgraph import datasets
from famgraph.analysis import households
from famgraph.build import build, read_dir
from famgraph.errors import DataError, FamgraphError, StoreError
from famgraph.graph import CustomerGraph, LargeGraphWarning

__version__ = "0.1.0"

__all__ = [
    "CustomerGraph",
    "DataError",
    "FamgraphError",
    "LargeGraphWarning",
    "StoreError",
    "__version__",
    "build",
    "datasets",
    "households",
    "read_dir",
]
