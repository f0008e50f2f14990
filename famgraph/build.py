"""Tables in -> one validated, normalised :class:`~famgraph.graph.CustomerGraph`.

Every input row ends in exactly one of *kept*, *merged* (a duplicate of a kept
row) or *rejected* (with a reason), per docs/metrics.md section 2. All checks are
vectorised over whole columns; nothing here loops over rows in Python.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from famgraph._arrays import id_rank, lookup_ids, take_ids
from famgraph._tables import as_text, empty_column, empty_rejects, infer_as_of
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.schema import (
    DIRECTED_KINDS,
    FAMILY_KINDS,
    QUALITY_COLUMNS,
    REASONS,
    REJECT_COLUMNS,
    RELATION_SYNONYMS,
    ROLES,
    SOCIAL_KINDS,
    TABLES,
    Table,
)

__all__ = ["build", "read_dir", "read_table"]

log = logging.getLogger("famgraph")

TableInput = pd.DataFrame | str | os.PathLike[str] | None

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "真"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "假"}
_REASON_RANK = {r: i for i, r in enumerate(REASONS)}
_KIND_CODES = (*FAMILY_KINDS, *SOCIAL_KINDS)
_FAMILY_CODES = np.arange(len(FAMILY_KINDS))
_FILE_SUFFIXES = (".csv", ".parquet", ".pq", ".csv.gz")


# ---------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------
def read_table(path: str | os.PathLike[str], table: str = "table") -> pd.DataFrame:
    """Read one CSV (UTF-8) or Parquet file as raw strings / stored types.

    CSV cells are read as text (only an empty cell is missing), so that
    :func:`build` can reject unreadable values instead of guessing.

    Raises
    ------
    DataError
        When the file does not exist or cannot be read; the message names the path.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(
            f"Cannot read the {table} table: no file at {str(p)!r}. Check the path; "
            "famgraph reads .csv (UTF-8) and .parquet files.",
            table=table,
        )
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(p)
        return pd.read_csv(
            p, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(
            f"Cannot read the {table} table from {str(p)!r}: {type(exc).__name__}: "
            f"{str(exc)[:200]}. Save it as UTF-8 CSV with a header row, or as Parquet.",
            table=table,
        ) from exc


def read_dir(
    path: str | os.PathLike[str],
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> CustomerGraph:
    """Build a graph from a folder of ``people``, ``relations``, ``referrals``, ``holdings`` files.

    Each table is a ``.csv`` (UTF-8) or ``.parquet`` file named after it; only
    ``people`` is required. Options are those of :func:`build`.

    Parameters
    ----------
    path : str or path-like
        The folder.
    as_of, columns, strict
        Passed to :func:`build`.

    Returns
    -------
    CustomerGraph

    Raises
    ------
    DataError
        When the folder or its people file is missing, or a file cannot be read.

    Examples
    --------
    >>> import tempfile, famgraph as fg
    >>> d = tempfile.mkdtemp()
    >>> fg.datasets.write_sample(d)
    >>> g = fg.read_dir(d)
    >>> g.n_people > 0
    True
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(
            f"No folder at {str(folder)!r}. Give a folder holding people.csv (or .parquet) "
            "and optionally relations, referrals and holdings files."
        )
    found: dict[str, Path | None] = {}
    for name in TABLES:
        found[name] = next(
            (folder / f"{name}{s}" for s in _FILE_SUFFIXES if (folder / f"{name}{s}").is_file()),
            None,
        )
    if found["people"] is None:
        present = sorted(p.name for p in folder.iterdir())[:20]
        raise DataError(
            f"No people table in {str(folder)!r} (looked for people.csv, people.parquet); "
            f"files there: {present}. Add one, or call famgraph.build with DataFrames.",
            table="people",
        )
    return build(
        found["people"],
        found["relations"],
        found["referrals"],
        found["holdings"],
        as_of=as_of,
        columns=columns,
        strict=strict,
    )


# ---------------------------------------------------------------------------------
# column parsing
# ---------------------------------------------------------------------------------
def _parse(s: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse one column. Returns (values, missing mask, bad_type mask).

    A cell is missing when it is NA or text that is empty once stripped; text is
    stripped once, here.
    """
    none = np.zeros(len(s), dtype=bool)
    if kind == "str":
        text = as_text(s)
        return text.astype("str"), text.isna().to_numpy(dtype=bool), none
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            vals = s
            if getattr(s.dt, "tz", None) is not None:
                vals = s.dt.tz_convert("UTC").dt.tz_localize(None)
            vals = vals.astype("datetime64[us]")
            missing = vals.isna().to_numpy(dtype=bool)
            return vals, missing, none
        txt = as_text(s)
        missing = txt.isna().to_numpy(dtype=bool)
        vals = pd.to_datetime(txt, errors="coerce", format="ISO8601")
        retry = vals.isna().to_numpy() & ~missing
        if retry.any():
            again = pd.to_datetime(txt[retry], errors="coerce", format="mixed")
            if getattr(again.dt, "tz", None) is not None:
                again = again.dt.tz_convert("UTC").dt.tz_localize(None)
            vals = vals.copy()
            vals[retry] = again
        if getattr(vals.dt, "tz", None) is not None:
            vals = vals.dt.tz_convert("UTC").dt.tz_localize(None)
        vals = vals.astype("datetime64[us]")
        bad = vals.isna().to_numpy(dtype=bool) & ~missing
        return vals, missing, bad
    if kind in ("float", "int"):
        if pd.api.types.is_bool_dtype(s.dtype):
            missing = s.isna().to_numpy(dtype=bool)
            arr = np.full(len(s), np.nan)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            missing = s.isna().to_numpy(dtype=bool)
            arr = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            txt = as_text(s)
            missing = txt.isna().to_numpy(dtype=bool)
            arr = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~missing & ~np.isfinite(arr)
        if kind == "int":
            frac = np.zeros(len(arr), dtype=bool)
            ok = np.isfinite(arr)
            frac[ok] = np.mod(arr[ok], 1) != 0
            bad |= frac
            clean = np.where(bad | missing, np.nan, arr)
            return pd.Series(clean, index=s.index).astype("Int64"), missing, bad
        clean = np.where(bad | missing, np.nan, arr)
        return pd.Series(clean, index=s.index, dtype="float64"), missing, bad
    if kind == "bool":
        if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
            return s.astype(bool), none, none
        txt = as_text(s).str.lower()
        missing = txt.isna().to_numpy(dtype=bool)
        is_t = txt.isin(_TRUE).to_numpy(dtype=bool)
        is_f = txt.isin(_FALSE).to_numpy(dtype=bool)
        bad = ~missing & ~is_t & ~is_f
        # an empty cell takes the default, True (docs/metrics.md section 1: is_customer)
        return pd.Series(is_t | missing, index=s.index, dtype=bool), missing, bad
    raise AssertionError(kind)


# ---------------------------------------------------------------------------------
# reject bookkeeping
# ---------------------------------------------------------------------------------
class _Ledger:
    """Collects per-row reasons for one table (first reason in precedence wins)."""

    def __init__(self, table: str, n: int) -> None:
        self.table = table
        self.n = n
        self.rank = np.full(n, len(REASONS), dtype=np.int16)
        self.column = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self.merged = np.zeros(n, dtype=bool)

    def add(
        self,
        reason: str,
        mask: np.ndarray,
        column: str | None,
        detail: str | np.ndarray | _ValuesDetail,
    ) -> None:
        """Record ``reason`` for rows in ``mask`` where it outranks what is there."""
        r = _REASON_RANK[reason]
        take = np.asarray(mask, dtype=bool) & (self.rank > r)
        if not take.any():
            return
        self.rank[take] = r
        self.column[take] = column
        if isinstance(detail, _ValuesDetail):
            self.detail[take] = detail.take(np.flatnonzero(take))
        elif isinstance(detail, np.ndarray):
            self.detail[take] = detail[take]
        else:
            self.detail[take] = detail

    @property
    def rejected(self) -> np.ndarray:
        return self.rank < len(REASONS)

    @property
    def ok(self) -> np.ndarray:
        """Rows neither rejected nor merged (so far)."""
        return ~self.rejected & ~self.merged

    def frame(self) -> pd.DataFrame:
        rows = np.flatnonzero(self.rejected)
        return pd.DataFrame(
            {
                "table": pd.Series([self.table] * len(rows), dtype="str"),
                "row": rows.astype(np.int64),
                "reason": pd.Series(
                    np.asarray(REASONS, dtype=object)[self.rank[rows]], dtype="str"
                ),
                "column": pd.Series(self.column[rows], dtype="str"),
                "detail": pd.Series(self.detail[rows], dtype="str"),
            },
            columns=list(REJECT_COLUMNS),
        )


class _ValuesDetail:
    """``prefix + 'value' + suffix``, built only for the rows a reason is recorded on."""

    def __init__(self, prefix: str, values: pd.Series, suffix: str) -> None:
        self.prefix, self.values, self.suffix = prefix, values, suffix

    def take(self, rows: np.ndarray) -> np.ndarray:
        txt = self.values.iloc[rows].astype("str").fillna("").str.slice(0, 40)
        return (self.prefix + "'" + txt + "'" + self.suffix).to_numpy(dtype=object)


def _values_detail(prefix: str, values: pd.Series, suffix: str) -> _ValuesDetail:
    return _ValuesDetail(prefix, values, suffix)


# ---------------------------------------------------------------------------------
# per-table preparation: rename, required columns, parse
# ---------------------------------------------------------------------------------
def _load(name: str, src: TableInput) -> pd.DataFrame | None:
    if src is None:
        return None
    if isinstance(src, pd.DataFrame):
        return src
    if isinstance(src, (str, os.PathLike)):
        return read_table(src, name)
    raise DataError(
        f"The {name} table must be a pandas DataFrame or a path to a .csv/.parquet file; "
        f"got {type(src).__name__}.",
        table=name,
    )


def _mapping_for(name: str, columns: Mapping[str, Any] | None) -> dict[str, str]:
    if not columns:
        return {}
    if all(isinstance(v, Mapping) for v in columns.values()):
        unknown = set(columns) - set(TABLES)
        if unknown:
            raise DataError(
                f"The `columns` parameter of `build` names unknown tables {sorted(unknown)}; "
                f"use {list(TABLES)} as keys, or give one flat mapping for all tables."
            )
        return dict(columns.get(name, {}))
    return {str(k): str(v) for k, v in columns.items()}


def _prepare(
    spec: Table, raw: pd.DataFrame, mapping: dict[str, str]
) -> tuple[pd.DataFrame, _Ledger]:
    """Rename, check required columns, parse every canonical column."""
    df = raw.rename(columns={k: v for k, v in mapping.items() if k in raw.columns})
    df.columns = [str(c) for c in df.columns]
    dup_cols = df.columns[df.columns.duplicated()].tolist()
    if dup_cols:
        raise DataError(
            f"The {spec.name} table has the column(s) {dup_cols} more than once (after the "
            "`columns` mapping). Rename or drop one of them.",
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
    df = df.reset_index(drop=True)
    ledger = _Ledger(spec.name, n)
    out: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c.name not in df.columns:
            out[c.name] = empty_column(c.kind, n)
            continue
        vals, miss, bad = _parse(df[c.name], c.kind)
        if c.required:
            ledger.add("missing_value", miss, c.name, f"{c.name} is empty")
        if bad.any():
            what = {
                "date": "a date",
                "float": "a number",
                "int": "a whole number",
                "bool": "true/false",
            }[c.kind]
            ledger.add(
                "bad_type",
                bad,
                c.name,
                _values_detail(f"{c.name}: cannot read ", df[c.name], f" as {what}"),
            )
        out[c.name] = vals
    extras = [c for c in df.columns if c not in spec.names]
    parsed = pd.DataFrame(out)
    for extra in extras:
        parsed[extra] = df[extra]
    return parsed, ledger


def _row_hash(df: pd.DataFrame) -> np.ndarray:
    return np.asarray(pd.util.hash_pandas_object(df, index=False).to_numpy(), dtype=np.uint64)


def _dedupe_key(df: pd.DataFrame, ledger: _Ledger, key: str) -> None:
    """Same key: identical rows merge into the first, others are ``duplicate_id``."""
    ok = ledger.ok
    sub = df.loc[ok, key]
    dup = sub.duplicated(keep="first")
    if not dup.any():
        return
    rows = np.flatnonzero(ok)
    later = rows[dup.to_numpy()]
    first_pos = pd.Series(rows[~dup.to_numpy()], index=sub[~dup].to_numpy())
    first_of_later = first_pos.reindex(df.loc[later, key].to_numpy()).to_numpy(dtype=np.int64)
    pairs = np.concatenate([later, first_of_later])
    h = np.zeros(len(df), dtype=np.uint64)
    h[pairs] = _row_hash(df.iloc[pairs])
    same = h[later] == h[first_of_later]
    ledger.merged[later[same]] = True
    mask = np.zeros(len(df), dtype=bool)
    mask[later[~same]] = True
    ledger.add(
        "duplicate_id",
        mask,
        key,
        _values_detail(f"{key} ", df[key], " already given by an earlier row with other values"),
    )


# ---------------------------------------------------------------------------------
# the four tables
# ---------------------------------------------------------------------------------
def _people(raw: pd.DataFrame, mapping: dict[str, str]) -> tuple[pd.DataFrame, _Ledger]:
    df, led = _prepare(TABLES["people"], raw, mapping)
    neg = (df["annual_income"] < 0).to_numpy(dtype=bool, na_value=False)
    led.add("negative_amount", neg, "annual_income", "annual_income is negative")
    role = df["role"].str.lower().str.strip()
    bad_role = role.notna().to_numpy() & ~role.isin(ROLES).to_numpy(dtype=bool)
    led.add(
        "bad_type",
        bad_role,
        "role",
        _values_detail("role: ", df["role"], f" is not one of {list(ROLES)}"),
    )
    df["role"] = role.where(~bad_role)
    _dedupe_key(df, led, "person_id")
    return df, led


def _unknown(ids: pd.Series, code: np.ndarray) -> np.ndarray:
    """Rows naming an id (not empty) that is not among the kept people."""
    return (code < 0) & ids.notna().to_numpy()


def _relations(
    df: pd.DataFrame, led: _Ledger, a_i: np.ndarray, b_i: np.ndarray, id_rank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Check and orient relation rows; returns the (src, dst) person codes per row."""
    label = df["relation"].str.strip().str.lower()
    kind = label.map(RELATION_SYNONYMS)
    unknown = kind.isna().to_numpy() & label.notna().to_numpy()
    led.add(
        "unknown_relation",
        unknown,
        "relation",
        _values_detail("relation ", df["relation"], " is not in the vocabulary (docs/input.md)"),
    )
    a, b = df["person_id"], df["relative_id"]
    led.add(
        "self_relation",
        (a == b).to_numpy(dtype=bool, na_value=False),
        "relative_id",
        "person_id and relative_id are the same person",
    )
    for col, s, code in (("person_id", a, a_i), ("relative_id", b, b_i)):
        led.add(
            "unknown_person",
            _unknown(s, code),
            col,
            _values_detail(f"{col} ", s, " is not in people"),
        )

    # canonical orientation: parent -> child edges; undirected kinds with person_id < relative_id
    rev = kind.isin(list(DIRECTED_KINDS)).to_numpy(dtype=bool)
    directed = kind.isin(["child", "grandchild", *DIRECTED_KINDS]).to_numpy(dtype=bool)
    kind = kind.replace(DIRECTED_KINDS)
    both = (a_i >= 0) & (b_i >= 0)
    later = np.zeros(len(df), dtype=bool)
    later[both] = id_rank[a_i[both]] > id_rank[b_i[both]]
    swap = np.where(directed, rev, later)
    src = np.where(swap, b_i, a_i)
    dst = np.where(swap, a_i, b_i)
    df["relation"] = kind.astype("str")

    # integer codes of the facts: (src, dst, kind) and the unordered pair {src, dst}
    rows = np.flatnonzero(led.ok)
    n = max(len(id_rank), 1)
    s_i, d_i = src[rows].astype(np.int64), dst[rows].astype(np.int64)
    kinds = pd.Categorical(kind.to_numpy(dtype=object)[rows], categories=list(_KIND_CODES))
    k_i = np.asarray(kinds.codes, dtype=np.int64)
    fact = (s_i * n + d_i) * len(_KIND_CODES) + k_i
    pair = np.minimum(s_i, d_i) * n + np.maximum(s_i, d_i)

    # family conflicts: a pair holding two or more different family facts
    fam = np.isin(k_i, _FAMILY_CODES)
    if fam.any():
        f = pd.DataFrame({"pair": pair[fam], "fact": fact[fam]})
        n_facts = f.groupby("pair")["fact"].transform("nunique").to_numpy()
        conflict = np.zeros(len(df), dtype=bool)
        conflict[rows[fam][n_facts > 1]] = True
        led.add(
            "conflicting_relation",
            conflict,
            "relation",
            "this pair has another, different family relation (e.g. parent both ways)",
        )
    # the same fact given again (either direction) merges into the first
    still = led.ok[rows]
    dup = pd.Series(fact[still]).duplicated(keep="first").to_numpy()
    led.merged[rows[still][dup]] = True
    return src, dst


def _referrals(
    df: pd.DataFrame, led: _Ledger, r_i: np.ndarray, e_i: np.ndarray, id_rank: np.ndarray
) -> None:
    r, e = df["referrer_id"], df["referee_id"]
    led.add(
        "self_referral",
        (r == e).to_numpy(dtype=bool, na_value=False),
        "referee_id",
        "a person cannot refer themselves",
    )
    for col, s, code in (("referrer_id", r, r_i), ("referee_id", e, e_i)):
        led.add(
            "unknown_person",
            _unknown(s, code),
            col,
            _values_detail(f"{col} ", s, " is not in people"),
        )
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
    h[sorted_rows[contested]] = _row_hash(df.iloc[sorted_rows[contested]])
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
        rows_gone = follow[gone]
        led.merged[rows_gone] = False
        led.rank[rows_gone] = led.rank[target[gone]]
        led.column[rows_gone] = led.column[target[gone]]
        led.detail[rows_gone] = led.detail[target[gone]]


def _break_cycles(
    df: pd.DataFrame, led: _Ledger, r_i: np.ndarray, e_i: np.ndarray, id_rank: np.ndarray
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


def _hex_ids(h: np.ndarray, prefix: str) -> pd.Series:
    """``prefix`` + 16 hex digits of each uint64, vectorised (no per-row formatting)."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((h[:, None] >> shifts) & np.uint64(15)).astype(np.intp)
    chars = np.ascontiguousarray(digits[nibbles]).view("S16").ravel()
    return prefix + pd.Series(chars.astype("U16"), dtype="str")


def _holdings(df: pd.DataFrame, led: _Ledger, p_i: np.ndarray) -> None:
    df["line"] = df["line"].str.lower()
    for col in ("amount", "sum_assured"):
        neg = (df[col] < 0).to_numpy(dtype=bool, na_value=False)
        led.add("negative_amount", neg, col, f"{col} is negative")
    df["amount"] = df["amount"].fillna(0.0)
    led.add(
        "unknown_person",
        _unknown(df["person_id"], p_i),
        "person_id",
        _values_detail("person_id ", df["person_id"], " is not in people"),
    )
    need = df["holding_id"].isna().to_numpy()
    if need.any():
        content = df.loc[need, [c for c in df.columns if c != "holding_id"]]
        h = _row_hash(content).copy()
        # the k-th identical row (k >= 1, in file order) gets k in its key: two identical
        # purchases stay two holdings, and reading the same file again gives the same ids
        k = pd.Series(h).groupby(h, sort=False).cumcount().to_numpy(dtype=np.uint64)
        again = k > 0
        if again.any():
            h[again] = _row_hash(pd.DataFrame({"row": h[again], "occurrence": k[again]}))
        derived = _hex_ids(h, "h:")
        ids = df["holding_id"].to_numpy(dtype=object)
        ids[need] = derived.to_numpy(dtype=object)
        df["holding_id"] = pd.Series(ids, dtype="str")
    _dedupe_key(df, led, "holding_id")


# ---------------------------------------------------------------------------------
# as_of and the public build
# ---------------------------------------------------------------------------------
def build(
    people: TableInput,
    relations: TableInput = None,
    referrals: TableInput = None,
    holdings: TableInput = None,
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> CustomerGraph:
    """Validate and normalise the input tables into one :class:`CustomerGraph`.

    Every input row is kept, merged (a duplicate of a kept row) or rejected with a
    reason (docs/metrics.md section 2); ``g.quality_report()`` shows the accounting and
    ``g.rejects`` each rejected row.

    Parameters
    ----------
    people : DataFrame or path
        One row per person (customers and prospects). Required column ``person_id``.
    relations : DataFrame or path, optional
        ``(person_id, relative_id, relation)``: *relative_id is person_id's relation*.
    referrals : DataFrame or path, optional
        ``(referrer_id, referee_id, referred_at)``.
    holdings : DataFrame or path, optional
        One row per purchase or policy: ``person_id, line, purchased_at`` required.
    as_of : date-like, optional
        Analysis date; default the latest ``purchased_at`` / ``referred_at`` /
        ``joined_at`` among kept rows.
    columns : mapping, optional
        Renames input columns to canonical names: ``{"their_name": "canonical"}`` for
        all tables, or ``{"people": {...}, "holdings": {...}}`` per table.
    strict : bool, default False
        Raise :class:`DataError` on the first rejected row instead of collecting.

    Returns
    -------
    CustomerGraph

    Raises
    ------
    DataError
        A required column is missing (the message names the table and column and
        lists the columns present), a file cannot be read, or -- with
        ``strict=True`` -- a row is rejected (the message names table, row, column).

    Notes
    -----
    Cost O(R log R) over all R input rows (sorting for duplicates); no per-row
    Python. Identical means the same normalised value in every column.

    Examples
    --------
    >>> import pandas as pd, famgraph as fg
    >>> people = pd.DataFrame({"person_id": [1, 2, 3], "annual_income": [50_000, 0, None]})
    >>> relations = pd.DataFrame({"person_id": [1, 2, 1], "relative_id": [2, 1, 9],
    ...                           "relation": ["wife", "husband", "son"]})
    >>> g = fg.build(people, relations, as_of="2025-01-01")
    >>> g.quality_report()
           table  rows_in  kept  merged  rejected
    0     people        3     3       0         0
    1  relations        3     1       1         1
    2  referrals        0     0       0         0
    3   holdings        0     0       0         0
    >>> g.rejects[["table", "row", "reason"]]
           table  row          reason
    0  relations    2  unknown_person
    """
    raws = {
        "people": _load("people", people),
        "relations": _load("relations", relations),
        "referrals": _load("referrals", referrals),
        "holdings": _load("holdings", holdings),
    }
    for name, raw in raws.items():
        if raw is None:
            raws[name] = pd.DataFrame(columns=list(TABLES[name].required))
    maps = {name: _mapping_for(name, columns) for name in TABLES}

    p_df, p_led = _people(raws["people"], maps["people"])  # type: ignore[arg-type]
    _maybe_strict(strict, [p_led])
    known = p_df.loc[p_led.ok, "person_id"].reset_index(drop=True)
    r_df, r_led = _prepare(TABLES["relations"], raws["relations"], maps["relations"])  # type: ignore[arg-type]
    f_df, f_led = _prepare(TABLES["referrals"], raws["referrals"], maps["referrals"])  # type: ignore[arg-type]
    h_df, h_led = _prepare(TABLES["holdings"], raws["holdings"], maps["holdings"])  # type: ignore[arg-type]
    a_i, b_i, r_i, e_i, p_i = lookup_ids(
        known,
        r_df["person_id"],
        r_df["relative_id"],
        f_df["referrer_id"],
        f_df["referee_id"],
        h_df["person_id"],
    )
    rank = id_rank(known)
    src, dst = _relations(r_df, r_led, a_i, b_i, rank)
    _referrals(f_df, f_led, r_i, e_i, rank)
    _holdings(h_df, h_led, p_i)
    ledgers = [p_led, r_led, f_led, h_led]
    frames = [p_df, r_df, f_df, h_df]
    _maybe_strict(strict, ledgers)

    kept = {
        led.table: df.loc[led.ok].reset_index(drop=True)
        for led, df in zip(ledgers, frames, strict=True)
    }
    ok_r, ok_f, ok_h = r_led.ok, f_led.ok, h_led.ok
    codes = {
        "rel_src": src[ok_r].astype(np.int64),
        "rel_dst": dst[ok_r].astype(np.int64),
        "ref_src": r_i[ok_f].astype(np.int64),
        "ref_dst": e_i[ok_f].astype(np.int64),
        "hold_person": p_i[ok_h].astype(np.int64),
    }
    kept["relations"]["person_id"] = take_ids(known, codes["rel_src"])
    kept["relations"]["relative_id"] = take_ids(known, codes["rel_dst"])
    at = pd.Timestamp(as_of) if as_of is not None else infer_as_of(kept)
    if pd.isna(at):
        raise DataError(f"The `as_of` parameter of `build` must be a date; got {as_of!r}.")
    rejects = pd.concat([led.frame() for led in ledgers], ignore_index=True)
    if rejects.empty:
        rejects = empty_rejects()
    quality = pd.DataFrame(
        {
            "table": [led.table for led in ledgers],
            "rows_in": [led.n for led in ledgers],
            "kept": [int(led.ok.sum()) for led in ledgers],
            "merged": [int(led.merged.sum()) for led in ledgers],
            "rejected": [int(led.rejected.sum()) for led in ledgers],
        },
        columns=list(QUALITY_COLUMNS),
    )
    _log_summary(rejects)
    return CustomerGraph(
        kept["people"],
        kept["relations"],
        kept["referrals"],
        kept["holdings"],
        as_of=at,
        rejects=rejects,
        quality=quality,
        codes=codes,
        id_rank=rank,
    )


def _maybe_strict(strict: bool, ledgers: list[_Ledger]) -> None:
    if not strict:
        return
    for led in ledgers:
        bad = np.flatnonzero(led.rejected)
        if len(bad):
            i = int(bad[0])
            reason = REASONS[led.rank[i]]
            raise DataError(
                f"{led.table} row {i} (0-based) is rejected: {reason} in column "
                f"{led.column[i]!r} ({led.detail[i]}). Fix the row, or call build without "
                "strict=True to collect all rejects in g.rejects.",
                table=led.table,
                column=led.column[i],
                row=i,
            )


def _log_summary(rejects: pd.DataFrame) -> None:
    if rejects.empty:
        return
    counts = rejects.groupby(["table", "reason"], sort=False).size().reset_index(name="k")
    for table, reason, k in counts.itertuples(index=False):
        log.warning("famgraph.build: %d %s row(s) rejected as %s", k, table, reason)
