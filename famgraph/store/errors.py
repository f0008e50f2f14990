"""Driver and server errors turned into :class:`~famgraph.StoreError` that say what to do.

Messages name the URI (without any password), the user and the database, never the
password or a row value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from famgraph.errors import StoreError

__all__ = ["UNREACHABLE", "safe_uri", "translate_errors"]

UNREACHABLE = (
    "Check that the server is running and that the URI (scheme, host and Bolt port) is "
    "right; for a local development server run `scripts/neo4j-dev start`."
)


@contextmanager
def translate_errors(uri: str, database: str, user: str | None, action: str) -> Iterator[None]:
    """Turn driver and server errors raised inside the block into :class:`StoreError`.

    Parameters
    ----------
    uri : str
        The server's URI as shown to the user (see :func:`safe_uri`).
    database, user : str
        For the message; ``user`` may be None (a driver given by the caller).
    action : str
        What the store was doing, e.g. ``"saving"``.
    """
    import neo4j.exceptions as nx

    where = f"Neo4j at {uri} (database {database!r})"
    try:
        yield
    except StoreError:
        raise
    except nx.AuthError:
        who = f"user {user!r}" if user else "the given credentials"
        raise StoreError(
            f"{where} rejected the login of {who} while {action}. Check the user name "
            "and password (NEO4J_USER / NEO4J_PASSWORD, or auth=(user, password))."
        ) from None
    except (
        nx.ServiceUnavailable,
        nx.SessionExpired,
        nx.IncompleteCommit,
        nx.ConnectionAcquisitionTimeoutError,
        OSError,
    ) as exc:
        raise StoreError(
            f"Cannot reach Neo4j at {uri} while {action} ({type(exc).__name__}). "
            f"{UNREACHABLE} If the server stopped during a save, start it again and "
            "repeat the same save: it is idempotent and completes what is missing."
        ) from None
    except nx.Neo4jError as exc:
        code = exc.code or "unknown code"
        if "DatabaseNotFound" in code:
            msg = (
                f"{where}: the database does not exist. Check NEO4J_DATABASE / database=; "
                "Neo4j Community has only the database 'neo4j'."
            )
        elif ".Schema." in code:
            msg = (
                f"{where}: schema conflict while {action} ({code}). An existing "
                "constraint or index on :Person(person_id), :Household(household_id), "
                ":Holding(holding_id) or :Book(key), or duplicate id values in nodes "
                "already there, block famgraph's uniqueness constraints. Drop the "
                "conflicting constraint or index (SHOW CONSTRAINTS; SHOW INDEXES) or use "
                "an empty database."
            )
        elif ".Security." in code:
            msg = (
                f"{where}: the user may not do this while {action} ({code}). Grant the "
                "user read and write access (and schema rights for ensure_schema)."
            )
        elif isinstance(exc, nx.TransientError):
            msg = (
                f"{where}: the server kept failing transiently while {action} ({code}) "
                "after the driver's retries. Try again, or use a smaller batch_size."
            )
        else:
            msg = f"{where} rejected a statement while {action} ({code})."
        raise StoreError(msg) from None
    except nx.DriverError as exc:
        raise StoreError(
            f"The Neo4j driver failed while {action} ({type(exc).__name__}). {UNREACHABLE}"
        ) from None


def safe_uri(uri: str) -> str:
    """The URI without any ``user:password@`` part, for messages.

    Examples
    --------
    >>> safe_uri("neo4j+s://me:secret@db.example.com:7687")
    'neo4j+s://db.example.com:7687'
    """
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri.rpartition("@")[2]
    return scheme + sep + rest.rpartition("@")[2]
