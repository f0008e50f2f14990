"""fg.report: one self-contained, escaped HTML file; KPIs hand-computed."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import famgraph as fg
from famgraph import _fonts
from famgraph.report import headline_kpis, latest_k_factor


@pytest.fixture(scope="module")
def sample() -> fg.CustomerGraph:
    return fg.datasets.sample()


@pytest.fixture(scope="module")
def sample_html(sample: fg.CustomerGraph, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = fg.report(sample, tmp_path_factory.mktemp("r") / "sub" / "report.html")
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained(sample_html: str) -> None:
    # no external reference of any kind: no URL scheme but data:, no src/href elsewhere
    assert "http://" not in sample_html and "https://" not in sample_html
    # exactly one script, inline, allowed by its hash (no 'unsafe-inline'), same for the style
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", sample_html, flags=re.S)
    assert len(scripts) == 1 and scripts[0][0] == ""
    styles = re.findall(r"<style>(.*?)</style>", sample_html, flags=re.S)
    assert len(styles) == 1
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', sample_html)
    assert policy is not None
    csp = policy.group(1)
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    for directive, text in (("script-src", scripts[0][1]), ("style-src", styles[0])):
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    srcs = re.findall(r'src="([^"]*)"', sample_html)
    assert len(srcs) >= 9
    for s in srcs:
        assert s.startswith("data:image/png;base64,")
        assert base64.b64decode(s.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    hrefs = re.findall(r'href="([^"]*)"', sample_html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    # every in-page link lands somewhere
    ids = set(re.findall(r' id="([^"]*)"', sample_html))
    assert {h[1:] for h in hrefs} <= ids
    for anchor in (
        "summary",
        "kpis",
        "coverage",
        "super-users",
        "at-risk",
        "referral",
        "warm-leads",
        "data-quality",
    ):
        assert anchor in ids


def test_report_sections_hold_the_data(sample_html: str) -> None:
    # the top household by protection gap and its top gap person by name
    assert "H:P01" in sample_html and "王伟" in sample_html
    # the leaderboard's first row is the top score: P05 (super)
    board = sample_html.split("Leaderboard")[1]
    assert board.index("P05") < board.index("P01")
    # reject counts by reason (4 rejected rows in the sample), by their names
    dq = sample_html.split('id="data-quality"')[1]
    for reason in (
        "relation to oneself",
        "unknown person",
        "referral cycle",
        "negative amount",
    ):
        assert reason in dq


def test_headline_kpis_sample_by_hand(sample: fg.CustomerGraph) -> None:
    # see tests/browser/test_report_browser.py for the derivation of each number
    k = headline_kpis(
        sample, households=fg.households(sample), viral=fg.viral_coefficient(sample)
    ).set_index("kpi")
    assert k.loc["people", "value"] == 15
    assert k.loc["customers", "value"] == 11
    assert k.loc["households", "value"] == 9
    assert k.loc["penetration", "value"] == pytest.approx(11 / 15)
    assert k.loc["family_conversion", "value"] == pytest.approx(8 / 12)
    assert k.loc["referral_share", "value"] == pytest.approx(8 / 11)
    assert k.loc["k_factor", "value"] == 1.0
    assert k.loc["k_factor", "label"] == "K-factor (2024Q1)"
    assert k.loc["penetration", "display"] == "73.3%"


def test_headline_kpis_without_customers() -> None:
    g = fg.build(
        pd.DataFrame({"person_id": ["A", "B"], "is_customer": [False, False]}),
        relations=pd.DataFrame({"person_id": ["A"], "relative_id": ["B"], "relation": ["spouse"]}),
        as_of="2025-01-01",
    )
    k = headline_kpis(g, households=fg.households(g)).set_index("kpi")
    assert k.loc["customers", "value"] == 0
    assert k.loc["penetration", "value"] == 0
    assert np.isnan(k.loc["family_conversion", "value"])  # nobody is next to a customer
    assert np.isnan(k.loc["referral_share", "value"])
    assert k.loc["referral_share", "display"] == "–"
    assert np.isnan(k.loc["k_factor", "value"])


def test_latest_k_factor_choices() -> None:
    v = pd.DataFrame({"cohort": ["2024Q3", "2024Q4"], "k_factor": [0.5, 0.25]})
    # no window closed yet by 2025-01-01: the latest cohort
    assert latest_k_factor(v, pd.Timestamp("2025-01-01")) == ("2024Q4", 0.25)
    # 2024Q3 ends 2024-09-30; + 365 days = 2025-09-30
    assert latest_k_factor(v, pd.Timestamp("2025-09-30")) == ("2024Q3", 0.5)
    assert latest_k_factor(v, pd.Timestamp("2025-09-29")) == ("2024Q4", 0.25)
    assert latest_k_factor(v.iloc[:0], pd.Timestamp("2025-01-01"))[0] is None


def test_mask_names_progress_and_currency(sample: fg.CustomerGraph, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    out = fg.report(
        sample,
        tmp_path / "m.html",
        mask_names=True,
        currency="USD",
        progress=lambda s, d, t: calls.append((s, d, t)),
    )
    html = out.read_text(encoding="utf-8")
    names = sample.people["name"].dropna().tolist()
    assert len(names) == 15
    assert [n for n in names if n in html] == []
    assert "Names masked." in html and "P05" in html
    # progress: every step once, in order, then ("done", total, total)
    total = calls[0][2]
    assert [d for _, d, _ in calls] == list(range(total + 1))
    assert calls[0][0] == "households" and calls[-1] == ("done", total, total)
    assert "value segments" in [c[0] for c in calls]
    assert "Money in USD" in html and "protection gap (USD)" in html
    with pytest.raises(ValueError, match="The `currency` parameter of `report`"):
        fg.report(sample, tmp_path / "q.html", currency="")


def hostile_book() -> fg.CustomerGraph:
    t = fg.datasets.sample_tables()
    people = t["people"].copy()
    people.loc[people["person_id"] == "P05", "name"] = "<script>alert('x')</script>"
    people.loc[people["person_id"] == "P01", "name"] = 'Wang "<b>" & Co'
    people.loc[people["person_id"] == "P10", "household_id"] = "<img src=x onerror=1>"
    people.loc[people["person_id"] == "P11", "household_id"] = "<img src=x onerror=1>"
    people.loc[people["person_id"] == "P12", "household_id"] = "<img src=x onerror=1>"
    return fg.build(people, t["relations"], t["referrals"], t["holdings"])


def test_data_is_escaped(tmp_path: Path) -> None:
    g = hostile_book()
    html = fg.report(g, tmp_path / "x.html", title="<i>Q1</i>").read_text(encoding="utf-8")
    assert html.count("<script") == 1  # the page's own, nothing from the data
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "Wang &quot;&lt;b&gt;&quot; &amp; Co" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=1&gt;" in html
    assert "<i>Q1</i>" not in html and "&lt;i&gt;Q1&lt;/i&gt;" in html


def test_report_without_cjk_font_warns_once(
    sample: fg.CustomerGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(_fonts, "_warned", False)
    with pytest.warns(_fonts.CJKFontWarning) as rec:
        fg.report(sample, tmp_path / "nofont.html")
    # exactly one warning: matplotlib's per-glyph warnings are silenced
    assert [type(w.message) for w in rec] == [_fonts.CJKFontWarning]


def test_report_of_a_bare_book(tmp_path: Path) -> None:
    # people only: no relations, referrals or holdings -> every section still renders
    g = fg.build(pd.DataFrame({"person_id": ["A", "B"], "name": ["Ann", None]}), as_of="2025-01-01")
    html = fg.report(g, tmp_path / "bare.html").read_text(encoding="utf-8")
    assert "No referrals." in html and "No cohorts." in html
    assert "No row was rejected." in html
    assert html.count("<img ") >= 7


def test_report_settings_reach_every_analysis_and_caption(
    sample: fg.CustomerGraph, tmp_path: Path
) -> None:
    plan = pd.DataFrame(
        {"role": ["earner", "child"], "line": ["life", "education"], "priority": [1, 2]}
    )
    clv = pd.Series({"P06": 100_000.0, "P08": 5_000.0, "P15": 70_000.0})
    kw = {"decay": 0.3, "min_referrals": 1, "life_multiple": 8.0, "window_days": 200}
    html = fg.report(sample, tmp_path / "s.html", plan=plan, value=clv, **kw).read_text("utf-8")
    gaps = fg.coverage_gaps(sample, plan=plan)
    assert f"{len(gaps):,} required (person, line) pairs not covered" in html
    assert "Σ 0.3^(distance−1)" in html and "Life need 8×" in html
    assert "within 200 days of joining" in html and "at least 1 customers" in html
    assert "predicted lifetime value" in html
    su = fg.super_users(sample, min_referrals=1, value=clv, decay=0.3)
    n_super = int(su["is_super"].sum())
    n_strong = int((su["tier"] == "strong").sum())
    assert f"({n_super:,} super, {n_strong:,} strong customers)" in html
    # the leaderboard is led by the top super user of those settings
    board = html.split("Leaderboard")[1]
    supers = su[su["is_super"]].sort_values(["score", "person_id"], ascending=[False, True])
    top, second = supers["person_id"].iloc[0], supers["person_id"].iloc[1]
    assert board.index(f">{top}<") < board.index(f">{second}<")


# --- languages, unknowns, actions, counts ---------------------------------------------------
@pytest.fixture(scope="module")
def sample_zh(sample: fg.CustomerGraph, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = fg.report(sample, tmp_path_factory.mktemp("zh") / "report.html", language="zh")
    return out.read_text(encoding="utf-8")


def visible(page: str) -> str:
    """The text a reader sees: no style, script, tags or attribute values."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def section_of(page: str, anchor: str) -> str:
    return page.split(f'<section id="{anchor}">')[1].split("</section>")[0]


def rows_of(fragment: str) -> list[list[str]]:
    """The cells (visible text) of every body row of the first table in ``fragment``."""
    body = fragment.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [visible(td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_no_code_names_reach_the_reader(sample_html: str, sample_zh: str) -> None:
    for page in (sample_html, sample_zh):
        text = visible(page)
        for code in ("critical_illness", "long_term_care", "self_relation", "unknown_person"):
            assert code not in text, code
    en, zh = visible(sample_html), visible(sample_zh)
    assert "Critical illness" in en and "重疾险" in zh and "寿险" in zh
    assert "经济支柱" in zh and "超级" in zh  # roles and tiers by name
    assert '<html lang="zh-CN">' in sample_zh and '<html lang="en">' in sample_html


def test_headline_gap_by_hand(sample_html: str, sample_zh: str) -> None:
    # protection gaps (life 10x + critical illness 3x income, less sum assured), by hand:
    # H:P01 P01 life 1.2M-1M + CI 360k, P02 life 800k (CI 240k < 300k held) = 1,360,000;
    # H:P08 P08 50k + 285k, P09 600k + 180k = 1,115,000; H:P13 700k + 210k = 910,000;
    # H:P14 450k + 135k = 585,000; HH-SUN P10 life covered + CI 450k = 450,000 (P11's
    # income unknown). Total 4,420,000 in 5 of 9 households; H:P07 (P07, 20, no income
    # given) and HH-SUN have an earner of unknown income.
    head = section_of(sample_html, "summary")
    assert "CNY 4.42M of protection is missing in 5 of 9 households; 2 households have" in head
    head_zh = visible(section_of(sample_zh, "summary"))
    assert "9户中有5户保障不足，合计缺口442万元；另有2户的经济支柱收入未知" in head_zh


def test_three_actions_link_to_their_sections(sample_html: str, sample_zh: str) -> None:
    head = section_of(sample_html, "summary")
    assert "3 actions this week" in head
    actions = re.findall(r'<li><span class="what">.*?<a class="go" href="#([^"]+)"', head, re.S)
    assert actions == ["coverage", "at-risk", "warm-leads"]
    # action 1: six households lack life (P1); the three largest money gaps, by hand
    assert "6 households lack a line of priority P1" in head
    firsts = re.findall(r'<a href="#(hh-\d+)">([^<]+)</a>', head)
    assert [h for _, h in firsts] == ["H:P01", "H:P08", "H:P13"]
    assert "CNY 1.36M short; 李娜 (earner) has no life cover" in html.unescape(head)
    # each links to the grid of that household, drawn in the coverage section
    cov = section_of(sample_html, "coverage")
    for anchor, hid in firsts:
        fig = re.search(rf'<figure id="{anchor}"><img [^>]*alt="([^"]*)"', cov)
        assert fig is not None and fig.group(1) == f"Household {hid}"
    # action 2: the sample is too small for the value model: said, not hidden
    assert "value model could not be fitted" in head
    # action 3: the best warm lead first
    assert "ask Chen Jie (Chen Lu&#x27;s parent, a super customer) to introduce Chen Lu" in head
    assert "请Chen Jie（Chen Lu的父母，超级客户）引荐Chen Lu" in visible(
        section_of(sample_zh, "summary")
    )


def test_unknown_gap_is_never_zero(sample_html: str, sample_zh: str) -> None:
    # Chen Lu (P07) is a warm lead; her household H:P07 has one earner (herself) with no
    # income given: its money gap is unknown, not 0
    leads = rows_of(section_of(sample_html, "warm-leads"))
    p07 = next(r for r in leads if r[0] == "P07")
    assert "unknown" in p07 and "CNY 0" not in p07
    cell = re.search(
        r'<td class="num unknown" data-v="">unknown</td>', section_of(sample_html, "warm-leads")
    )
    assert cell is not None  # sorted last, empty in the CSV
    zh = rows_of(section_of(sample_zh, "warm-leads"))
    assert "未知" in next(r for r in zh if r[0] == "P07")
    # HH-SUN: P10's gap is known, P11's income is not: at least
    cov = rows_of(section_of(sample_html, "coverage"))
    sun = next(r for r in cov if r[0] == "HH-SUN")
    assert "≥ CNY 450K" in sun and "given" in sun
    assert next(r for r in cov if r[0] == "H:P01")[1] == "formed from family ties"
    # household ids explained
    assert "&quot;H:&quot; + its smallest member id" in section_of(sample_html, "coverage")


def test_leaderboard_by_tier_then_score(sample: fg.CustomerGraph, sample_html: str) -> None:
    rows = rows_of(section_of(sample_html, "super-users"))
    tiers = [r[0] for r in rows]
    order = ["super", "strong", "weak", "micro"]
    assert tiers == sorted(tiers, key=order.index)
    su = fg.super_users(sample).set_index("person_id")
    for tier in set(tiers):
        scores = [float(r[3]) for r in rows if r[0] == tier]
        assert scores == sorted(scores, reverse=True)
    assert [r[1] for r in rows if r[0] == "super"] == ["P05", "P08"]
    assert all(su.loc[r[1], "tier"] == r[0] for r in rows)
    assert "a strong customer can score higher than a super one" in section_of(
        sample_html, "super-users"
    )


def test_referral_counts_agree(sample_html: str) -> None:
    # P05's chain: P06, P08, P13, P14, P15 below -> cascade 5; the tree draws 6 people
    ref = section_of(sample_html, "referral")
    chains = rows_of(ref)
    p05 = next(r for r in chains if r[0] == "P05")
    assert p05[2] == "5"
    assert "5 people referred + the root = 6 people in the whole tree" in ref
    assert "Referral tree of P05" in ref


def test_line_names_extend_and_language_is_checked(
    sample: fg.CustomerGraph, tmp_path: Path
) -> None:
    out = fg.report(sample, tmp_path / "l.html", line_names={"life": "Term life"})
    text = visible(out.read_text(encoding="utf-8"))
    assert "Term life" in text
    with pytest.raises(ValueError, match="The `language` parameter of `report` must be one of"):
        fg.report(sample, tmp_path / "x.html", language="fr")
    with pytest.raises(ValueError, match="The `line_names` parameter of `report`"):
        fg.report(sample, tmp_path / "x.html", line_names={"life": 3})  # type: ignore[dict-item]


def test_tables_carry_raw_values_for_sort_and_csv(sample_html: str) -> None:
    cov = section_of(sample_html, "coverage")
    # every table is wrapped for the script, with its CSV name and control words
    assert '<div class="tbl" data-csv="households-to-call-first.csv"' in cov
    # money shows compact, sorts and exports raw
    assert re.search(r'<td class="num" data-v="1360000">CNY 1.36M</td>', cov)
    assert sample_html.count('<div class="tbl"') >= 7


def test_report_trees_keep_their_title_inside_at_the_saved_dpi() -> None:
    # a narrow tree under a long Chinese title, drawn as the report draws it (png at 90
    # dpi): measured at the dpi it is saved with, the title stays inside the picture
    from functools import partial

    from famgraph.report.parts import png

    people = pd.DataFrame({"person_id": ["R", "A", "B"], "name": ["欧阳长名字客户", "甲", "乙"]})
    refs = pd.DataFrame({"referrer_id": ["R", "R"], "referee_id": ["A", "B"]})
    hold = pd.DataFrame(
        {"person_id": ["A", "B"], "line": "life", "purchased_at": "2024-01-01", "amount": 1.5e6}
    )
    g = fg.build(people, referrals=refs, holdings=hold)
    seen: dict[str, object] = {}

    def draw(ax: matplotlib.axes.Axes) -> None:
        partial(fg.plot.referral_tree, g, "R", language="zh")(ax=ax)
        seen["ax"] = ax

    png(draw, (3.0, 2.5), dpi=90)
    ax = seen["ax"]
    assert isinstance(ax, matplotlib.axes.Axes)
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.set_dpi(90)
    fig.draw_without_rendering()
    title = ax.title.get_window_extent()
    assert title.x0 >= 0 and title.x1 <= fig.bbox.width


@pytest.fixture(scope="module")
def mid_book() -> fg.CustomerGraph:
    return fg.build(**fg.datasets.synthetic(3_000, seed=0))


def test_rising_slipping_at_risk_section(mid_book: fg.CustomerGraph, tmp_path: Path) -> None:
    g = mid_book
    html = fg.report(g, tmp_path / "m.html").read_text("utf-8")
    section = html.split('id="movement"')[1].split("<section")[0]
    # since defaults to the previous quarter end: as_of 2025-06-30 -> 2025-03-31
    moves = fg.tier_transitions(g, "2025-03-31")
    up, down = int((moves.change == "up").sum()), int((moves.change == "down").sum())
    assert f"{up:,} persons rose, {down:,} slipped" in section
    assert "between 2025-03-31 and 2025-06-30" in section
    rose = moves[(moves.change == "up") & moves.tier_after.isin(["strong", "super"])]
    assert f"Rose to strong or super since 2025-03-31 (by score now) ({len(rose):,})" in section
    # the value segments and the customers at risk are there, with their counts
    seg = fg.value_segments(g)
    n_champions = int((seg.segment == "champion").sum())
    assert "Customers by value segment" in section and f">{n_champions:,}<" in section
    assert 'id="at-risk"' in section and 'href="#at-risk"' in html
    assert section.count("<img ") == 2  # the tier flow and the CLV x CRV picture
    # in Chinese, and from another date
    zh = fg.report(g, tmp_path / "z.html", language="zh", since="2024-12-31").read_text("utf-8")
    moves = fg.tier_transitions(g, "2024-12-31")
    up = int((moves.change == "up").sum())
    assert f"2024-12-31至2025-06-30关系等级的变化：{up:,}人上升" in zh
    assert "上升、下滑与流失风险" in zh
    with pytest.raises(ValueError, match="The `since` parameter of `report` must be a date"):
        fg.report(g, tmp_path / "x.html", since="notadate")
