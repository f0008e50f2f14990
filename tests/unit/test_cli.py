"""The famgraph command line, driven through click's runner."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

import famgraph as fg
from famgraph.cli import main


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("book")
    fg.datasets.write_sample(d)
    return str(d)


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize(
    "cmd",
    [
        [],
        ["demo"],
        ["report"],
        ["validate"],
        ["households"],
        ["gaps"],
        ["super-users"],
        ["referral-value"],
        ["leads"],
        ["neo4j"],
        ["neo4j", "save"],
        ["neo4j", "load"],
        ["neo4j", "gaps"],
    ],
)
def test_help_everywhere(cmd: list[str]) -> None:
    code, out, _ = run(*cmd, "--help")
    assert code == 0 and "Usage: " in out


def test_validate_reports_accounting_and_strict_exit(book: str, tmp_path) -> None:
    rej = tmp_path / "rejects.csv"
    code, out, _ = run("validate", book, "--rejects-out", str(rej))
    assert code == 0
    assert "rows_in" in out and "self_relation" in out
    written = pd.read_csv(rej)
    assert len(written) == len(fg.datasets.sample().rejects)
    code, _, _ = run("validate", book, "--strict")
    assert code == 1


def test_households_json_is_records_without_nan(book: str) -> None:
    code, out, _ = run("households", book, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 15 and set(rows[0]) == {
        "person_id",
        "household_id",
        "family_id",
        "role",
        "age",
    }
    assert "NaN" not in out


def test_households_csv_and_parquet(book: str, tmp_path) -> None:
    code, out, _ = run("households", book, "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert df["person_id"].tolist() == fg.datasets.sample().people["person_id"].tolist()
    pq = tmp_path / "h.parquet"
    code, _, _ = run("households", book, "--format", "parquet", "--out", str(pq))
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(pq), fg.households(fg.datasets.sample()))


def test_data_error_is_one_line_and_exit_2(tmp_path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 2
    assert "error:" in err and "people" in err


def test_neo4j_needs_password_from_environment(book: str, monkeypatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    res = CliRunner().invoke(main, ["neo4j", "save", book, "--uri", "bolt://127.0.0.1:1"])
    assert res.exit_code == 2
    assert "NEO4J_PASSWORD" in res.stderr
