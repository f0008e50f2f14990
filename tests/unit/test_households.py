"""fg.households: docs/metrics.md section 3, hand-computed."""

from __future__ import annotations

import pandas as pd
import pytest

import famgraph as fg


def book() -> fg.CustomerGraph:
    p = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "K1", "K2", "G1", "X1", "X2", "S1", "S2", "R1", "U1"],
            "birth_date": [
                "1980-06-15",
                "1982-01-01",
                "2010-06-16",
                "2000-01-01",
                "1950-06-15",
                None,
                None,
                "1990-01-01",
                "1991-01-01",
                "1975-01-01",
                None,
            ],
            "age": [None, None, None, None, None, 30, 64, None, None, None, None],
            "annual_income": [100.0, 0.0, None, 5.0, 9.0, None, 0.0, 1.0, 1.0, 1.0, 1.0],
            "household_id": [None, None, None, None, None, None, None, "HX", None, None, None],
            "role": [None, None, None, None, None, None, None, None, None, "Elder", None],
        }
    )
    r = pd.DataFrame(
        {
            "person_id": ["P1", "P1", "P2", "G1", "X1", "S1", "S2", "R1"],
            "relative_id": ["P2", "K1", "K2", "P1", "X2", "S2", "R1", "U1"],
            "relation": [
                "wife",
                "son",
                "daughter",
                "son",
                "brother",
                "husband",
                "friend",
                "cousin",
            ],
        }
    )
    return fg.build(p, r, as_of="2024-06-15")


def test_ages_roles_households_families() -> None:
    h = fg.households(book()).set_index("person_id")
    # whole years to as_of 2024-06-15: birthday on as_of counts, the day after does not
    assert h.loc["P1", "age"] == 44 and h.loc["K1", "age"] == 13 and h.loc["G1", "age"] == 74
    assert h.loc["X1", "age"] == 30 and pd.isna(h.loc["U1", "age"])
    assert h["role"].to_dict() == {
        "P1": "earner",
        "P2": "dependent",
        "K1": "child",
        "K2": "earner",
        "G1": "elder",
        "X1": "earner",  # income unknown
        "X2": "dependent",
        "S1": "earner",
        "S2": "earner",
        "R1": "elder",  # override
        "U1": "unknown",
    }
    # spouse + minor child join; adult child K2 (24) and parent G1 do not; S1 has a given id,
    # so S2 (no id) is not merged into it; siblings and social ties never join households
    assert h["household_id"].to_dict() == {
        "P1": "H:K1",
        "P2": "H:K1",
        "K1": "H:K1",
        "K2": "H:K2",
        "G1": "H:G1",
        "X1": "H:X1",
        "X2": "H:X2",
        "S1": "HX",
        "S2": "H:S2",
        "R1": "H:R1",
        "U1": "H:U1",
    }
    # families: all family kinds, not social
    fam = h["family_id"].to_dict()
    assert {fam[k] for k in ("P1", "P2", "K1", "K2", "G1")} == {"F:G1"}
    assert fam["X1"] == fam["X2"] == "F:X1"
    assert fam["S1"] == fam["S2"] == "F:S1"
    assert fam["R1"] == fam["U1"] == "F:R1"


def test_minor_age_parameter() -> None:
    h = fg.households(book(), minor_age=30).set_index("person_id")
    assert h.loc["K2", "household_id"] == "H:K1"
    with pytest.raises(ValueError, match="The `minor_age` parameter of `households` must be"):
        fg.households(book(), minor_age=-1)


def test_columns_and_order() -> None:
    g = book()
    h = fg.households(g)
    assert list(h.columns) == ["person_id", "household_id", "family_id", "role", "age"]
    assert h["person_id"].tolist() == g.people["person_id"].tolist()


def test_result_is_computed_once_and_safe_to_modify() -> None:
    g = book()
    first = fg.households(g)
    first.loc[0, "household_id"] = "CHANGED"
    again = fg.households(g)
    assert again.loc[0, "household_id"] == "H:K1"
    assert fg.households(g, minor_age=30).loc[3, "household_id"] == "H:K1"  # K2 joins at 30
