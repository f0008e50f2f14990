"""fg.report: one self-contained, escaped HTML file; KPIs hand-computed."""

from __future__ import annotations

import base64
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
    assert "<script" not in sample_html.lower()
    srcs = re.findall(r'src="([^"]*)"', sample_html)
    assert len(srcs) >= 9
    for s in srcs:
        assert s.startswith("data:image/png;base64,")
        assert base64.b64decode(s.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    hrefs = re.findall(r'href="([^"]*)"', sample_html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "Content-Security-Policy" in sample_html
    for anchor in ("kpis", "coverage", "super-users", "referral", "warm-leads", "data-quality"):
        assert f'id="{anchor}"' in sample_html


def test_report_sections_hold_the_data(sample_html: str) -> None:
    # the top household by protection gap and its top gap person by name
    assert "H:P01" in sample_html and "王伟" in sample_html
    # the leaderboard's first row is the top score: P05 (super)
    board = sample_html.split("Leaderboard")[1]
    assert board.index("P05") < board.index("P01")
    # reject counts by reason (4 rejected rows in the sample)
    dq = sample_html.split('id="data-quality"')[1]
    for reason in ("self_relation", "unknown_person", "referral_cycle", "negative_amount"):
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
    assert "<script" not in html
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
    assert f"({n_super:,} super users)" in html
    # the leaderboard is led by the top score of those settings
    board = html.split("Leaderboard")[1]
    top = su.sort_values(["score", "person_id"], ascending=[False, True]).iloc[0]["person_id"]
    second = su.sort_values(["score", "person_id"], ascending=[False, True]).iloc[1]["person_id"]
    assert board.index(f">{top}<") < board.index(f">{second}<")
