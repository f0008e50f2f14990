"""The documentation's Neo4j examples run as written against the suite's real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Server
from tests.docblocks import REPO, blocks, documents, needs_neo4j, run_document

pytestmark = pytest.mark.integration

SERVER_DOCS = [p for p in documents() if needs_neo4j(p)]


@pytest.mark.parametrize("path", SERVER_DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_neo4j_code_blocks_run(
    path: Path,
    tmp_path: Path,
    store: object,
    neo4j_server: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole page runs, on a database wiped for this module (the ``store`` fixture)."""
    server = neo4j_server
    monkeypatch.setenv("NEO4J_URI", server.uri)
    monkeypatch.setenv("NEO4J_USER", server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", server.password)
    monkeypatch.setenv("NEO4J_DATABASE", server.database)
    assert run_document(path, tmp_path, neo4j=True) == len(blocks(path))
