"""Reload swapping books in a real server; start-up refusals and the per-run token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import famgraph as fg

from ._server import Server, free_port, strict_json, write_book


def wait_reload(srv: Server, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with srv.client() as c:
        while time.monotonic() < deadline:
            state = c.get("/health").json()["reload"]
            if state["state"] in ("done", "failed"):
                return state  # type: ignore[no-any-return]
            time.sleep(0.1)
    raise AssertionError("reload did not finish")


def test_reload_swaps_to_the_changed_book(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", n_people=300, seed=1)
    g_old = fg.read_dir(book)
    srv = Server(tmp_path, str(book)).wait_ready()
    try:
        with srv.client() as c:
            assert c.get("/health").json()["counts"]["people"] == g_old.n_people
            assert c.get("/persons/P0000350").status_code == 404
            old_su = fg.super_users(g_old).set_index("person_id")

            # the book changes on disk: more people, a later as_of
            shutil.rmtree(book)
            write_book(book, n_people=400, seed=2, as_of="2025-09-30")
            g_new = fg.read_dir(book)
            assert g_new.as_of != g_old.as_of
            new_su = fg.super_users(g_new).set_index("person_id")

            seen: list[tuple[str, str, str, float | None]] = []
            stop = threading.Event()

            def hammer() -> None:  # requests while the reload runs: each sees one whole book
                with srv.client() as h:
                    while not stop.is_set():
                        r = h.get("/persons/P0000042")
                        b = r.json()
                        seen.append(
                            (r.headers["x-famgraph-as-of"], b["as_of"], b["relationship"]["tier"],
                             b["relationship"]["score"])
                        )  # fmt: skip

            t = threading.Thread(target=hammer)
            t.start()
            r = c.post("/reload")
            assert r.status_code == 202
            assert strict_json(r.text)["reload"]["state"] == "running"
            state = wait_reload(srv)
            new_as_of = g_new.as_of.date().isoformat()
            deadline = time.monotonic() + 10
            while not any(x[1] == new_as_of for x in seen) and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            t.join()
            assert state["state"] == "done" and state["error"] is None

            health = c.get("/health").json()
            assert health["counts"]["people"] == g_new.n_people
            assert health["as_of"] == g_new.as_of.date().isoformat()
            body = c.get("/persons/P0000350").json()
            assert body["relationship"]["tier"] == new_su.loc["P0000350", "tier"]
            assert body["relationship"]["score"] == pytest.approx(new_su.loc["P0000350", "score"])

            books = {
                g_old.as_of.date().isoformat(): old_su.loc["P0000042"],
                g_new.as_of.date().isoformat(): new_su.loc["P0000042"],
            }
            assert {x[1] for x in seen} == set(books)  # answered from the old, then the new
            for header_as_of, as_of, tier, score in seen:
                assert header_as_of == as_of and as_of in books
                want = books[as_of]
                assert tier == want["tier"] and score == pytest.approx(want["score"])

            # a broken book: the reload fails, the last good book stays served
            (book / "people.csv").unlink()
            assert c.post("/reload").status_code == 202
            state = wait_reload(srv)
            assert state["state"] == "failed" and "DataError" in state["error"]
            assert c.get("/health").json()["counts"]["people"] == g_new.n_people
            assert c.get("/persons/P0000350").status_code == 200
    finally:
        srv.stop()
    assert "Traceback" not in srv.log()


def run_cli(
    *args: str, token: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FAMGRAPH_TOKEN", "NEO4J_PASSWORD")}
    if token is not None:
        env["FAMGRAPH_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "famgraph.cli", "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("sample")
    fg.datasets.write_sample(d)
    return str(d)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "example.org"])
def test_non_loopback_without_token_refuses_to_start(small_book: str, host: str) -> None:
    res = run_cli(small_book, "--host", host, "--port", str(free_port()))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to listen" in lines[0] and "FAMGRAPH_TOKEN" in lines[0]
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize(
    ("args", "token", "needle"),
    [
        ([], None, "give either DIR or --neo4j URI"),
        (["{book}", "--neo4j", "bolt://127.0.0.1:1"], None, "give either DIR or --neo4j URI"),
        (["/no/such/dir"], None, "does not exist"),
        (["{book}", "--port", "70000"], None, "--port"),
        (["{book}", "--port", "eighty"], None, "--port"),
        (["{book}", "--bogus"], None, "--bogus"),
        (["{book}"], "short", "too short"),
        (["--neo4j", "bolt://127.0.0.1:1"], None, "NEO4J_PASSWORD"),
        (["--neo4j", "bolt://127.0.0.1:1", "--as-of", "2025-01-01"], None, "--as-of"),
        (["--neo4j", "bolt://127.0.0.1:1", "--encoding", "gbk"], None, "--encoding"),
        (["{book}", "--encoding", "klingon"], None, "not a text encoding"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    small_book: str, args: list[str], token: str | None, needle: str
) -> None:
    res = run_cli(*[a.replace("{book}", small_book) for a in args], token=token)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert needle in lines[0] and "Traceback" not in res.stderr


def test_port_in_use_is_one_line(small_book: str) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        res = run_cli(small_book, "--port", str(s.getsockname()[1]))
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "cannot listen" in res.stderr


def test_loopback_without_token_prints_a_per_run_token_once(
    tmp_path: Path, small_book: str
) -> None:
    srv = Server(tmp_path, small_book, token=None).wait_ready()
    try:
        log = srv.log()
        line = next(x for x in log.splitlines() if "token (shown once)" in x)
        token = line.rsplit(" ", 1)[1]
        assert len(token) >= 32
        assert log.count(token) == 2  # the line itself and the curl example beside it
        with httpx.Client(base_url=srv.url) as c:
            assert c.get("/persons/P01").status_code == 401
            ok = c.get("/persons/P01", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["person_id"] == "P01"
        assert srv.log().count(token) == 2  # never logged again
    finally:
        srv.stop()


def test_a_directory_source_reads_the_encoding_it_is_given(tmp_path: Path) -> None:
    tables = fg.datasets.synthetic(n_people=300, seed=2)
    fg.datasets.write_book(tables, tmp_path, encoding="gbk", forms="zh")
    from famgraph.service import DirectorySource

    g = DirectorySource(tmp_path, encoding="gbk").load()
    want = fg.read_dir(tmp_path, encoding="gbk")
    assert g.people["name"].tolist() == want.people["name"].tolist()
    assert g.people["name"].str.contains("[\u4e00-\u9fff]", regex=True).any()
    with pytest.raises(fg.DataError):
        DirectorySource(tmp_path, encoding="utf-8").load()
