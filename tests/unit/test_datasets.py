"""fg.datasets.synthetic: realistic, deterministic, linear in size; dirty books hit every reason."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.schema import REASONS, RELATION_SYNONYMS, ROLES

N = 20_000
AS_OF = pd.Timestamp("2025-06-30")
CJK = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
LATIN = re.compile(r"^[A-Z][a-zü]+ [A-Z][a-zü]+$")


@pytest.fixture(scope="module")
def book() -> dict[str, pd.DataFrame]:
    return fg.datasets.synthetic(N, seed=7)


@pytest.fixture(scope="module")
def graph(book: dict[str, pd.DataFrame]) -> fg.CustomerGraph:
    return fg.build(**book)


@pytest.fixture(scope="module")
def dirty() -> tuple[dict[str, pd.DataFrame], fg.CustomerGraph]:
    tables = fg.datasets.synthetic(5_000, seed=3, dirty=True)
    return tables, fg.build(**tables)


def kinds(labels: pd.Series) -> pd.Series:
    return labels.str.strip().str.lower().map(RELATION_SYNONYMS)


# --- determinism and size ------------------------------------------------------------
def test_same_seed_gives_equal_tables_and_another_seed_differs() -> None:
    for dirty in (False, True):
        a = fg.datasets.synthetic(1_500, seed=11, dirty=dirty)
        b = fg.datasets.synthetic(1_500, seed=11, dirty=dirty)
        c = fg.datasets.synthetic(1_500, seed=12, dirty=dirty)
        assert list(a) == ["people", "relations", "referrals", "holdings"]
        for name in a:
            pd.testing.assert_frame_equal(a[name], b[name])
        assert not a["people"]["name"].equals(c["people"]["name"])
        assert not a["holdings"]["purchased_at"].equals(c["holdings"]["purchased_at"])


def test_sizes_scale_linearly(book: dict[str, pd.DataFrame]) -> None:
    small = fg.datasets.synthetic(4_000, seed=7)
    for tables, n in ((book, N), (small, 4_000)):
        assert len(tables["people"]) == n
        assert abs(len(tables["relations"]) / n - 1.5) < 0.03
        assert abs(len(tables["referrals"]) / n - 0.4) < 0.02
        assert abs(len(tables["holdings"]) / n - 3.0) < 0.3


def test_canonical_columns_and_dtypes(book: dict[str, pd.DataFrame]) -> None:
    p, r, f, h = (book[t] for t in ("people", "relations", "referrals", "holdings"))
    assert list(p) == ["person_id", "name", "birth_date", "gender", "household_id",
                       "annual_income", "is_customer", "joined_at", "channel", "role"]  # fmt: skip
    assert list(r) == ["person_id", "relative_id", "relation", "since", "until"]
    assert list(f) == ["referrer_id", "referee_id", "referred_at"]
    assert list(h) == ["holding_id", "person_id", "line", "purchased_at", "amount",
                       "expires_at", "sum_assured", "product_id", "payer_id",
                       "payer_relation"]  # fmt: skip
    for df, cols in ((p, ["birth_date", "joined_at"]), (r, ["since", "until"]),
                     (f, ["referred_at"]), (h, ["purchased_at", "expires_at"])):  # fmt: skip
        for c in cols:
            assert df[c].dtype == "datetime64[us]"
    for df, c in ((p, "annual_income"), (h, "amount"), (h, "sum_assured")):
        assert df[c].dtype == np.float64
    assert p["is_customer"].dtype == bool
    assert p["person_id"].is_unique and p["person_id"].str.fullmatch(r"P\d{7}").all()
    assert h["holding_id"].is_unique


def test_bad_arguments_raise_uniform_errors() -> None:
    with pytest.raises(ValueError, match=r"The `n_people` parameter of `synthetic` must be a "
                       r"positive integer; got 0\."):  # fmt: skip
        fg.datasets.synthetic(0)
    with pytest.raises(ValueError, match="`as_of` parameter of `synthetic` must be a date"):
        fg.datasets.synthetic(10, as_of="soon")


def test_tiny_books_still_build() -> None:
    for n in (1, 2, 10):
        for dirty in (False, True):
            g = fg.build(**fg.datasets.synthetic(n, seed=1, dirty=dirty))
            q = g.quality_report()
            assert (q["rows_in"] == q["kept"] + q["merged"] + q["rejected"]).all()
            # dirty: people rows with an unreadable optional cell are kept, emptied
            assert g.n_people == n if not dirty else g.n_people >= n


# --- the clean book ----------------------------------------------------------------------
def test_clean_book_builds_without_rejects(
    book: dict[str, pd.DataFrame], graph: fg.CustomerGraph
) -> None:
    assert graph.rejects.empty and graph.issues.empty
    assert graph.as_of == AS_OF  # the latest joiner joins on as_of
    q = graph.quality_report().set_index("table")
    for t in ("people", "referrals", "holdings"):
        assert q.loc[t, "kept"] == len(book[t]) and q.loc[t, "merged"] == 0
    # relations: exactly the rows repeating an earlier fact (either direction) merge
    r = book["relations"]
    kind = kinds(r["relation"])
    flip = kind.isin(["parent", "grandparent"]).to_numpy()
    sym = ~kind.isin(["parent", "grandparent", "child", "grandchild"]).to_numpy()
    a, b = r["person_id"].to_numpy(dtype=object), r["relative_id"].to_numpy(dtype=object)
    swap = flip | (sym & (a > b))
    fact = pd.DataFrame({
        "src": np.where(swap, b, a),
        "dst": np.where(swap, a, b),
        "kind": kind.replace({"parent": "child", "grandparent": "grandchild"}).to_numpy(),
    })  # fmt: skip
    repeats = int(fact.duplicated().sum())
    assert repeats > 0.02 * len(r)  # some facts are given twice
    assert q.loc["relations", "merged"] == repeats
    assert q.loc["relations", "kept"] == len(r) - repeats


def test_age_pyramid_income_and_households(
    book: dict[str, pd.DataFrame], graph: fg.CustomerGraph
) -> None:
    p = book["people"]
    age = (AS_OF - p["birth_date"]).dt.days / 365.2425
    assert age.min() >= 0 and age.max() < 100
    assert 0.12 < (age < 18).mean() < 0.30
    assert 0.10 < (age >= 65).mean() < 0.30
    assert 0.005 < p["birth_date"].isna().mean() < 0.05  # some ages unknown
    inc = p["annual_income"]
    assert (inc == 0).mean() > 0.1 and inc.isna().mean() > 0.05 and (inc.dropna() >= 0).all()
    assert 0.02 < p["household_id"].notna().mean() < 0.3
    roles = p["role"].dropna()
    assert 0 < len(roles) < 0.01 * len(p)
    assert roles.str.lower().isin(ROLES).all()
    assert set(fg.households(graph)["role"]) == set(ROLES)


def test_relation_labels_mix_languages_and_kinds(book: dict[str, pd.DataFrame]) -> None:
    labels = set(book["relations"]["relation"])
    assert {"配偶", "丈夫", "妻子", "husband", "wife", "partner", "spouse"} <= labels
    assert {"son", "儿子", "father", "母亲", "grandson", "外婆", "sister", "cousin"} <= labels
    assert {"friend", "同事", "neighbour", "熟人"} <= labels
    found = set(kinds(book["relations"]["relation"]))
    assert found == set(RELATION_SYNONYMS.values())  # every kind, both directions


def test_chinese_names_and_father_surnames(book: dict[str, pd.DataFrame]) -> None:
    p = book["people"]
    cjk = p["name"].str.fullmatch(CJK.pattern)
    latin = p["name"].str.fullmatch(LATIN.pattern)
    assert (cjk | latin).all()
    assert 0.85 < cjk.mean() < 0.97
    # a father (male parent writing son/daughter) passes his surname to the child
    r = book["relations"]
    by_id = p.set_index("person_id")
    rows = r[r["relation"].isin(["son", "daughter", "儿子", "女儿"])]
    dad = by_id.loc[rows["person_id"]].reset_index()
    kid = by_id.loc[rows["relative_id"]].reset_index()
    both = ((dad["gender"] == "M") & dad["name"].str.fullmatch(CJK.pattern)).to_numpy()
    assert both.sum() > 1000
    assert (dad["name"].str[0].to_numpy()[both] == kid["name"].str[0].to_numpy()[both]).all()
    latin_only = fg.datasets.synthetic(500, seed=1, chinese_names=False)["people"]["name"]
    assert latin_only.str.fullmatch(LATIN.pattern).all()


def test_prospects_are_known_only_through_relations(book: dict[str, pd.DataFrame]) -> None:
    p, r, h = book["people"], book["relations"], book["holdings"]
    pros = p.loc[~p["is_customer"], "person_id"]
    assert 0.2 < len(pros) / len(p) < 0.45
    assert pros.isin(pd.concat([r["person_id"], r["relative_id"]]).unique()).all()
    assert not pros.isin(h["person_id"]).any()
    assert p.loc[~p["is_customer"], ["joined_at", "channel"]].isna().all().all()
    cust = p[p["is_customer"]]
    assert cust["joined_at"].notna().all() and cust["person_id"].isin(h["person_id"]).all()
    assert (cust["joined_at"] <= AS_OF).all()
    assert (cust["birth_date"].isna() | (cust["joined_at"] >= cust["birth_date"])).all()


# --- referrals -----------------------------------------------------------------------------
def test_referral_forest_is_heavy_tailed_and_deep(graph: fg.CustomerGraph) -> None:
    direct = np.bincount(graph.ref_src, minlength=graph.n_people)
    referrers = direct[direct > 0]
    assert referrers.max() >= 25 * np.median(referrers)
    assert np.median(referrers) <= 3
    # generations: follow referrer links up to the root
    gen = np.zeros(graph.n_people, dtype=np.int64)
    cur = graph.referrer.copy()
    while (cur >= 0).any():
        gen[cur >= 0] += 1
        cur = np.where(cur >= 0, graph.referrer[np.maximum(cur, 0)], -1)
    assert gen.max() >= 4


def test_referral_dates_and_channels_agree(book: dict[str, pd.DataFrame]) -> None:
    p = book["people"].set_index("person_id")
    f = book["referrals"]
    assert f["referee_id"].is_unique  # a forest: one referrer each
    rj = p.loc[f["referrer_id"], "joined_at"].to_numpy()
    ej = p.loc[f["referee_id"], "joined_at"].to_numpy()
    at = f["referred_at"].to_numpy()
    assert (at > rj).all() and (at <= AS_OF).all()
    cust = p.loc[f["referee_id"], "is_customer"].to_numpy()
    assert cust.mean() > 0.9 and not cust.all()
    gap = (ej[cust] - at[cust]) / np.timedelta64(1, "D")
    assert gap.min() >= 0 and gap.max() <= 30
    referred = p.index.isin(f.loc[cust, "referee_id"])
    assert ((p["channel"] == "referral").to_numpy() == referred).all()
    assert set(p["channel"].dropna()) > {"referral", "agent", "online"}


# --- holdings ------------------------------------------------------------------------------
def test_holdings_cover_every_line_with_renewals_and_expiries(
    book: dict[str, pd.DataFrame],
) -> None:
    h = book["holdings"]
    core = {"life", "critical_illness", "medical", "accident", "pension", "savings", "education"}
    assert core < set(h["line"]) and len(set(h["line"])) >= 9
    assert (h["purchased_at"] <= AS_OF).all() and (h["amount"] > 0).all()
    yearly = h[h["line"].isin(["medical", "accident"])]
    late = (yearly["expires_at"] - (yearly["purchased_at"] + pd.DateOffset(years=1))).dt.days
    # one year later; a policy started on 29 February keeps that anniversary in leap years
    assert late.between(0, 1).all() and (late == 0).mean() > 0.999
    # renewals: the same person and product bought again a year later
    again = yearly.merge(
        yearly.assign(purchased_at=yearly["expires_at"])[
            ["person_id", "product_id", "purchased_at"]
        ]
    )
    assert len(again) > 0.3 * len(yearly)
    assert (h["expires_at"] <= AS_OF).mean() > 0.2  # expired cover
    assert h["expires_at"].isna().mean() > 0.05  # open-ended cover
    assert (h["expires_at"].dropna() > h.loc[h["expires_at"].notna(), "purchased_at"]).all()
    no_sum = h["line"].isin(["savings", "pension"])
    assert h.loc[no_sum, "sum_assured"].isna().all()
    assert h.loc[h["line"].isin(["life", "critical_illness"]), "sum_assured"].gt(0).all()
    assert h["product_id"].notna().all()


# --- payers and ended relations ----------------------------------------------------------------
def test_payers_are_parents_grandparents_spouses_and_children(
    book: dict[str, pd.DataFrame], graph: fg.CustomerGraph
) -> None:
    p, h = book["people"].set_index("person_id"), book["holdings"]
    assert h["payer_id"].notna().all() and h["payer_relation"].notna().all()
    own = h["payer_id"] == h["person_id"]
    assert 0.08 < 1 - own.mean() < 0.3  # about 15 % paid by someone else
    assert set(h.loc[own, "payer_relation"]) == {"本人", "self"}
    assert p.loc[h["payer_id"], "is_customer"].all()  # policyholders are customers
    kind = kinds(h["payer_relation"])
    age = (h["purchased_at"] - p.loc[h["person_id"], "birth_date"].to_numpy()).dt.days / 365.2425
    assert (age[kind == "child"].dropna() < 18).all()  # parents pay for minors
    assert (age[kind == "parent"].dropna() >= 60).all()  # children pay for elders
    counts = kind.value_counts()
    assert counts["child"] > counts["spouse"] > counts["parent"] > 0
    assert counts["grandchild"] > 0.005 * len(h)  # grandparents paying for grandchildren
    assert {"外孙", "孙女", "女儿", "配偶", "父亲"} <= set(h["payer_relation"])
    # every stated fact agrees with the family: merged or kept, never rejected
    q = graph.quality_report().set_index("table").loc["policy_relations"]
    assert q["rows_in"] == (~own).sum() and q["rejected"] == 0
    assert 0 < q["kept"] < q["merged"]  # mostly repeats of declared relations
    stated = graph.relations[graph.relations["source"] == "policy"]
    assert len(stated) == q["kept"] and set(stated["relation"]) <= {"child", "grandchild", "spouse"}
    # value follows the payer: a payer's frequency counts the policies they pay for
    m = fg.value_metrics(graph).set_index("person_id")
    buyer = h.loc[h["purchased_at"] <= graph.as_of, "payer_id"].value_counts()
    assert (m.loc[buyer.index, "frequency"] == buyer).all()


def test_some_relations_have_ended(book: dict[str, pd.DataFrame]) -> None:
    r = book["relations"]
    ended = r[r["until"].notna()]
    k = kinds(ended["relation"])
    assert 0 < len(ended) < 0.05 * len(r)
    assert set(k) <= {"spouse", "friend", "colleague", "neighbour", "acquaintance"}
    assert (ended["until"] > ended["since"]).all() and (ended["until"] <= AS_OF).all()


# --- the dirty book --------------------------------------------------------------------------
EXPECTED = {
    "people": {"missing_value", "bad_type", "duplicate_id"},
    "relations": {"missing_value", "unknown_relation", "self_relation", "unknown_person",
                  "conflicting_relation"},
    "referrals": {"missing_value", "self_referral", "unknown_person", "duplicate_referee",
                  "referral_cycle"},
    "holdings": {"missing_value", "bad_type", "negative_amount", "unknown_person",
                 "duplicate_id"},
    "policy_relations": {"missing_value", "self_relation", "unknown_person",
                         "conflicting_relation"},
}  # fmt: skip
EXPECTED_ISSUES = {
    ("people", "birth_date", "bad_type"), ("people", "annual_income", "bad_type"),
    ("people", "joined_at", "bad_type"), ("people", "annual_income", "negative_amount"),
    ("relations", "since", "bad_type"), ("relations", "until", "bad_type"),
    ("referrals", "referred_at", "bad_type"), ("holdings", "payer_id", "unknown_person"),
    ("holdings", "payer_relation", "unknown_relation"), ("holdings", "payer_relation", "bad_type"),
}  # fmt: skip


def test_dirty_book_has_every_reason_and_accounts_for_every_row(
    dirty: tuple[dict[str, pd.DataFrame], fg.CustomerGraph],
) -> None:
    tables, g = dirty
    assert set(g.rejects["reason"]) == set(REASONS)
    q = g.quality_report().set_index("table")
    for t in EXPECTED:
        if t in tables:
            assert q.loc[t, "rows_in"] == len(tables[t])
            assert len(getattr(g, t)) >= q.loc[t, "kept"]  # relations: + policy facts
        assert q.loc[t, "rows_in"] == q.loc[t, ["kept", "merged", "rejected"]].sum()
        mine = g.rejects[g.rejects["table"] == t]
        assert len(mine) == q.loc[t, "rejected"] and mine["row"].is_unique
        assert set(mine["reason"]) == EXPECTED[t], t
        assert q.loc[t, "merged"] > 0
        assert q.loc[t, "cells_blanked"] == (g.issues["table"] == t).sum()
    assert set(map(tuple, g.issues[["table", "column", "reason"]].values.tolist())) == (
        EXPECTED_ISSUES
    )
    # the rate: k = 0.5 % of 5000 people per reason; the rows with an unreadable or
    # negative optional cell are kept (3 of 5 bad rows, and the negative incomes)
    k = 25
    assert q.loc["people", "kept"] == 5_000 + 3 * k // 5 + k and q.loc["people", "merged"] == k
    counts = g.rejects[g.rejects["table"] == "people"]["reason"].value_counts()
    assert counts.to_dict() == {"missing_value": k, "duplicate_id": k, "bad_type": 2 * k // 5}
    # a couple "paid by her father": every family row of the pair goes, declared ones too
    conflict = g.rejects[g.rejects["reason"] == "conflicting_relation"]
    assert {"relations", "policy_relations"} == set(conflict["table"])


def test_dirty_book_keeps_the_clean_rows_and_extra_columns(
    dirty: tuple[dict[str, pd.DataFrame], fg.CustomerGraph],
) -> None:
    tables, g = dirty
    clean = fg.datasets.synthetic(5_000, seed=3)
    kept = set(g.people["person_id"])
    assert set(clean["people"]["person_id"]) <= kept
    extra = kept - set(clean["people"]["person_id"])  # kept for a cell issue, emptied
    issue_rows = g.issues[g.issues["table"] == "people"]["row"]
    assert extra == set(tables["people"]["person_id"].iloc[issue_rows])
    assert set(clean["holdings"]["holding_id"]) <= set(g.holdings["holding_id"])
    assert g.referrals["referee_id"].isin(clean["referrals"]["referee_id"]).sum() == len(
        clean["referrals"]
    )
    for t, extra_col in (("people", "city"), ("holdings", "agent_id")):
        assert extra_col in getattr(g, t).columns
        assert getattr(g, t)[extra_col].notna().all()
    assert g.relations["source"].notna().all()
    assert {"crm", "agent_app", "web_form", "policy"} <= set(g.relations["source"])
    # unreadable text makes those input columns object dtype
    assert tables["holdings"]["amount"].dtype == object
    assert tables["people"]["birth_date"].dtype == object
    assert tables["referrals"]["referred_at"].dtype == object


# --- CSV export ------------------------------------------------------------------------------
@pytest.mark.parametrize(("encoding", "forms"), [("gbk", "zh"), ("utf-8", "iso")])
def test_written_book_reads_back_as_the_same_graph(tmp_path, encoding: str, forms: str) -> None:
    tables = fg.datasets.synthetic(800, seed=5, dirty=True)
    files = fg.datasets.write_book(tables, tmp_path, encoding=encoding, forms=forms)
    assert [f.name for f in files] == [f"{t}.csv" for t in tables]
    raw = (tmp_path / "people.csv").read_bytes()
    text = raw.decode(encoding)
    assert "王" in text and raw != text.encode("utf-8") if encoding == "gbk" else True
    if forms == "zh":
        assert "年" in text and ",是," in text
        assert b"\r\n" in raw
    from_csv, in_memory = fg.read_dir(tmp_path), fg.build(**tables)
    pd.testing.assert_frame_equal(from_csv.quality_report(), in_memory.quality_report())
    pd.testing.assert_frame_equal(from_csv.rejects, in_memory.rejects)
    cols = ["table", "row", "column", "reason"]
    pd.testing.assert_frame_equal(from_csv.issues[cols], in_memory.issues[cols])
    for t in ("people", "holdings"):
        canon = list(fg.schema.TABLES[t].names)
        pd.testing.assert_frame_equal(
            getattr(from_csv, t)[canon], getattr(in_memory, t)[canon], check_dtype=False
        )


def test_write_book_arguments_and_unencodable_text(tmp_path) -> None:
    tables = fg.datasets.synthetic(20, seed=1)
    with pytest.raises(ValueError, match="The `forms` parameter of `write_book` must be one of"):
        fg.datasets.write_book(tables, tmp_path, forms="cn")
    with pytest.raises(ValueError, match="The `encoding` parameter of `write_book`"):
        fg.datasets.write_book(tables, tmp_path, encoding="klingon")
    tables["people"].loc[0, "name"] = "🐼"
    with pytest.raises(fg.DataError, match=r"no form in 'gbk'.*gb18030"):
        fg.datasets.write_book(tables, tmp_path, encoding="gbk")
