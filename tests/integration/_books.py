"""Small random *dirty* books for the store tests (independent of fg.datasets).

Text cells mix Chinese, quotes, backslashes, newlines and Cypher-looking text;
some rows are bad on purpose (unknown persons, self relations, negative amounts,
unparseable dates) so that :func:`famgraph.ingest` rejects them; extra columns of
several dtypes ride along.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import famgraph as fg

TABLE_NAMES = ("people", "relations", "referrals", "holdings")

TRICKY = [
    "王伟",
    "李娜 (Lina)",
    "x'}) DETACH DELETE n //",
    'say "hi"',
    "back\\slash\\",
    "two\nlines",
    "tab\tinside",
    "$param {not: 'a param'}",
    "`backticks`",
    "emoji 🐼 and é",
    "MATCH (n) RETURN n",
    "null",
    "",
    "  padded  ",
]

RELATION_LABELS = [
    "spouse",
    "wife",
    "husband",
    "父亲",
    "mother",
    "son",
    "女儿",
    "sibling",
    "兄弟",
    "grandparent",
    "外婆",
    "grandson",
    "cousin",
    "亲戚",
    "friend",
    "朋友",
    "colleague",
    "neighbor",
    "熟人",
    "boss",  # "boss" is not in the vocabulary: rejected
]
LINES = [
    "life",
    "critical_illness",
    "medical",
    "accident",
    "pension",
    "savings",
    "education",
    " Life ",
    "pet",
]


def _dates(
    rng: np.random.Generator, n: int, start: str, days: int, p_missing: float, p_time: float = 0.0
) -> pd.Series:
    base = pd.Timestamp(start)
    off = rng.integers(0, days, n)
    vals = pd.Series(base + pd.to_timedelta(off, unit="D"))
    if p_time:
        with_time = rng.random(n) < p_time
        secs = rng.integers(1, 86_400, n)
        vals = vals + pd.to_timedelta(np.where(with_time, secs, 0), unit="s")
    txt = vals.dt.strftime("%Y-%m-%d %H:%M:%S").where(
        vals.dt.normalize() != vals, vals.dt.strftime("%Y-%m-%d")
    )
    txt = txt.astype(object)
    txt[rng.random(n) < p_missing] = None
    txt[rng.random(n) < 0.02] = "not a date"
    return txt


def random_tables(
    seed: int, n_people: int = 30, texts: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Four raw tables (as a user would give them) for a small dirty book."""
    rng = np.random.default_rng(seed)
    texts = texts if texts else TRICKY
    n = n_people
    ids = np.array([f"P{i:03d}" for i in range(n)], dtype=object)
    ids[rng.random(n) < 0.05] = ids[0]  # duplicate ids: merged or rejected
    pick = lambda k: np.asarray(texts, dtype=object)[rng.integers(0, len(texts), k)]  # noqa: E731
    income = np.round(rng.gamma(2.0, 30_000, n), 2).astype(object)
    income[rng.random(n) < 0.2] = None
    income[rng.random(n) < 0.1] = 0.0
    income[rng.random(n) < 0.03] = -5.0
    people = pd.DataFrame(
        {
            "person_id": ids,
            "name": pick(n),
            "birth_date": _dates(rng, n, "1940-01-01", 30_000, 0.15),
            "gender": rng.choice(["F", "M", "女", None], n),
            "household_id": np.where(
                rng.random(n) < 0.3, rng.choice(["HH1", "HH'2", "户3"], n), None
            ),
            "annual_income": income,
            "is_customer": rng.choice(["true", "false", "是", None], n),
            "joined_at": _dates(rng, n, "2015-01-01", 3_000, 0.3, p_time=0.2),
            "channel": rng.choice(["referral", "agent", "online", None], n),
            "role": rng.choice([None] * 12 + ["Elder", "earner", "chief"], n),
            "note": pick(n),
            "score": rng.integers(-5, 100, n),
        }
    )
    m = 2 * n
    a = rng.integers(0, n + 2, m)
    b = rng.integers(0, n + 2, m)
    pid = np.array([f"P{i:03d}" for i in range(n + 2)], dtype=object)  # n, n+1 unknown
    relations = pd.DataFrame(
        {
            "person_id": pid[a],
            "relative_id": pid[b],
            "relation": rng.choice(RELATION_LABELS, m),
            "since": _dates(rng, m, "1990-01-01", 12_000, 0.5),
            "until": _dates(rng, m, "2015-01-01", 4_000, 0.7),
            "source": pick(m),
        }
    )
    k = n
    referrals = pd.DataFrame(
        {
            "referrer_id": pid[rng.integers(0, n + 1, k)],
            "referee_id": pid[rng.integers(0, n + 1, k)],
            "referred_at": _dates(rng, k, "2016-01-01", 3_000, 0.2),
        }
    )
    h = 3 * n
    amount = np.round(rng.gamma(2.0, 2_000, h), 2).astype(object)
    amount[rng.random(h) < 0.1] = None
    amount[rng.random(h) < 0.03] = -1.0
    sa = np.round(rng.gamma(2.0, 100_000, h), 0).astype(object)
    sa[rng.random(h) < 0.4] = None
    hid = np.array([f"H{i:04d}" for i in range(h)], dtype=object)
    hid[rng.random(h) < 0.2] = None  # derived ids
    holdings = pd.DataFrame(
        {
            "holding_id": hid,
            "person_id": pid[rng.integers(0, n + 1, h)],
            "line": rng.choice(LINES, h),
            "purchased_at": _dates(rng, h, "2015-01-01", 3_800, 0.03, p_time=0.1),
            "amount": amount,
            "expires_at": _dates(rng, h, "2022-01-01", 2_500, 0.4),
            "sum_assured": sa,
            "product_id": pick(h),
            "agent": rng.integers(0, 9, h).astype(float),
            "flag": rng.random(h) < 0.5,
        }
    )
    return {"people": people, "relations": relations, "referrals": referrals, "holdings": holdings}


def assert_same_book(a: fg.CustomerGraph, b: fg.CustomerGraph) -> None:
    for t in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t), obj=t)
    assert a.as_of == b.as_of


def expected_counts(g: fg.CustomerGraph) -> dict[str, int]:
    """Node / relationship counts the data model implies, computed from the tables."""
    kinds = g.relations["relation"].value_counts()
    social = int(
        g.relations["relation"].isin(["friend", "colleague", "neighbour", "acquaintance"]).sum()
    )
    hh = g.people["household_id"].dropna()
    out = {
        "Person": len(g.people),
        "Household": hh.nunique(),
        "Holding": len(g.holdings),
        "Book": 1,
        "KNOWS": social,
        "REFERRED": len(g.referrals),
        "MEMBER_OF": len(hh),
        "HOLDS": len(g.holdings),
    }
    for k in ("spouse", "child", "sibling", "grandchild", "relative"):
        out[k.upper()] = int(kinds.get(k, 0))
    return out
