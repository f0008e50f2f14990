"""Per-table rules: rename and parse the columns, then people, referrals and holdings.

Relations -- declared in the relations table or stated by holdings through
``payer_relation`` -- are resolved together in :mod:`famgraph.ingest.facts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from famgraph._tables import DTYPES
from famgraph.errors import DataError
from famgraph.ingest.facts import written_kinds
from famgraph.ingest.ledger import CellIssues, Ledger, PeopleIndex, ValuesDetail
from famgraph.ingest.parse import parse_column
from famgraph.schema import ROLES, TABLES, Table

__all__ = [
    "Holdings",
    "Prepared",
    "dedupe_key",
    "holdings_rules",
    "mapping_for",
    "people_rules",
    "prepare",
    "referral_rules",
    "row_hash",
]


@dataclass
class Prepared:
    """One input table after renaming and parsing: values, row outcomes, blanked cells."""

    df: pd.DataFrame
    led: Ledger
    issues: CellIssues
    raw: pd.DataFrame


def mapping_for(name: str, columns: Mapping[str, Any] | None) -> dict[str, str]:
    """The ``columns=`` mapping that applies to table ``name``."""
    if not columns:
        return {}
    if not isinstance(columns, Mapping):
        raise DataError(
            "The `columns` parameter of `build` must be a mapping such as "
            f"{{'their_name': 'person_id'}}; got {type(columns).__name__}."
        )
    if all(isinstance(v, Mapping) for v in columns.values()):
        unknown_tables = set(columns) - set(TABLES)
        if unknown_tables:
            raise DataError(
                f"The `columns` parameter of `build` names unknown tables "
                f"{sorted(map(str, unknown_tables))}; use {list(TABLES)} as keys, or give "
                "one flat mapping for all tables."
            )
        return {str(k): str(v) for k, v in columns.get(name, {}).items()}
    return {str(k): str(v) for k, v in columns.items()}


def _header_names(df: pd.DataFrame, spec: Table, mapping: dict[str, str]) -> list[str]:
    """Column names after ``columns=``; ``" Person_ID "`` is read as ``person_id``."""
    out = []
    for c in df.columns:
        name = str(c)
        name = mapping.get(name, mapping.get(name.strip(), name))
        if name not in spec.names:
            key = re.sub(r"[\s\-]+", "_", name.strip()).lower()
            name = key if key in spec.names else name.strip()
        out.append(name)
    return out


def _empty(kind: str, n: int) -> pd.Series:
    """An absent optional column: all missing (``is_customer``: all True), built in O(1) passes."""
    if kind == "bool":
        return pd.Series(np.ones(n, dtype=bool))
    if kind == "str":
        return pd.Series(pd.arrays.ArrowStringArray(pa.nulls(n, pa.large_string()))).astype("str")
    if kind == "int":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, dtype=bool)))
    if kind == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype=DTYPES["date"]))
    return pd.Series(np.full(n, np.nan))


def prepare(spec: Table, raw: pd.DataFrame, mapping: dict[str, str]) -> Prepared:
    """Rename, check required columns, parse every canonical column.

    An unreadable cell rejects its row as ``bad_type`` -- unless its column is an
    optional descriptive one (``Column.blank``): then the cell is emptied and listed.
    """
    df = raw.set_axis(_header_names(raw, spec, mapping), axis=1).reset_index(drop=True)
    dup_cols = list(dict.fromkeys(df.columns[df.columns.duplicated()].tolist()))
    if dup_cols:
        raise DataError(
            f"The {spec.name} table has the column(s) {dup_cols} more than once (after "
            "trimming spaces and the `columns` mapping). Rename or drop one of them.",
            table=spec.name,
            column=dup_cols[0],
        )
    missing_cols = [c for c in spec.required if c not in df.columns]
    if missing_cols:
        raise DataError(
            f"The {spec.name} table has no {missing_cols[0]!r} column (required: "
            f"{list(spec.required)}); columns present: {list(df.columns)}. Rename the column "
            "in the file, or map it with build(..., columns={'your_name': "
            f"'{missing_cols[0]}'}}).",
            table=spec.name,
            column=missing_cols[0],
        )
    n = len(df)
    led = Ledger(spec.name, n)
    issues = CellIssues(spec.name)
    out: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c.name not in df.columns:
            out[c.name] = _empty(c.kind, n)
            continue
        p = parse_column(df[c.name], c.kind, open_ended_after=c.name == "expires_at")
        if c.required:
            led.add("missing_value", p.missing, c.name, f"{c.name} is empty")
        if p.bad.any():
            detail = ValuesDetail(f"{c.name}: cannot read ", df[c.name], f" as {p.why}")
            if c.blank:
                issues.add(p.bad, c.name, "bad_type", detail)
            else:
                led.add("bad_type", p.bad, c.name, detail)
        values = p.values
        if c.kind == "bool":  # an empty cell takes the default, True (is_customer)
            values = pd.Series(values.to_numpy(dtype=bool) | p.missing)
        out[c.name] = values.reset_index(drop=True)
    parsed = pd.DataFrame(out)
    for extra in (c for c in df.columns if c not in spec.names):
        parsed[extra] = df[extra]
    return Prepared(parsed, led, issues, df)


def row_hash(df: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's values (identical rows, identical hashes)."""
    return np.asarray(pd.util.hash_pandas_object(df, index=False).to_numpy(), dtype=np.uint64)


def _repeated(ids: pd.Series) -> pd.Series:
    """Mask of values seen earlier in ``ids`` (no missing values): one Arrow hash pass.

    ``dictionary_encode`` numbers values in order of first appearance, so a row repeats
    an earlier one exactly when its code is not above every code before it -- O(n), no
    sort, about twice as fast as ``Series.duplicated`` on Arrow strings.
    """
    arr = pa.array(ids, type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    before = np.maximum.accumulate(np.r_[-1, codes])[:-1]
    return pd.Series(codes <= before, index=ids.index)


def dedupe_key(df: pd.DataFrame, led: Ledger, key: str) -> None:
    """Same key: identical rows merge into the first, others are ``duplicate_id``."""
    ok = led.ok
    sub = df.loc[ok, key]
    dup = _repeated(sub)
    if not dup.any():
        return
    rows = np.flatnonzero(ok)
    later = rows[dup.to_numpy()]
    first_pos = pd.Series(rows[~dup.to_numpy()], index=sub[~dup].to_numpy())
    first_of_later = first_pos.reindex(df.loc[later, key].to_numpy()).to_numpy(dtype=np.int64)
    pairs = np.concatenate([later, first_of_later])
    h = np.zeros(len(df), dtype=np.uint64)
    h[pairs] = row_hash(df.iloc[pairs])
    same = h[later] == h[first_of_later]
    led.merged[later[same]] = True
    mask = np.zeros(len(df), dtype=bool)
    mask[later[~same]] = True
    led.add(
        "duplicate_id",
        mask,
        key,
        ValuesDetail(f"{key} ", df[key], " already given by an earlier row with other values"),
    )


# ---------------------------------------------------------------------------------
# people
# ---------------------------------------------------------------------------------
def people_rules(p: Prepared) -> None:
    """Negative income (a cell issue), role, duplicate ids."""
    df, led = p.df, p.led
    neg = (df["annual_income"] < 0).to_numpy(dtype=bool, na_value=False)
    if neg.any():
        p.issues.add(neg, "annual_income", "negative_amount", "annual_income is negative")
        df["annual_income"] = df["annual_income"].mask(neg)
    role = df["role"].str.lower()
    bad_role = role.notna().to_numpy() & ~role.isin(ROLES).to_numpy(dtype=bool)
    led.add(
        "bad_type",
        bad_role,
        "role",
        ValuesDetail("role: ", df["role"], f" is not one of {list(ROLES)}"),
    )
    df["role"] = role.where(~bad_role)
    dedupe_key(df, led, "person_id")


# ---------------------------------------------------------------------------------
# referrals
# ---------------------------------------------------------------------------------
def referral_rules(
    p: Prepared,
    r_i: np.ndarray,
    e_i: np.ndarray,
    id_rank: np.ndarray,
    people: PeopleIndex,
) -> None:
    """Self referrals, unknown persons, one referrer per referee, no cycles."""
    df, led = p.df, p.led
    r, e = df["referrer_id"], df["referee_id"]
    led.add(
        "self_referral",
        (r == e).to_numpy(dtype=bool, na_value=False),
        "referee_id",
        "a person cannot refer themselves",
    )
    for col, s, code in (("referrer_id", r, r_i), ("referee_id", e, e_i)):
        people.reject_unknown(led, col, s, code)
    # one referrer per referee: earliest referred_at (missing last), then smallest referrer;
    # a loser that repeats the winner exactly is merged into it, the others are rejected
    rows = np.flatnonzero(led.ok)
    at = df["referred_at"].to_numpy()[rows]
    sub = pd.DataFrame(
        {
            "referee": e_i[rows],
            "nat": pd.isna(at),
            "at": at,
            "referrer": id_rank[r_i[rows]],
            "row": rows,
        }
    )
    sub = sub.sort_values(["referee", "nat", "at", "referrer", "row"], kind="stable")
    loser = sub["referee"].duplicated(keep="first").to_numpy()
    sorted_rows = sub["row"].to_numpy()
    winner_row = (
        pd.Series(sorted_rows[~loser], index=sub["referee"].to_numpy()[~loser])
        .reindex(sub["referee"].to_numpy())
        .to_numpy(dtype=np.int64)
    )
    contested = sub["referee"].duplicated(keep=False).to_numpy()
    h = np.zeros(len(df), dtype=np.uint64)
    h[sorted_rows[contested]] = row_hash(df.iloc[sorted_rows[contested]])
    repeat = loser & (h[sorted_rows] == h[winner_row])
    merged_into = np.full(len(df), -1, dtype=np.int64)
    merged_into[sorted_rows[repeat]] = winner_row[repeat]
    led.merged[sorted_rows[repeat]] = True
    mask = np.zeros(len(df), dtype=bool)
    mask[sorted_rows[loser & ~repeat]] = True
    kept_by = r.iloc[winner_row[loser & ~repeat]].str.slice(0, 40).to_numpy(dtype=object)
    detail = np.full(len(df), None, dtype=object)
    detail[sorted_rows[loser & ~repeat]] = kept_by
    detail[mask] = "referee already referred by " + detail[mask].astype(str) + " (earlier)"
    led.add("duplicate_referee", mask, "referee_id", detail)

    # break cycles: in each, the edge with the latest referred_at (ties: largest referee)
    _break_cycles(df, led, r_i, e_i, id_rank)
    # a repeat of a row that a cycle then rejected shares its fate
    follow = np.flatnonzero(merged_into >= 0)
    target = merged_into[follow]
    gone = led.rejected[target]
    if gone.any():
        led.share_fate(follow[gone], of=target[gone])


def _break_cycles(
    df: pd.DataFrame, led: Ledger, r_i: np.ndarray, e_i: np.ndarray, id_rank: np.ndarray
) -> None:
    rows = np.flatnonzero(led.ok)
    if len(rows) == 0:
        return
    n = len(id_rank)
    src, dst = r_i[rows], e_i[rows]
    parent = np.full(n + 1, n, dtype=np.int64)  # n = sentinel root
    parent[dst] = src
    jump = parent.copy()
    steps = 1
    while steps < n + 1:
        jump = jump[jump]
        steps *= 2
    on_path = jump[:n] != n
    if not on_path.any():
        return
    cyc_nodes = np.unique(jump[:n][on_path])
    # edges of the cycles: node -> its referrer (both on the cycle)
    m = len(cyc_nodes)
    pos = np.full(n + 1, -1, dtype=np.int64)
    pos[cyc_nodes] = np.arange(m)
    adj = coo_matrix((np.ones(m), (np.arange(m), pos[parent[cyc_nodes]])), shape=(m, m))
    _, label = connected_components(adj, directed=False)
    row_of_referee = np.full(n, -1, dtype=np.int64)
    row_of_referee[dst] = rows
    cyc_rows = row_of_referee[cyc_nodes]
    at = df["referred_at"].to_numpy()[cyc_rows]
    cand = pd.DataFrame(
        {
            "cycle": label,
            "nat": pd.isna(at),
            "at": at,
            "referee": id_rank[cyc_nodes],
            "row": cyc_rows,
        }
    ).sort_values(["cycle", "nat", "at", "referee"], kind="stable")
    last = ~cand["cycle"].duplicated(keep="last").to_numpy()
    mask = np.zeros(len(df), dtype=bool)
    mask[cand["row"].to_numpy()[last]] = True
    led.add(
        "referral_cycle",
        mask,
        "referee_id",
        "closes a referral cycle; the latest referral of the cycle is dropped",
    )


# ---------------------------------------------------------------------------------
# holdings
# ---------------------------------------------------------------------------------
def _hex_ids(h: np.ndarray, prefix: str) -> pd.Series:
    """``prefix`` + 16 hex digits of each uint64, vectorised (no per-row formatting)."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((h[:, None] >> shifts) & np.uint64(15)).astype(np.intp)
    chars = np.ascontiguousarray(digits[nibbles]).view("S16").ravel()
    return prefix + pd.Series(chars.astype("U16"), dtype="str")


@dataclass
class Holdings:
    """What the holdings state about payers, per input row.

    ``payer`` is the payer's person code (``-1``: none kept), ``payer_given`` the
    payer_id as written (before an unknown one is blanked), ``kind`` the code of
    ``payer_relation`` as written (see :func:`~famgraph.ingest.facts.written_kinds`;
    ``SELF`` for self, negative when empty or unknown).
    """

    payer: np.ndarray
    payer_given: pd.Series
    kind: np.ndarray


def holdings_rules(
    p: Prepared, p_i: np.ndarray, pay_i: np.ndarray, people: PeopleIndex
) -> Holdings:
    """Amounts, unknown persons, payers (cell issues), derived ids, duplicate ids."""
    from famgraph.ingest.facts import SELF, WRITTEN

    df, led = p.df, p.led
    df["line"] = df["line"].str.lower()
    for col in ("amount", "sum_assured"):
        neg = (df[col] < 0).to_numpy(dtype=bool, na_value=False)
        led.add("negative_amount", neg, col, f"{col} is negative")
    df["amount"] = df["amount"].fillna(0.0)
    people.reject_unknown(led, "person_id", df["person_id"], p_i)

    # payers: a payer_id naming nobody kept, or a payer_relation outside the vocabulary,
    # empties the cell (the holding is kept and counts for the insured person)
    payer_given = df["payer_id"].copy()
    gone = people.unknown(payer_given, pay_i)
    if gone.any():
        p.issues.add(
            gone,
            "payer_id",
            "unknown_person",
            people.unknown_detail("payer_id", payer_given, pay_i),
        )
        df["payer_id"] = df["payer_id"].mask(gone)
    kind = written_kinds(df["payer_relation"], with_self=True)
    bad_label = kind == -1
    if bad_label.any():
        p.issues.add(
            bad_label,
            "payer_relation",
            "unknown_relation",
            ValuesDetail(
                "payer_relation ",
                df["payer_relation"],
                " is not in the vocabulary (self/本人 or a relation label; docs/input.md)",
            ),
        )
    other_payer = (
        (kind == SELF)
        & df["payer_id"].notna().to_numpy()
        & (df["payer_id"] != df["person_id"]).to_numpy(dtype=bool, na_value=False)
    )
    if other_payer.any():
        p.issues.add(
            other_payer,
            "payer_relation",
            "bad_type",
            "payer_relation is self (本人) but payer_id names another person",
        )
    blank = bad_label | other_payer
    labels = np.asarray([*WRITTEN, "self"], dtype=object)
    written = np.full(len(df), None, dtype=object)
    has = (kind >= 0) & ~blank
    written[has] = labels[kind[has]]
    df["payer_relation"] = pd.Series(written, dtype="str")
    kind = np.where(blank, -2, kind)

    need = df["holding_id"].isna().to_numpy()
    if need.any():
        content = df.loc[need, [c for c in df.columns if c != "holding_id"]]
        h = row_hash(content).copy()
        # the k-th identical row (k >= 1, in file order) gets k in its key: two identical
        # purchases stay two holdings, and reading the same file again gives the same ids
        k = pd.Series(h).groupby(h, sort=False).cumcount().to_numpy(dtype=np.uint64)
        again = k > 0
        if again.any():
            h[again] = row_hash(pd.DataFrame({"row": h[again], "occurrence": k[again]}))
        derived = _hex_ids(h, "h:")
        ids = df["holding_id"].to_numpy(dtype=object)
        ids[need] = derived.to_numpy(dtype=object)
        df["holding_id"] = pd.Series(ids, dtype="str")
    dedupe_key(df, led, "holding_id")
    payer = np.where(gone, -1, pay_i)
    return Holdings(payer=payer, payer_given=payer_given, kind=kind)
