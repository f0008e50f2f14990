"""Make the report screenshots of the docs: docs/img/report-en.png and report-zh.png.

The report of ``famgraph demo`` (a synthetic book of 20,000 people, seed 0) in each
language, opened from disk in headless Chromium (the same DevTools client as the
browser tests) at 1280 px wide; the top of the page is saved.

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR]    # default docs/img
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import famgraph as fg
from tests.browser.conftest import CDP, chromium_path, console_errors, open_page, screenshot

#: CSS pixels of the top of the page kept in each picture.
HEIGHT = 1500


def main(out_dir: Path) -> list[Path]:
    g = fg.build(**fg.datasets.synthetic(n_people=20_000, seed=0))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        pages = {
            lang: fg.report(g, Path(tmp) / f"report-{lang}.html", language=lang)
            for lang in ("en", "zh")
        }
        cdp = CDP(chromium_path(), Path(tmp) / "profile")
        try:
            for lang, page in pages.items():
                session = open_page(cdp, page.resolve().as_uri(), width=1280, height=HEIGHT)
                errors = console_errors(cdp)
                if errors:
                    raise RuntimeError(f"the {lang} report has errors: {errors}")
                path = out_dir / f"report-{lang}.png"
                screenshot(cdp, session, path, height=HEIGHT)
                written.append(path)
        finally:
            cdp.close()
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img")):
        print(p.resolve())
