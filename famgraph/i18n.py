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
        "en": {
            "missing_value": "missing value",
            "bad_type": "unreadable value",
            "negative_amount": "negative amount",
            "unknown_relation": "unknown relation",
            "self_relation": "relation to oneself",
            "self_referral": "self-referral",
            "unknown_person": "unknown person",
            "duplicate_id": "duplicate id",
            "conflicting_relation": "conflicting relations",
            "duplicate_referee": "referred twice",
            "referral_cycle": "referral cycle",
        },
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
    >>> term("line", "my_line", "zh"), term("line", "my_line", "zh", {"my_line": "我的险种"})
    ('my_line', '我的险种')
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
    whole_yuan = np.floor(np.abs(np.round(v, 6)) + 0.5)
    unit = np.where(whole_yuan < 1e4, 0, np.where(wan < 10_000, 1, 2))  # plain, 万, 亿
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
    # --- figures: movement and future value ------------------------------------------
    "flow.title": {
        "en": "Tier flow",
        "zh": "关系等级流动",
    },
    "flow.move": {
        "en": "{n} moved {a} → {b}{since}",
        "zh": "{since}有{n}人从“{a}”变为“{b}”",
    },
    "flow.none": {
        "en": "Nobody changed relationship level{since}",
        "zh": "{since}无人改变关系等级",
    },
    "flow.since": {"en": " since {date}", "zh": "自{date}以来"},
    "flow.y": {"en": "tier on {date}", "zh": "{date}的关系等级"},
    "flow.y_plain": {"en": "tier before", "zh": "之前的关系等级"},
    "flow.x": {"en": "tier on {date}", "zh": "{date}的关系等级"},
    "flow.x_plain": {"en": "tier now", "zh": "现在的关系等级"},
    "flow.moves": {
        "en": "{up} rose (green), {down} slipped (vermillion)",
        "zh": "{up}人上升（绿色），{down}人下滑（橙红色）",
    },
    "flow.persons": {"en": "persons", "zh": "人"},
    "flow.person": {"en": "person", "zh": "人"},
    "quad.title": {
        "en": "Value still to come: own (CLV) × through referrals (CRV)",
        "zh": "未来价值：本人（CLV）× 推荐带来（CRV）",
    },
    "quad.x": {
        "en": "CLV: expected value of own purchases, next 12 months",
        "zh": "CLV：本人未来12个月预期消费",
    },
    "quad.y": {
        "en": "CRV: expected value their referral chain brings in",
        "zh": "CRV：其推荐链预期带来的价值",
    },
    "quad.at_risk": {"en": "at risk", "zh": "有流失风险"},
    "quad.count": {"en": "{segment}: {n}", "zh": "{segment}：{n}人"},
    "quad.none": {"en": "No customers", "zh": "暂无客户"},
    # --- report: page --------------------------------------------------------------------
    "page.lang": {"en": "en", "zh": "zh-CN"},
    "page.title": {"en": "famgraph report — {date}", "zh": "famgraph 客户家庭报告 — {date}"},
    "page.subtitle": {
        "en": "Book as of {date}: {people} people, {holdings} holdings, {referrals} referrals. "
        "Money in {currency}.",
        "zh": "数据截至{date}：{people}人，{holdings}份保单，{referrals}条推荐关系。"
        "金额单位：{currency}。",
    },
    "page.currency_cny": {"en": "CNY", "zh": "人民币元（万 = 10⁴，亿 = 10⁸）"},
    "page.masked": {"en": " Names masked.", "zh": "姓名已隐去。"},
    "page.footer": {
        "en": "Generated by famgraph {version} in {seconds} s. Every figure is defined in the "
        "famgraph documentation: docs/metrics.md (definitions) and docs/report.md (this page).",
        "zh": "由 famgraph {version} 生成，用时{seconds}秒。每个数字的定义见 famgraph 文档："
        "docs/metrics.md（指标定义）与 docs/report.md（本页说明）。",
    },
    "nav.summary": {"en": "What to do first", "zh": "行动建议"},
    "nav.kpis": {"en": "Headline", "zh": "核心指标"},
    "nav.coverage": {"en": "Coverage", "zh": "保障缺口"},
    "nav.super-users": {"en": "Super users", "zh": "超级用户"},
    "nav.movement": {"en": "Rising, slipping", "zh": "上升与下滑"},
    "nav.referral": {"en": "Referral", "zh": "转介绍"},
    "nav.warm-leads": {"en": "Warm leads", "zh": "潜在客户线索"},
    "nav.data-quality": {"en": "Data quality", "zh": "数据质量"},
    "sec.summary": {"en": "What to do first", "zh": "行动建议：先做什么"},
    "sec.kpis": {"en": "Headline figures", "zh": "核心指标"},
    "sec.coverage": {"en": "Coverage", "zh": "保障缺口"},
    "sec.super_users": {"en": "Super users", "zh": "超级用户"},
    "sec.referral": {"en": "Referral", "zh": "转介绍"},
    "sec.leads": {"en": "Warm leads", "zh": "潜在客户线索"},
    "sec.movement": {"en": "Rising, slipping, at risk", "zh": "上升、下滑与流失风险"},
    "sec.quality": {"en": "Data quality", "zh": "数据质量"},
    # --- report: tables ------------------------------------------------------------------
    "tbl.filter": {"en": "Filter rows…", "zh": "筛选…"},
    "tbl.download": {"en": "Download CSV", "zh": "下载 CSV"},
    "tbl.count": {"en": "{shown} of {total} rows", "zh": "显示{shown}行，共{total}行"},
    "tbl.empty": {"en": "Nothing to show.", "zh": "没有可显示的内容。"},
    "col.household_id": {"en": "household", "zh": "家庭编号"},
    "col.id_source": {"en": "household id", "zh": "编号来源"},
    "col.members": {"en": "members", "zh": "成员数"},
    "col.customers": {"en": "customers", "zh": "客户数"},
    "col.penetration": {"en": "penetration", "zh": "渗透率"},
    "col.coverage_ratio": {"en": "coverage ratio", "zh": "保障覆盖率"},
    "col.protection_gap": {"en": "protection gap ({currency})", "zh": "保障缺口（{currency}）"},
    "col.top_gap_person": {"en": "top gap person", "zh": "最需补保障的人"},
    "col.top_gap_name": {"en": "top gap name", "zh": "姓名"},
    "col.top_gap_line": {"en": "top gap line", "zh": "最需补的险种"},
    "col.person_id": {"en": "person", "zh": "客户编号"},
    "col.name": {"en": "name", "zh": "姓名"},
    "col.tier": {"en": "tier", "zh": "关系等级"},
    "col.score": {"en": "score (0–100)", "zh": "评分（0–100）"},
    "col.frequency": {"en": "purchases", "zh": "购买次数"},
    "col.monetary": {"en": "value ({currency})", "zh": "消费金额（{currency}）"},
    "col.converted_referrals": {
        "en": "referred customers (direct)",
        "zh": "直接推荐成交客户数",
    },
    "col.chain_value": {"en": "chain value ({currency})", "zh": "推荐链价值（{currency}）"},
    "col.reasons": {"en": "why", "zh": "原因"},
    "col.reason": {"en": "why", "zh": "原因"},
    "col.p_alive": {"en": "chance still active", "zh": "仍活跃的概率"},
    "col.clv": {
        "en": "expected value, 12 months ({currency})",
        "zh": "未来12个月预期价值（{currency}）",
    },
    "col.crv": {"en": "referral value ({currency})", "zh": "推荐价值（{currency}）"},
    "col.segment": {"en": "segment", "zh": "价值分群"},
    "col.root": {"en": "root (first referrer)", "zh": "推荐链源头"},
    "col.cascade_size": {"en": "people referred (whole chain)", "zh": "整条链推荐人数"},
    "col.depth": {"en": "generations below", "zh": "向下代数"},
    "col.cohort": {"en": "cohort", "zh": "批次"},
    "col.cohort_size": {"en": "new customers", "zh": "新客户数"},
    "col.referrals": {"en": "referrals in the window", "zh": "窗口期内推荐数"},
    "col.k_factor": {"en": "K-factor", "zh": "K因子"},
    "col.via_person_id": {"en": "via customer", "zh": "引荐客户"},
    "col.via_name": {"en": "via name", "zh": "引荐人姓名"},
    "col.via_tier": {"en": "via tier", "zh": "引荐人等级"},
    "col.lead_relation": {"en": "via is their", "zh": "引荐人是其"},
    "col.open_gaps": {"en": "open gaps", "zh": "保障缺口数"},
    "col.lead_score": {"en": "lead score", "zh": "线索评分"},
    "col.table": {"en": "table", "zh": "数据表"},
    "col.rows_in": {"en": "rows in", "zh": "输入行数"},
    "col.kept": {"en": "kept", "zh": "保留"},
    "col.merged": {"en": "merged", "zh": "合并"},
    "col.rejected": {"en": "rejected", "zh": "拒收"},
    "col.cells_blanked": {"en": "cells blanked", "zh": "置空单元格"},
    "col.reject_reason": {"en": "reason", "zh": "原因"},
    "col.rows": {"en": "rows", "zh": "行数"},
    # --- report: what to do first --------------------------------------------------------
    "head.gap": {
        "en": "{total} of protection is missing in {short} of {households} households",
        "zh": "{households}户中有{short}户保障不足，合计缺口{total}",
    },
    "head.unknown": {
        "en": "; {n} households have an earner whose income is unknown, so their gap is "
        "not (fully) counted",
        "zh": "；另有{n}户的经济支柱收入未知，其缺口未能（完全）计入",
    },
    "head.end": {"en": ".", "zh": "。"},
    "act.title": {"en": "{n} actions this week", "zh": "本周{n}项行动"},
    "act.go": {"en": "→ details", "zh": "→ 查看详情"},
    "act.sep": {"en": ": ", "zh": "："},
    "act.gap.what": {
        "en": "Close the largest first-priority gaps.",
        "zh": "先补最紧迫的保障缺口。",
    },
    "act.gap.why": {
        "en": "{n} households lack a line of priority P{p}; the {shown} with the largest "
        "money gap:",
        "zh": "{n}户缺少优先级P{p}的险种，保额缺口最大的{shown}户：",
    },
    "act.gap.item": {
        "en": "{gap} short; {name} ({role}) has no {line} cover{more}",
        "zh": "保障缺口{gap}；{name}（{role}）没有{line}{more}",
    },
    "act.gap.more": {"en": " (+{n} more P{p} gaps)", "zh": "（另有{n}项P{p}缺口）"},
    "act.gap.none": {
        "en": "Every required line of the most urgent priority is covered.",
        "zh": "最紧迫优先级的险种都已配置。",
    },
    "act.risk.what": {
        "en": "Call the strong and super customers who are slipping away.",
        "zh": "联系正在流失的紧密客户和超级客户。",
    },
    "act.risk.why": {
        "en": "{n} of them have a chance below {threshold} of still being active customers; "
        "the most valuable first:",
        "zh": "其中{n}位仍活跃的概率低于{threshold}，按价值排序：",
    },
    "act.risk.item": {
        "en": "{name} ({tier}; chance still active {p}; expected value in 12 months {clv})",
        "zh": "{name}（{tier}客户；仍活跃概率{p}；未来12个月预期价值{clv}）",
    },
    "act.risk.none": {
        "en": "No strong or super customer is slipping away.",
        "zh": "目前没有正在流失的紧密客户或超级客户。",
    },
    "act.lead.what": {
        "en": "Ask trusted customers to introduce their relatives.",
        "zh": "请信任度高的客户引荐亲友。",
    },
    "act.lead.why": {
        "en": "{n} prospects are next to a strong or super customer; the best leads:",
        "zh": "共{n}位潜在客户与紧密或超级客户有关系，最佳线索：",
    },
    "act.lead.item": {
        "en": "ask {via} ({lead}'s {relation}, a {tier} customer) to introduce {lead}: {gaps}",
        "zh": "请{via}（{lead}的{relation}，{tier}客户）引荐{lead}：{gaps}",
    },
    "act.lead.gaps": {"en": "{n} open gaps, {line} first", "zh": "{n}项保障缺口，优先{line}"},
    "act.lead.nogaps": {"en": "no open gaps", "zh": "暂无保障缺口"},
    "act.lead.none": {
        "en": "No prospect is next to a strong or super customer yet.",
        "zh": "目前没有与紧密或超级客户相关的潜在客户。",
    },
    # --- report: headline KPIs -----------------------------------------------------------
    "kpi.how": {"en": "How these are computed", "zh": "这些数字怎么算"},
    "kpi.people": {"en": "People", "zh": "总人数"},
    "kpi.people.def": {
        "en": "Persons in the book: customers and prospects (known relatives).",
        "zh": "数据中的全部人员：客户和潜在客户（已知的亲属）。",
    },
    "kpi.customers": {"en": "Customers", "zh": "客户数"},
    "kpi.customers.def": {
        "en": "Persons with is_customer = true.",
        "zh": "is_customer 为真的人员。",
    },
    "kpi.households": {"en": "Households", "zh": "家庭数"},
    "kpi.households.def": {
        "en": "Distinct household_id after household inference (docs/metrics.md, section 3).",
        "zh": "推断家庭后不同的 household_id 个数（docs/metrics.md 第3节）。",
    },
    "kpi.penetration": {"en": "Penetration", "zh": "渗透率"},
    "kpi.penetration.def": {
        "en": "Customers / people: the share of known household members who are customers.",
        "zh": "客户数 / 总人数：已知家庭成员中客户所占比例。",
    },
    "kpi.family_conversion": {"en": "Family conversion rate", "zh": "家庭转化率"},
    "kpi.family_conversion.def": {
        "en": "Of the persons with at least one family relation to a customer, the share who "
        "are customers themselves.",
        "zh": "与客户有至少一种家庭关系的人员中，本人也是客户的比例。",
    },
    "kpi.referral_share": {"en": "Acquired by referral", "zh": "转介绍获客占比"},
    "kpi.referral_share.def": {
        "en": "Customers who are the referee of a kept referral / customers.",
        "zh": "通过有效推荐关系获得的客户 / 客户数。",
    },
    "kpi.k_factor": {"en": "K-factor", "zh": "K因子"},
    "kpi.k_factor.cohort": {"en": " ({cohort})", "zh": "（{cohort}）"},
    "kpi.k_factor.def": {
        "en": "Converted referrals per new customer of the latest cohort whose {days}-day "
        "referral window has closed (fg.viral_coefficient).",
        "zh": "最近一个{days}天推荐窗口已结束的批次中，每位新客户推荐成交的人数"
        "（fg.viral_coefficient）。",
    },
    "kpi.protection_gap": {"en": "Protection gap (total)", "zh": "保障缺口合计"},
    "kpi.protection_gap.def": {
        "en": "Sum over households of the money gap of earners with a known income: life cover "
        "need and critical-illness need (multiples of annual income) less the sum assured held. "
        "{unknown} households have an earner whose income is unknown; that earner is not counted.",
        "zh": "各家庭有收入记录的经济支柱的保额缺口之和：寿险需求和重疾险需求（年收入的倍数）"
        "减去已持有的保额。另有{unknown}户的经济支柱收入未知，这些人未计入。",
    },
    "kpi.households_short": {"en": "Households short", "zh": "保障不足的家庭"},
    "kpi.households_short.def": {
        "en": "Households with a protection gap above 0, of {households}.",
        "zh": "保障缺口大于0的家庭数（共{households}户）。",
    },
    # --- report: coverage ----------------------------------------------------------------
    "cov.heat_caption": {
        "en": "{pairs} required (person, line) pairs not covered; {prospects} of them belong to "
        "prospects.",
        "zh": "共{pairs}项应配置而未配置的（人，险种）缺口，其中{prospects}项属于潜在客户。",
    },
    "cov.call_first": {
        "en": "Households to call first: largest protection gap",
        "zh": "优先联系的家庭：保障缺口最大",
    },
    "cov.ids": {
        "en": "Household ids come in two forms: an id given in the data (e.g. {given}) is kept; "
        "people without one are grouped by family ties (spouse, parent and minor child) and the "
        'group is named "H:" + its smallest member id (e.g. {formed}).',
        "zh": "家庭编号有两种：数据中已给出的编号（如 {given}）原样保留；没有编号的人按家庭关系"
        "（配偶、父母与未成年子女）归组，并以“H:”加组内最小的成员编号命名（如 {formed}）。",
    },
    "cov.money": {
        "en": "Protection gap: life need {life}× and critical-illness need {ci}× the earners' "
        "annual income, less the sum assured they hold.",
        "zh": "保障缺口：经济支柱年收入的{life}倍寿险需求与{ci}倍重疾险需求，减去已持有的保额。",
    },
    "cov.unknown": {
        "en": " {n} households have an earner whose income is unknown: their gap shows as "
        '"unknown" (or "≥" when other earners\' incomes are known), never as 0, and they are '
        "not ranked here.",
        "zh": "另有{n}户的经济支柱收入未知：其缺口显示为“未知”（若其他经济支柱收入已知则显示"
        "“≥”），绝不显示为0，也不参与此处排序。",
    },
    "cov.click": {
        "en": "Click a household to see its members × product lines below.",
        "zh": "点击家庭编号，可在下方查看该家庭成员 × 险种的配置情况。",
    },
    "cov.dist": {"en": "Protection gap distribution", "zh": "保障缺口分布"},
    "cov.dist_caption": {
        "en": "Life need {life}× and critical-illness need {ci}× the earner's annual income, "
        "less the sum assured held.",
        "zh": "寿险需求为经济支柱年收入的{life}倍，重疾险需求为{ci}倍，减去已持有的保额。",
    },
    "gap.at_least": {"en": "≥ {amount}", "zh": "≥ {amount}"},
    "hh.given": {"en": "given", "zh": "数据给出"},
    "hh.formed": {"en": "formed from family ties", "zh": "按家庭关系生成"},
    "hh.alt": {"en": "Household {hid}", "zh": "家庭 {hid}"},
    "hh.caption": {
        "en": "Household {hid}: green ✓ = holds, vermillion P1…P4 = lacks (the plan's priority).",
        "zh": "家庭 {hid}：绿色 ✓ = 已持有，红色 P1…P4 = 缺少（数字为配置优先级）。",
    },
    # --- report: super users -------------------------------------------------------------
    "su.board": {
        "en": "Leaderboard: top {n} by tier, then score ({super} super, {strong} strong customers)",
        "zh": "排行榜：按关系等级、再按评分排列的前{n}位（超级客户{super}位，紧密客户{strong}位）",
    },
    "su.tier_vs_score": {
        "en": "Tier says what a customer does: super = buys in at least 2 quarters of the last "
        "12 months and brought in at least {min_referrals} customers; strong = one of the two. "
        "Score (0–100) ranks customers against each other on recency, purchases, value, chain "
        "value and influence, so a strong customer can score higher than a super one.",
        "zh": "关系等级看客户做了什么：超级 = 近12个月至少在2个季度购买，且推荐成交至少"
        "{min_referrals}位客户；紧密 = 满足其一。评分（0–100）按最近购买、购买次数、金额、"
        "推荐链价值和影响力在客户之间排名，因此紧密客户的评分可能高于超级客户。",
    },
    "su.chain": {
        "en": "Chain value discounts each referral generation by {decay}.",
        "zh": "推荐链价值每隔一代按{decay}折算。",
    },
    "su.value_note": {
        "en": " Value is the given value per person (e.g. predicted lifetime value).",
        "zh": "金额为给定的每人价值（例如预测的客户终身价值）。",
    },
    "risk.title": {
        "en": "Strong and super customers slipping away",
        "zh": "正在流失的紧密客户和超级客户",
    },
    "risk.note": {
        "en": "{n} strong or super customers have a chance below {threshold} of still being "
        "active (BG/NBD value model, fg.value_segments); expected value and referral value over "
        "the next 12 months.",
        "zh": "{n}位紧密或超级客户仍活跃的概率低于{threshold}（BG/NBD 价值模型，"
        "fg.value_segments）；预期价值与推荐价值按未来12个月计。",
    },
    "risk.unfit": {
        "en": "Not available for this book: the value model could not be fitted (too few "
        "customers with repeat purchases).",
        "zh": "本数据无法提供：价值模型无法拟合（有重复购买的客户太少）。",
    },
    # --- report: rising, slipping, at risk -------------------------------------------------
    "move.intro": {
        "en": "How relationship levels moved between {since} and {as_of}: {up} persons rose, "
        "{down} slipped, {same} stayed. A level counts only what had happened by then: "
        "purchases, referrals, customers who had joined, ties active then.",
        "zh": "{since}至{as_of}关系等级的变化：{up}人上升，{down}人下滑，{same}人不变。"
        "每个时点只计当时已发生的购买、推荐、已加入的客户与仍有效的关系。",
    },
    "move.flow_alt": {"en": "Tier flow since {since}", "zh": "自{since}以来的关系等级流动"},
    "move.flow_caption": {
        "en": "Rows: the level on {since}; columns: the level on {as_of}. The diagonal "
        "stayed; right of it rose, left of it slipped.",
        "zh": "行：{since}的关系等级；列：{as_of}的关系等级。"
        "对角线为不变，右侧为上升，左侧为下滑。",
    },
    "move.rose": {
        "en": "Rose to strong or super since {since} (by score now)",
        "zh": "自{since}以来升为紧密或超级客户（按现在的评分排序）",
    },
    "move.slipped": {
        "en": "Slipped from strong or super since {since} (by score then)",
        "zh": "自{since}以来从紧密或超级客户下滑（按当时的评分排序）",
    },
    "move.none": {"en": "Nobody.", "zh": "无。"},
    "move.quad_alt": {"en": "Customers by CLV and CRV", "zh": "按CLV与CRV划分的客户"},
    "move.quad_caption": {
        "en": "Each dot a customer ({shown} of {n} drawn); lines at the customers' medians. "
        "Champions (top right) buy and bring buyers; affluent customers (bottom right) have "
        "not introduced anyone yet; advocates (top left) are worth most through their circle. "
        "Vermillion: strong or super customers at risk of leaving.",
        "zh": "每个点为一位客户（共{n}位，画出{shown}位）；线为客户的中位数。冠军客户（右上）"
        "既消费又带来新客户；高价值客户（右下）尚未推荐他人；推荐达人（左上）的价值主要来自"
        "其人脉。橙红色：有流失风险的紧密或超级客户。",
    },
    "move.segments": {"en": "Customers by value segment", "zh": "各价值分群的客户"},
    "col.tier_before": {"en": "tier then", "zh": "当时等级"},
    "col.tier_after": {"en": "tier now", "zh": "现在等级"},
    "col.score_before": {"en": "score then", "zh": "当时评分"},
    "col.score_after": {"en": "score now", "zh": "现在评分"},
    "col.share": {"en": "share", "zh": "占比"},
    "col.mean_clv": {"en": "mean CLV ({currency})", "zh": "平均CLV（{currency}）"},
    "col.mean_crv": {"en": "mean CRV ({currency})", "zh": "平均CRV（{currency}）"},
    "col.at_risk": {"en": "at risk", "zh": "有流失风险"},
    # --- report: referral ----------------------------------------------------------------
    "ref.chains": {
        "en": "Most valuable referral chains ({n} chains in all)",
        "zh": "最有价值的推荐链（共{n}条）",
    },
    "ref.counts": {
        "en": '"People referred" counts everyone below the root, the whole chain down; each '
        'tree below draws the root as well, so its title says "N referred + the root".',
        "zh": "“整条链推荐人数”统计源头以下的所有人；下方每棵推荐树另外画出源头本人，"
        "因此标题写作“下线N人（另加根节点本人）”。",
    },
    "ref.none": {"en": "No referrals.", "zh": "暂无推荐。"},
    "ref.no_cohorts": {"en": "No cohorts.", "zh": "暂无批次。"},
    "ref.tree_alt": {"en": "Referral tree of {root}", "zh": "{root}的推荐树"},
    "ref.tree_caption": {
        "en": "{n} people referred + the root = {people} people in the whole tree; blue = "
        "customer, orange = prospect; each label: name, own value, chain value.",
        "zh": "下线{n}人 + 源头本人 = 整棵树{people}人；蓝色 = 客户，橙色 = 潜在客户；"
        "每个标签：姓名、本人金额、推荐链价值。",
    },
    "ref.dist": {"en": "Chain value distribution", "zh": "推荐链价值分布"},
    "ref.chain_caption": {
        "en": "chain value = Σ {decay}^(distance−1) × value of each descendant{depth}.",
        "zh": "推荐链价值 = Σ {decay}^(距离−1) × 每位下线的金额{depth}。",
    },
    "ref.depth": {"en": ", up to {n} generations down", "zh": "，最多向下{n}代"},
    "ref.viral": {"en": "Viral coefficient trend", "zh": "K因子趋势"},
    "ref.viral_caption": {
        "en": "K-factor = converted referrals made within {days} days of joining / cohort size; "
        "cohorts that joined less than {days} days before the book date are still filling up.",
        "zh": "K因子 = 加入后{days}天内推荐成交的人数 / 批次人数；"
        "加入不足{days}天的批次仍在累计中。",
    },
    # --- report: warm leads, data quality ------------------------------------------------
    "lead.note": {
        "en": "{n} prospects next to strong or super customers; the top {shown} by lead score.",
        "zh": "共{n}位潜在客户与紧密或超级客户有关系；按线索评分列出前{shown}位。",
    },
    "lead.none": {"en": "No warm leads.", "zh": "暂无潜在客户线索。"},
    "dq.rows": {"en": "Rows in, kept, merged, rejected", "zh": "输入、保留、合并、拒收的行数"},
    "dq.rejects": {"en": "Rejected rows by reason", "zh": "按原因统计的拒收行"},
    "dq.none": {"en": "No row was rejected.", "zh": "没有被拒收的行。"},
    "dq.details": {
        "en": "Details of each rejected row are left out of the report because they may quote "
        "personal data; see famgraph validate.",
        "zh": "拒收行的明细可能含有个人信息，未放入报告；请使用 famgraph validate 查看。",
    },
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
