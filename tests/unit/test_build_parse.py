"""Cells as people write them: dates, booleans, numbers, ids, and the as_of argument."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph.ingest.parse import parse_bools, parse_column, parse_dates, parse_numbers, text_of

DAY = pd.Timestamp("2023-01-05")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-05", DAY),
        ("2023-1-5", DAY),
        ("2023/1/5", DAY),
        ("2023/01/05", DAY),
        ("2023.1.5", DAY),
        ("20230105", DAY),
        ("2023年1月5日", DAY),
        ("2023 年 1 月 5 日", DAY),
        (" 2023-01-05 ", DAY),
        ("2023-01-05T10:30", DAY + pd.Timedelta("10:30:00")),
        ("2023-01-05 10:30:15", DAY + pd.Timedelta("10:30:15")),
        ("2023-01-05T10:30:15.123456789", DAY + pd.Timedelta("10:30:15.123456")),
        ("2023年1月5日 10:30", DAY + pd.Timedelta("10:30:00")),
        ("2023/1/5 9:05:00", DAY + pd.Timedelta("09:05:00")),
        # an offset is dropped: the local date and time as written
        ("2023-01-05T00:30:00+08:00", DAY + pd.Timedelta("00:30:00")),
        ("2023-01-05T10:30:00Z", DAY + pd.Timedelta("10:30:00")),
        ("2024-02-29", pd.Timestamp("2024-02-29")),
        ("1800-01-01", pd.Timestamp("1800-01-01")),
        ("2199-12-31", pd.Timestamp("2199-12-31")),
    ],
)
def test_date_forms_people_write(text: str, expected: pd.Timestamp) -> None:
    p = parse_column(pd.Series([text], dtype="str"), "date")
    assert not p.bad[0] and p.values.iloc[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "05/01/2023",  # day or month first? refused, never guessed
        "5/1/2023",
        "01-05-2023",
        "now",
        "today",
        "-5",
        "-157",
        "157",
        "2023",
        "2023-01",
        "2023-02-29",
        "2023-02-30",
        "2023-13-01",
        "2023-01-05 25:00",
        "2023-01-05 10:61",
        "1799-12-31",
        "9999-12-31",
        "2023-01-05x",
        "2023年13月5日",
        "Jan 5 2023",
    ],
)
def test_dates_that_are_refused(text: str) -> None:
    p = parse_dates(pd.Series([text], dtype="str"))
    assert p.bad[0] and pd.isna(p.values.iloc[0])


def test_a_mixed_date_column_with_time_zones_and_forms() -> None:
    s = pd.Series(
        ["2023-01-05T10:30:00+08:00", "2023-01-05", "2023年1月5日", None, "x", "2023-01-05Z"],
        dtype=object,
    )
    g = fg.build(pd.DataFrame({"person_id": list("ABCDEF"), "joined_at": s}))
    assert g.people["joined_at"].tolist()[:3] == [DAY + pd.Timedelta("10:30:00"), DAY, DAY]
    assert g.people["joined_at"].isna().tolist()[3:] == [True, True, False]
    assert g.issues["row"].tolist() == [4]


def test_typed_date_columns_keep_their_wall_time_and_range() -> None:
    aware = pd.Series(pd.to_datetime(["2023-01-05 00:30"]).tz_localize("Asia/Shanghai"))
    g = fg.build(pd.DataFrame({"person_id": ["A"], "joined_at": aware}))
    assert g.people["joined_at"].iloc[0] == DAY + pd.Timedelta("00:30:00")
    far = pd.Series(np.array(["9999-12-31", "2000-01-01"], dtype="datetime64[s]"))
    h = pd.DataFrame(
        {
            "person_id": ["A", "A"],
            "line": ["life"] * 2,
            "purchased_at": far,
            "expires_at": far.iloc[::-1].to_numpy(),
        }
    )
    g = fg.build(pd.DataFrame({"person_id": ["A"]}), holdings=h)
    # 9999-12-31 buys nothing (rejected) but means "never" as an expiry
    assert g.rejects["row"].tolist() == [0] and g.rejects["column"].tolist() == ["purchased_at"]
    assert g.holdings["expires_at"].isna().all() and g.issues.empty


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True), ("T", True), ("yes", True), ("Y", True), ("1", True), ("是", True),
        ("真", True), ("对", True), ("false", False), ("f", False), ("No", False), ("n", False),
        ("0", False), ("否", False), ("假", False), ("错", False),
    ],
)  # fmt: skip
def test_boolean_forms(text: str, value: bool) -> None:
    p = parse_bools(pd.Series([text], dtype="str"))
    assert not p.bad[0] and p.values.iloc[0] == value


def test_booleans_refused_and_typed() -> None:
    p = parse_bools(pd.Series(["maybe", "2", "yes?", "是的"], dtype="str"))
    assert p.bad.all()
    g = fg.build(pd.DataFrame({"person_id": ["A", "B", "C"], "is_customer": [1, 0, 1.0]}))
    assert g.people["is_customer"].tolist() == [True, False, True]


def test_numbers_are_plain_digits_and_finite() -> None:
    p = parse_numbers(
        pd.Series(["1200", "-3.5", "1e5", ".5", "+7", "1,200", "￥300", "inf", "nan", "1e400"])
    )
    assert p.values.tolist()[:5] == [1200.0, -3.5, 1e5, 0.5, 7.0]
    assert p.bad.tolist() == [False] * 5 + [True] * 5
    typed = parse_numbers(pd.Series([1.0, np.inf, np.nan]))
    assert typed.bad.tolist() == [False, True, False] and typed.missing.tolist()[2]
    assert parse_numbers(pd.Series([True, False])).bad.all()  # a flag is not an amount


def test_ages_must_be_whole_years_in_range() -> None:
    people = pd.DataFrame(
        {"person_id": list("ABCDEF"), "age": ["40", "-5", "1e20", "40.5", "151", "150"]}
    )
    g = fg.build(people)
    assert g.n_people == 6  # every bad age is an emptied cell, not a lost person
    assert g.people["age"].tolist()[0] == 40 and g.people["age"].tolist()[5] == 150
    assert g.issues["row"].tolist() == [1, 2, 3, 4]
    assert (g.issues["column"] == "age").all() and "[0, 150]" in g.issues["detail"].iloc[0]
    typed = fg.build(pd.DataFrame({"person_id": ["A", "B"], "age": [1e20, -1.0]}))
    assert typed.people["age"].isna().all() and len(typed.issues) == 2


def test_text_of_any_mix_of_values() -> None:
    s = pd.Series(
        [2, 2.0, "2", 1e20, 2**70, decimal.Decimal("1.50"), b"P1", np.int64(7), True,
         dt.date(2023, 1, 5), " x\u3000", "", None, np.nan, {"a": 1}, [1]],
        dtype=object,
    )  # fmt: skip
    text, bad = text_of(s)
    assert text.tolist()[:10] == [
        "2", "2", "2", "1e+20", str(2**70), "1.50", "P1", "7", "True", "2023-01-05"
    ]  # fmt: skip
    assert text.tolist()[10] == "x"  # the ideographic space is trimmed too
    assert text.isna().tolist()[11:] == [True] * 5
    assert bad.tolist()[-2:] == [True, True] and not bad[:-2].any()
    floats, _ = text_of(pd.Series([1.0, 2.5, np.nan, 1e20, -0.0]))
    assert floats.tolist()[:2] == ["1", "2.5"] and floats.tolist()[3:] == ["1e+20", "0"]


def test_mixed_object_ids_name_the_same_person() -> None:
    people = pd.DataFrame({"person_id": pd.Series([1, 2.0, "A"], dtype=object)})
    rel = pd.DataFrame(
        {"person_id": pd.Series(["1"], dtype=object), "relative_id": [2], "relation": ["wife"]}
    )
    g = fg.build(people, rel)
    assert g.people["person_id"].tolist() == ["1", "2", "A"]
    assert len(g.relations) == 1 and g.rejects.empty
    huge = fg.build(pd.DataFrame({"person_id": [1e20, 2.0**60, np.uint64(2**64 - 1)]}))
    assert huge.people["person_id"].tolist() == [
        "1e+20",
        "1.152921504606847e+18",
        "1.8446744073709552e+19",
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2023-01-05", DAY),
        ("2023年1月5日", DAY),
        (20230105, DAY),
        (np.int64(20230105), DAY),
        (dt.date(2023, 1, 5), DAY),
        (dt.datetime(2023, 1, 5, 12), DAY + pd.Timedelta("12:00:00")),
        (pd.Timestamp("2023-01-05 08:00", tz="Asia/Shanghai"), DAY + pd.Timedelta("08:00:00")),
        (np.datetime64("2023-01-05"), DAY),
    ],
)
def test_as_of_forms(given: object, expected: pd.Timestamp) -> None:
    g = fg.build(pd.DataFrame({"person_id": ["A"]}), as_of=given)
    assert g.as_of == expected and g.as_of.tzinfo is None


@pytest.mark.parametrize(
    "given", ["notadate", "now", "today", "", True, 1.5, 2023, "9999-12-31", pd.NaT, [2023]]
)
def test_as_of_that_is_not_a_date(given: object) -> None:
    with pytest.raises(fg.DataError, match="The `as_of` parameter of `build` must be a date"):
        fg.build(pd.DataFrame({"person_id": ["A"]}), as_of=given)
