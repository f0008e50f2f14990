"""The HTML report: every analysis of a book in one self-contained file.

:func:`report` is exported as ``famgraph.report``. matplotlib is imported only
while a report is being drawn, so importing this package is cheap.
"""

from famgraph.report.builder import Progress, report
from famgraph.report.kpis import headline_kpis, latest_k_factor

__all__ = ["Progress", "headline_kpis", "latest_k_factor", "report"]
