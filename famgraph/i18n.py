"""One message catalogue: every word and number format famgraph shows to a reader.

The report, the figures and the ``reasons`` sentences of :func:`famgraph.super_users`
and :func:`famgraph.warm_leads` take their text from here, in English (``"en"``) or
Simplified Chinese (``"zh"``):

* :data:`MESSAGES` -- every label, caption and sentence, keyed by a message id,
  each with both languages (:func:`text` fills in the ``{placeholders}``);
* :data:`TERMS` -- display names of the codes in the data: product lines, roles,
  tiers, relation kinds, value segments, reject reasons, table names
  (:func:`term`, :func:`terms`);
* :data:`LINE_NAMES` -- the product-line names, a mapping you can extend
  (``LINE_NAMES["zh"]["dental"] = "牙科险"``) or override per report
  (``fg.report(g, path, line_names={"dental": "Dental"})``); a line without a
  name shows its code;
* number formats: :func:`money` (``CNY 1.25M``; in Chinese 万 and 亿:
  ``125万元``), :func:`count`, :func:`pct`, and the vectorised
  :func:`amounts` used inside the ``reasons`` sentences.

Unknown stays unknown: :func:`money` and :func:`count` of a missing value give
the word for "unknown" (``text("unknown", language)``), never a zero.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from famgraph._validation import Options, check

__all__ = [
    "LANGUAGES",
    "LINE_NAMES",
    "MESSAGES",
    "TERMS",
    "amounts",
    "amounts_arrow",
    "check_language",
    "count",
    "currency_name",
    "money",
    "pct",
    "plural",
    "take_strings",
    "term",
    "terms",
    "text",
    "thousands",
]

#: The languages of the catalogue.
LANGUAGES: tuple[str, ...] = ("en", "zh")
_LANGUAGE = Options(LANGUAGES)


def check_language(func: str, language: Any) -> str:
    """Return ``language`` when it is one of :data:`LANGUAGES`; else the uniform error.

    Examples
    --------
    >>> check_language("report", "zh")
    'zh'
    >>> check_language("report", "fr")
    Traceback (most recent call last):
    ...
    ValueError: The `language` parameter of `report` must be one of 'en', 'zh'; got 'fr'.
    """
    check(func, "language", language, _LANGUAGE)
    return str(language)


# ---------------------------------------------------------------------------------------
# display names of codes
# ---------------------------------------------------------------------------------------
#: Product-line display names by language. Extend it for lines of your own; a line
#: missing here shows its code.
LINE_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "life": "Life",
        "critical_illness": "Critical illness",
        "medical": "Medical",
        "accident": "Accident",
        "pension": "Pension",
        "savings": "Savings",
        "education": "Education",
        "long_term_care": "Long-term care",
        "annuity": "Annuity",
        "travel": "Travel",
    },
    "zh": {
        "life": "寿险",
        "critical_illness": "重疾险",
        "medical": "医疗险",
        "accident": "意外险",
        "pension": "养老金",
        "savings": "储蓄/理财",
        "education": "教育金",
        "long_term_care": "长期护理",
        "annuity": "年金险",
        "travel": "旅行险",
    },
}

#: Display names of the other codes, by kind and language.
TERMS: dict[str, dict[str, dict[str, str]]] = {
    "line": LINE_NAMES,
    "role": {
        "en": {
            "earner": "earner",
            "dependent": "dependent",
            "child": "child",
            "elder": "elder",
            "unknown": "age unknown",
        },
        "zh": {
            "earner": "经济支柱",
            "dependent": "无收入成人",
            "child": "未成年人",
            "elder": "长者",
            "unknown": "年龄未知",
        },
    },
    "tier": {
        "en": {
            "none": "none",
            "micro": "micro",
            "weak": "weak",
            "strong": "strong",
            "super": "super",
        },
        "zh": {"none": "无", "micro": "初级", "weak": "一般", "strong": "紧密", "super": "超级"},
    },
    "relation": {
        "en": {
            "spouse": "spouse",
            "parent": "parent",
            "child": "child",
            "sibling": "sibling",
            "grandparent": "grandparent",
            "grandchild": "grandchild",
            "relative": "relative",
            "friend": "friend",
            "colleague": "colleague",
            "neighbour": "neighbour",
            "acquaintance": "acquaintance",
        },
        "zh": {
            "spouse": "配偶",
            "parent": "父母",
            "child": "子女",
            "sibling": "兄弟姐妹",
            "grandparent": "祖父母",
            "grandchild": "孙辈",
            "relative": "亲戚",
            "friend": "朋友",
            "colleague": "同事",
            "neighbour": "邻居",
            "acquaintance": "熟人",
        },
    },
    "segment": {
        "en": {
            "champion": "champion",
            "affluent": "affluent",
            "advocate": "advocate",
            "miser": "miser",
            "prospect": "prospect",
        },
        "zh": {
            "champion": "冠军客户",
            "affluent": "高价值客户",
            "advocate": "推荐达人",
            "miser": "低价值客户",
            "prospect": "潜在客户",
        },
    },
    "reject": {
        "en": {},
        "zh": {
            "missing_value": "缺少必填值",
            "bad_type": "格式错误",
            "negative_amount": "金额为负",
            "unknown_relation": "未知关系",
            "self_relation": "与自己的关系",
            "self_referral": "自己推荐自己",
            "unknown_person": "未知人员",
            "duplicate_id": "重复编号",
            "conflicting_relation": "关系冲突",
            "duplicate_referee": "重复被推荐人",
            "referral_cycle": "推荐成环",
        },
    },
    "table": {
        "en": {},
        "zh": {
            "people": "人员",
            "relations": "关系",
            "referrals": "推荐",
            "holdings": "保单",
            "policy_relations": "保单关系",
        },
    },
}


def term(kind: str, code: Any, language: str = "en", extra: Mapping[str, str] | None = None) -> str:
    """Display name of one code: ``term("line", "critical_illness", "zh") == "重疾险"``.

    ``extra`` (code -> name) is looked up first; an unknown code shows as itself, a
    missing one as the word for "unknown".

    Examples
    --------
    >>> term("line", "critical_illness", "zh"), term("line", "critical_illness")
    ('重疾险', 'Critical illness')
    >>> term("line", "dental", "zh"), term("line", "dental", "zh", {"dental": "牙科险"})
    ('dental', '牙科险')
    >>> term("role", "unknown", "zh"), term("tier", "super", "zh")
    ('年龄未知', '超级')
    """
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return text("unknown", language)
    key = str(code)
    if extra and key in extra:
        return str(extra[key])
    return TERMS[kind][language].get(key, key)


def terms(
    kind: str, codes: pd.Series, language: str = "en", extra: Mapping[str, str] | None = None
) -> pd.Series:
    """Display names of a column of codes (each distinct code looked up once).

    Missing codes stay missing.

    Examples
    --------
    >>> terms("line", pd.Series(["life", None, "medical"]), "zh").tolist()
    ['寿险', nan, '医疗险']
    """
    names = {**TERMS[kind][language], **(dict(extra) if extra else {})}
    code, uniq = pd.factorize(codes)  # missing -> -1; each distinct code named once
    shown = pd.array([names.get(str(u), str(u)) for u in uniq], dtype="str")
    return pd.Series(shown.take(code, allow_fill=True), index=codes.index, dtype="str")


# ---------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------
_UNITS: dict[str, tuple[tuple[float, str], ...]] = {
    "en": ((1e9, "B"), (1e6, "M"), (1e3, "K")),
    "zh": ((1e8, "亿"), (1e4, "万")),
}


def _sig3(q: float) -> str:
    """A positive number with 3 significant digits, never in exponent form."""
    q = q * (1 + 1e-12)  # halves up as people round (7.675 is stored as 7.67499...)
    if q >= 100:
        return f"{q:,.0f}"
    return (f"{q:.1f}" if q >= 10 else f"{q:.2f}").rstrip("0").rstrip(".")


def _short(x: float, language: str) -> str:
    """``x`` with 3 significant digits in the largest unit it reaches (K/M/B; 万/亿)."""
    a = abs(x)
    sign = "-" if x < 0 else ""
    scales = [(1.0, ""), *reversed(_UNITS[language])]  # ascending: plain, K, M, B
    k = 0
    while k + 1 < len(scales) and a >= scales[k + 1][0]:
        k += 1
    q = a / scales[k][0]
    # 999.7 prints as "1,000": move to the next unit ("1K")
    if k + 1 < len(scales) and float(_sig3(q).replace(",", "")) * scales[k][0] >= scales[k + 1][0]:
        k += 1
        q = a / scales[k][0]
    return sign + (_sig3(q) + scales[k][1] if a else "0")


def money(x: Any, currency: str = "CNY", language: str = "en", *, unit: bool = True) -> str:
    """Short money text: ``CNY 1.25M`` in English, ``125万元`` in Chinese.

    Three significant digits; English uses K, M, B, Chinese 万 (10⁴) and 亿 (10⁸).
    In Chinese a CNY amount ends in 元, any other currency is named after the
    number. ``unit=False`` leaves the currency out (for axes that name it). A
    missing amount is the word for "unknown", never 0.

    Examples
    --------
    >>> money(1_250_000), money(9_500, "USD"), money(0), money(999_700)
    ('CNY 1.25M', 'USD 9.5K', 'CNY 0', 'CNY 1M')
    >>> money(14_700_000, language="zh"), money(317_000, language="zh"), money(9_500, language="zh")
    ('1,470万元', '31.7万元', '9,500元')
    >>> money(2.5e9, language="zh"), money(1e6, "USD", "zh"), money(None, language="zh")
    ('25亿元', '100万 USD', '未知')
    """
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return text("unknown", language)
    num = _short(float(x), language)
    if not unit:
        return num
    if language == "zh":
        return num + ("元" if currency == "CNY" else f" {currency}")
    return f"{currency} {num}"


def count(n: Any, language: str = "en") -> str:
    """A whole number with thousands separators; missing -> "unknown".

    Examples
    --------
    >>> count(12345), count(None, "zh")
    ('12,345', '未知')
    """
    if n is None or (not isinstance(n, str) and pd.isna(n)):
        return text("unknown", language)
    return f"{round(float(n)):,}"


def pct(x: Any, digits: int = 0, language: str = "en") -> str:
    """A share as a percentage; missing or not finite -> "–".

    Examples
    --------
    >>> pct(0.733, 1), pct(float("nan"))
    ('73.3%', '–')
    """
    if x is None or pd.isna(x) or not math.isfinite(float(x)):
        return "–"
    return f"{float(x):.{digits}%}"


# --- vectorised, for the reasons columns (a million rows, no Python loop) ----------------
_EMPTY = pa.scalar("", type=pa.large_string())
_GROUPS = [str(i) for i in range(1000)] + [f",{i:03d}" for i in range(1000)] + [""]
#: ".01" .. ".99" without trailing zeros; code 0 -> "".
_FRACTIONS = [""] + [f".{i:02d}".rstrip("0") for i in range(1, 100)]


def take_strings(strings: list[str], codes: np.ndarray) -> pa.Array:
    """``strings[codes]`` as an Arrow string array (a take, no per-row Python)."""
    vocab = pa.array(strings, type=pa.large_string())
    return vocab.take(pa.array(np.asarray(codes, dtype=np.int64), type=pa.int64()))


def _concat(*parts: pa.Array) -> pa.Array:
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _EMPTY)


def _as_series(arr: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr)).astype("str")


def _thousands_arrow(x: np.ndarray) -> pa.Array:
    """Whole numbers as text with thousands separators (Arrow array)."""
    # round to 6 decimals first, so that sums equal up to float noise (e.g. x.5 reached
    # from either side) print the same whole number; then halves away from zero, as
    # people round (72.5 -> 73)
    r = np.round(np.asarray(x, dtype=float), 6)
    v = np.sign(r) * np.floor(np.abs(r) + 0.5)
    neg = v < 0
    a = np.minimum(np.abs(v), 9.2e18).astype(np.int64)
    ngroups = np.ones(len(a), dtype=np.int64)
    for j in range(1, 7):
        ngroups += a >= 1000**j
    parts = [take_strings(["", "-"], neg.astype(np.int64))]
    for j in range(int(ngroups.max(initial=1)) - 1, -1, -1):
        grp = (a // 1000**j) % 1000
        code = np.where(j > ngroups - 1, 2000, np.where(j == ngroups - 1, grp, 1000 + grp))
        parts.append(take_strings(_GROUPS, code))
    return _concat(*parts)


def thousands(x: np.ndarray) -> pd.Series:
    """Whole numbers as text with thousands separators, vectorised: 12300 -> "12,300".

    Examples
    --------
    >>> thousands(np.array([0.0, 999.4, 12300.0, -1234567.0, 1000.0, 72.5, -0.5])).tolist()
    ['0', '999', '12,300', '-1,234,567', '1,000', '73', '-1']
    """
    return _as_series(_thousands_arrow(x))


def _wan_arrow(x: np.ndarray) -> pa.Array:
    """Amounts in Chinese units: below 10,000 whole; else 万 or 亿 with 2 decimals."""
    v = np.asarray(x, dtype=float)
    wan = np.round(np.abs(v) / 1e4, 2)
    yi = np.round(np.abs(v) / 1e8, 2)
    unit = np.where(wan < 1, 0, np.where(wan < 10_000, 1, 2))  # plain, 万, 亿
    scaled = np.select([unit == 1, unit == 2], [wan, yi], default=0.0)
    whole = np.floor(scaled + 1e-9)
    frac = np.clip(np.round((scaled - whole) * 100), 0, 99).astype(np.int64)
    num = _thousands_arrow(np.where(unit == 0, v, np.sign(v) * whole))
    return _concat(
        num,
        take_strings(_FRACTIONS, np.where(unit == 0, 0, frac)),
        take_strings(["", "万", "亿"], unit),
    )


def amounts(x: np.ndarray, language: str = "en") -> pd.Series:
    """Money amounts as text for sentences, vectorised (no currency).

    English: whole numbers with thousands separators. Chinese: below 10,000 the
    same; from 10,000 in 万 and from 10⁸ in 亿, with up to two decimals.

    Examples
    --------
    >>> amounts(np.array([7675.0, 12300.0, 1_234_567.0, 2.5e8]), "zh").tolist()
    ['7,675', '1.23万', '123.46万', '2.5亿']
    >>> amounts(np.array([7675.0, 12300.0]), "en").tolist()
    ['7,675', '12,300']
    """
    return _as_series(amounts_arrow(x, language))


def amounts_arrow(x: np.ndarray, language: str = "en") -> pa.Array:
    """:func:`amounts` as an Arrow string array."""
    return _wan_arrow(x) if language == "zh" else _thousands_arrow(x)


# ---------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------
#: Every label, caption and sentence: message id -> {"en": ..., "zh": ...}. Texts are
#: :meth:`str.format` templates; both languages of a message use the same fields.
MESSAGES: dict[str, dict[str, str]] = {
    # --- words ---------------------------------------------------------------------------
    "unknown": {"en": "unknown", "zh": "未知"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "n_members_one": {"en": "{n} member", "zh": "{n}位成员"},
    "n_members_other": {"en": "{n} members", "zh": "{n}位成员"},
    "n_gaps_one": {"en": "{n} gap", "zh": "{n}项缺口"},
    "n_gaps_other": {"en": "{n} gaps", "zh": "{n}项缺口"},
    "list_sep": {"en": ", ", "zh": "、"},
    # --- figures: coverage ---------------------------------------------------------------
    "heat.title": {
        "en": "Coverage gaps by role and product line",
        "zh": "各家庭角色、各险种的保障缺口",
    },
    "heat.empty": {"en": "No coverage gaps", "zh": "没有保障缺口"},
    "heat.x": {"en": "product line (most urgent first)", "zh": "险种（最需优先配置的在左）"},
    "heat.y": {"en": "role", "zh": "家庭角色"},
    "heat.bar": {"en": "persons lacking the line (count)", "zh": "缺少该险种的人数"},
    "hh.title": {"en": "Household {hid}: {members}, {gaps}", "zh": "家庭 {hid}：{members}，{gaps}"},
    "hh.age": {"en": ", {age}", "zh": "，{age}岁"},
    "hh.age_unknown": {"en": ", age unknown", "zh": "，年龄未知"},
    "hh.income_unknown": {"en": ", income unknown", "zh": "，收入未知"},
    "hh.holds": {"en": "holds", "zh": "已持有"},
    "hh.lacks": {"en": "lacks (P = priority)", "zh": "缺少（P = 优先级）"},
    "hh.customer": {"en": "name in blue: customer", "zh": "蓝色名字：客户"},
    "hh.prospect": {"en": "name in orange: prospect", "zh": "橙色名字：潜在客户"},
    "gap.title": {
        "en": "Protection gap: {short} of {total} households short",
        "zh": "保障缺口：{total}户中有{short}户保额不足",
    },
    "gap.empty": {"en": "No household has a money gap", "zh": "没有家庭存在保额缺口"},
    "gap.median": {"en": " median {amount}", "zh": " 中位数 {amount}"},
    "gap.x": {
        "en": "protection gap per household ({currency})",
        "zh": "每户保障缺口（{currency}）",
    },
    "gap.y": {"en": "households", "zh": "户数"},
    # --- figures: referral ---------------------------------------------------------------
    "tree.title": {
        "en": "Referral tree of {name}: {referred} referred + the root; chain value {amount}",
        "zh": "{name}的推荐树：下线{referred}人（另加根节点本人）；推荐链价值{amount}",
    },
    "tree.drawn": {
        "en": " ({drawn} of {people} people drawn)",
        "zh": "（图中显示{people}人中的{drawn}人）",
    },
    "tree.chain": {"en": "chain {amount}", "zh": "链 {amount}"},
    "tree.more": {"en": "+{n} more", "zh": "另有{n}人"},
    "tree.y": {"en": "generation", "zh": "推荐代数"},
    "tree.customer": {"en": "customer (converted)", "zh": "客户（已转化）"},
    "tree.prospect": {"en": "prospect (not converted)", "zh": "潜在客户（未转化）"},
    "tree.value_in": {"en": "value in {currency}", "zh": "金额单位：{currency}"},
    "chain.title": {"en": "Chain value of {n} referrers", "zh": "{n}位推荐人的推荐链价值"},
    "chain.empty": {"en": "No referrals", "zh": "暂无推荐"},
    "chain.x": {"en": "chain value ({currency})", "zh": "推荐链价值（{currency}）"},
    "chain.y": {"en": "referrers", "zh": "推荐人数"},
    "viral.title": {
        "en": "Viral coefficient by joining cohort",
        "zh": "各加入批次的K因子（裂变系数）",
    },
    "viral.empty": {
        "en": "No cohorts (no customer has joined_at)",
        "zh": "没有批次（没有客户填写加入日期）",
    },
    "viral.size": {"en": "cohort size (new customers)", "zh": "批次规模（新客户数）"},
    "viral.x": {"en": "cohort (period of joining)", "zh": "批次（加入时期）"},
    "viral.y": {
        "en": "K-factor (converted referrals per new customer)",
        "zh": "K因子（每位新客户推荐成交的人数）",
    },
    # --- figures: tiers ------------------------------------------------------------------
    "tiers.title": {"en": "Tier funnel", "zh": "关系等级漏斗"},
    "tiers.y": {"en": "tier", "zh": "关系等级"},
    "tiers.x": {"en": "persons (bar width; {total} in all)", "zh": "人数（条形宽度；共{total}人）"},
    "funnel.title": {
        "en": "Customers by relationship level, with referral inflow",
        "zh": "各关系等级的客户数及其推荐成交的新客户",
    },
    "funnel.people": {"en": "customers at this level", "zh": "该等级客户数"},
    "funnel.inflow": {"en": "new customers they referred", "zh": "他们推荐成交的新客户"},
    "funnel.y": {"en": "relationship level (tier)", "zh": "关系等级"},
    "funnel.x": {"en": "persons", "zh": "人数"},
}


def text(key: str, language: str = "en", /, **fields: Any) -> str:
    """The message ``key`` in ``language``, its ``{fields}`` filled in.

    Examples
    --------
    >>> text("unknown", "zh")
    '未知'
    """
    template = MESSAGES[key][language]
    return template.format(**fields) if fields else template


def plural(key: str, n: int, language: str = "en") -> str:
    """``key_one`` or ``key_other`` with ``n`` filled in (thousands separated).

    Examples
    --------
    >>> plural("n_gaps", 1), plural("n_gaps", 1200), plural("n_gaps", 3, "zh")
    ('1 gap', '1,200 gaps', '3项缺口')
    """
    return text(f"{key}_one" if n == 1 else f"{key}_other", language, n=f"{n:,}")


def currency_name(currency: str, language: str = "en") -> str:
    """How the currency is named on axes and headers: ``CNY``; in Chinese ``元`` for CNY.

    Examples
    --------
    >>> currency_name("CNY"), currency_name("CNY", "zh"), currency_name("USD", "zh")
    ('CNY', '元', 'USD')
    """
    return "元" if language == "zh" and currency == "CNY" else currency


def fields_of(template: str) -> set[str]:
    """The ``{field}`` names of a template (for the catalogue's own test)."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}
