"""The clean synthetic book: people, families, customers, referrals, holdings and payers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph.datasets._util import (
    NAT,
    add_years,
    dates,
    decode,
    decode_arrow,
    from_ymd,
    ids,
    texts,
    ymd,
)
from famgraph.schema import RELATION_SYNONYMS

__all__ = ["Book"]

#: Share of the population per 5-year age band (0-4, 5-9, ..., 95-99): a mature,
#: ageing pyramid with the bulges of the 1960s-70s and late-1980s births.
_PYRAMID = np.array(
    [3.5, 5.5, 6.3, 6.0, 5.5, 5.8, 8.0, 8.4, 6.9, 7.0,
     8.6, 8.3, 6.3, 5.5, 4.6, 2.8, 1.7, 0.9, 0.3, 0.1]
)  # fmt: skip
_YEAR = 365.2425

_CN_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
)
_CN_GIVEN_M = list("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林斌志建国家文晨博睿")
_CN_GIVEN_F = list("芳娜秀英敏静丽艳娟霞燕玲桂丹萍红玉兰琳雪倩婷颖慧莉梅晶月欣怡佳悦彤雨思梦")
_LAT_FIRST_M = ["James", "David", "Michael", "Daniel", "Thomas", "Lucas", "Ethan", "Kevin",
                "Ryan", "Leo", "Oliver", "Samuel", "Marco", "Arjun", "Felix", "Hugo"]  # fmt: skip
_LAT_FIRST_F = ["Emma", "Olivia", "Sophia", "Grace", "Chloe", "Mia", "Anna", "Laura",
                "Emily", "Sarah", "Lucy", "Nina", "Clara", "Priya", "Julia", "Zoe"]  # fmt: skip
_LAT_LAST = ["Smith", "Brown", "Wilson", "Taylor", "Martin", "Lee", "Wong", "Chan",
             "Garcia", "Müller", "Rossi", "Silva", "Kumar", "Nguyen", "Tan", "Lim",
             "Walker", "Young"]  # fmt: skip

#: Relation labels as given per canonical fact and direction (label, weight).
_LABELS: dict[str, list[tuple[str, float]]] = {
    "wife": [("wife", 0.3), ("妻子", 0.25), ("spouse", 0.15), ("配偶", 0.15), ("partner", 0.1),
             ("夫妻", 0.05)],
    "husband": [("husband", 0.3), ("丈夫", 0.25), ("spouse", 0.15), ("配偶", 0.15),
                ("partner", 0.1), ("夫妻", 0.05)],
    "son": [("son", 0.4), ("儿子", 0.35), ("child", 0.15), ("子女", 0.1)],
    "daughter": [("daughter", 0.4), ("女儿", 0.35), ("child", 0.15), ("子女", 0.1)],
    "father": [("father", 0.45), ("父亲", 0.35), ("parent", 0.1), ("父母", 0.1)],
    "mother": [("mother", 0.45), ("母亲", 0.35), ("parent", 0.1), ("父母", 0.1)],
    "grandson": [("grandson", 0.4), ("孙子", 0.4), ("grandchild", 0.2)],
    "granddaughter": [("granddaughter", 0.4), ("孙女", 0.4), ("grandchild", 0.2)],
    "grandson_m": [("grandson", 0.4), ("外孙", 0.4), ("grandchild", 0.2)],
    "granddaughter_m": [("granddaughter", 0.4), ("外孙女", 0.4), ("grandchild", 0.2)],
    "grandfather": [("grandfather", 0.4), ("爷爷", 0.4), ("grandparent", 0.1), ("祖父母", 0.1)],
    "grandmother": [("grandmother", 0.4), ("奶奶", 0.4), ("grandparent", 0.1), ("祖父母", 0.1)],
    "grandfather_m": [("grandfather", 0.4), ("外公", 0.4), ("grandparent", 0.1),
                      ("祖父母", 0.1)],
    "grandmother_m": [("grandmother", 0.4), ("外婆", 0.4), ("grandparent", 0.1),
                      ("祖父母", 0.1)],
    "brother": [("brother", 0.45), ("兄弟", 0.35), ("sibling", 0.1), ("兄弟姐妹", 0.1)],
    "sister": [("sister", 0.45), ("姐妹", 0.35), ("sibling", 0.1), ("兄弟姐妹", 0.1)],
    "relative_m": [("cousin", 0.3), ("uncle", 0.15), ("nephew", 0.1), ("in-law", 0.15),
                   ("亲戚", 0.2), ("relative", 0.1)],
    "relative_f": [("cousin", 0.3), ("aunt", 0.15), ("niece", 0.1), ("in-law", 0.15),
                   ("亲戚", 0.2), ("relative", 0.1)],
    "friend": [("friend", 0.6), ("朋友", 0.4)],
    "colleague": [("colleague", 0.6), ("同事", 0.4)],
    "neighbour": [("neighbour", 0.4), ("neighbor", 0.2), ("邻居", 0.4)],
    "acquaintance": [("acquaintance", 0.6), ("熟人", 0.4)],
}  # fmt: skip
_LABELS["self"] = [("本人", 0.6), ("self", 0.4)]  # payer_relation: the insured pays
_VOCAB_LIST = sorted({lab for opts in _LABELS.values() for lab, _ in opts})
_VOCAB_CODE = {lab: i for i, lab in enumerate(_VOCAB_LIST)}

_CHANNELS = ["agent", "online", "bancassurance", "branch", "telesales", "event"]
_CHANNEL_P = [0.5, 0.2, 0.12, 0.08, 0.06, 0.04]
_ROLE_OVERRIDES = ["earner", "dependent", "elder", "child", "Earner", "Elder"]

_LINES = ["life", "critical_illness", "medical", "accident", "pension", "savings",
          "education", "annuity", "travel", "long_term_care"]  # fmt: skip
_RENEWABLE = np.array([ln in ("medical", "accident") for ln in _LINES])
#: First purchase line per age group (minor, adult, elder).
_FIRST_P = np.array(
    [
        [0.0, 0.15, 0.45, 0.2, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0],
        [0.2, 0.2, 0.3, 0.12, 0.05, 0.08, 0.0, 0.0, 0.03, 0.02],
        [0.0, 0.0, 0.5, 0.25, 0.0, 0.15, 0.0, 0.06, 0.0, 0.04],
    ]
)
#: Probability of a further policy stream of each line per age group.
_EXTRA_P = np.array(
    [
        [0.0, 0.3, 0.3, 0.16, 0.0, 0.0, 0.35, 0.0, 0.05, 0.0],
        [0.35, 0.4, 0.29, 0.15, 0.2, 0.28, 0.0, 0.03, 0.08, 0.04],
        [0.0, 0.05, 0.3, 0.16, 0.0, 0.2, 0.0, 0.08, 0.05, 0.08],
    ]
)
# products: code, line, probability within the line, term ("y" years, "d" days,
# "a" to an age, "" open-ended), term value, base sum assured (NaN = none), base amount
_PRODUCTS: list[tuple[str, str, float, str, int, float, float]] = [
    ("LIFE-T20", "life", 0.35, "y", 20, 1_000_000, 3_000),
    ("LIFE-T30", "life", 0.25, "y", 30, 1_000_000, 3_800),
    ("LIFE-WL", "life", 0.40, "", 0, 500_000, 9_000),
    ("CI-WL", "critical_illness", 0.6, "", 0, 300_000, 6_000),
    ("CI-70", "critical_illness", 0.4, "a", 70, 300_000, 4_200),
    ("MED-1Y", "medical", 0.7, "y", 1, 2_000_000, 900),
    ("MED-1Y-PLUS", "medical", 0.3, "y", 1, 4_000_000, 1_800),
    ("ACC-1Y", "accident", 1.0, "y", 1, 300_000, 200),
    ("PEN-A", "pension", 0.6, "", 0, np.nan, 20_000),
    ("PEN-B", "pension", 0.4, "", 0, np.nan, 50_000),
    ("SAV-5", "savings", 0.35, "y", 5, np.nan, 30_000),
    ("SAV-10", "savings", 0.35, "y", 10, np.nan, 20_000),
    ("SAV-WL", "savings", 0.30, "", 0, np.nan, 60_000),
    ("EDU-22", "education", 1.0, "a", 22, 100_000, 8_000),
    ("ANN-1", "annuity", 1.0, "", 0, np.nan, 100_000),
    ("TRV-30D", "travel", 1.0, "d", 30, 200_000, 120),
    ("LTC-1", "long_term_care", 1.0, "", 0, 200_000, 4_000),
]
_SUM_MULT = np.array([0.5, 1.0, 1.0, 2.0, 3.0])

#: Who pays (the policyholder, 投保人), by the insured's age at purchase: a minor's policy
#: is paid by a grandparent (when one is a customer) with this probability, else by a
#: parent; an adult's by their spouse; an elder's (60+) by an adult child.
_PAY_GRANDPARENT = 0.3
_PAY_SPOUSE = 0.15
_PAY_CHILD = 0.3
#: Share of relations that have ended by as_of (``until``): marriages, social ties.
_ENDED_SPOUSE = 0.015
_ENDED_SOCIAL = 0.08


def _label_codes(rng: np.random.Generator, key: str, size: int) -> np.ndarray:
    opts = _LABELS[key]
    codes = np.array([_VOCAB_CODE[lab] for lab, _ in opts], dtype=np.int64)
    p = np.array([w for _, w in opts])
    return codes[rng.choice(len(opts), size=size, p=p / p.sum())]


def _pick_labels(
    rng: np.random.Generator, cond: np.ndarray, key_true: str, key_false: str
) -> np.ndarray:
    """Per row: a label for ``key_true`` where ``cond`` else one for ``key_false``."""
    a = _label_codes(rng, key_true, len(cond))
    b = _label_codes(rng, key_false, len(cond))
    return np.where(cond, a, b)


# ---------------------------------------------------------------------------------
# the clean book
# ---------------------------------------------------------------------------------
class Book:
    """Generates the clean book; every step is a whole-array operation."""

    def __init__(self, rng: np.random.Generator, n: int, asof: int, chinese: bool) -> None:
        self.rng, self.n, self.asof, self.chinese = rng, n, asof, chinese
        self._population()
        self._couples()
        self._parents()
        self._names()
        self._relations()
        self._customers()
        self._referrals()
        self._people_columns()
        self._holdings()
        # drawn last, so that every earlier column is the same as before they existed
        self._payers()
        self._endings()

    # -- people ---------------------------------------------------------------------
    def _population(self) -> None:
        rng, n = self.rng, self.n
        band = rng.choice(len(_PYRAMID), size=n, p=_PYRAMID / _PYRAMID.sum())
        self.age = band * 5 + rng.random(n) * 5  # years at as_of
        self.birth = self.asof - (self.age * _YEAR).astype(np.int64)
        self.male = rng.random(n) < 0.49

    def _couples(self) -> None:
        rng, age, n = self.rng, self.age, self.n
        p = np.select([age < 22, age < 25, age < 65], [0.0, 0.35, 0.78], 0.6)
        partnered = rng.random(n) < p
        men = np.flatnonzero(partnered & self.male)
        women = np.flatnonzero(partnered & ~self.male)
        k = min(len(men), len(women))
        men = np.sort(rng.choice(men, size=k, replace=False))
        women = np.sort(rng.choice(women, size=k, replace=False))
        # pair by rank of (noisy) age: husbands about two years older
        self.hus = men[np.argsort(age[men] - 2 + rng.normal(0, 2, k), kind="stable")]
        self.wife = women[np.argsort(age[women] + rng.normal(0, 2, k), kind="stable")]

    def _parents(self) -> None:
        rng, age, n = self.rng, self.age, self.n
        self.parent_couple = np.full(n, -1, dtype=np.int64)
        k = len(self.wife)
        p = np.select([age < 18, age < 30, age < 50], [0.85, 0.5, 0.25], 0.04)
        cand = np.flatnonzero(rng.random(n) < p)
        target = age[cand] + rng.uniform(22, 38, len(cand))
        jitter = rng.integers(-3, 4, len(cand))
        if k == 0:
            return
        order = np.argsort(age[self.wife], kind="stable")
        pos = np.clip(np.searchsorted(age[self.wife][order], target) + jitter, 0, k - 1)
        cp = order[pos]
        dw = age[self.wife[cp]] - age[cand]
        dh = age[self.hus[cp]] - age[cand]
        ok = (dw >= 18) & (dw <= 45) & (dh >= 18) & (dh <= 60)
        self.parent_couple[cand[ok]] = cp[ok]

    def _names(self) -> None:
        rng, n = self.rng, self.n
        w = 1.0 / np.arange(1, len(_CN_SURNAMES) + 1) ** 0.9
        sur_cn = rng.choice(len(_CN_SURNAMES), size=n, p=w / w.sum())
        sur_lat = rng.integers(0, len(_LAT_LAST), n)
        latin = rng.random(n) < (0.08 if self.chinese else 2.0)
        has = self.parent_couple >= 0
        father = np.where(
            has, self.hus[np.maximum(self.parent_couple, 0)] if len(self.hus) else -1, -1
        )
        # children take the father's surname; parents are >= 18 years older, so
        # five passes reach the top of every (at most 100-year) line
        for _ in range(6):
            f = father[has]
            sur_cn[has], sur_lat[has], latin[has] = sur_cn[f], sur_lat[f], latin[f]
        male = self.male

        def by_gender(n_m: int, n_f: int) -> np.ndarray:
            """Index into a male list followed by a female list."""
            return np.where(male, rng.integers(0, n_m, n), n_m + rng.integers(0, n_f, n))

        given = texts([*_CN_GIVEN_M, *_CN_GIVEN_F, ""])
        g1 = by_gender(len(_CN_GIVEN_M), len(_CN_GIVEN_F))
        g2 = np.where(rng.random(n) < 0.65, by_gender(len(_CN_GIVEN_M), len(_CN_GIVEN_F)), -1)
        first = by_gender(len(_LAT_FIRST_M), len(_LAT_FIRST_F))
        # each name is built only in its own script, then put back in people order
        cn, lat = np.flatnonzero(~latin), np.flatnonzero(latin)
        join = pc.binary_join_element_wise
        cn_names = join(
            decode_arrow(texts(_CN_SURNAMES), sur_cn[cn]),
            decode_arrow(given, g1[cn]),
            decode_arrow(given, g2[cn]),
            pa.scalar("", pa.large_string()),
        )
        lat_names = join(
            decode_arrow(texts(_LAT_FIRST_M + _LAT_FIRST_F), first[lat]),
            decode_arrow(texts(_LAT_LAST), sur_lat[lat]),
            pa.scalar(" ", pa.large_string()),
        )
        where = np.empty(n, dtype=np.int64)
        where[np.concatenate([cn, lat])] = np.arange(n)
        names = pa.concat_arrays([cn_names, lat_names]).take(pa.array(where))
        self.name = pd.Series(pd.array(names, dtype="str"))

    # -- relations --------------------------------------------------------------------
    def _relations(self) -> None:
        rng, n, age, male = self.rng, self.n, self.age, self.male
        hus, wife, pc = self.hus, self.wife, self.parent_couple
        kinds = ("spouse", "child", "grandchild", "sibling", "relative")
        a_parts: list[np.ndarray] = []
        b_parts: list[np.ndarray] = []
        k_parts: list[np.ndarray] = []
        x_parts: list[np.ndarray] = []  # 1 = maternal line (grandchild facts)

        def add(a: np.ndarray, b: np.ndarray, kind: str, extra: np.ndarray | None = None) -> None:
            a_parts.append(a)
            b_parts.append(b)
            k_parts.append(np.full(len(a), kinds.index(kind), dtype=np.int64))
            x_parts.append(np.zeros(len(a), dtype=np.int64) if extra is None else extra)

        keep = rng.random(len(hus)) < 0.97
        add(hus[keep], wife[keep], "spouse")
        kids = np.flatnonzero(pc >= 0)
        for parent in (hus, wife):
            keep = rng.random(len(kids)) < 0.9
            add(parent[pc[kids[keep]]], kids[keep], "child")
        for line, parent in enumerate((hus, wife)):  # 0 = father's side, 1 = mother's
            gpc = pc[parent[pc[kids]]] if len(kids) else kids
            has = gpc >= 0
            for gp in (hus, wife):
                keep = has & (rng.random(len(kids)) < 0.4)
                add(gp[gpc[keep]], kids[keep], "grandchild", np.full(keep.sum(), line))
        sib = kids[np.lexsort((self.birth[kids], pc[kids]))]
        same = pc[sib[1:]] == pc[sib[:-1]]
        keep = same & (rng.random(len(same)) < 0.8)
        add(sib[:-1][keep], sib[1:][keep], "sibling")
        m = round(0.06 * n)
        add(rng.integers(0, n, m), rng.integers(0, n, m), "relative")

        a, b = np.concatenate(a_parts), np.concatenate(b_parts)
        kind, side = np.concatenate(k_parts), np.concatenate(x_parts)
        # one fact per pair of persons (no conflicts): the first by kind priority
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pair = lo * n + hi
        order = np.argsort(pair * len(kinds) + kind)
        first = np.ones(len(order), dtype=bool)
        first[1:] = pair[order[1:]] != pair[order[:-1]]
        keep = np.zeros(len(a), dtype=bool)
        keep[order[first]] = True
        sel = np.flatnonzero(keep & (a != b))
        a, b, kind, side = a[sel], b[sel], kind[sel], side[sel]
        f = len(a)

        # how each fact is written: direction and label; some facts twice
        rev = np.zeros(f, dtype=bool)  # written from b's side
        spouse, child, grand = (kind == i for i in range(3))
        rev[spouse] = rng.random(spouse.sum()) < 0.5
        rev[child] = rng.random(child.sum()) < 0.3
        rev[grand] = rng.random(grand.sum()) < 0.3
        rev[~(spouse | child | grand)] = rng.random((~(spouse | child | grand)).sum()) < 0.5
        twice = rng.random(f) < np.select([spouse, child], [0.15, 0.05], 0.02)
        idx = np.concatenate([np.arange(f), np.flatnonzero(twice)])
        rv = np.concatenate([rev, ~rev[twice]])
        fa, fb, fk, fs = a[idx], b[idx], kind[idx], side[idx]
        src, dst = np.where(rv, fb, fa), np.where(rv, fa, fb)
        dmale = male[dst]
        lab = np.full(len(idx), -1, dtype=np.int64)

        def put(mask: np.ndarray, key_m: str, key_f: str) -> None:
            lab[mask] = _pick_labels(rng, dmale[mask], key_m, key_f)

        put(fk == 0, "husband", "wife")
        put((fk == 1) & ~rv, "son", "daughter")
        put((fk == 1) & rv, "father", "mother")
        put((fk == 2) & ~rv & (fs == 0), "grandson", "granddaughter")
        put((fk == 2) & ~rv & (fs == 1), "grandson_m", "granddaughter_m")
        put((fk == 2) & rv & (fs == 0), "grandfather", "grandmother")
        put((fk == 2) & rv & (fs == 1), "grandfather_m", "grandmother_m")
        put(fk == 3, "brother", "sister")
        put(fk == 4, "relative_m", "relative_f")

        since = np.full(len(idx), NAT, dtype=np.int64)
        sp = fk == 0
        wed = np.maximum(self.birth[fa[sp]], self.birth[fb[sp]]) + (
            rng.uniform(21, 32, sp.sum()) * _YEAR
        ).astype(np.int64)
        since[sp] = np.where((wed <= self.asof) & (rng.random(sp.sum()) < 0.6), wed, NAT)
        ch = (fk == 1) & (rng.random(len(idx)) < 0.5)
        since[ch] = self.birth[fb[ch]]

        # social ties: enough to make about 1.5 relation rows per person
        s = max(0, round(1.5 * n) - len(idx))
        social = ("friend", "colleague", "neighbour", "acquaintance")
        sk = rng.choice(4, size=s, p=[0.35, 0.3, 0.15, 0.2])
        pool = np.flatnonzero(age >= 14)
        work = np.flatnonzero((age >= 20) & (age < 66))
        if len(pool) == 0:
            pool = np.arange(n)
        if len(work) == 0:
            work = pool
        sa = np.where(
            sk == 1, work[rng.integers(0, len(work), s)], pool[rng.integers(0, len(pool), s)]
        )
        sb = np.where(
            sk == 1, work[rng.integers(0, len(work), s)], pool[rng.integers(0, len(pool), s)]
        )
        key = (np.minimum(sa, sb) * n + np.maximum(sa, sb)) * 4 + sk
        ok = (sa != sb) & ~pd.Series(key).duplicated().to_numpy()
        sa, sb, sk = sa[ok], sb[ok], sk[ok]
        slab = np.empty(len(sa), dtype=np.int64)
        for i, name in enumerate(social):
            slab[sk == i] = _label_codes(rng, name, int((sk == i).sum()))
        ssince = np.where(
            rng.random(len(sa)) < 0.3, self.asof - rng.integers(0, 15 * 365, len(sa)), NAT
        )

        src, dst = np.concatenate([src, sa]), np.concatenate([dst, sb])
        lab = np.concatenate([lab, slab])
        since = np.concatenate([since, ssince])
        perm = rng.permutation(len(src))
        self.rel_src, self.rel_dst = src[perm], dst[perm]
        self.rel_label, self.rel_since = lab[perm], since[perm]
        self.n_family_facts = f

    # -- customers and referrals ----------------------------------------------------
    def _customers(self) -> None:
        rng, n, age, asof = self.rng, self.n, self.age, self.asof
        deg = np.bincount(self.rel_src, minlength=n) + np.bincount(self.rel_dst, minlength=n)
        p = np.select([age < 18, age < 65], [0.45, 0.72], 0.5)
        self.customer = (deg == 0) | (rng.random(n) < p)
        adult = age >= 18
        lo = np.maximum(
            asof - int(15 * _YEAR), np.where(adult, add_years(self.birth, 18), self.birth)
        )
        lo = np.minimum(lo, asof)
        joined = asof - ((asof - lo) * rng.random(n) ** 1.6).astype(np.int64)
        cust = np.flatnonzero(self.customer)
        if len(cust):
            joined[cust[np.argmax(joined[cust])]] = asof  # build infers this as_of
        self.joined = np.where(self.customer, joined, NAT)

    def _referrals(self) -> None:
        rng, n, asof = self.rng, self.n, self.asof
        adult = self.age >= 20
        cust = np.flatnonzero(self.customer)
        weight = np.zeros(n)
        active = self.customer & adult & (rng.random(n) < 0.3)
        weight[active] = rng.pareto(1.3, int(active.sum())) + 1.0
        # customers by join date; cumulative weights of everyone who joined earlier
        by_join = cust[np.argsort(self.joined[cust], kind="stable")]
        join_sorted = self.joined[by_join]
        cumw = np.cumsum(weight[by_join])

        target = round(0.4 * n)
        pros_pool = np.flatnonzero(~self.customer & adult)
        cust_pool = np.flatnonzero(self.customer & adult)
        k_p = min(len(pros_pool), round(0.04 * target))
        k_c = min(len(cust_pool), target - k_p)
        ref_c = np.sort(rng.choice(cust_pool, size=k_c, replace=False))
        ref_p = np.sort(rng.choice(pros_pool, size=k_p, replace=False))

        # customer referees: a referrer who joined strictly earlier, by weight
        earlier = np.searchsorted(join_sorted, self.joined[ref_c], side="left")
        total = np.where(earlier > 0, cumw[np.maximum(earlier - 1, 0)], 0.0)
        u = rng.random(len(ref_c)) * total
        pick = np.minimum(np.searchsorted(cumw, u, side="right"), len(by_join) - 1)
        ok = total > 0
        ref_c, r_c = ref_c[ok], by_join[pick[ok]] if len(by_join) else pick[ok]
        lag = rng.integers(0, 31, len(ref_c))
        at_c = np.maximum(self.joined[r_c] + 1, self.joined[ref_c] - lag)
        # prospect referees: any active referrer, some time after they joined
        if len(by_join) and cumw[-1] > 0:
            u = rng.random(len(ref_p)) * cumw[-1]
            r_p = by_join[np.minimum(np.searchsorted(cumw, u, side="right"), len(by_join) - 1)]
        else:
            ref_p, r_p = ref_p[:0], ref_p[:0]
        jr = self.joined[r_p]
        at_p = jr + 1 + ((asof - jr - 1) * rng.random(len(r_p))).astype(np.int64)
        ok = jr < asof
        ref_p, r_p, at_p = ref_p[ok], r_p[ok], at_p[ok]

        referrer = np.concatenate([r_c, r_p])
        referee = np.concatenate([ref_c, ref_p])
        at = np.concatenate([at_c, at_p])
        order = np.lexsort((referee, at))
        self.ref_src, self.ref_dst, self.ref_at = referrer[order], referee[order], at[order]
        self.referred_customer = np.zeros(n, dtype=bool)
        self.referred_customer[ref_c] = True

    def _people_columns(self) -> None:
        rng, n, age = self.rng, self.n, self.age
        adult = (age >= 22) & (age < 65)
        income = np.round(np.exp(rng.normal(11.3, 0.6, n)), -2)
        income = np.where(age >= 65, np.round(np.exp(rng.normal(10.3, 0.4, n)), -2), income)
        u = rng.random(n)
        zero_p = np.select(
            [age < 18, age < 22, adult], [0.75, 0.55, np.where(self.male, 0.04, 0.12)], 0.3
        )
        nan_p = np.select([age < 18, age < 22, adult], [0.25, 0.2, 0.1], 0.3)
        income = np.where(u < zero_p, 0.0, income)
        income = np.where((u >= zero_p) & (u < zero_p + nan_p), np.nan, income)
        self.income = np.where(
            (age < 22) & (u >= zero_p + nan_p), np.round(income * 0.3, -2), income
        )
        self.birth_given = np.where(rng.random(n) < 0.015, NAT, self.birth)
        # a given household id for some couples and their minor children
        k = len(self.hus)
        chosen = rng.random(k) < 0.12
        hh = np.full(n, -1, dtype=np.int64)
        hh[self.hus[chosen]] = np.flatnonzero(chosen)
        hh[self.wife[chosen]] = np.flatnonzero(chosen)
        minor_kid = (self.parent_couple >= 0) & (age < 18)
        kid_hh = np.where(minor_kid, self.parent_couple, -1)
        kid_hh = (
            np.where(kid_hh >= 0, np.where(chosen[np.maximum(kid_hh, 0)], kid_hh, -1), -1)
            if k
            else kid_hh
        )
        hh = np.where(kid_hh >= 0, kid_hh, hh)
        self.household = hh
        chan = rng.choice(len(_CHANNELS), size=n, p=_CHANNEL_P)
        self.channel = np.where(self.referred_customer, len(_CHANNELS), chan)
        self.role = np.where(rng.random(n) < 0.003, rng.integers(0, len(_ROLE_OVERRIDES), n), -1)

    # -- holdings -----------------------------------------------------------------------
    def _holdings(self) -> None:
        rng, asof = self.rng, self.asof
        cust = np.flatnonzero(self.customer)
        c = len(cust)
        group = np.select([self.age[cust] < 18, self.age[cust] < 65], [0, 1], 2)
        # the first policy, bought on joining
        cum = np.cumsum(_FIRST_P, axis=1)
        cum /= cum[:, -1:]
        first = (rng.random(c)[:, None] > cum[group]).sum(axis=1)
        # further policy streams, bought later
        draw = rng.random((c, len(_LINES))) < _EXTRA_P[group]
        draw[np.arange(c), first] &= ~_RENEWABLE[first]
        ci, li = np.nonzero(draw)
        j = self.joined[cust]
        later = j[ci] + ((asof - j[ci] + 1) * rng.random(len(ci))).astype(np.int64)
        s_person = np.concatenate([cust, cust[ci]])
        s_line = np.concatenate([first, li])
        s_start = np.concatenate([j, later])
        # product of each stream
        codes = [p[0] for p in _PRODUCTS]
        p_line = np.array([_LINES.index(p[1]) for p in _PRODUCTS])
        p_prob = np.array([p[2] for p in _PRODUCTS])
        p_term = np.array(["yda".find(p[3]) if p[3] else -1 for p in _PRODUCTS])
        p_val = np.array([p[4] for p in _PRODUCTS])
        p_sum = np.array([p[5] for p in _PRODUCTS], dtype=float)
        p_amt = np.array([p[6] for p in _PRODUCTS], dtype=float)
        u = rng.random(len(s_line))
        prod = np.zeros(len(s_line), dtype=np.int64)
        for line in range(len(_LINES)):
            ids = np.flatnonzero(p_line == line)
            m = s_line == line
            cdf = np.cumsum(p_prob[ids])
            prod[m] = ids[np.minimum((u[m, None] > cdf / cdf[-1]).sum(axis=1), len(ids) - 1)]
        # yearly renewals of medical and accident until as_of, or until they lapse
        renew = _RENEWABLE[s_line]
        ys, ms, ds = ymd(s_start)
        ya, ma, da = (int(v[0]) for v in ymd(np.array([asof])))
        years = ya - ys - ((ms > ma) | ((ms == ma) & (ds > da)))  # whole years to as_of
        lapse = rng.random(len(s_line)) < 0.4
        kept_years = np.where(lapse, rng.geometric(0.35, len(s_line)), years + 1)
        terms = np.where(renew, np.minimum(years + 1, kept_years), 1)
        # per-stream values, then one row per yearly term (np.repeat, sequential)
        mult = _SUM_MULT[rng.integers(0, len(_SUM_MULT), len(s_line))]
        base = p_amt[prod] * np.where(np.isnan(p_sum[prod]), 1.0, mult)
        base *= np.exp(rng.normal(0, 0.3, len(s_line)))

        def rows(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, terms)

        starts = np.cumsum(terms) - terms
        k = np.arange(int(terms.sum())) - rows(starts)
        y, mo, dd = rows(ys) + k, rows(ms), rows(ds)
        bought = from_ymd(y, mo, dd)
        hp = rows(prod)
        term, val = rows(p_term[prod]), rows(p_val[prod])
        who = rows(s_person)
        expires = np.where(term == 0, from_ymd(y + val, mo, dd), NAT)
        expires = np.where(term == 1, bought + val, expires)
        ag = np.flatnonzero(term == 2)
        at_age = add_years(self.birth[who[ag]], val[ag])
        expires[ag] = np.maximum(at_age, bought[ag] + 365)
        self.h_person, self.h_line, self.h_product = who, rows(s_line), hp
        self.h_bought, self.h_expires = bought, expires
        self.h_amount = np.round(rows(base) * (1 + 0.04 * k), 2)
        self.h_sum = rows(p_sum[prod] * mult)
        self.product_codes = codes

    # -- payers ---------------------------------------------------------------------------
    def _payers(self) -> None:
        """The policyholder of every holding and the insured's relation to them.

        Parents pay for their minor children, and grandparents for grandchildren
        (``_PAY_GRANDPARENT`` of minors' policies, when a grandparent is a customer);
        spouses for each other; adult children for their elderly parents. Everyone
        else pays their own (``本人`` / ``self``; ``payer_id`` is then the insured).
        Payers are customers. A fact that would contradict a declared relation of
        the pair (a random ``relative`` row) is not stated: the clean book has no
        conflicts.
        """
        rng, n = self.rng, self.n
        who = self.h_person
        h = len(who)
        k = len(self.hus)
        cust = np.r_[self.customer, False]  # index -1 (nobody) is not a customer
        age_at = (self.h_bought - self.birth[who]) / _YEAR
        pc_ = self.parent_couple
        couple = np.maximum(pc_, 0)
        father = np.where(pc_ >= 0, self.hus[couple] if k else -1, -1)
        mother = np.where(pc_ >= 0, self.wife[couple] if k else -1, -1)
        spouse = np.full(n, -1, dtype=np.int64)
        spouse[self.hus], spouse[self.wife] = self.wife, self.hus
        # an adult child per couple (the last listed), for elders' policies
        couple_of = np.full(n, -1, dtype=np.int64)
        couple_of[self.hus], couple_of[self.wife] = np.arange(k), np.arange(k)
        kid_of = np.full(max(k, 1), -1, dtype=np.int64)
        kids = np.flatnonzero(pc_ >= 0)
        kid_of[pc_[kids]] = kids
        a_child = np.where(couple_of >= 0, kid_of[np.maximum(couple_of, 0)], -1)

        payer = who.copy()
        kind = np.zeros(h, dtype=np.int64)  # 0 self, 1 child, 2 grandchild, 3 spouse, 4 parent
        maternal = np.zeros(h, dtype=bool)
        u = rng.random(h)
        coin = rng.random(h) < 0.5
        minor = np.flatnonzero(age_at < 18)
        if len(minor):
            ins = who[minor]
            f, m = father[ins], mother[ins]
            gp = np.stack([np.where(f >= 0, father[np.maximum(f, 0)], -1),
                           np.where(f >= 0, mother[np.maximum(f, 0)], -1),
                           np.where(m >= 0, father[np.maximum(m, 0)], -1),
                           np.where(m >= 0, mother[np.maximum(m, 0)], -1)], axis=1)  # fmt: skip
            turn = (rng.integers(0, 4, len(minor))[:, None] + np.arange(4)) % 4
            gp = np.take_along_axis(gp, turn, axis=1)
            ok = cust[gp]
            first = np.argmax(ok, axis=1)
            g_pick = gp[np.arange(len(minor)), first]
            g_ok = ok.any(axis=1) & (u[minor] < _PAY_GRANDPARENT)
            p_pick = np.where(coin[minor], f, m)
            p_pick = np.where(cust[p_pick], p_pick, np.where(coin[minor], m, f))
            p_ok = cust[p_pick]
            payer[minor] = np.where(g_ok, g_pick, np.where(p_ok, p_pick, ins))
            kind[minor] = np.where(g_ok, 2, np.where(p_ok, 1, 0))
            maternal[minor] = g_ok & (turn[np.arange(len(minor)), first] >= 2)
        adult = np.flatnonzero((age_at >= 18) & (age_at < 60))
        sp = spouse[who[adult]]
        take = cust[sp] & (u[adult] < _PAY_SPOUSE)
        payer[adult] = np.where(take, sp, payer[adult])
        kind[adult] = np.where(take, 3, kind[adult])
        elder = np.flatnonzero(age_at >= 60)
        ch = a_child[who[elder]]
        grown = (self.h_bought[elder] - self.birth[np.maximum(ch, 0)]) / _YEAR >= 22
        take = (ch >= 0) & cust[ch] & grown & (u[elder] < _PAY_CHILD)
        payer[elder] = np.where(take, ch, payer[elder])
        kind[elder] = np.where(take, 4, kind[elder])
        kind = self._no_conflicts(payer, who, kind)
        payer = np.where(kind == 0, who, payer)

        male = self.male[who]
        lab = _label_codes(rng, "self", h)
        for code, key_m, key_f, cond in (
            (1, "son", "daughter", None),
            (2, "grandson", "granddaughter", ~maternal),
            (2, "grandson_m", "granddaughter_m", maternal),
            (3, "husband", "wife", None),
            (4, "father", "mother", None),
        ):
            sel = kind == code if cond is None else (kind == code) & cond
            lab[sel] = _pick_labels(rng, male[sel], key_m, key_f)
        self.h_payer, self.h_payer_label = payer, lab

    def _no_conflicts(self, payer: np.ndarray, who: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Turn to self-paid any policy fact whose pair has another declared fact."""
        from famgraph.ingest.facts import KINDS, orient, written_kinds

        n = self.n
        rank = np.arange(n)
        vocab = written_kinds(pd.Series(_VOCAB_LIST, dtype="str"))
        decl = orient(self.rel_src, self.rel_dst, vocab[self.rel_label], rank)
        pol_written = written_kinds(
            pd.Series(["spouse", "child", "grandchild", "spouse", "parent"], dtype="str")
        )[kind]
        pol = orient(payer, who, pol_written, rank)
        k = len(KINDS)
        d_pair = np.minimum(decl.src, decl.dst) * n + np.maximum(decl.src, decl.dst)
        p_pair = np.minimum(pol.src, pol.dst) * n + np.maximum(pol.src, pol.dst)
        d_fact = (decl.src * n + decl.dst) * k + decl.kind
        p_fact = (pol.src * n + pol.dst) * k + pol.kind
        clash = (kind > 0) & np.isin(p_pair, d_pair) & ~np.isin(p_fact, d_fact)
        return np.where(clash, 0, kind)

    def _endings(self) -> None:
        """``until`` of relations that ended by as_of: a few marriages, more social ties."""
        rng, asof = self.rng, self.asof
        vocab = np.asarray(
            [RELATION_SYNONYMS.get(lab, "self") for lab in _VOCAB_LIST], dtype=object
        )
        kind = vocab[self.rel_label]
        dated = self.rel_since != NAT
        p = np.where(kind == "spouse", _ENDED_SPOUSE, 0.0)
        p = np.where(np.isin(kind, ["friend", "colleague", "neighbour", "acquaintance"]),
                     _ENDED_SOCIAL, p)  # fmt: skip
        ends = dated & (rng.random(len(kind)) < p) & (self.rel_since < asof)
        span = np.where(ends, asof - self.rel_since, 1)
        until = self.rel_since + 1 + (rng.random(len(kind)) * span).astype(np.int64)
        self.rel_until = np.where(ends, np.minimum(until, asof), NAT)

    # -- output ---------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        n = self.n
        width = max(7, len(str(n - 1)))
        pid = ids("P", np.arange(n), width)
        hh_num = np.maximum(self.household, 0)
        hh = ids("HH", hh_num, max(6, len(str(max(len(self.hus) - 1, 0))))).where(
            self.household >= 0
        )
        channel = decode(texts([*_CHANNELS, "referral"]), self.channel, self.customer)
        role = decode(texts(_ROLE_OVERRIDES), self.role, self.role >= 0)
        people = pd.DataFrame(
            {
                "person_id": pid,
                "name": self.name,
                "birth_date": dates(self.birth_given),
                "gender": decode(texts(["F", "M"]), self.male.astype(np.int64)),
                "household_id": hh,
                "annual_income": self.income,
                "is_customer": self.customer,
                "joined_at": dates(self.joined),
                "channel": channel,
                "role": role,
            }
        )
        relations = pd.DataFrame(
            {
                "person_id": ids("P", self.rel_src, width),
                "relative_id": ids("P", self.rel_dst, width),
                "relation": decode(texts(_VOCAB_LIST), self.rel_label),
                "since": dates(self.rel_since),
                "until": dates(self.rel_until),
            }
        )
        referrals = pd.DataFrame(
            {
                "referrer_id": ids("P", self.ref_src, width),
                "referee_id": ids("P", self.ref_dst, width),
                "referred_at": dates(self.ref_at),
            }
        )
        h = len(self.h_person)
        holdings = pd.DataFrame(
            {
                "holding_id": ids("H", np.arange(h), max(8, len(str(h - 1)))),
                "person_id": ids("P", self.h_person, width),
                "line": decode(texts(_LINES), self.h_line),
                "purchased_at": dates(self.h_bought),
                "amount": self.h_amount,
                "expires_at": dates(self.h_expires),
                "sum_assured": self.h_sum,
                "product_id": decode(texts(self.product_codes), self.h_product),
                "payer_id": ids("P", self.h_payer, width),
                "payer_relation": decode(texts(_VOCAB_LIST), self.h_payer_label),
            }
        )
        return {
            "people": people,
            "relations": relations,
            "referrals": referrals,
            "holdings": holdings,
        }
