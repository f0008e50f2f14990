"""famgraph.i18n: one catalogue in two languages; number formats; reasons in either language."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph import i18n
from famgraph.schema import REASONS, ROLES, TIERS


def test_every_message_in_both_languages_with_the_same_fields() -> None:
    assert len(i18n.MESSAGES) > 150
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        assert i18n.fields_of(texts["en"]) == i18n.fields_of(texts["zh"]), key
        assert texts["en"].strip() or key == "page.masked", key
    # Chinese texts are Chinese: every message with words has a Han character
    han = re.compile(r"[\u4e00-\u9fff]")
    latin_only = {"page.lang", "gap.at_least", "list_sep", "act.sep", "head.end"}
    latin_only |= {k for k in i18n.MESSAGES if k.startswith("kpi.k_factor.cohort")}
    for key, texts in i18n.MESSAGES.items():
        if key not in latin_only:
            assert han.search(texts["zh"]), key


def test_every_code_has_a_name_in_both_languages() -> None:
    lines = ("life", "critical_illness", "medical", "accident", "pension", "savings")
    lines += ("education", "long_term_care")
    for language in i18n.LANGUAGES:
        for kind, codes in (
            ("line", lines),
            ("role", ROLES),
            ("tier", TIERS),
            ("reject", REASONS),
            ("relation", ("spouse", "parent", "child", "sibling", "friend")),
            ("segment", ("champion", "affluent", "advocate", "miser", "prospect")),
        ):
            for code in codes:
                assert code in i18n.TERMS[kind][language], (language, kind, code)
    zh = i18n.LINE_NAMES["zh"]
    assert [zh[c] for c in lines] == [
        "寿险",
        "重疾险",
        "医疗险",
        "意外险",
        "养老金",
        "储蓄/理财",
        "教育金",
        "长期护理",
    ]
    assert i18n.LINE_NAMES["en"]["critical_illness"] == "Critical illness"


def test_line_names_can_be_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.term("line", "pet", "zh") == "pet"  # no name: the code
    monkeypatch.setitem(i18n.LINE_NAMES["zh"], "pet", "宠物险")
    assert i18n.term("line", "pet", "zh") == "宠物险"
    codes = pd.Series(["pet", "life", None, "pet"])
    assert i18n.terms("line", codes, "zh").tolist()[:2] == ["宠物险", "寿险"]
    assert pd.isna(i18n.terms("line", codes, "zh").iloc[2])
    assert i18n.term("line", "life", "zh", {"life": "定期寿险"}) == "定期寿险"


@pytest.mark.parametrize(
    ("amount", "en", "zh"),
    [
        (0, "CNY 0", "0元"),
        (950, "CNY 950", "950元"),
        (9_500, "CNY 9.5K", "9,500元"),
        (12_345, "CNY 12.3K", "1.23万元"),
        (317_000, "CNY 317K", "31.7万元"),
        (999_700, "CNY 1M", "100万元"),
        (14_700_000, "CNY 14.7M", "1,470万元"),
        (99_995_000, "CNY 100M", "1亿元"),
        (9.1e9, "CNY 9.1B", "91亿元"),
        (-15_000, "CNY -15K", "-1.5万元"),
    ],
)
def test_money_in_both_languages(amount: float, en: str, zh: str) -> None:
    assert i18n.money(amount) == en
    assert i18n.money(amount, language="zh") == zh


def test_unknown_stays_unknown() -> None:
    assert i18n.money(None) == "unknown" and i18n.money(float("nan"), language="zh") == "未知"
    assert i18n.count(pd.NA) == "unknown"
    assert i18n.pct(float("nan")) == "–"
    assert i18n.money(1e6, "USD", "zh") == "100万 USD"
    assert i18n.currency_name("CNY", "zh") == "元"


def test_amounts_vectorised_for_sentences() -> None:
    x = np.array([0.0, 9_999.4, 9_999.6, 12_300.0, 1_234_567.0, 99_995_000.0, 2.5e8, -15_000.0])
    assert i18n.amounts(x, "zh").tolist() == [
        "0",
        "9,999",
        "1万",
        "1.23万",
        "123.46万",
        "9,999.5万",
        "2.5亿",
        "-1.5万",
    ]
    assert i18n.amounts(x, "en").tolist()[3:5] == ["12,300", "1,234,567"]


def test_language_is_checked_everywhere() -> None:
    g = fg.datasets.sample()
    for func in (fg.super_users, fg.warm_leads):
        with pytest.raises(ValueError, match=f"The `language` parameter of `{func.__name__}`"):
            func(g, language="cn")


def test_reasons_in_chinese_match_the_english_facts() -> None:
    g = fg.build(**fg.datasets.synthetic(n_people=3_000, seed=1))
    en = fg.super_users(g)
    zh = fg.super_users(g, language="zh")
    # same rows, same numbers; only the sentence changes
    pd.testing.assert_frame_equal(en.drop(columns="reasons"), zh.drop(columns="reasons"))
    han = zh["reasons"].str.contains(r"[\u4e00-\u9fff]", regex=True)
    assert bool(han.all())
    # every person's purchase count appears in both sentences
    bought = (en["frequency"] > 0).to_numpy()
    starts = ["共" + str(k) + "次购买" for k in en["frequency"][bought]]
    assert [r[: len(p)] for r, p in zip(zh["reasons"][bought], starts, strict=True)] == starts
    assert bool((~en["reasons"].str.contains("[\u4e00-\u9fff]", regex=True)).all())

    leads_en, leads_zh = fg.warm_leads(g), fg.warm_leads(g, language="zh")
    pd.testing.assert_frame_equal(leads_en.drop(columns="reason"), leads_zh.drop(columns="reason"))
    row = leads_zh.iloc[0]
    assert row["reason"].startswith(f"{row['via_person_id']}（其")
    assert "critical_illness" not in " ".join(leads_zh["reason"]) + " ".join(leads_en["reason"])
