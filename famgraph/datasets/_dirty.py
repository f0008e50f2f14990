"""Problem rows for ``synthetic(dirty=True)``: every reject reason and cell issue, plus repeats."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from famgraph.datasets._util import dates, decode, ids, texts
from famgraph.schema import RELATION_SYNONYMS

__all__ = ["make_dirty"]

#: Injected problem rows per reason, as a share of the table's clean rows (``dirty=True``).
_DIRTY_RATE = 0.005
_BAD_DATES = ["2021-02-30", "not a date", "31/31/2020", "20x1-01-01"]
_BAD_NUMBERS = ["12k", "abc", "1,200", "￥300"]
_BAD_BOOLS = ["maybe", "2", "yes?"]
_UNKNOWN_LABELS = ["boss", "ex-wife", "上司", "godfather", "pet"]
_UNKNOWN_PAYER_LABELS = ["其他", "雇主", "employer", "guardian"]
_REVERSE = {
    "spouse": "spouse", "parent": "child", "child": "parent", "grandparent": "grandchild",
    "grandchild": "grandparent", "sibling": "sibling", "relative": "relative",
    "friend": "friend", "colleague": "colleague", "neighbour": "neighbour",
    "acquaintance": "acquaintance",
}  # fmt: skip


# ---------------------------------------------------------------------------------
# dirty rows
# ---------------------------------------------------------------------------------
def _dirty_count(rows: int) -> int:
    return max(1, round(_DIRTY_RATE * rows)) if rows else 0


def _copies(df: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return df.take(rows).reset_index(drop=True)


def _rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``k`` random row numbers of a table of ``n`` rows (none when it is empty)."""
    return rng.integers(0, n, k) if n else np.zeros(0, dtype=np.int64)


def _distinct(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.sort(rng.choice(n, size=k, replace=k > n))


def _set_text(df: pd.DataFrame, column: str, mask: np.ndarray, values: np.ndarray) -> None:
    """Put unreadable text into ``column`` where ``mask`` (the column becomes object)."""
    col = df[column].astype(object).to_numpy(copy=True)
    col[mask] = values
    df[column] = pd.Series(col, dtype=object)


def _null(df: pd.DataFrame, column: str, mask: np.ndarray) -> None:
    df[column] = df[column].where(~mask)


def _mix(
    rng: np.random.Generator,
    base: pd.DataFrame,
    extras: list[tuple[pd.DataFrame, np.ndarray | None]],
) -> pd.DataFrame:
    """Insert extra rows at random places; copies of a row (``orig`` given) come after it."""
    n = len(base)
    pos = [np.arange(n, dtype=float)]
    for df, orig in extras:
        lo = np.zeros(len(df)) if orig is None else orig + 0.5
        pos.append(rng.uniform(lo, max(n, 1)))
    out = pd.concat([base, *(df for df, _ in extras)], ignore_index=True)
    order = np.argsort(np.concatenate(pos), kind="stable")
    return out.take(order).reset_index(drop=True)


def _cycle_text(rng: np.random.Generator, options: list[str], k: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), k)]


def make_dirty(
    rng: np.random.Generator, tables: dict[str, pd.DataFrame], asof: int
) -> dict[str, pd.DataFrame]:
    people, rel, ref, hold = (tables[t] for t in ("people", "relations", "referrals", "holdings"))
    n = len(people)
    pid = people["person_id"]

    def unknown_ids(k: int) -> pd.Series:
        return ids("Z", rng.integers(0, 10 * max(n, 1), k), 8)

    # -- people -----------------------------------------------------------------
    people = people.assign(
        city=decode(texts(["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "上海", "成都"]),
                   rng.integers(0, 6, n))
    )  # fmt: skip
    k = _dirty_count(n)
    fresh = ids("Q", np.arange(3 * k), 7)
    miss = _copies(people, _rows(rng, n, k))
    _null(miss, "person_id", np.ones(k, dtype=bool))
    bad = _copies(people, _rows(rng, n, k))
    bad["person_id"] = fresh[:k].to_numpy()
    which = np.arange(k) % 5
    for i, (col, opts) in enumerate(
        [("birth_date", _BAD_DATES), ("annual_income", _BAD_NUMBERS),
         ("is_customer", _BAD_BOOLS), ("joined_at", _BAD_DATES), ("role", ["boss", "vip"])]
    ):  # fmt: skip
        _set_text(bad, col, which == i, _cycle_text(rng, opts, int((which == i).sum())))
    neg = _copies(people, _rows(rng, n, k))
    neg["person_id"] = fresh[k : 2 * k].to_numpy()
    neg["annual_income"] = -np.round(rng.uniform(1_000, 90_000, k), -2)
    two = _distinct(rng, n, 2 * k)
    same_rows, diff_rows = two[::2], two[1::2]
    same = _copies(people, same_rows)
    diff = _copies(people, diff_rows)
    diff["name"] = diff["name"] + "*"
    people = _mix(
        rng, people, [(miss, None), (bad, None), (neg, None), (same, same_rows), (diff, diff_rows)]
    )

    # -- relations ------------------------------------------------------------------
    m = len(rel)
    rel = rel.assign(source=decode(texts(["crm", "agent_app", "web_form"]), rng.integers(0, 3, m)))
    k = _dirty_count(m)
    kind = rel["relation"].str.strip().str.lower().map(RELATION_SYNONYMS)
    miss = _copies(rel, _rows(rng, m, k))
    half = np.arange(k) % 2 == 0
    _null(miss, "relative_id", half)
    _null(miss, "relation", ~half)
    bad = _copies(rel, _rows(rng, m, k))
    _set_text(bad, "since", np.ones(k, dtype=bool), _cycle_text(rng, _BAD_DATES, k))
    dated = np.flatnonzero(rel["since"].notna().to_numpy())
    ended = _copies(rel, dated[_rows(rng, len(dated), k)] if len(dated) else dated)
    ended["until"] = ended["since"] - pd.to_timedelta(rng.integers(0, 400, len(ended)), unit="D")
    unk_rel = _copies(rel, _rows(rng, m, k))
    unk_rel["relation"] = _cycle_text(rng, _UNKNOWN_LABELS, k)
    unk_rel["relation"] = unk_rel["relation"].astype("str")
    self_rel = _copies(rel, _rows(rng, m, k))
    self_rel["relative_id"] = self_rel["person_id"]
    unk_p = _copies(rel, _rows(rng, m, k))
    unk_p["relative_id"] = unknown_ids(k).to_numpy()
    spouse_rows = np.flatnonzero((kind == "spouse").to_numpy())
    conflict = _copies(rel, spouse_rows[_distinct(rng, len(spouse_rows), min(k, len(spouse_rows)))])
    conflict["relation"] = pd.Series(
        _cycle_text(rng, ["son", "daughter", "儿子"], len(conflict)), dtype="str"
    )
    other_rows = np.flatnonzero((kind != "spouse").to_numpy())
    rev = _copies(
        rel, other_rows[rng.integers(0, len(other_rows), k)] if len(other_rows) else other_rows
    )
    rev_kind = (
        kind.iloc[0:0]
        if rev.empty
        else rev["relation"].str.strip().str.lower().map(RELATION_SYNONYMS)
    )
    rev = rev.assign(
        person_id=rev["relative_id"].to_numpy(),
        relative_id=rev["person_id"].to_numpy(),
        relation=pd.Series(rev_kind.map(_REVERSE).to_numpy(), dtype="str"),
    )
    rel = _mix(
        rng,
        rel,
        [(miss, None), (bad, None), (unk_rel, None), (self_rel, None), (unk_p, None),
         (conflict, None), (rev, None), (ended, None)],
    )  # fmt: skip

    # -- referrals ------------------------------------------------------------------
    r = len(ref)
    k = _dirty_count(r)
    miss = _copies(ref, _rows(rng, r, k))
    _null(miss, "referee_id", np.ones(k, dtype=bool))
    bad = _copies(ref, _rows(rng, r, k))
    _set_text(bad, "referred_at", np.ones(k, dtype=bool), _cycle_text(rng, _BAD_DATES, k))
    # ... of someone outside every chain, so that the row is kept with its date emptied
    outside = np.flatnonzero(~pid.isin(pd.concat([ref["referrer_id"], ref["referee_id"]])))
    if len(outside) >= k:
        bad["referee_id"] = pid.to_numpy()[outside[_distinct(rng, len(outside), k)]]
    self_ref = _copies(ref, _rows(rng, r, k))
    self_ref["referee_id"] = self_ref["referrer_id"]
    unk_p = _copies(ref, _rows(rng, r, k))
    unk_p["referrer_id"] = unknown_ids(k).to_numpy()
    # a second, later (or undated) referrer of someone already referred
    at = ref["referred_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    early = np.flatnonzero(at < asof - 31)
    dup = _copies(ref, early[rng.integers(0, len(early), k)] if len(early) else early)
    other = rng.integers(0, n, len(dup))
    other = np.where(pid.to_numpy()[other] == dup["referee_id"].to_numpy(), (other + 1) % n, other)
    dup["referrer_id"] = pid.to_numpy()[other]
    later = dup["referred_at"] + pd.to_timedelta(rng.integers(1, 31, len(dup)), unit="D")
    dup["referred_at"] = later.where(np.arange(len(dup)) % 2 == 0)
    # cycles: the end of a chain (one or two steps below a root) refers the root back
    first = ref.drop_duplicates("referrer_id").set_index("referrer_id")
    roots = first.index[~first.index.isin(ref["referee_id"])]
    roots = roots[_distinct(rng, len(roots), min(len(roots), 4 * k))] if len(roots) else roots
    b = first["referee_id"].reindex(roots)
    t1 = first["referred_at"].reindex(roots)
    c = first["referee_id"].reindex(b.to_numpy())
    t2 = first["referred_at"].reindex(b.to_numpy())
    deep = c.notna().to_numpy() & (rng.random(len(roots)) < 0.5)
    tail = np.where(deep, c.to_numpy(dtype=object), b.to_numpy(dtype=object))
    tmax = np.where(deep, t2.to_numpy(), t1.to_numpy()).astype("datetime64[D]").astype(np.int64)
    ok = np.flatnonzero(tmax < asof)[:k]
    gap = asof - tmax[ok]
    cyc = pd.DataFrame(
        {
            "referrer_id": pd.Series(tail[ok], dtype="str"),
            "referee_id": pd.Series(roots.to_numpy(dtype=object)[ok], dtype="str"),
            "referred_at": dates(tmax[ok] + 1 + (rng.random(len(ok)) * gap).astype(np.int64)),
        }
    )
    rep_rows = _rows(rng, r, k)
    rep = _copies(ref, rep_rows)
    ref = _mix(
        rng,
        ref,
        [(miss, None), (bad, None), (self_ref, None), (unk_p, None), (dup, None), (cyc, None),
         (rep, rep_rows)],
    )  # fmt: skip

    # -- holdings -------------------------------------------------------------------
    h = len(hold)
    hold = hold.assign(agent_id=ids("A", rng.integers(0, 5_000, h), 4))
    k = _dirty_count(h)
    fresh_h = ids("HX", np.arange(4 * k), 7).to_numpy()
    miss = _copies(hold, _rows(rng, h, k))
    miss["holding_id"] = fresh_h[:k]
    half = np.arange(k) % 2 == 0
    _null(miss, "line", half)
    _null(miss, "purchased_at", ~half)
    bad = _copies(hold, _rows(rng, h, k))
    bad["holding_id"] = fresh_h[k : 2 * k]
    which = np.arange(k) % 4
    for i, (col, opts) in enumerate(
        [("amount", _BAD_NUMBERS), ("purchased_at", _BAD_DATES), ("expires_at", _BAD_DATES),
         ("sum_assured", _BAD_NUMBERS)]
    ):  # fmt: skip
        _set_text(bad, col, which == i, _cycle_text(rng, opts, int((which == i).sum())))
    neg = _copies(hold, _rows(rng, h, k))
    neg["holding_id"] = fresh_h[2 * k : 3 * k]
    neg["amount"] = -np.maximum(neg["amount"].to_numpy(), 100.0)
    unk_p = _copies(hold, _rows(rng, h, k))
    unk_p["holding_id"] = fresh_h[3 * k :]
    unk_p["person_id"] = unknown_ids(k).to_numpy()
    two = _distinct(rng, h, 2 * k)
    same_rows, diff_rows = two[::2], two[1::2]
    same = _copies(hold, same_rows)
    diff = _copies(hold, diff_rows)
    diff["amount"] = diff["amount"] + 1.0
    payer_rows = _payer_problems(rng, hold, tables["relations"], k, unknown_ids)
    hold = _mix(
        rng,
        hold,
        [(miss, None), (bad, None), (neg, None), (unk_p, None), (same, same_rows),
         (diff, diff_rows), (payer_rows, None)],
    )  # fmt: skip
    return {"people": people, "relations": rel, "referrals": ref, "holdings": hold}


def _payer_problems(
    rng: np.random.Generator,
    hold: pd.DataFrame,
    clean_rel: pd.DataFrame,
    k: int,
    unknown_ids: Callable[[int], pd.Series],
) -> pd.DataFrame:
    """Holdings with payer problems, ``k`` of each kind, under fresh holding ids.

    Cell issues (the holding is kept): a payer_id naming nobody (``unknown_person``), a
    payer_relation outside the vocabulary (``unknown_relation``), ``self`` with another
    payer (``bad_type``). policy_relations rejects: a relation without payer_id
    (``missing_value``), the insured as their own payer (``self_relation``), an unknown
    payer (``unknown_person``), a wife "paid by her father" who is her husband
    (``conflicting_relation``: every family row of the couple goes).
    """
    h = len(hold)
    if h == 0:
        return hold.iloc[0:0]
    parts = []
    for _ in range(6):
        parts.append(_copies(hold, _rows(rng, h, k)))
    unk, label, self_other, no_payer, own, _ = parts
    unk["payer_id"] = unknown_ids(k).to_numpy()
    unk["payer_relation"] = _cycle_text(rng, ["子女", "本人", "配偶"], k)
    label["payer_relation"] = _cycle_text(rng, _UNKNOWN_PAYER_LABELS, k)
    others = hold["person_id"].to_numpy()[_rows(rng, h, k)]
    self_other["payer_id"] = np.where(
        others == self_other["person_id"].to_numpy(), others + "0", others
    )
    self_other["payer_relation"] = "本人"
    _null(no_payer, "payer_id", np.ones(k, dtype=bool))
    no_payer["payer_relation"] = _cycle_text(rng, ["子女", "父母", "spouse"], k)
    own["payer_id"] = own["person_id"]
    own["payer_relation"] = _cycle_text(rng, ["配偶", "son", "孙女"], k)
    kind = clean_rel["relation"].str.strip().str.lower().map(RELATION_SYNONYMS)
    couples = clean_rel[(kind == "spouse").to_numpy()]
    clash = _copies(hold, _rows(rng, h, min(k, len(couples))))
    pick = couples.iloc[_distinct(rng, len(couples), len(clash))] if len(couples) else couples
    clash["person_id"] = pick["relative_id"].to_numpy()
    clash["payer_id"] = pick["person_id"].to_numpy()
    clash["payer_relation"] = "女儿"
    out = pd.concat([unk, label, self_other, no_payer, own, clash], ignore_index=True)
    for c in ("payer_id", "payer_relation"):
        out[c] = out[c].astype("str")
    out["holding_id"] = ids("HP", np.arange(len(out)), 7).to_numpy()
    return out
