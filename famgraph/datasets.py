"""Example data: the small bundled sample book and the synthetic book generator."""

from __future__ import annotations

import functools
import os
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph._validation import check_param
from famgraph.graph import CustomerGraph
from famgraph.schema import RELATION_SYNONYMS

__all__ = ["sample", "sample_tables", "synthetic", "write_sample"]

_SAMPLE = ("people", "relations", "referrals", "holdings")


def _sample_dir() -> Path:
    return Path(str(resources.files("famgraph") / "data" / "sample"))


def sample_tables() -> dict[str, pd.DataFrame]:
    """The bundled sample book as raw tables (text columns, as read from CSV).

    Fifteen people in four families, with Chinese and Latin names, a referral
    chain three generations deep, and three deliberately bad rows (a self
    relation, an unknown person, a negative amount) plus a referral cycle.

    Examples
    --------
    >>> sorted(sample_tables())
    ['holdings', 'people', 'referrals', 'relations']
    """
    from famgraph.build import read_table

    return {name: read_table(_sample_dir() / f"{name}.csv", name) for name in _SAMPLE}


def sample() -> CustomerGraph:
    """The bundled sample book, built: what the docs and doctests use.

    Examples
    --------
    >>> g = sample()
    >>> g.n_people
    15
    """
    from famgraph.build import build

    t = sample_tables()
    return build(t["people"], t["relations"], t["referrals"], t["holdings"])


def write_sample(path: str | os.PathLike[str]) -> None:
    """Copy the sample book's four CSV files into the folder ``path`` (created if needed).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); write_sample(d); sorted(os.listdir(d))
    ['holdings.csv', 'people.csv', 'referrals.csv', 'relations.csv']
    """
    dest = Path(path)
    dest.mkdir(parents=True, exist_ok=True)
    for name in _SAMPLE:
        shutil.copyfile(_sample_dir() / f"{name}.csv", dest / f"{name}.csv")


# =====================================================================================
# synthetic books
# =====================================================================================
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

#: Injected problem rows per reason, as a share of the table's clean rows (``dirty=True``).
_DIRTY_RATE = 0.005
_BAD_DATES = ["2021-02-30", "not a date", "31/31/2020", "20x1-01-01"]
_BAD_NUMBERS = ["12k", "abc", "1,200", "¥300"]
_BAD_BOOLS = ["maybe", "2", "yes?"]
_UNKNOWN_LABELS = ["boss", "ex-wife", "上司", "godfather", "pet"]
_REVERSE = {
    "spouse": "spouse", "parent": "child", "child": "parent", "grandparent": "grandchild",
    "grandchild": "grandparent", "sibling": "sibling", "relative": "relative",
    "friend": "friend", "colleague": "colleague", "neighbour": "neighbour",
    "acquaintance": "acquaintance",
}  # fmt: skip


def synthetic(
    n_people: int = 10_000,
    seed: int = 0,
    *,
    dirty: bool = False,
    chinese_names: bool = True,
    as_of: str = "2025-06-30",
) -> dict[str, pd.DataFrame]:
    """A realistic synthetic customer book: the four raw input tables for :func:`famgraph.build`.

    The population follows an ageing age pyramid. Adults form couples of similar
    age; children are attached to a couple 18-45 years older (so some are minors
    and some adults), which gives parents, grandparents and siblings; a few other
    relatives and social ties (friend, colleague, neighbour, acquaintance) are
    added. Relation labels mix English and Chinese synonyms (``wife``, ``丈夫``,
    ``配偶``, ``外婆`` ...), and some facts are given twice, once from each side,
    so that :func:`~famgraph.build` merges them. People with relations may be
    prospects (``is_customer`` False, no holdings, no ``joined_at``); people
    without any relation are always customers. Customers join over the 15
    years before ``as_of`` (more recently more often); the latest joiner joins
    on ``as_of``, so ``build`` infers the same ``as_of``. Incomes are
    log-normal with zeros and unknowns (NaN); about 12 % of couples and their
    minor children carry a ``household_id``; 0.3 % of people have a ``role``
    override.

    Referrals form a heavy-tailed forest: about 30 % of adult customers ever
    refer, with Pareto(1.3) weights, and each referee picks a referrer among the
    customers who joined strictly earlier, so a few people refer hundreds,
    chains run several generations deep and there is no cycle. ``referred_at``
    lies after the referrer joined and within 30 days before the referee
    joined; 96 % of referees are customers (their ``channel`` is ``referral``,
    and nobody else's is), the others prospects referred but not converted.

    Holdings cover every plan line (life, critical_illness, medical, accident,
    pension, savings, education, annuity, travel, long_term_care); medical and
    accident policies renew yearly (each renewal a row expiring one year later)
    until they lapse; term products expire, whole-life ones are open-ended
    (``NaT``); ``sum_assured`` is NaN for savings, pension and annuity.

    Parameters
    ----------
    n_people : int, default 10_000
        Rows of ``people``. Other tables scale linearly: about 1.5 relations,
        0.4 referrals and 3 holdings per person.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives equal tables.
    dirty : bool, default False
        Add problem rows: for every reject reason of its table, 0.5 % of the
        table's clean rows (rounded, at least one unless the table is empty) --

        * people: ``missing_value`` (empty person_id), ``bad_type`` (unreadable
          birth_date / annual_income / is_customer / joined_at / role),
          ``negative_amount`` (income), ``duplicate_id`` (a known id with other
          values), plus as many identical copies (merged);
        * relations: ``missing_value``, ``bad_type`` (since), ``unknown_relation``,
          ``self_relation``, ``unknown_person``, ``conflicting_relation`` (a spouse
          pair also given as parent and child: the original rows of the pair are
          rejected too), plus copies given from the other side (merged);
        * referrals: ``missing_value``, ``bad_type``, ``self_referral``,
          ``unknown_person``, ``duplicate_referee`` (a later or undated second
          referrer), ``referral_cycle`` (a referee referring back to the root of
          their chain, latest), plus exact copies (merged);
        * holdings: ``missing_value``, ``bad_type`` (amount / purchased_at /
          expires_at / sum_assured), ``negative_amount``, ``unknown_person``,
          ``duplicate_id`` (a known holding_id with another amount), plus
          identical copies (merged).

        Columns holding unreadable text become ``object`` dtype. Extra columns
        ``city`` (people), ``source`` (relations) and ``agent_id`` (holdings) are
        added; ``build`` carries them along. Every row of ``dirty=False`` with the
        same seed is there too (plus the extra columns), in a different order.
    chinese_names : bool, default True
        Chinese names (surname + one or two given characters; about 8 % Latin
        names); when false, Latin names only. Children take their father's surname.
    as_of : str, default "2025-06-30"
        The book's date: nothing happens after it.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``people``, ``relations``, ``referrals``, ``holdings`` with the canonical
        columns of docs/metrics.md section 1: ids and labels as ``str``, dates as
        ``datetime64[us]``, numbers as ``float64``, ``is_customer`` as bool.

    Raises
    ------
    ValueError
        When ``n_people`` is not a positive integer or ``as_of`` is not a date
        in the years 1900-2200.

    See Also
    --------
    sample : the small hand-made book used in the docs.

    Notes
    -----
    Fully vectorised (numpy and pyarrow, no per-row Python): O(N log N) time for
    N output rows. One million people (about 6 million rows in all) take 4-6 s
    of CPU and 1.1 GB peak memory (``benchmarks/results/build.md``).

    Examples
    --------
    >>> import famgraph as fg
    >>> tables = fg.datasets.synthetic(2_000, seed=1)
    >>> {name: len(df) > 0 for name, df in tables.items()}
    {'people': True, 'relations': True, 'referrals': True, 'holdings': True}
    >>> g = fg.build(**tables)
    >>> len(g.rejects), g.as_of
    (0, Timestamp('2025-06-30 00:00:00'))
    >>> dirty = fg.build(**fg.datasets.synthetic(2_000, seed=1, dirty=True))
    >>> sorted(set(dirty.rejects["reason"])) == sorted(fg.schema.REASONS)
    True
    """
    ok_n = isinstance(n_people, (int, np.integer)) and not isinstance(n_people, bool)
    check_param("synthetic", "n_people", n_people, ok_n and n_people >= 1, "a positive integer")
    try:
        at = pd.Timestamp(as_of)
        ok_at = not pd.isna(at) and 1900 <= at.year <= 2200
    except (TypeError, ValueError):
        ok_at = False
    check_param("synthetic", "as_of", as_of, ok_at, "a date in the years 1900-2200")
    rng = np.random.default_rng(seed)
    book = _Book(rng, int(n_people), _day(at), chinese_names)
    tables = book.tables()
    if dirty:
        tables = _make_dirty(rng, tables, book.asof)
    return tables


# ---------------------------------------------------------------------------------
# date helpers: dates are int64 days since 1970-01-01; _NAT marks a missing date
# ---------------------------------------------------------------------------------
_NAT = np.iinfo(np.int64).min


def _day(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize().date(), "D").astype(np.int64))


def _dates(days: np.ndarray) -> pd.Series:
    """int64 days (``_NAT`` = missing) -> datetime64[us] Series."""
    return pd.Series(
        np.asarray(days, dtype=np.int64).view("datetime64[D]").astype("datetime64[us]")
    )


_CAL_FIRST_YEAR, _CAL_YEARS = 1800, 500


@functools.cache
def _calendar() -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lookup tables for 1800-2299: day number -> (y, m, d) and (y, m, d) -> day number."""
    first = np.datetime64(f"{_CAL_FIRST_YEAR}-01-01", "D")
    days = np.arange(first, first + np.timedelta64(int(_CAL_YEARS * 365.25), "D"))
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    # (y, m, d) for d in 1..31 -> day number, days past the month's end clipped to it
    starts = np.arange(
        np.datetime64(f"{_CAL_FIRST_YEAR}-01", "M"),
        np.datetime64(f"{_CAL_FIRST_YEAR + _CAL_YEARS}-01", "M"),
    )
    lo = starts.astype("datetime64[D]").astype(np.int64)
    length = (starts + 1).astype("datetime64[D]").astype(np.int64) - lo
    to_day = lo[:, None] + np.minimum(np.arange(31)[None, :], length[:, None] - 1)
    return int(first.astype(np.int64)), year, month, day, to_day.reshape(-1)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Civil year, month, day of int64 day numbers (a table lookup)."""
    day0, year, month, day, _ = _calendar()
    i = np.asarray(days, dtype=np.int64) - day0
    return year[i], month[i], day[i]


def _from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Day numbers of civil dates; a day past the month's end (29 Feb) becomes its last day."""
    to_day = _calendar()[4]
    return to_day[
        ((np.asarray(y) - _CAL_FIRST_YEAR) * 12 + np.asarray(m) - 1) * 31 + np.asarray(d) - 1
    ]


def _add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """Calendar arithmetic: the same day ``years`` later (29 Feb -> 28 Feb)."""
    days = np.asarray(days, dtype=np.int64)
    missing = days == _NAT
    y, m, d = _ymd(np.where(missing, _calendar()[0], days))
    return np.where(missing, _NAT, _from_ymd(y + years, m, d))


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


def _texts(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.large_string())


def _decode(vocab: pa.Array, codes: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    """``vocab[codes]`` as a ``str`` Series (missing where not ``valid``)."""
    return pd.Series(pd.array(_decode_arrow(vocab, codes, valid), dtype="str"))


def _decode_arrow(vocab: pa.Array, codes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """``vocab[codes]`` as an arrow string array; negative codes index from the end."""
    codes = np.asarray(codes, dtype=np.int64)
    codes = np.where(codes < 0, codes + len(vocab), codes)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    if mask is not None:
        codes = np.where(mask, 0, codes)
    idx = pa.array(codes, mask=mask)
    return pa.DictionaryArray.from_arrays(idx, vocab).cast(pa.large_string())


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """``prefix`` + zero-padded ``numbers`` as a ``str`` Series."""
    return pd.Series(pd.array(_id_array(prefix, numbers, width), dtype="str"))


def _id_array(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers``, written as bytes column by column."""
    nums = np.asarray(numbers, dtype=np.int64)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    w = len(head) + width
    out = np.empty((len(nums), w), dtype=np.uint8)
    out[:, : len(head)] = head
    rest = nums.copy()
    for j in range(w - 1, len(head) - 1, -1):  # one pass per digit position
        out[:, j] = 48 + rest % 10
        rest //= 10
    offsets = np.arange(len(nums) + 1, dtype=np.int64) * w
    return pa.LargeStringArray.from_buffers(
        len(nums), pa.py_buffer(offsets), pa.py_buffer(out.reshape(-1))
    )


# ---------------------------------------------------------------------------------
# the clean book
# ---------------------------------------------------------------------------------
class _Book:
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

        given = _texts([*_CN_GIVEN_M, *_CN_GIVEN_F, ""])
        g1 = by_gender(len(_CN_GIVEN_M), len(_CN_GIVEN_F))
        g2 = np.where(rng.random(n) < 0.65, by_gender(len(_CN_GIVEN_M), len(_CN_GIVEN_F)), -1)
        first = by_gender(len(_LAT_FIRST_M), len(_LAT_FIRST_F))
        # each name is built only in its own script, then put back in people order
        cn, lat = np.flatnonzero(~latin), np.flatnonzero(latin)
        join = pc.binary_join_element_wise
        cn_names = join(
            _decode_arrow(_texts(_CN_SURNAMES), sur_cn[cn]),
            _decode_arrow(given, g1[cn]),
            _decode_arrow(given, g2[cn]),
            pa.scalar("", pa.large_string()),
        )
        lat_names = join(
            _decode_arrow(_texts(_LAT_FIRST_M + _LAT_FIRST_F), first[lat]),
            _decode_arrow(_texts(_LAT_LAST), sur_lat[lat]),
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

        since = np.full(len(idx), _NAT, dtype=np.int64)
        sp = fk == 0
        wed = np.maximum(self.birth[fa[sp]], self.birth[fb[sp]]) + (
            rng.uniform(21, 32, sp.sum()) * _YEAR
        ).astype(np.int64)
        since[sp] = np.where((wed <= self.asof) & (rng.random(sp.sum()) < 0.6), wed, _NAT)
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
            rng.random(len(sa)) < 0.3, self.asof - rng.integers(0, 15 * 365, len(sa)), _NAT
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
            asof - int(15 * _YEAR), np.where(adult, _add_years(self.birth, 18), self.birth)
        )
        lo = np.minimum(lo, asof)
        joined = asof - ((asof - lo) * rng.random(n) ** 1.6).astype(np.int64)
        cust = np.flatnonzero(self.customer)
        if len(cust):
            joined[cust[np.argmax(joined[cust])]] = asof  # build infers this as_of
        self.joined = np.where(self.customer, joined, _NAT)

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
        self.birth_given = np.where(rng.random(n) < 0.015, _NAT, self.birth)
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
        ys, ms, ds = _ymd(s_start)
        ya, ma, da = (int(v[0]) for v in _ymd(np.array([asof])))
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
        bought = _from_ymd(y, mo, dd)
        hp = rows(prod)
        term, val = rows(p_term[prod]), rows(p_val[prod])
        who = rows(s_person)
        expires = np.where(term == 0, _from_ymd(y + val, mo, dd), _NAT)
        expires = np.where(term == 1, bought + val, expires)
        ag = np.flatnonzero(term == 2)
        at_age = _add_years(self.birth[who[ag]], val[ag])
        expires[ag] = np.maximum(at_age, bought[ag] + 365)
        self.h_person, self.h_line, self.h_product = who, rows(s_line), hp
        self.h_bought, self.h_expires = bought, expires
        self.h_amount = np.round(rows(base) * (1 + 0.04 * k), 2)
        self.h_sum = rows(p_sum[prod] * mult)
        self.product_codes = codes

    # -- output ---------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        n = self.n
        width = max(7, len(str(n - 1)))
        pid = _ids("P", np.arange(n), width)
        hh_num = np.maximum(self.household, 0)
        hh = _ids("HH", hh_num, max(6, len(str(max(len(self.hus) - 1, 0))))).where(
            self.household >= 0
        )
        channel = _decode(_texts([*_CHANNELS, "referral"]), self.channel, self.customer)
        role = _decode(_texts(_ROLE_OVERRIDES), self.role, self.role >= 0)
        people = pd.DataFrame(
            {
                "person_id": pid,
                "name": self.name,
                "birth_date": _dates(self.birth_given),
                "gender": _decode(_texts(["F", "M"]), self.male.astype(np.int64)),
                "household_id": hh,
                "annual_income": self.income,
                "is_customer": self.customer,
                "joined_at": _dates(self.joined),
                "channel": channel,
                "role": role,
            }
        )
        relations = pd.DataFrame(
            {
                "person_id": _ids("P", self.rel_src, width),
                "relative_id": _ids("P", self.rel_dst, width),
                "relation": _decode(_texts(_VOCAB_LIST), self.rel_label),
                "since": _dates(self.rel_since),
            }
        )
        referrals = pd.DataFrame(
            {
                "referrer_id": _ids("P", self.ref_src, width),
                "referee_id": _ids("P", self.ref_dst, width),
                "referred_at": _dates(self.ref_at),
            }
        )
        h = len(self.h_person)
        holdings = pd.DataFrame(
            {
                "holding_id": _ids("H", np.arange(h), max(8, len(str(h - 1)))),
                "person_id": _ids("P", self.h_person, width),
                "line": _decode(_texts(_LINES), self.h_line),
                "purchased_at": _dates(self.h_bought),
                "amount": self.h_amount,
                "expires_at": _dates(self.h_expires),
                "sum_assured": self.h_sum,
                "product_id": _decode(_texts(self.product_codes), self.h_product),
            }
        )
        return {
            "people": people,
            "relations": relations,
            "referrals": referrals,
            "holdings": holdings,
        }


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


def _make_dirty(
    rng: np.random.Generator, tables: dict[str, pd.DataFrame], asof: int
) -> dict[str, pd.DataFrame]:
    people, rel, ref, hold = (tables[t] for t in ("people", "relations", "referrals", "holdings"))
    n = len(people)
    pid = people["person_id"]

    def unknown_ids(k: int) -> pd.Series:
        return _ids("Z", rng.integers(0, 10 * max(n, 1), k), 8)

    # -- people -----------------------------------------------------------------
    people = people.assign(
        city=_decode(_texts(["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "上海", "成都"]),
                   rng.integers(0, 6, n))
    )  # fmt: skip
    k = _dirty_count(n)
    fresh = _ids("Q", np.arange(3 * k), 7)
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
    rel = rel.assign(
        source=_decode(_texts(["crm", "agent_app", "web_form"]), rng.integers(0, 3, m))
    )
    k = _dirty_count(m)
    kind = rel["relation"].str.strip().str.lower().map(RELATION_SYNONYMS)
    miss = _copies(rel, _rows(rng, m, k))
    half = np.arange(k) % 2 == 0
    _null(miss, "relative_id", half)
    _null(miss, "relation", ~half)
    bad = _copies(rel, _rows(rng, m, k))
    _set_text(bad, "since", np.ones(k, dtype=bool), _cycle_text(rng, _BAD_DATES, k))
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
         (conflict, None), (rev, None)],
    )  # fmt: skip

    # -- referrals ------------------------------------------------------------------
    r = len(ref)
    k = _dirty_count(r)
    miss = _copies(ref, _rows(rng, r, k))
    _null(miss, "referee_id", np.ones(k, dtype=bool))
    bad = _copies(ref, _rows(rng, r, k))
    _set_text(bad, "referred_at", np.ones(k, dtype=bool), _cycle_text(rng, _BAD_DATES, k))
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
            "referred_at": _dates(tmax[ok] + 1 + (rng.random(len(ok)) * gap).astype(np.int64)),
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
    hold = hold.assign(agent_id=_ids("A", rng.integers(0, 5_000, h), 4))
    k = _dirty_count(h)
    fresh_h = _ids("HX", np.arange(4 * k), 7).to_numpy()
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
    hold = _mix(
        rng,
        hold,
        [(miss, None), (bad, None), (neg, None), (unk_p, None), (same, same_rows),
         (diff, diff_rows)],
    )  # fmt: skip
    return {"people": people, "relations": rel, "referrals": ref, "holdings": hold}
