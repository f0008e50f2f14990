"""fg.plot: figures drawn with Agg, checked for their content (hand-computed)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.transforms import Bbox

import famgraph as fg
from famgraph import _fonts
from famgraph.plot import CUSTOMER, GAP, HELD, NOT_NEEDED, PROSPECT
from famgraph.schema import COVERAGE_GAP_COLUMNS, SUPER_USER_COLUMNS, VIRAL_COLUMNS


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sample() -> fg.CustomerGraph:
    return fg.datasets.sample()


def gaps_frame(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["person_id", "role", "line", "priority"])
    df["household_id"] = "H1"
    df["is_customer"] = True
    return df[list(COVERAGE_GAP_COLUMNS)]


def su_frame(tiers: list[str], converted: list[int]) -> pd.DataFrame:
    n = len(tiers)
    df = pd.DataFrame({c: np.zeros(n) for c in SUPER_USER_COLUMNS})
    df["person_id"] = [f"P{i}" for i in range(n)]
    df["tier"] = tiers
    df["converted_referrals"] = converted
    df["reasons"] = ""
    return df


def colour_counts(ax: plt.Axes) -> dict[str, int]:
    """Number of scatter markers per face colour (hex)."""
    out: dict[str, int] = {}
    for coll in ax.collections:
        fcs = coll.get_facecolors()
        n = len(coll.get_offsets())
        cols = [to_hex(fcs[0])] * n if len(fcs) == 1 else [to_hex(c) for c in fcs]
        for c in cols:
            out[c] = out.get(c, 0) + 1
    return out


# --- coverage heatmap ------------------------------------------------------------------
def test_coverage_heatmap_counts_order_and_colours() -> None:
    gaps = gaps_frame(
        [
            ("A", "earner", "life", 1),
            ("B", "earner", "life", 1),
            ("C", "earner", "life", 1),
            ("A", "earner", "medical", 2),
            ("K", "child", "education", 4),
            ("L", "child", "education", 4),
        ]
    )
    ax = fg.plot.coverage_heatmap(gaps)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["earner", "child"]
    # lines by their most urgent priority: life 1, medical 2, education 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Life", "Medical", "Education"]
    cells = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert cells == {(0, 0): "3", (0, 1): "1", (0, 2): "–", (1, 0): "–", (1, 1): "–", (1, 2): "2"}
    im = ax.images[0]
    rgba = im.to_rgba(im.get_array())
    assert to_hex(rgba[0, 0]) == GAP.lower()  # the largest gap count: full vermillion
    assert to_hex(rgba[1, 0]) == NOT_NEEDED.lower()  # no gap: grey
    assert to_hex(rgba[0, 1]) != GAP.lower()  # a smaller count is paler
    assert ax.get_xlabel().startswith("product line")
    assert ax.get_ylabel() == "role"
    assert "Coverage gaps" in ax.get_title()


def test_coverage_heatmap_empty_and_bad_input() -> None:
    ax = fg.plot.coverage_heatmap(gaps_frame([]))
    assert [t.get_text() for t in ax.texts] == ["No coverage gaps"]
    with pytest.raises(ValueError, match="The `gaps` parameter of `coverage_heatmap` must be"):
        fg.plot.coverage_heatmap(pd.DataFrame({"role": ["earner"]}))


def test_coverage_heatmap_draws_into_given_axes() -> None:
    _fig, ax = plt.subplots()
    out = fg.plot.coverage_heatmap(gaps_frame([("A", "elder", "medical", 2)]), ax=ax)
    assert out is ax


# --- household -------------------------------------------------------------------------
def test_household_shows_roles_holdings_and_gaps(sample: fg.CustomerGraph) -> None:
    # HH-SUN at 2025-05-10: Sun Hao (earner, 56) holds life (open) and medical (to 2026);
    # Sun Mei (earner, 54, income unknown) holds nothing active (medical expired 2024-09);
    # Sun Yu (child, 8, prospect) holds nothing. Default plan gaps: Sun Hao 4
    # (critical_illness, accident, pension, savings), Sun Mei 6, Sun Yu 4
    # (medical, critical_illness, accident, education) = 14.
    ax = fg.plot.household(sample, "HH-SUN")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "Sun Hao · earner, 56",
        "Sun Mei · earner, 54, income unknown",  # no income given: no money gap for her
        "Sun Yu · child, 8",
    ]
    assert [to_hex(t.get_color()) for t in ax.get_yticklabels()] == [
        CUSTOMER.lower(),
        CUSTOMER.lower(),
        PROSPECT.lower(),
    ]
    counts = colour_counts(ax)
    assert counts.get(HELD.lower()) == 2
    assert counts.get(GAP.lower()) == 14
    assert ax.get_title() == "Household HH-SUN: 3 members, 14 gaps"
    lines = [t.get_text() for t in ax.get_xticklabels()]
    assert lines[0] == "Life" and set(lines) == {
        "Life",
        "Critical illness",
        "Medical",
        "Accident",
        "Pension",
        "Savings",
        "Education",
    }
    # Sun Mei lacks life at priority 1: a "P1" label in her row (y = 1), life column (x = 0)
    p1 = [t for t in ax.texts if t.get_text() == "P1"]
    assert [(round(t.get_position()[0]), round(t.get_position()[1])) for t in p1] == [(0, 1)]


def test_household_masked_and_unknown(sample: fg.CustomerGraph) -> None:
    ax = fg.plot.household(sample, "HH-SUN", mask_names=True)
    assert [t.get_text().split(" ·")[0] for t in ax.get_yticklabels()] == ["P10", "P11", "P12"]
    with pytest.raises(ValueError, match="The `household_id` parameter of `household`"):
        fg.plot.household(sample, "nope")


def test_household_with_a_custom_plan(sample: fg.CustomerGraph) -> None:
    # only earners need life: Sun Hao holds it, Sun Mei lacks it -> 1 gap; the plan's
    # rows for roles absent from this one household do not warn
    plan = pd.DataFrame(
        {"role": ["earner", "elder"], "line": ["life", "medical"], "priority": [1, 2]}
    )
    ax = fg.plot.household(sample, "HH-SUN", plan=plan)
    assert ax.get_title() == "Household HH-SUN: 3 members, 1 gap"
    assert colour_counts(ax).get(GAP.lower()) == 1


# --- CJK fonts ---------------------------------------------------------------------------
def test_chinese_names_are_drawn_with_a_font_that_has_their_glyphs(
    sample: fg.CustomerGraph,
) -> None:
    assert _fonts.cjk_font() is not None, "no CJK font: run scripts/setup-system"
    ax = fg.plot.household(sample, "H:P01")  # 王伟, 李娜, 王小明
    fig = ax.figure
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn -> fail here
        fig.canvas.draw()
    chinese = [t for t in ax.get_yticklabels() if any(ord(c) > 0x2E80 for c in t.get_text())]
    assert len(chinese) == 3
    for t in chinese:
        han = "".join(c for c in t.get_text() if ord(c) > 0x2E80)
        paths = [
            findfont(FontProperties(family=f), fallback_to_default=False)
            for f in t.get_fontfamily()
            if f == _fonts.cjk_font()
        ]
        assert paths, t.get_fontfamily()
        assert all(_fonts.font_covers(han, p) for p in paths)
    # DejaVu Sans alone would not have drawn them
    assert not _fonts.font_covers("王伟", findfont(FontProperties(family="DejaVu Sans")))


def test_missing_cjk_font_warns_once(
    sample: fg.CustomerGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setattr(_fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(_fonts, "_warned", False)
    with pytest.warns(_fonts.CJKFontWarning, match="scripts/setup-system") as rec:
        fg.plot.household(sample, "H:P01")
        fg.plot.household(sample, "HH-SUN")
    assert len(rec) == 1
    assert issubclass(_fonts.CJKFontWarning, UserWarning)
    assert _fonts.font_families() == ["DejaVu Sans"]


def test_cjk_font_installed_after_the_matplotlib_cache_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a fresh machine: matplotlib's font cache was built before fonts-noto-cjk arrived
    from matplotlib import font_manager

    assert _fonts.cjk_font() is not None, "no CJK font: run scripts/setup-system"
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in _fonts.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    _fonts.cjk_font.cache_clear()
    try:
        found = _fonts.cjk_font()
        assert found in _fonts.CJK_FAMILIES
        assert found in {f.name for f in font_manager.fontManager.ttflist}
    finally:
        _fonts.cjk_font.cache_clear()


# --- referral tree --------------------------------------------------------------------------
def test_referral_tree_generations_colours_and_values(sample: fg.CustomerGraph) -> None:
    # P05 -> P06, P08; P08 -> P13, P14; P13 -> P15. All customers.
    # chain(P05) = 1500 + 4800 + 0.5 (150 + 1200) + 0.25 * 2800 = 7675
    ax = fg.plot.referral_tree(sample, "P05")
    pts = ax.collections[0].get_offsets()
    assert len(pts) == 6
    assert sorted(pts[:, 1].tolist()) == [0, 1, 1, 2, 2, 3]
    assert set(colour_counts(ax)) == {CUSTOMER.lower()}
    # 5 referred below the root: the cascade_size of fg.referral_value, + the root drawn
    assert ax.get_title() == (
        "Referral tree of Chen Jie: 5 referred + the root; chain value CNY 7.68K"
    )
    texts = [t.get_text() for t in ax.texts]
    assert "周杰\n150\nchain 2.8K" in texts  # P13: own 150, chain = P15's 2,800
    assert "Li Qiang\n2.8K" in texts  # a leaf: no chain line
    assert ax.get_ylabel() == "generation"


def test_referral_tree_prospects_and_truncation() -> None:
    g = fg.build(
        pd.DataFrame(
            {
                "person_id": ["R", "A", "B"],
                "name": ["Root", "Ann", "Bob"],
                "is_customer": [True, True, False],
            }
        ),
        referrals=pd.DataFrame(
            {
                "referrer_id": ["R", "R"],
                "referee_id": ["A", "B"],
                "referred_at": ["2024-01-01", "2024-02-01"],
            }
        ),
        holdings=pd.DataFrame(
            {
                "person_id": ["A"],
                "line": ["life"],
                "purchased_at": ["2024-03-01"],
                "amount": [100.0],
            }
        ),
    )
    ax = fg.plot.referral_tree(g, "R")
    counts = colour_counts(ax)
    assert counts == {CUSTOMER.lower(): 2, PROSPECT.lower(): 1}
    assert "2 referred + the root; chain value CNY 100" in ax.get_title()
    plt.close("all")
    ax = fg.plot.referral_tree(g, "R", max_nodes=2, currency="USD", mask_names=True)
    assert len(ax.collections[0].get_offsets()) == 2
    assert ax.get_title() == (
        "Referral tree of R: 2 referred + the root; chain value USD 100 (2 of 3 people drawn)"
    )
    # the heavier referee (A, value 100) is the one kept; R's label counts the other
    assert sorted(t.get_text() for t in ax.texts) == ["A\n100", "R\n0\nchain 100\n+1 more"]
    plt.close("all")
    ax = fg.plot.referral_tree(g, "R", max_children=1, mask_names=True)
    assert len(ax.collections[0].get_offsets()) == 2
    with pytest.raises(ValueError, match="The `max_children` parameter of `referral_tree`"):
        fg.plot.referral_tree(g, "R", max_children=0)
    with pytest.raises(ValueError, match="The `root_id` parameter of `referral_tree`"):
        fg.plot.referral_tree(g, "nobody")


# --- super users --------------------------------------------------------------------------
def test_tiers_funnel_bars() -> None:
    su = su_frame(["none"] * 5 + ["micro"] * 3 + ["weak"] * 2 + ["strong"], [0] * 11)
    ax = fg.plot.tiers(su)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(fg.schema.TIERS)
    assert [p.get_width() for p in ax.patches] == [5, 3, 2, 1, 0]
    # centred: a bar of width w starts at (5 - w) / 2
    assert [p.get_x() for p in ax.patches] == [0, 1, 1.5, 2, 2.5]
    assert "5 (45%)" in [t.get_text() for t in ax.texts]
    assert ax.get_ylabel() == "tier"


def test_funnel_levels_and_referral_inflow() -> None:
    su = su_frame(["none", "micro", "micro", "strong", "super"], [0, 0, 1, 2, 3])
    ax = fg.plot.funnel(su)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["micro", "weak", "strong", "super"]
    assert [p.get_width() for p in ax.containers[0]] == [2, 0, 1, 1]
    assert [p.get_width() for p in ax.containers[1]] == [1, 0, 2, 3]
    assert ax.get_xlabel() == "persons"


# --- referrals and money ------------------------------------------------------------------
def test_viral_coefficient_line() -> None:
    v = pd.DataFrame(
        {
            "cohort": ["2024Q1", "2024Q2", "2024Q3"],
            "cohort_size": [10, 20, 5],
            "referrals": [4, 2, 1],
            "converted_referrals": [3, 2, 0],
            "k_factor": [0.3, 0.1, 0.0],
        }
    )[list(VIRAL_COLUMNS)]
    ax = fg.plot.viral_coefficient(v)
    line = ax.lines[0]
    assert line.get_ydata().tolist() == [0.3, 0.1, 0.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024Q1", "2024Q2", "2024Q3"]
    assert ax.get_ylabel().startswith("K-factor")


def test_protection_gap_histogram_counts_only_households_short() -> None:
    s = pd.DataFrame(
        {"household_id": list("abcde"), "protection_gap": [0.0, 100.0, 200.0, 300.0, np.nan]}
    )
    ax = fg.plot.protection_gap(s, currency="USD", bins=3)
    assert sum(p.get_height() for p in ax.patches) == 3
    assert ax.get_title() == "Protection gap: 3 of 5 households short"
    assert ax.get_xlabel() == "protection gap per household (USD)"
    assert any("median USD 200" in t.get_text() for t in ax.texts)


def test_chain_value_histogram_counts_referrers() -> None:
    rv = pd.DataFrame({"direct_referrals": [0, 1, 2, 1], "chain_value": [0.0, 10.0, 20.0, 15.0]})
    ax = fg.plot.chain_value(rv, bins=2)
    assert sum(p.get_height() for p in ax.patches) == 3
    assert ax.get_title() == "Chain value of 3 referrers"


def test_import_famgraph_does_not_import_matplotlib() -> None:
    code = "import sys, famgraph; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def wide_tree() -> fg.CustomerGraph:
    """A root with 12 referees, each worth a six-figure sum and with 2 referees of their own."""
    kids = [f"K{i:02d}" for i in range(12)]
    grand = [f"G{i:02d}{j}" for i in range(12) for j in range(2)]
    ids = ["ROOT", *kids, *grand]
    people = pd.DataFrame(
        {
            "person_id": ids,
            "name": ["王大明"] + [f"Customer number {i}" for i in range(12)] + grand,
        }
    )
    referrals = pd.DataFrame(
        {
            "referrer_id": ["ROOT"] * 12 + [k for k in kids for _ in range(2)],
            "referee_id": kids + grand,
            "referred_at": "2024-01-01",
        }
    )
    holdings = pd.DataFrame(
        {
            "person_id": ids,
            "line": "life",
            "purchased_at": "2024-02-01",
            "amount": [317_000.0 + 1_000 * i for i in range(len(ids))],
        }
    )
    return fg.build(people, referrals=referrals, holdings=holdings)


def text_boxes(fig: plt.Figure, ax: plt.Axes) -> list[tuple[str, Bbox]]:
    """Every non-empty text drawn on the axes, with its box in the saved figure."""
    import io

    fig.savefig(io.BytesIO(), format="png")  # the layout as saved (at the figure's dpi)
    renderer = fig.canvas.get_renderer()
    texts = [*ax.texts, ax.title, *ax.get_yticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_referral_tree_labels_never_overlap(language: str) -> None:
    # drawn into a small axes, as the report does: 12 wide labels in one row cannot fit
    # in 6 inches, so the figure must grow until no two texts touch
    g = wide_tree()
    fig = plt.figure(figsize=(6.0, 2.5), layout="constrained")
    with _fonts.style():
        ax = fig.add_subplot()
        fg.plot.referral_tree(g, "ROOT", ax=ax, max_nodes=40, max_children=12, language=language)
        boxes = text_boxes(fig, ax)
    labels = [b for t, b in boxes if "\n" in t]
    assert len(labels) == 37  # every drawn person is labelled
    assert fig.get_size_inches()[0] > 6.0  # it had to grow
    assert_apart_and_inside(fig, boxes)


def test_referral_tree_standalone_fits_its_title(sample: fg.CustomerGraph) -> None:
    # drawn on its own figure: few nodes, a long title -- the title must not be cut off
    ax = fg.plot.referral_tree(sample, "P05")
    fig = ax.figure
    assert_apart_and_inside(fig, text_boxes(fig, ax))


def assert_apart_and_inside(fig: plt.Figure, boxes: list[tuple[str, Bbox]]) -> None:
    clashes = [
        (a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)
    ]
    assert clashes == []
    # and everything is inside the saved picture
    w, h = fig.get_size_inches() * fig.dpi
    assert all(b.x0 >= 0 and b.x1 <= w and b.y0 >= 0 and b.y1 <= h for _, b in boxes)


def test_referral_tree_counts_match_referral_value() -> None:
    g = wide_tree()
    rv = fg.referral_value(g).set_index("person_id")
    ax = fg.plot.referral_tree(g, "ROOT", max_nodes=10)
    cascade = int(rv.loc["ROOT", "cascade_size"])
    assert cascade == 36
    assert f"{cascade} referred + the root" in ax.get_title()
    assert "(10 of 37 people drawn)" in ax.get_title()
    plt.close("all")
    ax = fg.plot.referral_tree(g, "ROOT", max_nodes=10, language="zh")
    assert ax.get_title().startswith(f"王大明的推荐树：下线{cascade}人（另加根节点本人）")
    assert ax.get_title().endswith("（图中显示37人中的10人）")
    assert ax.get_ylabel() == "推荐代数"


def test_figures_in_chinese(sample: fg.CustomerGraph) -> None:
    ax = fg.plot.coverage_heatmap(fg.coverage_gaps(sample), language="zh")
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["寿险", "重疾险"]
    assert "经济支柱" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close("all")
    ax = fg.plot.household(sample, "HH-SUN", language="zh", line_names={"life": "定期寿险"})
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Sun Hao · 经济支柱，56岁",
        "Sun Mei · 经济支柱，54岁，收入未知",
        "Sun Yu · 未成年人，8岁",
    ]
    assert ax.get_xticklabels()[0].get_text() == "定期寿险"
    assert ax.get_title() == "家庭 HH-SUN：3位成员，14项缺口"
    plt.close("all")
    s = pd.DataFrame({"household_id": ["a", "b"], "protection_gap": [0.0, 1_250_000.0]})
    ax = fg.plot.protection_gap(s, language="zh")
    assert ax.get_title() == "保障缺口：2户中有1户保额不足"
    assert any("中位数 125万元" in t.get_text() for t in ax.texts)
    plt.close("all")
    ax = fg.plot.tiers(fg.super_users(sample), language="zh")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["无", "初级", "一般", "紧密", "超级"]
    with pytest.raises(ValueError, match="The `language` parameter of `tiers` must be one of"):
        fg.plot.tiers(fg.super_users(sample), language="de")
