"""A real `famgraph serve` process answering a real HTTP client, checked against the Python API."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.service import models

from ._server import TOKEN, Server, strict_json, write_book

ENDPOINTS = [
    ("GET", "/persons/P0000001"),
    ("GET", "/households/H:P0000001"),
    ("GET", "/leads"),
    ("GET", "/super-users"),
    ("GET", "/quality"),
    ("POST", "/reload"),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 800 people: enough purchase histories for the value model to fit (future_value)
    return write_book(tmp_path_factory.mktemp("book"), n_people=800)


@pytest.fixture(scope="module")
def g(book: Path) -> fg.CustomerGraph:
    return fg.read_dir(book)


@pytest.fixture(scope="module")
def server(book: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("log"), str(book))
    try:
        yield srv.wait_ready()
    finally:
        srv.stop()


def get(server: Server, path: str, **params: Any) -> Any:
    with server.client() as c:
        r = c.get(path, params=params)
    assert r.status_code == 200, r.text
    body = strict_json(r.text)
    assert body["version"] == fg.__version__
    assert r.headers["x-famgraph-version"] == fg.__version__
    assert body["as_of"] == r.headers["x-famgraph-as-of"]
    return body


def same(a: Any, b: Any) -> bool:
    """Equal, with None for missing numbers and floats within 1e-9 relative."""
    if b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA:
        return a is None
    if isinstance(b, (float, np.floating)):
        return isinstance(a, (int, float)) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(b, (np.integer, int)) and not isinstance(b, (bool, np.bool_)):
        return a == int(b) and not isinstance(a, bool)
    if isinstance(b, (bool, np.bool_)):
        return a is bool(b)
    return bool(a == b)


def assert_row(got: dict[str, Any], want: pd.Series, columns: list[str]) -> None:
    for col in columns:
        assert same(got[col], want[col]), (col, got[col], want[col])


def test_health_is_open_and_counts_need_the_token(server: Server, g: fg.CustomerGraph) -> None:
    with server.client(auth=False) as c:
        r = c.get("/health")
    assert r.status_code == 200
    open_body = strict_json(r.text)
    assert open_body["ready"] is True and open_body["as_of"] == g.as_of.date().isoformat()
    assert open_body["counts"] is None and open_body["reload"] is None
    body = get(server, "/health")
    models.Health.model_validate(body)
    assert body["source"] == "directory"
    counts = body["counts"]
    assert counts["people"] == g.n_people
    assert counts["customers"] == int(g.people["is_customer"].sum())
    assert counts["households"] == len(fg.household_summary(g))
    assert counts["holdings"] == len(g.holdings) and counts["rejects"] == len(g.rejects) > 0
    assert counts["gaps"] == len(fg.coverage_gaps(g))
    assert counts["leads"] == len(fg.warm_leads(g))
    assert body["value_model"] == "fitted" and open_body["value_model"] is None


def test_persons_match_the_python_api(server: Server, g: fg.CustomerGraph) -> None:
    su = fg.super_users(g).set_index("person_id", drop=False)
    rv = fg.referral_value(g).set_index("person_id", drop=False)
    hh = fg.households(g).set_index("person_id", drop=False)
    gaps = fg.coverage_gaps(g)
    leads = fg.warm_leads(g).set_index("person_id", drop=False)
    pred = fg.predict_value(g).set_index("person_id", drop=False)
    seg = fg.value_segments(g).set_index("person_id", drop=False)
    # every lead, every super user, the deepest referrers, and a spread of others
    pick = (
        set(leads.index) | set(su.index[su["is_super"]]) | set(rv.nlargest(5, "cascade_size").index)
    )
    pick |= set(g.people["person_id"].iloc[::17])
    assert len(pick) > 20
    for pid in sorted(pick):
        body = get(server, f"/persons/{pid}")
        models.Person.model_validate(body)
        assert body["person_id"] == pid
        assert body["is_customer"] is bool(g.people.set_index("person_id").loc[pid, "is_customer"])
        assert_row(body, hh.loc[pid], ["household_id", "family_id", "role"])
        assert_row(
            body["relationship"], su.loc[pid], ["tier", "score", "is_super", "influence", "reasons"]
        )
        assert_row(
            body["purchases"],
            su.loc[pid],
            ["frequency", "recency_days", "monetary", "active_quarters"],
        )
        assert_row(
            body["referrals"],
            rv.loc[pid],
            ["referred_by", "root_id", "generation", "direct_referrals", "converted_referrals",
             "cascade_size", "depth", "chain_value"],
        )  # fmt: skip
        mine = gaps[gaps["person_id"] == pid].sort_values(["priority", "line"], kind="stable")
        assert [(x["line"], x["priority"]) for x in body["gaps"]] == list(
            zip(mine["line"], mine["priority"].astype(int), strict=True)
        )
        if pid in leads.index:
            assert_row(body["lead"], leads.loc[pid], list(fg.warm_leads(g).columns))
        else:
            assert body["lead"] is None
        fv = body["future_value"]
        assert_row(fv, pred.loc[pid], ["p_alive", "expected_purchases", "expected_value", "clv"])
        assert_row(fv, seg.loc[pid], ["crv", "segment", "at_risk"])


def test_households_match_the_python_api(server: Server, g: fg.CustomerGraph) -> None:
    summary = fg.household_summary(g)
    gaps = fg.coverage_gaps(g)
    hh = fg.households(g)
    su = fg.super_users(g).set_index("person_id")
    # the biggest households, the ones with a money gap, and every 7th
    pick = set(summary.nlargest(5, "members")["household_id"])
    pick |= set(summary.loc[summary["protection_gap"] > 0, "household_id"].head(10))
    pick |= set(summary["household_id"].iloc[::7])
    for _, want in summary[summary["household_id"].isin(pick)].iterrows():
        hid = want["household_id"]
        body = get(server, f"/households/{hid}")
        models.Household.model_validate(body)
        assert body["household_id"] == hid
        assert_row(body["summary"], want, [c for c in summary.columns if c != "household_id"])
        mine = gaps[gaps["household_id"] == hid]  # coverage_gaps order = priority order
        got = [
            (x["person_id"], x["role"], x["line"], x["priority"], x["is_customer"])
            for x in body["gaps"]
        ]
        assert got == [
            (p, r, ln, int(q), bool(c))
            for p, r, ln, q, c in mine[
                ["person_id", "role", "line", "priority", "is_customer"]
            ].itertuples(index=False)
        ]
        prios = [x["priority"] for x in body["gaps"]]
        assert prios == sorted(prios)
        members = sorted(hh.loc[hh["household_id"] == hid, "person_id"])
        assert [m["person_id"] for m in body["members"]] == members
        assert len(members) == want["members"]
        for m in body["members"]:
            assert m["tier"] == su.loc[m["person_id"], "tier"]
            assert same(m["score"], su.loc[m["person_id"], "score"])


def test_leads_pages_are_the_warm_leads(server: Server, g: fg.CustomerGraph) -> None:
    want = fg.warm_leads(g)
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = get(server, "/leads", limit=7, offset=offset)
        models.LeadPage.model_validate(body)
        assert body["total"] == len(want) and body["limit"] == 7 and body["offset"] == offset
        if not body["items"]:
            break
        items += body["items"]
        offset += 7
    assert len(items) == len(want) > 0
    for got, (_, row) in zip(items, want.iterrows(), strict=True):
        assert_row(got, row, list(want.columns))
    assert get(server, "/leads")["limit"] == 100


@pytest.mark.parametrize("tier", [None, "super", "strong", "none"])
def test_super_users_ranking_matches_the_python_api(
    server: Server, g: fg.CustomerGraph, tier: str | None
) -> None:
    su = fg.super_users(g)
    if tier is not None:
        su = su[su["tier"] == tier]
    want = su.sort_values(["score", "person_id"], ascending=[False, True], kind="stable")
    params: dict[str, Any] = {"limit": 1000}
    if tier is not None:
        params["tier"] = tier
    body = get(server, "/super-users", **params)
    models.SuperUserPage.model_validate(body)
    assert body["total"] == len(want) and body["tier"] == tier
    assert [x["person_id"] for x in body["items"]] == want["person_id"].tolist()[:1000]
    for got, (_, row) in zip(body["items"][:50], want.iterrows(), strict=False):
        assert_row(got, row, list(su.columns))
    page = get(server, "/super-users", limit=5, offset=3, **({"tier": tier} if tier else {}))
    assert [x["person_id"] for x in page["items"]] == want["person_id"].tolist()[3:8]


def test_quality_matches_the_quality_report(server: Server, g: fg.CustomerGraph) -> None:
    body = get(server, "/quality")
    models.Quality.model_validate(body)
    q = g.quality_report()
    for got, (_, row) in zip(body["tables"], q.iterrows(), strict=True):
        assert_row(got, row, list(q.columns))
        assert got["rows_in"] == got["kept"] + got["merged"] + got["rejected"]
    counts = g.rejects.groupby(["table", "reason"]).size()
    got = {(r["table"], r["reason"]): r["rows"] for r in body["rejects_by_reason"]}
    assert got == {k: int(v) for k, v in counts.items()}
    assert "detail" not in body["rejects_by_reason"][0]  # no row contents


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("auth", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}", TOKEN])
def test_every_endpoint_needs_the_token(
    server: Server, method: str, path: str, auth: str | None
) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    with server.client(auth=False) as c:
        r = c.request(method, path, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    body = strict_json(r.text)
    models.ErrorBody.model_validate(body)
    assert body["error"] == "unauthorized" and body["version"] == fg.__version__
    assert TOKEN not in r.text


def test_unknown_ids_are_404_with_a_json_body(server: Server) -> None:
    with server.client() as c:
        for path in ["/persons/P9999999", "/households/H:nobody", "/no-such-endpoint"]:
            r = c.get(path)
            assert r.status_code == 404, path
            body = strict_json(r.text)
            models.ErrorBody.model_validate(body)
            assert body["error"] == "not_found" and body["as_of"] and body["version"]
            assert "Traceback" not in r.text and "P9999999" not in r.text


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/leads", {"limit": 0}, ["query", "limit"]),
        ("/leads", {"limit": 1001}, ["query", "limit"]),
        ("/leads", {"offset": -1}, ["query", "offset"]),
        ("/leads", {"limit": "ten"}, ["query", "limit"]),
        ("/super-users", {"tier": "gold"}, ["query", "tier"]),
        ("/persons/" + "x" * 300, {}, ["path", "person_id"]),
    ],
)
def test_bad_parameters_are_422_with_a_json_body(
    server: Server, path: str, params: dict[str, Any], loc: list[str]
) -> None:
    with server.client() as c:
        r = c.get(path, params=params)
    assert r.status_code == 422
    body = strict_json(r.text)
    models.ErrorBody.model_validate(body)
    assert body["error"] == "invalid_request"
    assert [d["loc"] for d in body["details"]] == [loc]
    assert "ten" not in r.text and "Traceback" not in r.text  # the input is not echoed


def test_request_bodies_are_bounded(server: Server) -> None:
    with server.client() as c:
        r = c.post("/reload", content=b"x" * 10_000)
    assert r.status_code == 413
    assert strict_json(r.text)["error"] == "body_too_large"


def test_openapi_documents_typed_responses(server: Server) -> None:
    with server.client(auth=False) as c:
        spec = c.get("/openapi.json").json()  # open: it holds no data
    with server.client() as c:
        assert c.get("/docs").status_code == 404  # no UI pulling scripts from a CDN
    ok = spec["paths"]["/persons/{person_id}"]["get"]["responses"]
    assert ok["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Person")
    assert ok["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert {"Person", "Household", "LeadPage", "SuperUserPage", "Quality", "Health"} <= set(
        spec["components"]["schemas"]
    )
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["paths"]["/leads"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in spec["paths"]["/health"]["get"]


def test_no_cors_headers_by_default(server: Server) -> None:
    with server.client() as c:
        r = c.get("/health", headers={"Origin": "https://evil.example"})
        pre = c.options(
            "/persons/P0000001",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in pre.headers


def test_access_log_has_no_personal_data(server: Server, g: fg.CustomerGraph) -> None:
    # runs after the tests above (same module): the log holds all their requests
    get(server, "/persons/P0000002")
    get(server, "/households/H:P0000001")
    log = server.log()
    access = [line for line in log.splitlines() if "famgraph.service.access" in line]
    assert len(access) > 50
    assert any('"GET /persons/{person_id}" 200' in line and " id=" in line for line in access)
    names = [n for n in g.people["name"].dropna().tolist() if len(n) >= 2]
    assert names and not [n for n in names if n in log]
    ids = g.people["person_id"].tolist()
    assert not [i for i in ids if i in log]  # ids appear hashed only
    assert "H:P0000001" not in log and TOKEN not in log
    assert "Traceback" not in log
