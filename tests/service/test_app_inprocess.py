"""The app in-process (httpx's ASGI transport): reload races, internal errors, CORS."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import httpx
import pytest

import famgraph as fg
from famgraph.service import GraphSource, Snapshot, create_app
from famgraph.service.app import ACCESS_LOG

TOKEN = "in-process-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def call(app: Any, *requests: tuple[str, str, dict[str, str]]) -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as c:
            return [await c.request(m, p, headers=h) for m, p, h in requests]

    return asyncio.run(go())


def test_second_reload_while_one_runs_is_409_and_the_first_completes() -> None:
    release = threading.Event()
    loads = {"n": 0}
    book = fg.datasets.sample()

    def slow_book() -> fg.CustomerGraph:
        loads["n"] += 1
        if loads["n"] > 1:  # the reload waits until the test lets it go
            assert release.wait(30)
        return book

    app = create_app(GraphSource(slow_book), token=TOKEN)
    first, second, health = call(
        app, ("POST", "/reload", AUTH), ("POST", "/reload", AUTH), ("GET", "/health", AUTH)
    )
    assert first.status_code == 202 and first.json()["reload"]["state"] == "running"
    assert second.status_code == 409 and second.json()["error"] == "reload_running"
    assert health.json()["reload"]["state"] == "running"
    release.set()
    app.state.live.wait(30)
    (after,) = call(app, ("GET", "/health", AUTH))
    assert after.json()["reload"]["state"] == "done"
    assert loads["n"] == 2  # the refused reload was not queued


class _Broken:
    """Stands in for a snapshot whose lookup fails, to exercise the 500 path."""

    def __init__(self, real: Snapshot) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def person(self, person_id: str) -> Any:
        raise RuntimeError(f"secret detail about {person_id}")


def test_internal_errors_are_json_without_details(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(fg.datasets.sample(), token=TOKEN)
    live = app.state.live
    live.snapshot = _Broken(live.snapshot)
    with caplog.at_level(logging.INFO, logger="famgraph"):
        (r,) = call(app, ("GET", "/persons/P01", AUTH))
    assert r.status_code == 500
    body = r.json()
    assert body["error"] == "internal_error" and body["version"] == fg.__version__
    assert "secret" not in r.text and "P01" not in r.text and "Traceback" not in r.text
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text
    assert "P01" not in caplog.text


def test_access_log_lines_name_the_route_and_hash_the_id(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(fg.datasets.sample(), token=TOKEN)
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        call(app, ("GET", "/persons/P05", AUTH), ("GET", "/persons/P05", {}))
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOG]
    assert len(lines) == 2
    assert '"GET /persons/{person_id}" 200' in lines[0] and '" 401' in lines[1]
    hashes = [line.rsplit("id=", 1)[1] for line in lines]
    assert hashes[0] == hashes[1] and len(hashes[0]) == 12 and "P05" not in " ".join(lines)


@pytest.mark.parametrize(("origins", "allowed"), [((), False), (("https://crm.example",), True)])
def test_cors_is_off_unless_origins_are_given(origins: tuple[str, ...], allowed: bool) -> None:
    app = create_app(fg.datasets.sample(), token=TOKEN, cors_origins=origins)
    hdr = {"Origin": "https://crm.example", "Access-Control-Request-Method": "GET"}
    (pre,) = call(app, ("OPTIONS", "/persons/P01", hdr))
    got = pre.headers.get("access-control-allow-origin")
    assert (got == "https://crm.example") is allowed


@pytest.mark.parametrize("bad", ["", "short", None])
def test_create_app_refuses_weak_tokens(bad: str | None) -> None:
    from famgraph.service import ServiceError

    with pytest.raises((ServiceError, TypeError)):
        create_app(fg.datasets.sample(), token=bad)  # type: ignore[arg-type]


def test_snapshot_figures_equal_the_python_api_on_a_synthetic_book() -> None:
    g = fg.build(**fg.datasets.synthetic(n_people=2_000, seed=3))
    snap = Snapshot.from_graph(g)
    su = fg.super_users(g)
    total, items = snap.super_users(tier=None, offset=0, limit=2_000)
    want = su.sort_values(["score", "person_id"], ascending=[False, True], kind="stable")
    assert total == g.n_people and [x["person_id"] for x in items] == want["person_id"].tolist()
    gaps = fg.coverage_gaps(g)
    per_person = gaps.groupby("person_id").size()
    for pid in g.people["person_id"].iloc[::97]:
        assert len(snap.person(pid)["gaps"]) == int(per_person.get(pid, 0))  # type: ignore[index]
    summary = fg.household_summary(g)
    for hid, members in summary[["household_id", "members"]].itertuples(index=False):
        row = snap.household(hid)
        assert row is not None and len(row["members"]) == members
    assert snap.persons.get("nobody") == -1 and snap.households.get("nobody") == -1


def test_ids_with_slashes_and_wrong_methods() -> None:
    import pandas as pd

    tables = fg.datasets.sample_tables()
    people = tables["people"].copy()
    people.loc[0, "person_id"] = "A/17"
    for name in ("relations", "holdings"):
        tables[name] = tables[name].replace({"P01": "A/17"})
    tables["referrals"] = tables["referrals"].replace({"P01": "A/17"})
    g = fg.build(people, tables["relations"], tables["referrals"], tables["holdings"])
    assert "A/17" in set(pd.Series(g.people["person_id"]))
    app = create_app(g, token=TOKEN)
    ok, gone, wrong = call(
        app,
        ("GET", "/persons/A/17", AUTH),
        ("GET", "/persons/A/18", AUTH),
        ("DELETE", "/leads", AUTH),
    )
    assert ok.status_code == 200 and ok.json()["person_id"] == "A/17"
    assert gone.status_code == 404
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


def test_directory_source_with_as_of(tmp_path: Any) -> None:
    from famgraph.service import DirectorySource

    fg.datasets.write_sample(tmp_path)
    app = create_app(DirectorySource(tmp_path, as_of="2025-01-31"), token=TOKEN)
    (r,) = call(app, ("GET", "/health", AUTH))
    body = r.json()
    assert body["as_of"] == "2025-01-31" and r.headers["x-famgraph-as-of"] == "2025-01-31"
    assert body["source"] == "directory" and body["counts"]["people"] == 15


def test_a_book_the_value_model_cannot_fit_is_served_without_future_value() -> None:
    # 300 people, seed 1: the BG/NBD fit runs off (see fg.fit_value_model's errors)
    tables = fg.datasets.synthetic(n_people=300, seed=1, dirty=True, as_of="2025-06-30")
    book = fg.build(**tables)
    with pytest.raises(fg.DataError):
        fg.fit_value_model(book)
    app = create_app(GraphSource(lambda: book), token=TOKEN)
    pid = book.people["person_id"].iloc[0]
    health, person = call(app, ("GET", "/health", AUTH), ("GET", f"/persons/{pid}", AUTH))
    assert health.json()["value_model"].startswith("not fitted: the BG/NBD fit did not converge")
    assert person.status_code == 200 and person.json()["future_value"] is None
    assert person.json()["relationship"]["tier"] in fg.TIERS  # the rest is served as usual
