"""HTML pieces of the report: page shell, KPI cards, tables, figures.

Every piece of data goes through :func:`html.escape`; images are ``data:`` URIs;
the page carries a Content-Security-Policy that forbids loading anything from
anywhere, so the file works offline and cannot call out.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["figure", "kpi_cards", "note", "page", "section", "table"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#e3e6ec; --card:#f6f7f9;
        --gap:#D55E00; --held:#009E73; --blue:#0072B2; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
       "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", system-ui, sans-serif;
       color:var(--ink); background:#fff; }
header { padding:24px 40px 12px; border-bottom:1px solid var(--line); }
header h1 { margin:0 0 4px; font-size:26px; }
header p { margin:0; color:var(--muted); }
nav { padding:8px 40px; border-bottom:1px solid var(--line); position:sticky; top:0;
      background:#fff; z-index:2; }
nav a { margin-right:18px; color:var(--blue); text-decoration:none; font-size:14px; }
main { padding:8px 40px 40px; max-width:1280px; }
section { margin-top:28px; }
h2 { font-size:20px; border-bottom:2px solid var(--ink); padding-bottom:4px; }
h3 { font-size:16px; margin:18px 0 6px; }
.kpis { display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:12px; }
.kpi { background:var(--card); border-radius:8px; padding:12px 14px; }
.kpi .v { font-size:26px; font-weight:700; }
.kpi .l { color:var(--muted); font-size:13px; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:18px; }
figure { margin:8px 0; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; font-size:13px; margin:6px 0 12px; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:left;
         vertical-align:top; }
th { background:var(--card); }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.note { color:var(--muted); font-size:13px; }
dl.defs dt { font-weight:600; } dl.defs dd { margin:0 0 6px 16px; color:var(--muted); }
footer { padding:16px 40px; color:var(--muted); font-size:12px;
         border-top:1px solid var(--line); }
"""


def esc(x: Any) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape("" if x is None else str(x), quote=True)


def page(title: str, subtitle: str, nav: Sequence[tuple[str, str]], body: str, footer: str) -> str:
    """The whole HTML document."""
    links = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in nav)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>\n"
        f"<nav>{links}</nav>\n<main>\n{body}\n</main>\n"
        f"<footer>{esc(footer)}</footer>\n</body>\n</html>\n"
    )


def section(anchor: str, title: str, *parts: str) -> str:
    """A titled section with an anchor for the navigation bar."""
    return (
        f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "\n</section>"
    )


def kpi_cards(kpis: pd.DataFrame) -> str:
    """One card per KPI row (``label``, ``display``, ``definition``), then the definitions."""
    cards = "".join(
        f'<div class="kpi" data-kpi="{esc(k)}" title="{esc(d)}"><div class="v">{esc(v)}</div>'
        f'<div class="l">{esc(lbl)}</div></div>'
        for k, lbl, v, d in zip(
            kpis["kpi"], kpis["label"], kpis["display"], kpis["definition"], strict=True
        )
    )
    defs = "".join(
        f"<dt>{esc(lbl)}</dt><dd>{esc(d)}</dd>"
        for lbl, d in zip(kpis["label"], kpis["definition"], strict=True)
    )
    return (
        f'<div class="kpis">{cards}</div>\n<details><summary class="note">'
        f'How these are computed</summary><dl class="defs">{defs}</dl></details>'
    )


def figure(png_b64: str, alt: str, caption: str = "") -> str:
    """An embedded PNG figure."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{png_b64}" alt="{esc(alt)}">{cap}</figure>'


def note(text: str) -> str:
    """A muted paragraph."""
    return f'<p class="note">{esc(text)}</p>'


Formatter = Callable[[Any], str]


def _default_fmt(v: Any) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):,.2f}"
    return str(v)


def table(
    df: pd.DataFrame,
    headers: dict[str, str] | None = None,
    formats: dict[str, Formatter] | None = None,
    *,
    empty: str = "Nothing to show.",
) -> str:
    """An HTML table of ``df`` (all rows; slice before), every cell escaped.

    ``headers`` renames columns for display; ``formats`` maps a column to a function
    value -> text. Numeric columns are right-aligned.
    """
    if df.empty:
        return note(empty)
    headers = headers or {}
    formats = formats or {}
    cols = list(df.columns)
    numeric = {
        c
        for c in cols
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    }
    head = "".join(f"<th>{esc(headers.get(c, c.replace('_', ' ')))}</th>" for c in cols)
    body = []
    columns = [df[c].tolist() for c in cols]
    for row in zip(*columns, strict=True):
        cells = []
        for c, v in zip(cols, row, strict=True):
            text = formats[c](v) if c in formats else _default_fmt(v)
            cls = ' class="num"' if c in numeric else ""
            cells.append(f"<td{cls}>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
