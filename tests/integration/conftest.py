"""A real Neo4j for the integration tests.

* ``NEO4J_URI`` set: use that server (``NEO4J_USER`` default ``neo4j``,
  ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` default ``neo4j``). Its famgraph data is
  wiped by the tests; the server-kill test is skipped (the tests do not own it).
* otherwise: start a throw-away dev server with ``scripts/neo4j-dev start`` (Neo4j
  5.26 Community from Maven Central) in a temporary state dir, and stop it at the
  end of the session.

If no server can be had, every integration test FAILS with the reason -- a suite
that silently skips its database tests would prove nothing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "neo4j-dev"


@dataclass(frozen=True)
class Server:
    """How to reach the test server, and whether this session controls it."""

    uri: str
    user: str
    password: str
    database: str
    home: Path | None  # NEO4J_DEV_HOME of a server we started, else None

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def managed(self) -> bool:
        return self.home is not None

    def dev(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ``scripts/neo4j-dev COMMAND`` on our own server's state dir."""
        assert self.home is not None, "not a server this test session started"
        env = {**os.environ, "NEO4J_DEV_HOME": str(self.home)}
        return subprocess.run(
            [str(SCRIPT), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _parse_env_lines(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.startswith("NEO4J_"):
            out[key] = value.strip().strip("'\"")
    return out


def _start_dev_server(home: Path) -> tuple[Server | None, str]:
    if not SCRIPT.is_file():
        return None, f"{SCRIPT} does not exist"
    env = {**os.environ, "NEO4J_DEV_HOME": str(home)}
    env.pop("NEO4J_DEV_PORT", None)
    try:
        proc = subprocess.run(
            [str(SCRIPT), "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"`scripts/neo4j-dev start` failed to run: {exc!r}"
    found = _parse_env_lines(proc.stdout)
    if proc.returncode != 0 or "NEO4J_URI" not in found:
        tail = "\n".join(proc.stderr.splitlines()[-25:])
        return None, f"`scripts/neo4j-dev start` exited {proc.returncode}:\n{tail}"
    return (
        Server(
            uri=found["NEO4J_URI"],
            user=found.get("NEO4J_USER", "neo4j"),
            password=found.get("NEO4J_PASSWORD", ""),
            database="neo4j",
            home=home,
        ),
        "",
    )


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The Neo4j server of this test session (see the module docstring)."""
    if os.environ.get("NEO4J_URI"):
        yield Server(
            uri=os.environ["NEO4J_URI"],
            user=os.environ.get("NEO4J_USER") or "neo4j",
            password=os.environ.get("NEO4J_PASSWORD") or "",
            database=os.environ.get("NEO4J_DATABASE") or "neo4j",
            home=None,
        )
        return
    home = tmp_path_factory.mktemp("neo4j-dev")
    server, why = _start_dev_server(home)
    if server is None:
        pytest.fail(
            "No Neo4j for the integration tests: NEO4J_URI is not set and the dev server "
            f"could not be started ({why}). Set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD to use "
            "your own server, or fix scripts/neo4j-dev (needs Java 17+ and Maven).",
            pytrace=False,
        )
    try:
        yield server
    finally:
        server.dev("stop", timeout=120)


@pytest.fixture(scope="module")
def store(neo4j_server: Server) -> Iterator[object]:
    """A Neo4jStore on the test server, famgraph data wiped and schema re-created per module."""
    from famgraph.errors import StoreError
    from famgraph.store import Neo4jStore

    s = Neo4jStore(
        neo4j_server.uri, auth=neo4j_server.auth, database=neo4j_server.database, retry_seconds=5
    )
    try:
        wipe(s)
        s.ensure_schema()
    except StoreError as exc:
        s.close()
        pytest.fail(f"The test Neo4j at {neo4j_server.uri} is not usable: {exc}", pytrace=False)
    try:
        yield s
    finally:
        s.close()


def wipe(store: object) -> None:
    """Delete all famgraph nodes and drop every constraint and index (test servers only)."""
    from famgraph.store import Neo4jStore

    assert isinstance(store, Neo4jStore)
    store.clear()
    drv, db = store.driver, store.database
    names, _, _ = drv.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_=db)
    for rec in names:
        drv.execute_query(
            "DROP CONSTRAINT $name IF EXISTS".replace("$name", _quote(rec["name"])), database_=db
        )
    idx, _, _ = drv.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=db
    )
    for rec in idx:
        drv.execute_query(
            "DROP INDEX $name IF EXISTS".replace("$name", _quote(rec["name"])), database_=db
        )


def _quote(name: str) -> str:
    """A schema name as a backtick-quoted Cypher identifier (DROP cannot take a parameter)."""
    return "`" + name.replace("`", "``") + "`"
