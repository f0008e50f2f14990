"""`famgraph neo4j ...` against the real test Neo4j: save with results, analyses inside, load."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import famgraph as fg
from famgraph.cli import main
from famgraph.store import Neo4jStore

pytestmark = pytest.mark.integration


def _run(server: Any, *args: str) -> tuple[int, str, str]:
    env = {
        "NEO4J_URI": server.uri,
        "NEO4J_USER": server.user,
        "NEO4J_PASSWORD": server.password,
        "NEO4J_DATABASE": server.database,
    }
    res = CliRunner(env=env).invoke(main, ["neo4j", *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def test_cli_saves_with_results_and_computes_inside_neo4j(
    store: Neo4jStore, neo4j_server: Any, tmp_path: Path
) -> None:
    store.clear()
    folder = tmp_path / "book"
    fg.datasets.write_book(fg.datasets.synthetic(n_people=600, seed=5), folder)
    g = fg.read_dir(folder)

    code, out, err = _run(neo4j_server, "save", str(folder), "--results")
    assert code == 0, err
    assert "value model: fitted" in out and neo4j_server.password not in out + err
    tiers, _, _ = store.driver.execute_query(
        "MATCH (p:Person) RETURN p.person_id AS id, p.tier AS tier", database_=store.database
    )
    stored = {r["id"]: r["tier"] for r in tiers}
    want = fg.super_users(g).set_index("person_id")["tier"].astype(str)
    assert stored == want.to_dict()

    code, out, _ = _run(neo4j_server, "referral-value", "--format", "csv")
    assert code == 0
    got = pd.read_csv(io.StringIO(out)).set_index("person_id").sort_index()
    ref = fg.referral_value(g).set_index("person_id").sort_index()
    assert got.index.tolist() == ref.index.tolist()
    assert got["chain_value"].tolist() == pytest.approx(ref["chain_value"].tolist())

    code, out, _ = _run(neo4j_server, "super-users", "--format", "csv")
    assert code == 0
    su = pd.read_csv(io.StringIO(out)).set_index("person_id")["tier"]
    assert su.sort_index().to_dict() == want.sort_index().to_dict()

    code, out, _ = _run(neo4j_server, "load", "-o", str(tmp_path / "back"))
    assert code == 0
    back = fg.read_dir(tmp_path / "back")
    assert back.people["person_id"].tolist() == g.people["person_id"].tolist()
