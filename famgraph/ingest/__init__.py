"""Tables in -> one validated, normalised :class:`~famgraph.graph.CustomerGraph`.

Every input row ends in exactly one of *kept*, *merged* (a duplicate of a kept row)
or *rejected* (with a reason); an unreadable optional descriptive cell is emptied
and listed instead of costing its row. The work is split by step, in the order the
data flows:

* :mod:`~famgraph.ingest.read` -- files: encodings, delimiters, headers;
* :mod:`~famgraph.ingest.parse` -- cells: text, dates, numbers, booleans as people
  write them;
* :mod:`~famgraph.ingest.ledger` -- the outcome of every row and every emptied cell;
* :mod:`~famgraph.ingest.tables` -- the rules of people, referrals and holdings;
* :mod:`~famgraph.ingest.facts` -- relation facts, declared or stated by policies;
* :mod:`~famgraph.ingest.pipeline` -- :func:`build` and :func:`read_dir`.

All checks are vectorised over whole columns; nothing loops over rows in Python.
"""

from famgraph.ingest.pipeline import build, read_dir
from famgraph.ingest.read import read_table

__all__ = ["build", "read_dir", "read_table"]
