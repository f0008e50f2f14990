"""The HTML report opened from disk in headless Chromium (Debian's ``chromium``).

Needs ``scripts/setup-system``; without Chromium these tests fail with that hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import famgraph as fg

from .conftest import CDP, console_errors, evaluate, open_page

pytestmark = pytest.mark.browser

IMAGES_JS = """JSON.stringify(Array.from(document.images).map(i => ({
  ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth, alt: i.alt,
  scheme: i.src.split(':')[0]})))"""


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fg.report(fg.datasets.sample(), tmp_path_factory.mktemp("r") / "report.html")


def _load(browser: CDP, path: Path) -> tuple[str, list[dict[str, object]], str]:
    session = open_page(browser, path.resolve().as_uri())
    import json

    images = json.loads(evaluate(browser, session, IMAGES_JS))
    text = evaluate(browser, session, "document.body.innerText")
    return session, images, text


def test_sample_report_loads_with_images_kpis_and_no_errors(
    browser: CDP, sample_report: Path
) -> None:
    _, images, text = _load(browser, sample_report)

    # every figure is an embedded PNG that decoded to a real picture
    assert len(images) >= 9, images
    assert all(im["scheme"] == "data" for im in images), images
    bad = [im for im in images if not im["ok"]]
    assert not bad, f"images that did not load: {bad}"

    assert console_errors(browser) == []

    # headline KPIs of the sample book, computed by hand from famgraph/data/sample:
    # 15 people, 11 customers (P03, P07, P09, P12 are prospects); 9 households
    # (H:P01 = P01-P03, H:P04, H:P05 = P05+P06, H:P07, H:P08 = P08+P09, HH-SUN,
    # H:P13, H:P14, H:P15); penetration 11/15; 12 persons have a family relation
    # to a customer, 8 of them customers; 8 of 11 customers were referred (the
    # P02->P01 referral closes a cycle and is rejected); the latest cohort whose
    # 365-day window closed by 2025-05-10 is 2024Q1: P13 referred P15 -> K = 1.
    for label, value in [
        ("People", "15"),
        ("Customers", "11"),
        ("Households", "9"),
        ("Penetration", "73.3%"),
        ("Family conversion rate", "66.7%"),
        ("Acquired by referral", "72.7%"),
        ("K-factor (2024Q1)", "1.00"),
    ]:
        assert f"{value}\n{label}" in text, (label, value)
    for heading in ("Coverage", "Super users", "Referral", "Warm leads", "Data quality"):
        assert heading in text
    # Chinese names reach the page as text
    assert "王伟" in text


def test_masked_report_in_browser_shows_no_names(browser: CDP, tmp_path: Path) -> None:
    g = fg.datasets.sample()
    path = fg.report(g, tmp_path / "masked.html", mask_names=True)
    _, images, text = _load(browser, path)
    assert images and all(im["ok"] for im in images)
    assert console_errors(browser) == []
    names = [n for n in g.people["name"].dropna()]
    assert names and not [n for n in names if n in text]


def test_console_errors_are_caught(browser: CDP, tmp_path: Path) -> None:
    # the harness itself: a page with a broken image and a console error must be seen
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><img src="missing.png"><script>console.error("boom")</script></body></html>',
        encoding="utf-8",
    )
    _, images, _ = _load(browser, page)
    assert images and not images[0]["ok"]
    errors = console_errors(browser)
    assert any("boom" in e for e in errors), errors
