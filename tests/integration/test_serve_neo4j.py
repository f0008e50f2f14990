"""`famgraph serve --neo4j URI` against the real test Neo4j: the book loaded from the store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import famgraph as fg
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration

TOKEN = "neo4j-serve-token-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cmd(server: Any, port: int) -> list[str]:
    return [
        sys.executable, "-m", "famgraph.cli", "serve", "--neo4j", server.uri,
        "--user", server.user, "--database", server.database, "--port", str(port),
    ]  # fmt: skip


def test_serve_answers_from_the_book_saved_in_neo4j(
    store: Neo4jStore, neo4j_server: Any, tmp_path: Path
) -> None:
    store.clear()
    g = fg.datasets.sample()
    store.save(g, progress=False)
    port = _free_port()
    env = {**os.environ, "FAMGRAPH_TOKEN": TOKEN, "NEO4J_PASSWORD": neo4j_server.password}
    err_path = tmp_path / "server.err"
    with err_path.open("wb") as err:
        proc = subprocess.Popen(
            _cmd(neo4j_server, port),
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                assert proc.poll() is None, err_path.read_text()
                assert time.monotonic() < deadline, "server not ready"
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            auth = {"Authorization": f"Bearer {TOKEN}"}
            health = httpx.get(url + "/health", headers=auth).json()
            assert health["source"] == "neo4j"
            assert health["counts"]["people"] == g.n_people
            assert health["as_of"] == g.as_of.date().isoformat()
            body = httpx.get(url + "/persons/P05", headers=auth).json()
            su = fg.super_users(g).set_index("person_id").loc["P05"]
            assert body["relationship"]["tier"] == su["tier"]
            assert body["relationship"]["score"] == pytest.approx(su["score"])
            gaps = fg.coverage_gaps(g)
            assert len(body["gaps"]) == int((gaps["person_id"] == "P05").sum())
        finally:
            proc.terminate()
            proc.wait(15)
    if neo4j_server.password:
        assert neo4j_server.password not in err_path.read_text()


def test_serve_with_a_wrong_neo4j_password_is_one_line(
    store: Neo4jStore, neo4j_server: Any
) -> None:
    env = {**os.environ, "FAMGRAPH_TOKEN": TOKEN, "NEO4J_PASSWORD": "certainly-not-it"}
    res = subprocess.run(
        _cmd(neo4j_server, _free_port()),
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 2, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.stderr and "certainly-not-it" not in res.stderr
