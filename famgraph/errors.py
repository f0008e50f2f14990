"""The famgraph error family.

Every error famgraph raises on purpose derives from :class:`FamgraphError`, so a
service can catch them all at once, and each is also catchable as the built-in
it resembles (``DataError`` as ``ValueError``, ``StoreError`` as
``ConnectionError``). Messages say what went wrong *and* what to do next; they never
contain passwords or personal data (names, birth dates, incomes).
"""

from __future__ import annotations

__all__ = ["DataError", "FamgraphError", "StoreError"]


class FamgraphError(Exception):
    """Base class of every error famgraph raises on purpose."""


class DataError(FamgraphError, ValueError):
    """Input that cannot be turned into rows.

    Raised for a missing required column, an unreadable file, a bad ``columns=``
    mapping, an invalid coverage plan, or -- with ``strict=True`` -- the first
    rejected row. The message names the table and the column or 0-based row.

    Attributes
    ----------
    table : str or None
        The input table concerned (``people``, ``relations``, ...), when known.
    column : str or None
        The column concerned, when known.
    row : int or None
        The 0-based input row number, when the error is about one row.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.row = row


class StoreError(FamgraphError, ConnectionError):
    """Neo4j unreachable, authentication failed, schema conflict, or a write aborted.

    The message says what to check (URI, credentials, server status) and never
    contains the password or row values.
    """
