"""The famgraph command line, driven through click's runner."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import famgraph as fg
import famgraph.cli.book
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
        ["neo4j", "referral-value"],
        ["neo4j", "super-users"],
        ["sample"],
        ["viral"],
        ["value"],
        ["transitions"],
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


# --- never a traceback ------------------------------------------------------------------
def leaf_commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    """Every runnable command, as its argv prefix (new commands are covered automatically)."""
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from leaf_commands(cmd, (*path, name))
        else:
            yield (*path, name)


def bad_invocations(cmd: tuple[str, ...], tmp: Path, book: str) -> Iterator[list[str]]:
    """Wrong arguments, unreadable input and unwritable output for one command."""
    command = main
    for name in cmd:
        command = command.commands[name]  # type: ignore[attr-defined]
    params = {p.name: p for p in command.params}
    args = list(cmd)
    yield [*args, "--no-such-option"]
    if any(isinstance(p, click.Argument) and p.required for p in params.values()):
        yield args  # a missing argument
    reads_book = "directory" in params and "as_of" in params
    if reads_book:
        (tmp / "empty").mkdir(exist_ok=True)
        garbage = tmp / "garbage"
        garbage.mkdir(exist_ok=True)
        (garbage / "people.csv").write_bytes(b"\x80\x81\x82,\xff\n\x80,\x81\n")
        ragged = tmp / "ragged"
        ragged.mkdir(exist_ok=True)
        (ragged / "people.csv").write_text("person_id,name\nP1,a,b\n", encoding="utf-8")
        for folder in (tmp / "nope", tmp / "empty", garbage, ragged):
            yield [*args, str(folder)]
        yield [*args, book, "--as-of", "notadate"]
        yield [*args, book, "--as-of", "now"]
        yield [*args, book, "--encoding", "klingon"]
    if "out" in params and reads_book:
        yield [*args, book, "--out", str(tmp / "no" / "such" / "x.out")]
        yield [*args, book, "--out", str(tmp)]  # a folder, not a file
    if "rejects_out" in params:
        yield [*args, book, "--rejects-out", "/nonexistent/r.csv"]
    if "uri" in params:
        extra = [book] if "directory" in params else []
        need_out = ["--out", str(tmp / "load")] if cmd[-1] == "load" else []
        yield [*args, *extra, "--uri", "http://localhost:7474", *need_out]
    if cmd == ("sample",):
        (tmp / "a_file").write_text("x")
        yield [*args, str(tmp / "a_file")]
        yield [*args, str(tmp / "s"), "--people", "0"]
        yield [*args, str(tmp / "s"), "--encoding", "klingon"]
    if cmd == ("demo",):
        yield [*args, "--people", "0"]
        yield [*args, "--out", "/nonexistent/report.html"]


CASES = list(leaf_commands())


@pytest.mark.parametrize("cmd", CASES, ids=" ".join)
def test_every_command_fails_in_one_line_with_exit_2(
    cmd: tuple[str, ...], book: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-used")
    tried = 0
    for argv in bad_invocations(cmd, tmp_path, book):
        res = CliRunner().invoke(main, argv)
        err = res.stderr
        assert res.exit_code == 2, (argv, res.exit_code, err, res.exception)
        assert "Traceback" not in err and "Traceback" not in res.stdout, argv
        # one line says what went wrong and what to do (after any progress lines)
        errors = [ln for ln in err.splitlines() if ln.startswith(("error: ", "famgraph "))]
        assert len(errors) == 1 and err.rstrip().splitlines()[-1] == errors[0], (argv, err)
        tried += 1
    assert tried >= 1


def test_the_four_reported_failures_are_one_line(book: str) -> None:
    for argv, says in (
        (["gaps", book, "--as-of", "notadate"], "'notadate' is not a date"),
        (["gaps", book, "--format", "csv", "-o", "/nonexistent/x.csv"], "does not exist"),
        (["validate", book, "--rejects-out", "/nonexistent/r.csv"], "does not exist"),
    ):
        code, out, err = run(*argv)
        assert code == 2 and says in err and out == ""  # nothing printed before failing


def test_an_unexpected_error_is_one_line_unless_debugging(
    book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(g: fg.CustomerGraph) -> None:
        raise RuntimeError("secret cell value")

    monkeypatch.setattr(famgraph.cli.book, "households", broken)
    res = CliRunner().invoke(main, ["households", book])
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    assert "unexpected RuntimeError" in res.stderr and "secret" not in res.stderr
    monkeypatch.setenv("FAMGRAPH_DEBUG", "1")
    res = CliRunner().invoke(main, ["households", book])
    assert isinstance(res.exception, RuntimeError)


# --- a Chinese export, end to end ------------------------------------------------------------
def test_sample_writes_a_gbk_book_that_validates_and_reports(tmp_path: Path) -> None:
    d = tmp_path / "gbk"
    code, out, _ = run("sample", str(d), "--people", "300", "--encoding", "gbk", "--dirty")
    assert code == 0 and "people.csv" in out
    raw = (d / "people.csv").read_bytes()
    text = raw.decode("gbk")
    assert "年" in text and ",是," in text  # Chinese dates and yes/no
    holdings = (d / "holdings.csv").read_bytes().decode("gbk")
    assert "payer_id,payer_relation" in holdings and "本人" in holdings
    g = fg.read_dir(d)
    expected = fg.build(**fg.datasets.synthetic(300, seed=0, dirty=True))
    pd.testing.assert_frame_equal(g.quality_report(), expected.quality_report())
    issues = tmp_path / "issues.csv"
    code, out, _ = run("validate", str(d), "--issues-out", str(issues))
    assert code == 0 and "policy_relations" in out and "cells emptied" in out
    assert len(pd.read_csv(issues)) == len(g.issues) > 0
    code, _, _ = run("validate", str(d), "--strict")
    assert code == 1
    code, out, _ = run("validate", str(d), "--encoding", "gbk", "--as-of", "2025年6月30日")
    assert code == 0
    report = tmp_path / "report.html"
    code, _, err = run("report", str(d), "--out", str(report))
    assert code == 0, err
    assert report.stat().st_size > 10_000
    code, _, _ = run("sample", str(tmp_path / "utf"), "--people", "20")
    assert (tmp_path / "utf" / "people.csv").read_text(encoding="utf-8").count("-") > 10


def test_viral_is_the_viral_coefficient(book: str) -> None:
    code, out, _ = run("viral", book, "--format", "csv", "--freq", "Y", "--window-days", "30")
    assert code == 0
    want = fg.viral_coefficient(fg.datasets.sample(), freq="Y", window_days=30)
    got = pd.read_csv(io.StringIO(out))
    assert got["cohort"].astype(str).tolist() == want["cohort"].astype(str).tolist()
    assert got["k_factor"].tolist() == pytest.approx(want["k_factor"].tolist())


@pytest.fixture(scope="module")
def bigger(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, fg.CustomerGraph]:
    d = tmp_path_factory.mktemp("bigger")
    fg.datasets.write_book(fg.datasets.synthetic(n_people=1_500, seed=3), d)
    return str(d), fg.read_dir(d)


def test_value_joins_prediction_and_segments(
    bigger: tuple[str, fg.CustomerGraph], book: str
) -> None:
    folder, g = bigger
    code, out, err = run("value", folder, "--format", "csv", "--horizon-months", "6")
    assert code == 0 and "ValueModel(" in err
    got = pd.read_csv(io.StringIO(out))
    pred = fg.predict_value(g, horizon_months=6)
    seg = fg.value_segments(g, pred.set_index("person_id")["clv"])
    assert got["person_id"].tolist() == pred["person_id"].tolist()
    assert got["clv"].tolist() == pytest.approx(pred["clv"].tolist())
    assert got["segment"].tolist() == seg["segment"].astype(str).tolist()
    assert got["at_risk"].tolist() == seg["at_risk"].tolist()
    assert {"p_alive", "expected_purchases", "crv", "tier"} <= set(got.columns)
    # fifteen people cannot pin the model down: one line saying what to do, exit 2
    code, out, err = run("value", book)
    assert code == 2 and out == "" and "Use a book with more customers" in err


def test_transitions_rows_and_matrix(book: str) -> None:
    g = fg.datasets.sample()
    want = fg.tier_transitions(g, "2024-12-31")
    code, out, _ = run("transitions", book, "--since", "2024-12-31", "--format", "csv")
    assert code == 0
    got = pd.read_csv(io.StringIO(out))
    assert got["change"].tolist() == want["change"].astype(str).tolist()
    code, out, _ = run(
        "transitions", book, "--since", "2024年12月31日", "--matrix", "--format", "json"
    )
    rows = json.loads(out)
    assert [r["tier_before"] for r in rows] == list(fg.TIERS)
    assert sum(r[t] for r in rows for t in fg.TIERS) == len(g.people)
    code, _, err = run("transitions", book)
    assert code == 2 and "--since" in err
    code, _, err = run("transitions", book, "--since", "2030-01-01")
    assert code == 2 and "as_of (2025-05-10)" in err


def test_report_in_chinese_since_a_date(book: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, _ = run("report", book, "-o", str(out), "--language", "zh", "--since", "2024-12-31")
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert 'lang="zh' in html and "2024-12-31" in html
    code, _, err = run("report", book, "-o", str(out), "--language", "fr")
    assert code == 2 and "'fr' is not one of" in err
