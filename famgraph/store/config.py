"""Connection settings for the Neo4j store, read from the environment or given."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Neo4jConfig"]


@dataclass(frozen=True)
class Neo4jConfig:
    """Where famgraph's Neo4j is and how to log in.

    The password never appears in ``repr`` (nor in any famgraph message).

    Attributes
    ----------
    uri : str
        ``bolt://host:7687``, ``neo4j://...``, ``neo4j+s://...`` (Aura), ...
    user : str
    password : str or None
    database : str

    Examples
    --------
    >>> cfg = Neo4jConfig.from_env({"NEO4J_URI": "bolt://127.0.0.1:7687",
    ...                             "NEO4J_PASSWORD": "s3cret!"})
    >>> cfg
    Neo4jConfig(uri='bolt://127.0.0.1:7687', user='neo4j', database='neo4j')
    >>> cfg.auth
    ('neo4j', 's3cret!')
    """

    uri: str = "bolt://localhost:7687"
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Neo4jConfig:
        """Read ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``.

        Unset variables keep the defaults (``bolt://localhost:7687``, ``neo4j``,
        no password, database ``neo4j``).
        """
        env = os.environ if environ is None else environ
        return cls(
            uri=env.get("NEO4J_URI") or cls.uri,
            user=env.get("NEO4J_USER") or cls.user,
            password=env.get("NEO4J_PASSWORD") or None,
            database=env.get("NEO4J_DATABASE") or cls.database,
        )

    @property
    def auth(self) -> tuple[str, str] | None:
        """``(user, password)`` for the driver, or ``None`` without a password."""
        return None if self.password is None else (self.user, self.password)
