"""HTML pieces of the report: page shell, KPI cards, tables, figures, the table script.

Every piece of data goes through :func:`html.escape`; images are ``data:`` URIs.
The page carries a Content-Security-Policy that forbids loading anything from
anywhere and allows exactly one inline style sheet and one inline script, each
named by its SHA-256 hash (computed when the page is written), so the file works
offline, cannot call out, and runs no other script.

Tables work without the script (plain HTML, every row present). With it, each
table gets a filter box, sortable headers and a "download CSV" button; the CSV
holds the rows shown, raw numbers (``data-v``) rather than their display text.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CSS",
    "SCRIPT",
    "csp",
    "esc",
    "figure",
    "kpi_cards",
    "note",
    "page",
    "section",
    "table",
]

CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#e3e6ec; --card:#f6f7f9;
        --gap:#D55E00; --held:#009E73; --blue:#0072B2; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
       "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", system-ui, sans-serif;
       color:var(--ink); background:#fff; }
header { padding:24px 40px 12px; border-bottom:1px solid var(--line); }
header h1 { margin:0 0 4px; font-size:26px; }
header p { margin:0; color:var(--muted); }
nav { padding:8px 40px; border-bottom:1px solid var(--line); position:sticky; top:0;
      background:#fff; z-index:3; }
nav a { margin-right:18px; color:var(--blue); text-decoration:none; font-size:14px; }
main { padding:8px 40px 40px; max-width:1280px; }
section { margin-top:28px; }
[id] { scroll-margin-top:56px; }
h2 { font-size:20px; border-bottom:2px solid var(--ink); padding-bottom:4px; }
h3 { font-size:16px; margin:18px 0 6px; }
.headline { font-size:19px; font-weight:600; margin:6px 0 10px; }
ol.actions { margin:6px 0 0; padding-left:22px; }
ol.actions > li { margin:0 0 12px; }
ol.actions .what { font-weight:700; }
ol.actions ul { margin:4px 0 0; padding-left:18px; }
ol.actions a.go { font-size:13px; margin-left:6px; }
.kpis { display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:12px; }
.kpi { background:var(--card); border-radius:8px; padding:12px 14px; }
.kpi .v { font-size:24px; font-weight:700; }
.kpi .l { color:var(--muted); font-size:13px; }
.kpi.alert .v { color:var(--gap); }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:18px; }
figure { margin:8px 0; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:13px; }
.tbl { margin:6px 0 14px; }
.tbl .scroll { max-height:480px; overflow:auto; border:1px solid var(--line); border-radius:6px;
               display:inline-block; max-width:100%; }
.tools { display:flex; gap:10px; align-items:center; margin:0 0 6px; font-size:13px; }
.tools input { font:inherit; padding:3px 8px; border:1px solid #c5cad3; border-radius:4px;
               min-width:220px; }
.tools button { font:inherit; padding:3px 10px; border:1px solid var(--blue); color:var(--blue);
                background:#fff; border-radius:4px; cursor:pointer; }
.tools .shown { color:var(--muted); }
table { border-collapse:collapse; font-size:13px; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:left;
         vertical-align:top; }
th { background:var(--card); position:sticky; top:0; z-index:1; }
th button.sort { font:inherit; font-weight:600; border:0; background:none; padding:0;
                 cursor:pointer; color:inherit; text-align:left; }
th[aria-sort=ascending] button.sort::after { content:" \\25B2"; font-size:10px; }
th[aria-sort=descending] button.sort::after { content:" \\25BC"; font-size:10px; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.unknown { color:var(--muted); font-style:italic; }
td.reason { min-width:280px; }
tr:target td, tr.picked td { background:#fff4e5; }
.note { color:var(--muted); font-size:13px; margin:4px 0 8px; }
.hhgrids figure { display:none; }
.hhgrids figure:target { display:block; }
.hhgrids:not(:has(figure:target)) figure:first-child { display:block; }
dl.defs dt { font-weight:600; } dl.defs dd { margin:0 0 6px 16px; color:var(--muted); }
footer { padding:16px 40px; color:var(--muted); font-size:12px;
         border-top:1px solid var(--line); }
"""

#: The page's only script: filter, sort and CSV download for every ``div.tbl``, and
#: the picked household row. Labels come from ``data-`` attributes, so the script is
#: the same in every language (and its hash is constant).
SCRIPT = r"""
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var collator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" });
  function raw(td) {
    return td.hasAttribute("data-v") ? td.getAttribute("data-v") : td.textContent;
  }
  function csvCell(td) {
    var v = raw(td);
    if (!td.hasAttribute("data-v") && /^[=+\-@\t\r]/.test(v)) { v = "'" + v; }
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function setup(box) {
    var table = box.querySelector("table");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var tools = document.createElement("div");
    tools.className = "tools";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.placeholder = box.getAttribute("data-filter");
    filter.setAttribute("aria-label", box.getAttribute("data-filter"));
    var download = document.createElement("button");
    download.type = "button";
    download.className = "csv";
    download.textContent = box.getAttribute("data-download");
    var shown = document.createElement("span");
    shown.className = "shown";
    tools.appendChild(filter);
    tools.appendChild(download);
    tools.appendChild(shown);
    box.insertBefore(tools, box.firstChild);
    function count() {
      var n = rows.filter(function (r) { return !r.hidden; }).length;
      shown.textContent = box.getAttribute("data-count")
        .replace("{shown}", n.toLocaleString(lang))
        .replace("{total}", rows.length.toLocaleString(lang));
    }
    filter.addEventListener("input", function () {
      var terms = filter.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      rows.forEach(function (r) {
        var t = r.textContent.toLocaleLowerCase();
        r.hidden = !terms.every(function (x) { return t.indexOf(x) >= 0; });
      });
      count();
    });
    heads.forEach(function (th, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      while (th.firstChild) { b.appendChild(th.firstChild); }
      th.appendChild(b);
      var numeric = rows.every(function (r) { return r.cells[i].hasAttribute("data-v"); });
      b.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var sign = dir === "ascending" ? 1 : -1;
        var keyed = rows.map(function (r, k) { return [r, raw(r.cells[i]), k]; });
        keyed.sort(function (a, c) {
          if (numeric) {
            var ea = a[1] === "", ec = c[1] === "";
            if (ea || ec) { return (ea - ec) || (a[2] - c[2]); }
            return sign * (Number(a[1]) - Number(c[1])) || (a[2] - c[2]);
          }
          return sign * collator.compare(a[1], c[1]) || (a[2] - c[2]);
        });
        rows = keyed.map(function (x) { return x[0]; });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    download.addEventListener("click", function () {
      var lines = [heads.map(function (th) {
        var t = th.textContent;
        return /[",\r\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
      }).join(",")];
      rows.forEach(function (r) {
        if (!r.hidden) { lines.push(Array.prototype.map.call(r.cells, csvCell).join(",")); }
      });
      var text = "\ufeff" + lines.join("\r\n") + "\r\n";
      var blob = new Blob([text], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = box.getAttribute("data-csv");
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
    count();
  }
  Array.prototype.forEach.call(document.querySelectorAll("div.tbl"), setup);
  function pick() {
    Array.prototype.forEach.call(document.querySelectorAll("tr.picked"), function (r) {
      r.classList.remove("picked");
    });
    var id = decodeURIComponent(location.hash.slice(1));
    var link = id && document.querySelector('a[data-pick="' + CSS.escape(id) + '"]');
    if (link) { link.closest("tr").classList.add("picked"); }
  }
  window.addEventListener("hashchange", pick);
  pick();
})();
"""


def sha256_source(text: str) -> str:
    """The CSP source naming an inline element by its content: ``'sha256-<base64>'``."""
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def csp() -> str:
    """The page's Content-Security-Policy: nothing from anywhere; our style and script only.

    Examples
    --------
    >>> csp().startswith("default-src 'none'; img-src data:; style-src 'sha256-")
    True
    """
    return (
        f"default-src 'none'; img-src data:; style-src {sha256_source(CSS)}; "
        f"script-src {sha256_source(SCRIPT)}; base-uri 'none'; form-action 'none'"
    )


def esc(x: Any) -> str:
    """Escape any value for HTML text and attributes."""
    return html.escape("" if x is None else str(x), quote=True)


def page(
    title: str,
    subtitle: str,
    nav: Sequence[tuple[str, str]],
    body: str,
    footer: str,
    *,
    lang: str = "en",
) -> str:
    """The whole HTML document (``lang`` is the HTML language tag, e.g. ``zh-CN``)."""
    links = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in nav)
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp()}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>\n"
        f"<nav>{links}</nav>\n<main>\n{body}\n</main>\n"
        f"<footer>{esc(footer)}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def section(anchor: str, title: str, *parts: str) -> str:
    """A titled section with an anchor for the navigation bar."""
    return (
        f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "\n</section>"
    )


def kpi_cards(kpis: pd.DataFrame, how: str, alert: Sequence[str] = ()) -> str:
    """One card per KPI row (``label``, ``display``, ``definition``), then the definitions.

    ``how`` is the summary line of the definitions; cards of the KPIs in ``alert``
    show their value in the gap colour.
    """
    cards = "".join(
        f'<div class="kpi{" alert" if k in alert else ""}" data-kpi="{esc(k)}" title="{esc(d)}">'
        f'<div class="v">{esc(v)}</div><div class="l">{esc(lbl)}</div></div>'
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
        f'{esc(how)}</summary><dl class="defs">{defs}</dl></details>'
    )


def figure(png_b64: str, alt: str, caption: str = "", *, anchor: str | None = None) -> str:
    """An embedded PNG figure (with an ``id`` when ``anchor`` is given)."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return (
        f'<figure{ident}><img src="data:image/png;base64,{png_b64}" alt="{esc(alt)}">{cap}</figure>'
    )


def note(text: str) -> str:
    """A muted paragraph."""
    return f'<p class="note">{esc(text)}</p>'


Formatter = Callable[[Any], str]


def _missing(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _raw(v: Any) -> str:
    """A number as the ``data-v`` the script sorts on and writes to CSV ("" = unknown)."""
    if _missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(round(f, 6))


def table(
    df: pd.DataFrame,
    *,
    name: str,
    labels: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, Formatter] | None = None,
    texts: Mapping[str, Sequence[str]] | None = None,
    links: Mapping[str, Sequence[str | None]] | None = None,
    unknown: str = "unknown",
    empty: str = "Nothing to show.",
    wide: Sequence[str] = (),
) -> str:
    """An HTML table of ``df`` (all rows; slice before), every cell escaped.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw values: numeric columns are written as ``data-v`` (what the page's
        script sorts on and puts in the CSV), their display text is formatted.
    name : str
        File name of the CSV download (e.g. ``"warm-leads.csv"``).
    labels : mapping
        The controls' words: ``filter``, ``download``, ``count`` (with ``{shown}``
        and ``{total}``).
    headers : mapping, optional
        Column -> header text (default: the column name with spaces).
    formats : mapping, optional
        Column -> function value -> text.
    texts : mapping, optional
        Column -> the display text of every row, given outright.
    links : mapping, optional
        Column -> per row, an in-page anchor (without ``#``) the cell links to, or None.
    unknown : str
        Text of a missing value.
    empty : str
        Text instead of the table when ``df`` has no row.
    wide : sequence of str
        Columns of long text (given more room).
    """
    if df.empty:
        return note(empty)
    headers = headers or {}
    formats = formats or {}
    texts = texts or {}
    links = links or {}
    cols = list(df.columns)
    numeric = {
        c
        for c in cols
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    }
    head = "".join(f"<th>{esc(headers.get(c, c.replace('_', ' ')))}</th>" for c in cols)
    shown = {
        c: list(texts[c])
        if c in texts
        else [
            unknown if _missing(v) else (formats[c](v) if c in formats else _plain(v))
            for v in df[c]
        ]
        for c in cols
    }
    raws = {c: [_raw(v) for v in df[c]] for c in numeric}
    body = []
    for i in range(len(df)):
        cells = []
        for c in cols:
            text = shown[c][i]
            cls = []
            attr = ""
            if c in numeric:
                cls.append("num")
                attr = f' data-v="{esc(raws[c][i])}"'
                if raws[c][i] == "":
                    cls.append("unknown")
            elif c in wide:
                cls.append("reason")
            target = links.get(c, [None] * len(df))[i]
            inner = esc(text)
            if target:
                inner = f'<a href="#{esc(target)}" data-pick="{esc(target)}">{inner}</a>'
            klass = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{klass}{attr}>{inner}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="tbl" data-csv="{esc(name)}" data-filter="{esc(labels["filter"])}" '
        f'data-download="{esc(labels["download"])}" data-count="{esc(labels["count"])}">'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></div>"
    )


def _plain(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "✓" if v else ""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):,.2f}"
    return str(v)
