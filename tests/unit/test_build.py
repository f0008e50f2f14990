"""fg.build: every rule of docs/metrics.md sections 1-2, on small hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

import famgraph as fg


def people(*ids: str, **cols: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"person_id": list(ids), **cols})


def reasons(g: fg.CustomerGraph, table: str) -> dict[int, str]:
    r = g.rejects[g.rejects["table"] == table]
    return dict(zip(r["row"].tolist(), r["reason"].tolist(), strict=True))


def quality(g: fg.CustomerGraph, table: str) -> tuple[int, int, int, int]:
    q = g.quality_report().set_index("table").loc[table]
    return int(q.rows_in), int(q.kept), int(q.merged), int(q.rejected)


def issues(g: fg.CustomerGraph, table: str) -> list[tuple[int, str, str]]:
    i = g.issues[g.issues["table"] == table]
    return list(zip(i["row"].tolist(), i["column"].tolist(), i["reason"].tolist(), strict=True))


# --- columns and files ----------------------------------------------------------------
def test_missing_required_column_names_table_column_and_present_columns() -> None:
    with pytest.raises(fg.DataError) as exc:
        fg.build(people("A"), holdings=pd.DataFrame({"person_id": ["A"], "line": ["life"]}))
    msg = str(exc.value)
    assert "holdings" in msg and "'purchased_at'" in msg
    assert "['person_id', 'line']" in msg  # the columns present
    assert "columns=" in msg  # what to do next
    assert exc.value.table == "holdings" and exc.value.column == "purchased_at"


def test_data_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        fg.build(pd.DataFrame({"id": ["A"]}))


def test_unreadable_file_names_the_path(tmp_path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_bytes(b"person_id,name\nA,\xff\xfe\xfa\n")
    with pytest.raises(fg.DataError, match=r"people\.csv"):
        fg.build(bad)
    with pytest.raises(fg.DataError, match="no file at"):
        fg.build(tmp_path / "nope.csv")


def test_empty_tables_are_valid() -> None:
    g = fg.build(pd.DataFrame({"person_id": []}), as_of="2024-01-01")
    assert g.n_people == 0
    assert g.quality_report()["rows_in"].sum() == 0
    assert len(fg.households(g)) == 0


def test_integer_ids_become_strings_and_extras_are_carried() -> None:
    p = pd.DataFrame({"person_id": [1, 2], "segment": ["gold", "silver"]})
    h = pd.DataFrame(
        {"person_id": [2], "line": [" Life "], "purchased_at": ["2024-05-01"], "note": ["x"]}
    )
    g = fg.build(p, holdings=h)
    assert g.people["person_id"].tolist() == ["1", "2"]
    assert g.people["segment"].tolist() == ["gold", "silver"]
    assert g.holdings["note"].tolist() == ["x"]
    assert g.holdings["line"].tolist() == ["life"]
    assert g.as_of == pd.Timestamp("2024-05-01")


def test_float_ids_with_gaps_lose_the_trailing_zero() -> None:
    p = pd.DataFrame({"person_id": [1.0, 2.0, None]})
    g = fg.build(p)
    assert g.people["person_id"].tolist() == ["1", "2"]
    assert reasons(g, "people") == {2: "missing_value"}


def test_columns_mapping_flat_and_per_table() -> None:
    p = pd.DataFrame({"cust_no": ["A", "B"]})
    r = pd.DataFrame({"who": ["A"], "whom": ["B"], "rel": ["wife"]})
    g = fg.build(
        p,
        r,
        columns={
            "cust_no": "person_id",
            "who": "person_id",
            "whom": "relative_id",
            "rel": "relation",
        },
    )
    assert len(g.relations) == 1
    g2 = fg.build(p, columns={"people": {"cust_no": "person_id"}})
    assert g2.n_people == 2
    with pytest.raises(fg.DataError, match="unknown tables"):
        fg.build(p, columns={"persons": {"cust_no": "person_id"}})


# --- people ----------------------------------------------------------------------
def test_people_types_missing_and_negative() -> None:
    p = people(
        "A",
        "B",
        "C",
        "D",
        None,
        "F",
        "G",
        birth_date=["1980-01-31", "31.02.1990", None, "1990-05-05", "1970-01-01", None, None],
        annual_income=["1000", "x", "-5", None, None, "2,000", "-1"],
        is_customer=["yes", "否", "maybe", None, "true", "1", "0"],
        role=[None, None, None, "Earner", None, None, "boss"],
    )
    g = fg.build(p, as_of="2024-01-01")
    # C: an unreadable is_customer rejects the row; E: missing id; G: unknown role.
    # B: a day-first date and "x" income, F: "2,000" -- optional descriptive cells:
    # emptied and listed, the rows kept (the cells of rejected rows are not listed)
    assert reasons(g, "people") == {2: "bad_type", 4: "missing_value", 6: "bad_type"}
    rej = g.rejects.set_index("row")
    assert rej.loc[2, "column"] == "is_customer"
    assert rej.loc[6, "column"] == "role"
    assert issues(g, "people") == [
        (1, "birth_date", "bad_type"),
        (1, "annual_income", "bad_type"),
        (5, "annual_income", "bad_type"),
    ]
    assert "31.02.1990" in g.issues["detail"].iloc[0] and "year first" in g.issues["detail"].iloc[0]
    assert quality(g, "people") == (7, 4, 0, 3)
    assert g.quality_report().set_index("table").loc["people", "cells_blanked"] == 3
    assert g.people["person_id"].tolist() == ["A", "B", "D", "F"]
    assert g.people["birth_date"].isna().tolist() == [False, True, False, True]
    assert g.people["is_customer"].tolist() == [True, False, True, True]  # empty = True
    assert g.people["role"].tolist()[2] == "earner"
    assert g.people["annual_income"].tolist()[0] == 1000.0
    assert g.people["annual_income"].isna().tolist() == [False, True, True, True]


def test_negative_income_is_a_cell_issue() -> None:
    g = fg.build(people("A", annual_income=[-1.0]))
    assert reasons(g, "people") == {}
    assert issues(g, "people") == [(0, "annual_income", "negative_amount")]
    assert g.people["annual_income"].isna().all()


def test_duplicate_people_identical_merge_others_rejected() -> None:
    p = people(
        "A",
        "B",
        "A",
        "A",
        name=["x", "y", "x", "z"],
        birth_date=["2000-01-01", None, "2000-1-1", "2000-01-01"],
    )
    g = fg.build(p)
    # row 2 is identical once parsed (same date) -> merged; row 3 differs -> duplicate_id
    assert quality(g, "people") == (4, 2, 1, 1)
    assert reasons(g, "people") == {3: "duplicate_id"}
    assert g.people["name"].tolist() == ["x", "y"]


def test_duplicate_after_a_rejected_first_row_keeps_the_valid_one() -> None:
    p = people("A", "A", is_customer=["maybe", "yes"], birth_date=["bad", "2000-01-01"])
    g = fg.build(p)
    assert reasons(g, "people") == {0: "bad_type"}
    assert g.people["birth_date"].tolist() == [pd.Timestamp("2000-01-01")]
    assert g.issues.empty  # row 0's unreadable date is moot: the row is rejected


def test_blanked_cells_count_as_identical_when_merging() -> None:
    # A twice with the same date written two ways: merged. B twice with two unreadable
    # dates: both cells emptied, so the rows are identical and merge; both cells listed
    p = people("A", "A", "B", "B", birth_date=["2000-01-01", "2000-1-1", "x", "y"])
    g = fg.build(p)
    assert quality(g, "people") == (4, 2, 2, 0)  # B's two rows are identical once emptied
    assert issues(g, "people") == [(2, "birth_date", "bad_type"), (3, "birth_date", "bad_type")]


# --- relations ---------------------------------------------------------------------
def test_relation_vocabulary_and_normalisation() -> None:
    p = people("A", "B", "C", "D", "E")
    r = pd.DataFrame(
        {
            "person_id": ["A", "C", "B", "A", "E", "D", "A"],
            "relative_id": ["B", "A", "A", "D", "A", "E", "C"],
            "relation": [" WIFE ", "父亲", "妻子", "外孙", "Neighbor", "兄弟姐妹", "nephew"],
        }
    )
    g = fg.build(p, r)
    rel = g.relations[["person_id", "relative_id", "relation"]].values.tolist()
    assert rel == [
        ["A", "B", "spouse"],
        ["A", "D", "grandchild"],  # (A, D, 外孙): D is A's grandchild -> edge A -> D
        ["A", "E", "neighbour"],  # undirected kinds stored with person_id < relative_id
        ["D", "E", "sibling"],
    ]
    # row 2 (B, A, wife) is the same fact as row 0 -> merged; (C, A, father) makes A the parent
    # of C, and (A, C, nephew) is a second, different family fact of that pair: both rejected
    assert quality(g, "relations") == (7, 4, 1, 2)
    assert reasons(g, "relations") == {1: "conflicting_relation", 6: "conflicting_relation"}


def test_parent_label_becomes_a_parent_to_child_edge() -> None:
    g = fg.build(
        people("A", "C"),
        pd.DataFrame({"person_id": ["C"], "relative_id": ["A"], "relation": ["父亲"]}),
    )
    assert g.relations[["person_id", "relative_id", "relation"]].values.tolist() == [
        ["A", "C", "child"]
    ]


def test_relation_rejects_in_precedence_order() -> None:
    p = people("A", "B")
    r = pd.DataFrame(
        {
            "person_id": ["A", "A", "A", None, "A", "Z"],
            "relative_id": ["B", "A", "B", "B", "A", "Z"],
            "relation": ["boss", "friend", "friend", "friend", "enemy", "friend"],
            "since": [None, None, "notadate", None, None, None],
        }
    )
    g = fg.build(p, r)
    assert issues(g, "relations") == [(2, "since", "bad_type")]  # kept, since emptied
    assert reasons(g, "relations") == {
        0: "unknown_relation",
        1: "self_relation",
        3: "missing_value",
        4: "unknown_relation",  # unknown relation outranks self relation
        5: "self_relation",  # self relation outranks unknown person
    }


def test_same_fact_given_both_ways_merges() -> None:
    p = people("A", "B")
    r = pd.DataFrame(
        {
            "person_id": ["A", "B", "A"],
            "relative_id": ["B", "A", "B"],
            "relation": ["son", "mother", "child"],
            "since": ["2001-01-01", None, None],
        }
    )
    g = fg.build(p, r)
    assert quality(g, "relations") == (3, 1, 2, 0)
    row = g.relations.iloc[0].to_dict()
    assert pd.isna(row.pop("until"))  # the optional end date, empty here
    assert row == {
        "person_id": "A",
        "relative_id": "B",
        "relation": "child",
        "since": pd.Timestamp("2001-01-01"),
        "source": "relations",
    }


def test_conflicting_family_facts_reject_every_family_row_of_the_pair() -> None:
    p = people("A", "B", "C", "D")
    r = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "C", "C", "C", "A"],
            "relative_id": ["B", "A", "D", "D", "D", "D", "C"],
            "relation": ["parent", "parent", "spouse", "father", "friend", "wife", "friend"],
        }
    )
    g = fg.build(p, r)
    # A parent of B and B parent of A; C-D spouse and parent -> all family rows of the pair,
    # including the repeated spouse fact; social rows of the pair are kept
    assert reasons(g, "relations") == {i: "conflicting_relation" for i in (0, 1, 2, 3, 5)}
    assert sorted(g.relations["relation"].tolist()) == ["friend", "friend"]


def test_relation_unknown_person() -> None:
    g = fg.build(
        people("A"),
        pd.DataFrame({"person_id": ["A"], "relative_id": ["X"], "relation": ["friend"]}),
    )
    rej = g.rejects.iloc[0]
    assert (rej["reason"], rej["column"]) == ("unknown_person", "relative_id")


# --- referrals ---------------------------------------------------------------------
def refs(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["referrer_id", "referee_id", "referred_at"])


def test_referral_cleaning_order() -> None:
    p = people("A", "B", "C", "D", "E")
    f = refs(
        [
            ("A", "A", "2024-01-01"),  # 0 self
            ("A", "Q", "2024-01-01"),  # 1 unknown
            ("A", "B", "2024-03-01"),  # 2 later than row 3 -> duplicate_referee
            ("C", "B", "2024-02-01"),  # 3 kept
            ("D", "C", None),  # 4 missing date sorts last -> duplicate_referee
            ("E", "C", "2024-05-01"),  # 5 kept
            ("A", "B", "2024-03-01"),  # 6 identical to row 2, a rejected row -> duplicate_referee
            ("C", "B", "2024-02-01"),  # 7 identical to kept row 3 -> merged
        ]
    )
    g = fg.build(p, referrals=f)
    assert reasons(g, "referrals") == {
        0: "self_referral",
        1: "unknown_person",
        2: "duplicate_referee",
        4: "duplicate_referee",
        6: "duplicate_referee",
    }
    assert quality(g, "referrals") == (8, 2, 1, 5)
    assert g.referrals[["referrer_id", "referee_id"]].values.tolist() == [["C", "B"], ["E", "C"]]


def test_duplicate_referee_tie_goes_to_smallest_referrer() -> None:
    p = people("A", "B", "C")
    g = fg.build(p, referrals=refs([("C", "A", "2024-01-01"), ("B", "A", "2024-01-01")]))
    assert reasons(g, "referrals") == {0: "duplicate_referee"}


def test_referral_cycle_drops_latest_edge() -> None:
    p = people("A", "B", "C", "D", "E", "F")
    f = refs(
        [
            ("A", "B", "2024-01-01"),
            ("B", "C", "2024-03-01"),  # latest of the A-B-C cycle
            ("C", "A", "2024-02-01"),
            ("D", "E", "2024-01-01"),  # D <-> E, same dates: largest referee (E) dropped
            ("E", "D", "2024-01-01"),
            ("C", "F", "2024-06-01"),  # hangs off the cycle; not in it
        ]
    )
    g = fg.build(p, referrals=f)
    assert reasons(g, "referrals") == {1: "referral_cycle", 3: "referral_cycle"}
    assert (g.referrer >= 0).sum() == 4
    # the forest: C has no referrer now; E is the root of D
    par = dict(zip(g.referrals["referee_id"], g.referrals["referrer_id"], strict=True))
    assert par == {"B": "A", "A": "C", "D": "E", "F": "C"}


def test_referral_cycle_missing_date_counts_as_latest() -> None:
    p = people("A", "B")
    g = fg.build(p, referrals=refs([("A", "B", None), ("B", "A", "2024-01-01")]))
    assert reasons(g, "referrals") == {0: "referral_cycle"}


# --- holdings -------------------------------------------------------------------------
def test_holdings_rules() -> None:
    p = people("A", "B")
    h = pd.DataFrame(
        {
            "holding_id": ["h1", "h2", "h3", "h1", "h1", None, None, "h9", "h10", "h11"],
            "person_id": ["A", "A", "Z", "A", "A", "B", "B", "B", None, "A"],
            "line": [
                "life",
                "medical",
                "life",
                "life",
                "savings",
                "medical",
                "medical",
                "",
                "x",
                "life",
            ],
            "purchased_at": [
                "2024-01-01",
                "2024-02-30",
                "2024-01-01",
                "2024-01-01",
                "2024-01-01",
                "2024-03-01",
                "2024-03-01",
                "2024-01-01",
                "2024-01-01",
                "2024-01-01",
            ],
            "amount": [100, 5, 5, 100, 5, None, None, 1, 1, -1],
            "sum_assured": [None, None, None, None, None, None, None, None, None, "-3"],
        }
    )
    g = fg.build(p, holdings=h)
    assert reasons(g, "holdings") == {
        1: "bad_type",
        2: "unknown_person",
        4: "duplicate_id",
        7: "missing_value",
        8: "missing_value",
        9: "negative_amount",
    }
    # row 3 identical to h1 merged; rows 5 and 6 are identical purchases without a
    # holding_id: two holdings (the occurrence is part of the derived key)
    assert quality(g, "holdings") == (10, 3, 1, 6)
    assert g.holdings["amount"].tolist() == [100.0, 0.0, 0.0]  # missing amount = 0
    derived = g.holdings["holding_id"].iloc[1:].tolist()
    assert all(d.startswith("h:") for d in derived) and derived[0] != derived[1]
    again = fg.build(p, holdings=h)
    assert again.holdings["holding_id"].iloc[1:].tolist() == derived  # a reload: same ids
    # the first occurrence's id does not depend on whether a copy follows
    alone = fg.build(p, holdings=h.drop(index=6))
    assert alone.holdings["holding_id"].iloc[1] == derived[0]


def test_as_of_is_latest_kept_date_or_given() -> None:
    p = people("A", "B", joined_at=["2023-05-01", "2022-01-01"])
    h = pd.DataFrame(
        {
            "person_id": ["A", "A"],
            "line": ["life", "life"],
            "purchased_at": ["2023-01-01", "2030-01-01"],
            "amount": [1, -1],
        }
    )
    f = refs([("A", "B", "2023-03-01")])
    assert fg.build(p, referrals=f, holdings=h).as_of == pd.Timestamp("2023-05-01")
    assert fg.build(p, as_of="2020-02-02").as_of == pd.Timestamp("2020-02-02")


def test_strict_raises_on_first_reject_with_row_and_column() -> None:
    p = people("A", "B", "A", birth_date=[None, "bad", None])
    with pytest.raises(fg.DataError) as exc:
        fg.build(p, strict=True)
    assert exc.value.row == 1 and exc.value.column == "birth_date"
    assert "people row 1" in str(exc.value) and "strict=True" in str(exc.value)
    assert fg.build(people("A"), strict=True).n_people == 1


def test_quality_report_identity_on_sample() -> None:
    q = fg.datasets.sample().quality_report()
    assert (q.rows_in == q.kept + q.merged + q.rejected).all()
    assert q.rejected.sum() == len(fg.datasets.sample().rejects)


def test_one_log_line_per_reject_reason_and_emptied_column_without_values(caplog) -> None:
    p = people(
        "A", "B", "C", "D",
        birth_date=["x", "y", None, None],
        annual_income=[None, None, -1, None],
        role=[None, None, None, "boss"],
    )  # fmt: skip
    with caplog.at_level("WARNING", logger="famgraph"):
        fg.build(p, as_of="2024-01-01")
    assert [r.getMessage() for r in caplog.records] == [
        "famgraph.ingest: 1 people row(s) rejected as bad_type",
        "famgraph.ingest: 2 people cell(s) of birth_date emptied and kept their row (g.issues)",
        "famgraph.ingest: 1 people cell(s) of annual_income emptied and kept their row (g.issues)",
    ]


# --- files ----------------------------------------------------------------------------
def test_read_dir_csv_and_parquet_with_chinese_text(tmp_path) -> None:
    fg.datasets.write_sample(tmp_path / "csv")
    g = fg.read_dir(tmp_path / "csv")
    assert "王伟" in g.people["name"].tolist()
    pq = tmp_path / "pq"
    pq.mkdir()
    for name, df in fg.datasets.sample_tables().items():
        df.to_parquet(pq / f"{name}.parquet")
    g2 = fg.read_dir(pq)
    pd.testing.assert_frame_equal(g.people, g2.people)
    pd.testing.assert_frame_equal(g.quality_report(), g2.quality_report())


def test_read_dir_without_people_says_what_to_do(tmp_path) -> None:
    (tmp_path / "relations.csv").write_text("person_id,relative_id,relation\n", encoding="utf-8")
    with pytest.raises(fg.DataError, match=r"people\.csv"):
        fg.read_dir(tmp_path)


def test_repeat_of_a_cycle_rejected_referral_is_rejected_too() -> None:
    p = people("A", "B")
    f = refs([("A", "B", "2024-01-01"), ("B", "A", "2024-02-01"), ("B", "A", "2024-02-01")])
    g = fg.build(p, referrals=f)
    assert reasons(g, "referrals") == {1: "referral_cycle", 2: "referral_cycle"}
    assert quality(g, "referrals") == (3, 1, 0, 2)


def test_unknown_person_names_the_rejected_people_row_and_its_reason() -> None:
    p = people("A", "B", "B", "C", is_customer=["yes", "maybe", "maybe", None])
    r = pd.DataFrame(
        {"person_id": ["A", "A", "C"], "relative_id": ["B", "Z", "A"], "relation": ["wife"] * 3}
    )
    h = pd.DataFrame({"person_id": ["B"], "line": ["life"], "purchased_at": ["2024-01-01"]})
    g = fg.build(p, r, holdings=h)
    det = g.rejects.set_index(["table", "row"])["detail"]
    knock_on = "person_id 'B' is not kept in people: its people row 1 was rejected (bad_type)"
    assert det[("holdings", 0)] == knock_on
    assert det[("relations", 0)] == knock_on.replace("person_id", "relative_id")
    assert det[("relations", 1)] == "relative_id 'Z' is not in people"
