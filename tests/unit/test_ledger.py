"""The input ledger: the first reason in precedence wins, with its column and detail."""

from __future__ import annotations

import numpy as np
import pytest

from famgraph.errors import DataError
from famgraph.ingest.ledger import Ledger, raise_first


def _mask(n: int, rows: list[int]) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return m


def test_a_higher_reason_replaces_a_lower_one_with_its_column_and_detail() -> None:
    led = Ledger("people", 6)
    led.add("unknown_person", _mask(6, [1, 2]), "person_id", np.array(["u0"] * 6, dtype=object))
    led.add("bad_type", _mask(6, [2, 4]), "birth_date", "cannot read")
    led.add("duplicate_id", _mask(6, [4]), "person_id", "later")  # ranks lower: no change
    led.merged[5] = True
    rej = led.frame()
    assert rej["row"].tolist() == [1, 2, 4]
    assert rej["reason"].tolist() == ["unknown_person", "bad_type", "bad_type"]
    assert rej["column"].tolist() == ["person_id", "birth_date", "birth_date"]
    assert rej["detail"].tolist() == ["u0", "cannot read", "cannot read"]
    assert led.counts() == (6, 2, 1, 3)


def test_sharing_the_fate_of_a_rejected_row_and_reported_row_numbers() -> None:
    led = Ledger("policy_relations", 4, row_numbers=np.array([10, 20, 30, 40]))
    led.add("self_relation", _mask(4, [0]), "payer_id", "self")
    led.merged[3] = True
    led.share_fate(np.array([3]), of=np.array([0]))
    rej = led.frame()
    assert rej["row"].tolist() == [10, 40]
    assert rej["reason"].tolist() == ["self_relation"] * 2
    assert rej["detail"].tolist() == ["self", "self"]
    assert not led.merged[3]
    with pytest.raises(
        DataError, match=r"policy_relations row 10 .*self_relation in column 'payer_id'"
    ):
        raise_first([(led, None)])
