"""Payers and the relations policies state: who counts as buyer, and policy_relations."""

from __future__ import annotations

import pandas as pd
import pytest

import famgraph as fg

PEOPLE = pd.DataFrame(
    {
        "person_id": ["GP", "DAD", "MUM", "KID", "ZOE"],
        "birth_date": ["1950-01-01", "1980-01-01", "1982-01-01", "2024-03-01", "1990-01-01"],
        "annual_income": [30_000, 100_000, 0, 0, 50_000],
    }
)
RELATIONS = pd.DataFrame(
    {
        "person_id": ["DAD", "DAD", "DAD"],
        "relative_id": ["MUM", "KID", "ZOE"],
        "relation": ["wife", "son", "friend"],
    }
)


def holdings(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    """One medical policy per (insured, payer_id, payer_relation) row."""
    return pd.DataFrame(
        {
            "person_id": [r[0] for r in rows],
            "line": "medical",
            "purchased_at": "2024-06-01",
            "amount": 100.0,
            "payer_id": [r[1] for r in rows],
            "payer_relation": [r[2] for r in rows],
        }
    )


def quality(g: fg.CustomerGraph, table: str) -> tuple[int, int, int, int]:
    q = g.quality_report().set_index("table").loc[table]
    return int(q.rows_in), int(q.kept), int(q.merged), int(q.rejected)


def test_a_grandparent_paying_counts_as_buyer_and_states_the_family_tie() -> None:
    h = holdings([("KID", "GP", "孙子"), ("KID", "DAD", "子女"), ("MUM", "MUM", "本人")])
    g = fg.build(PEOPLE, RELATIONS, holdings=h, as_of="2025-01-01")
    # value, frequency, recency count for the payer ...
    m = fg.value_metrics(g).set_index("person_id")
    assert m.loc["GP", "frequency"] == 1 and m.loc["GP", "monetary"] == 100.0
    assert m.loc["DAD", "frequency"] == 1 and m.loc["MUM", "frequency"] == 1
    assert m.loc["KID", "frequency"] == 0 and pd.isna(m.loc["KID", "recency_days"])
    assert fg.super_users(g).set_index("person_id").loc["GP", "tier"] == "micro"
    # ... and coverage stays with the insured: the kid is covered for medical, GP is not
    gaps = fg.coverage_gaps(g)
    assert not ((gaps["person_id"] == "KID") & (gaps["line"] == "medical")).any()
    assert ((gaps["person_id"] == "GP") & (gaps["line"] == "medical")).any()
    # the grandparent fact is new: kept, and joins the relations every analysis sees
    assert quality(g, "policy_relations") == (2, 1, 1, 0)  # 本人 states nothing
    stated = g.relations[g.relations["source"] == "policy"]
    assert stated[["person_id", "relative_id", "relation"]].values.tolist() == [
        ["GP", "KID", "grandchild"]
    ]
    assert (g.relations["source"] == "relations").sum() == 3
    fam = fg.households(g).set_index("person_id")["family_id"]
    assert fam["GP"] == fam["KID"] == fam["DAD"]
    assert g.policy_relations["payer_relation"].tolist() == ["grandchild", "child"]
    assert g.holdings["payer_relation"].tolist() == ["grandchild", "child", "self"]


@pytest.mark.parametrize(
    ("label", "kind"),
    [("本人", None), ("self", None), ("配偶", "spouse"), ("wife", "spouse"), ("子女", "child"),
     ("Son", "child"), ("父母", "parent"), ("孙女", "grandchild"), ("外孙", "grandchild"),
     ("朋友", "friend")],
)  # fmt: skip
def test_chinese_and_english_payer_labels(label: str, kind: str | None) -> None:
    g = fg.build(PEOPLE, holdings=holdings([("KID", "ZOE", label)]), as_of="2025-01-01")
    if kind is None:  # self, with another payer: the label is emptied (listed)
        assert g.issues["column"].tolist() == ["payer_relation"]
        assert g.holdings["payer_relation"].isna().all()
    else:
        assert g.holdings["payer_relation"].tolist() == [kind]
        assert quality(g, "policy_relations") == (1, 1, 0, 0)
    assert fg.value_metrics(g).set_index("person_id").loc["ZOE", "frequency"] == 1


def test_policy_facts_follow_the_rules_of_relations() -> None:
    h = holdings(
        [
            ("MUM", "DAD", "配偶"),  # 0: repeats the declared marriage: merged
            ("KID", None, "子女"),  # 1: a relation without payer: missing_value
            ("KID", "KID", "子女"),  # 2: payer is the insured: self_relation
            ("KID", "NOBODY", "子女"),  # 3: payer unknown: emptied on holdings, rejected here
            ("ZOE", "DAD", "女儿"),  # 4: friend and daughter: social rows are unaffected
            ("ZOE", "GP", "friend"),  # 5: a social fact: kept
            ("ZOE", "GP", "朋友"),  # 6: the same again: merged
        ]
    )
    g = fg.build(PEOPLE, RELATIONS, holdings=h, as_of="2025-01-01")
    pol = g.rejects[g.rejects["table"] == "policy_relations"]
    assert dict(zip(pol["row"], pol["reason"], strict=True)) == {
        1: "missing_value",
        2: "self_relation",
        3: "unknown_person",
    }
    assert quality(g, "policy_relations") == (7, 2, 2, 3)
    assert quality(g, "holdings") == (7, 7, 0, 0)  # every holding kept
    assert g.issues[["row", "column", "reason"]].values.tolist() == [
        [3, "payer_id", "unknown_person"]
    ]
    kinds = g.relations.set_index(["person_id", "relative_id"])["relation"]
    assert kinds[("DAD", "ZOE")].tolist() == ["friend", "child"]
    assert kinds[("GP", "ZOE")] == "friend"
    # the unknown payer was emptied: that policy counts for the insured person
    m = fg.value_metrics(g).set_index("person_id")
    assert m.loc["KID", "frequency"] == 3 and m.loc["DAD", "frequency"] == 2


def test_conflicting_policy_facts_reject_every_family_row_of_the_pair() -> None:
    # the declared husband "pays for his daughter" MUM: spouse and parent of one pair
    h = holdings([("MUM", "DAD", "女儿"), ("MUM", "DAD", "妻子"), ("KID", "DAD", "son")])
    g = fg.build(PEOPLE, RELATIONS, holdings=h, as_of="2025-01-01")
    rej = g.rejects.set_index(["table", "row"])["reason"]
    assert rej[("relations", 0)] == "conflicting_relation"  # the declared marriage too
    assert rej[("policy_relations", 0)] == "conflicting_relation"
    assert rej[("policy_relations", 1)] == "conflicting_relation"
    assert quality(g, "policy_relations") == (3, 0, 1, 2)  # the son repeats a declared fact
    assert not ((g.relations["person_id"] == "DAD") & (g.relations["relative_id"] == "MUM")).any()
    # the policies themselves stay: money counts for the payer
    assert quality(g, "holdings") == (3, 3, 0, 0)


def test_payer_cell_issues_explain_a_rejected_payer() -> None:
    people = pd.concat(
        [PEOPLE, pd.DataFrame({"person_id": ["BAD"], "is_customer": ["maybe"]})],
        ignore_index=True,
    )
    h = holdings([("KID", "BAD", "孙子"), ("KID", "DAD", "上司"), ("KID", "DAD", "本人")])
    g = fg.build(people, holdings=h, as_of="2025-01-01")
    iss = g.issues.set_index("row")
    assert iss.loc[0, "reason"] == "unknown_person"
    assert iss.loc[0, "detail"] == (
        "payer_id 'BAD' is not kept in people: its people row 5 was rejected (bad_type)"
    )
    assert iss.loc[1, ["column", "reason"]].tolist() == ["payer_relation", "unknown_relation"]
    assert iss.loc[2, ["column", "reason"]].tolist() == ["payer_relation", "bad_type"]
    pol = g.rejects[g.rejects["table"] == "policy_relations"]
    assert pol["detail"].tolist() == [iss.loc[0, "detail"]]
    with pytest.raises(fg.DataError) as exc:
        fg.build(PEOPLE, holdings=h.iloc[1:], strict=True)
    assert (exc.value.table, exc.value.row, exc.value.column) == ("holdings", 0, "payer_relation")
    assert "上司" not in str(exc.value)


def test_trusted_tables_know_their_buyers() -> None:
    g = fg.build(PEOPLE, RELATIONS, holdings=holdings([("KID", "GP", "孙子")]))
    again = fg.CustomerGraph.from_tables(g.people, g.relations, g.referrals, g.holdings)
    assert again.hold_buyer.tolist() == g.hold_buyer.tolist() == [0]
    assert again.hold_person.tolist() == [3]
    q = again.quality_report().set_index("table")
    assert q.loc["policy_relations", "kept"] == 1 and q.loc["relations", "kept"] == 3
