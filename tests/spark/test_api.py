"""famgraph.spark's surface: argument errors, input errors, file reading, date forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _parity import to_pd

import famgraph as fg
import famgraph.spark as fgs

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def sg(spark: Any) -> Any:
    return fgs.sample(spark)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda sg: fgs.households(sg, minor_age=1.5),
            "The `minor_age` parameter of `households` must be a whole number of years in "
            "[0, 150]; got 1.5.",
        ),
        (
            lambda sg: fgs.referral_value(sg, decay=1.5),
            "The `decay` parameter of `referral_value` must be in (0, 1]; got 1.5.",
        ),
        (
            lambda sg: fgs.referral_value(sg, max_depth=0),
            "The `max_depth` parameter of `referral_value` must be a whole number >= 1 or "
            "None; got 0.",
        ),
        (
            lambda sg: fgs.influence(sg, alpha=1),
            "The `alpha` parameter of `influence` must be in (0, 1); got 1.",
        ),
        (
            lambda sg: fgs.influence(sg, social_weight=-1),
            "The `social_weight` parameter of `influence` must be a finite number >= 0; got -1.",
        ),
        (
            lambda sg: fgs.household_summary(sg, life_multiple=float("nan")),
            "The `life_multiple` parameter of `household_summary` must be a finite number >= 0",
        ),
        (
            lambda sg: fgs.super_users(sg, min_referrals=0),
            "The `min_referrals` parameter of `super_users` must be a whole number >= 1",
        ),
        (
            lambda sg: fgs.super_users(sg, weights={"X": 1.0}),
            "The `weights` parameter of `super_users` must be a dict with keys among R, F, M",
        ),
        (
            lambda sg: fgs.referral_value(sg, value=pd.Series({"nobody": 1.0})),
            "The `value` parameter of `referral_value` must be indexed by person ids",
        ),
    ],
)
def test_argument_errors_are_uniform(sg: Any, call: Any, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        call(sg)
    assert str(exc.value).startswith(message)


def test_bad_plan_is_a_data_error_and_an_unused_role_warns_once(sg: Any) -> None:
    with pytest.raises(fg.DataError, match="unknown role 'boss'"):
        fgs.coverage_gaps(sg, plan=pd.DataFrame({"role": ["boss"], "line": ["x"], "priority": [1]}))
    plan = pd.DataFrame(
        {"role": ["unknown", "earner"], "line": ["life", "life"], "priority": [1, 1]}
    )
    with pytest.warns(UserWarning, match="role\\(s\\) 'unknown', which no person") as rec:
        gaps = to_pd(fgs.coverage_gaps(sg, plan=plan))
    assert len(rec) == 1
    g = fg.datasets.sample()
    with pytest.warns(UserWarning):
        expected = fg.coverage_gaps(g, plan=plan)
    assert gaps["person_id"].tolist() == expected["person_id"].tolist()


def test_missing_column_and_unreadable_files_are_data_errors(spark: Any, tmp_path: Path) -> None:
    people = spark.createDataFrame([("A",)], "id string")
    with pytest.raises(fg.DataError) as exc:
        fgs.build(spark, people)
    assert "people" in str(exc.value) and "'person_id'" in str(exc.value)
    assert "columns=" in str(exc.value) and exc.value.column == "person_id"
    with pytest.raises(fg.DataError, match="no file at"):
        fgs.build(spark, tmp_path / "nope.csv")
    with pytest.raises(fg.DataError, match="unknown tables"):
        fgs.build(spark, people, columns={"persons": {"id": "person_id"}})
    with pytest.raises(fg.DataError, match="Spark DataFrame or a path"):
        fgs.build(spark, pd.DataFrame({"person_id": ["A"]}))


def test_columns_mapping_and_parquet_folder(spark: Any, tmp_path: Path) -> None:
    pd.DataFrame({"cust_no": ["A", "B"], "since": ["2020-01-01", None]}).to_parquet(
        tmp_path / "people.parquet"
    )
    pd.DataFrame({"who": ["A"], "whom": ["B"], "rel": ["wife"]}).to_parquet(
        tmp_path / "relations.parquet"
    )
    columns = {
        "people": {"cust_no": "person_id", "since": "joined_at"},
        "relations": {"who": "person_id", "whom": "relative_id", "rel": "relation"},
    }
    sg = fgs.read_dir(spark, tmp_path, columns=columns)
    g = fg.read_dir(tmp_path, columns=columns)
    assert to_pd(sg.relations)[["person_id", "relative_id", "relation"]].values.tolist() == [
        ["A", "B", "spouse"]
    ]
    assert sg.as_of == g.as_of == pd.Timestamp("2020-01-01")
    with pytest.raises(fg.DataError, match="No people table"):
        fgs.read_dir(spark, tmp_path / "..")
    # a path with a scheme (hdfs://, s3a://, file://) goes to Spark as it is
    by_uri = fgs.build(spark, (tmp_path / "people.parquet").as_uri(), columns=columns)
    assert to_pd(by_uri.people)["person_id"].tolist() == ["A", "B"]
    with pytest.raises(fg.DataError, match="Cannot read the people table"):
        fgs.build(spark, (tmp_path / "nope.parquet").as_uri())


def test_the_date_forms_people_write(spark: Any) -> None:
    """docs/metrics.md section 2 lists these forms; both engines read exactly them.

    ``birth_date`` is an optional descriptive cell: an unreadable one is emptied and
    listed in ``issues`` (its row is kept).
    """
    cells = [
        ("A", "2023-01-05"),
        ("B", "2023/1/5"),
        ("C", "2023.1.5"),
        ("D", "20230105"),
        ("E", "2023年1月5日"),
        ("F", "2023-01-05 10:30"),
        ("G", "2023/1/5 10:30:15.5"),
        ("H", "2023-02-30"),
        ("I", "Jan 5 2023"),
        ("J", "2023-01-05T10:30:00+08:00"),
        ("K", "1799-12-31"),
        ("L", "2023年1月5日 10:30"),
    ]
    people = spark.createDataFrame(cells, "person_id string, birth_date string")
    sg = fgs.build(spark, people, as_of="2024-01-01")
    got = to_pd(sg.people).set_index("person_id")["birth_date"]
    day = pd.Timestamp("2023-01-05")
    assert got.loc[["A", "B", "C", "D", "E"]].tolist() == [day] * 5
    assert got.loc["F"] == got.loc["J"] == got.loc["L"] == pd.Timestamp("2023-01-05 10:30")
    assert got.loc["G"] == pd.Timestamp("2023-01-05 10:30:15.5")
    assert to_pd(sg.rejects).empty
    issues = to_pd(sg.issues)
    assert issues[["row", "column", "reason"]].values.tolist() == [
        [7, "birth_date", "bad_type"],
        [8, "birth_date", "bad_type"],
        [10, "birth_date", "bad_type"],
    ]
    g = fg.build(pd.DataFrame(cells, columns=["person_id", "birth_date"]), as_of="2024-01-01")
    assert got.reset_index(drop=True).equals(g.people["birth_date"])
    assert issues["detail"].tolist() == g.issues["detail"].tolist()


def test_to_pandas_gives_the_in_memory_graph(sg: Any) -> None:
    g = sg.to_pandas()
    assert isinstance(g, fg.CustomerGraph)
    assert fg.coverage_gaps(g).equals(fg.coverage_gaps(fg.datasets.sample()))
