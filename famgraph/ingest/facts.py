"""Relation facts: declared in the relations table, and stated by policies.

A relations row ``(A, B, label)`` states the fact "B is A's <kind>". A holding whose
``payer_relation`` is neither empty nor ``self`` states the fact (payer_id,
person_id, payer_relation): the insured is the payer's <kind> -- grandparents paying
for a grandchild's policy say they are its grandparents. Those policy facts form
the accounted table ``policy_relations`` (one row per such holding) and are resolved
together with the declared ones under one rule set:

* the same fact again (either direction, declared or from a policy) is *merged* into
  the first -- declared rows come first, then policies in holdings order;
* a pair of persons with two or more *different* family facts: every family row of
  the pair, declared or from a policy, is ``conflicting_relation``;
* kept policy facts join ``g.relations`` after the declared rows, with
  ``source = "policy"`` (declared rows: their ``source`` cell, else ``"relations"``),
  so every analysis sees the family they describe.

Facts are integer codes -- ``(src * n + dst) * K + kind`` over person positions --
so conflicts and repeats are found by sorting integers, not strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph.ingest.ledger import CellIssues, Ledger, PeopleIndex, ValuesDetail
from famgraph.schema import (
    DIRECTED_KINDS,
    FAMILY_KINDS,
    RELATION_SYNONYMS,
    SELF_LABELS,
    SOCIAL_KINDS,
    SOURCE_RELATIONS,
)

__all__ = [
    "KINDS",
    "SELF",
    "WRITTEN",
    "Oriented",
    "declared_rules",
    "orient",
    "policy_rules",
    "resolve",
    "written_kinds",
]

#: Kinds as written (``parent`` and ``grandparent`` not yet turned around).
WRITTEN: tuple[str, ...] = tuple(dict.fromkeys(RELATION_SYNONYMS.values()))
#: Code of ``self`` in :func:`written_kinds` (payer_relation only).
SELF = len(WRITTEN)
#: Canonical kinds, the codes facts are made of: family first, then social.
KINDS: tuple[str, ...] = (*FAMILY_KINDS, *SOCIAL_KINDS)

_LABELS = pa.array([*RELATION_SYNONYMS, *SELF_LABELS], type=pa.large_string())
_LABEL_CODE = np.array(
    [WRITTEN.index(k) for k in RELATION_SYNONYMS.values()] + [SELF] * len(SELF_LABELS),
    dtype=np.int64,
)
_CANON = np.array([KINDS.index(DIRECTED_KINDS.get(w, w)) for w in WRITTEN], dtype=np.int64)
_REVERSED = np.array([w in DIRECTED_KINDS for w in WRITTEN], dtype=bool)
_DIRECTED = np.isin(np.asarray(KINDS), ["child", "grandchild"])
_N_FAMILY = len(FAMILY_KINDS)


def written_kinds(labels: pd.Series, *, with_self: bool = False) -> np.ndarray:
    """Code in :data:`WRITTEN` of each label; ``-1`` unknown, ``-2`` empty.

    Case-insensitive; ``with_self`` also reads ``self`` / ``本人`` (code :data:`SELF`).

    Examples
    --------
    >>> [WRITTEN[k] for k in written_kinds(pd.Series(["Wife", "外婆"]))]
    ['spouse', 'grandparent']
    >>> written_kinds(pd.Series(["boss", None, "本人"]), with_self=True).tolist() == [-1, -2, SELF]
    True
    """
    arr = pc.utf8_lower(pa.array(labels, type=pa.large_string(), from_pandas=True))
    pos = np.asarray(
        pc.index_in(arr, value_set=_LABELS).fill_null(-1).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    out = np.where(pos >= 0, _LABEL_CODE[np.maximum(pos, 0)], -1)
    if not with_self:
        out = np.where(out == SELF, -1, out)
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return np.where(missing, -2, out)


@dataclass
class Oriented:
    """Facts of some rows: ``src -> dst`` person codes and canonical kind codes.

    ``child`` / ``grandchild`` facts point from the elder generation to the younger;
    undirected kinds from the smaller id (string order) to the larger.
    """

    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray  # code in KINDS; -1 where the label is unknown


def orient(a_i: np.ndarray, b_i: np.ndarray, written: np.ndarray, id_rank: np.ndarray) -> Oriented:
    """Turn ``(a, b, kind as written)`` -- b is a's kind -- into canonical facts."""
    known = (written >= 0) & (written < SELF)
    w = np.where(known, written, 0)
    kind = np.where(known, _CANON[w], -1)
    rev = known & _REVERSED[w]
    directed = known & _DIRECTED[np.maximum(kind, 0)]
    both = (a_i >= 0) & (b_i >= 0)
    later = np.zeros(len(a_i), dtype=bool)
    later[both] = id_rank[a_i[both]] > id_rank[b_i[both]]
    swap = np.where(directed, rev, later)
    return Oriented(np.where(swap, b_i, a_i), np.where(swap, a_i, b_i), kind)


def declared_rules(
    df: pd.DataFrame,
    led: Ledger,
    issues: CellIssues,
    a_i: np.ndarray,
    b_i: np.ndarray,
    id_rank: np.ndarray,
    people: PeopleIndex,
) -> Oriented:
    """Row checks of the relations table; ``until <= since`` empties ``until``."""
    written = written_kinds(df["relation"])
    led.add(
        "unknown_relation",
        written == -1,
        "relation",
        ValuesDetail("relation ", df["relation"], " is not in the vocabulary (docs/input.md)"),
    )
    a, b = df["person_id"], df["relative_id"]
    led.add(
        "self_relation",
        (a == b).to_numpy(dtype=bool, na_value=False),
        "relative_id",
        "person_id and relative_id are the same person",
    )
    for col, s, code in (("person_id", a, a_i), ("relative_id", b, b_i)):
        people.reject_unknown(led, col, s, code)
    ended = (df["until"] <= df["since"]).to_numpy(dtype=bool, na_value=False)
    if ended.any():
        issues.add(ended, "until", "bad_type", "until is not after since")
        df["until"] = df["until"].mask(ended)
    facts = orient(a_i, b_i, written, id_rank)
    df["relation"] = pd.Series(
        np.asarray(KINDS, dtype=object)[np.maximum(facts.kind, 0)], dtype="str"
    ).where(facts.kind >= 0)
    df["source"] = df["source"].fillna(SOURCE_RELATIONS)
    return facts


def policy_rules(
    led: Ledger,
    payer_given: pd.Series,
    insured: pd.Series,
    pay_i: np.ndarray,
    ins_i: np.ndarray,
    written: np.ndarray,
    id_rank: np.ndarray,
    people: PeopleIndex,
) -> Oriented:
    """Row checks of ``policy_relations``: the payer must be given, kept, and not the insured."""
    led.add(
        "missing_value",
        payer_given.isna().to_numpy(),
        "payer_id",
        "payer_relation is given but payer_id is empty",
    )
    led.add(
        "self_relation",
        (payer_given == insured).to_numpy(dtype=bool, na_value=False),
        "payer_id",
        "payer_id is the insured person but payer_relation is not self",
    )
    led.add(
        "unknown_person",
        (pay_i < 0) & payer_given.notna().to_numpy(),
        "payer_id",
        people.unknown_detail("payer_id", payer_given, pay_i),
    )
    return orient(pay_i, ins_i, written, id_rank)


def resolve(n_people: int, parts: list[tuple[Ledger, Oriented]]) -> None:
    """Conflicts and repeats over the facts of every part, in order (declared first).

    Marks ``conflicting_relation`` and ``merged`` in each part's ledger.
    """
    rows = [np.flatnonzero(led.ok) for led, _ in parts]
    n = max(n_people, 1)
    s = np.concatenate([f.src[r] for (_, f), r in zip(parts, rows, strict=True)]).astype(np.int64)
    d = np.concatenate([f.dst[r] for (_, f), r in zip(parts, rows, strict=True)]).astype(np.int64)
    k = np.concatenate([f.kind[r] for (_, f), r in zip(parts, rows, strict=True)]).astype(np.int64)
    part = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)]).astype(np.int64)
    pos = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
    if len(s) == 0:
        return
    fact = (s * n + d) * len(KINDS) + k
    pair = np.minimum(s, d) * n + np.maximum(s, d)

    # family conflicts: a pair holding two or more different family facts
    fam = k < _N_FAMILY
    conflict = np.zeros(len(s), dtype=bool)
    if fam.any():
        fi = np.flatnonzero(fam)
        order = fi[np.lexsort((fact[fi], pair[fi]))]
        p_sorted, f_sorted = pair[order], fact[order]
        new_pair = np.r_[True, p_sorted[1:] != p_sorted[:-1]]
        new_fact = new_pair | np.r_[True, f_sorted[1:] != f_sorted[:-1]]
        group = np.cumsum(new_pair) - 1
        distinct = np.bincount(group, weights=new_fact.astype(float))
        conflict[order] = distinct[group] > 1
    for i, (led, _) in enumerate(parts):
        mask = np.zeros(led.n, dtype=bool)
        mask[pos[conflict & (part == i)]] = True
        led.add(
            "conflicting_relation",
            mask,
            "relation" if i == 0 else "payer_relation",
            "this pair has another, different family relation (e.g. parent both ways)",
        )
    # the same fact again (either direction, either source) merges into the first
    still = ~conflict
    dup = np.zeros(len(s), dtype=bool)
    dup[still] = pd.Series(fact[still]).duplicated(keep="first").to_numpy()
    for i, (led, _) in enumerate(parts):
        led.merged[pos[dup & (part == i)]] = True
