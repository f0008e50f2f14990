"""Font selection for figures: a font with Chinese glyphs, found automatically.

Customer names are often Chinese. matplotlib's default font (DejaVu Sans) has no
CJK glyphs and draws empty boxes, so the figures use a font family list
``["DejaVu Sans", <CJK font>]``: matplotlib (>= 3.6) draws each glyph with the first
font in the list that has it, Latin from DejaVu Sans and Chinese from the CJK font.

The CJK font is the first of :data:`CJK_FAMILIES` that matplotlib's font manager
knows. On Debian/Ubuntu, ``scripts/setup-system`` installs ``fonts-noto-cjk``
(Noto Sans CJK). When matplotlib's font cache predates the font's installation, the
system font folders are scanned once for CJK font files and those files are added.
When no CJK font exists at all, one :class:`CJKFontWarning` says how to install one,
and the figures are drawn anyway (Chinese characters as boxes; matplotlib's own
per-glyph warnings are silenced).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

__all__ = [
    "CJK_FAMILIES",
    "CJKFontWarning",
    "cjk_font",
    "cjk_font_path",
    "font_covers",
    "font_families",
    "rc_params",
    "style",
]

#: Families tried in order; the first one matplotlib knows is used.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Arial Unicode MS",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
)

#: File names that look like CJK fonts, for the one-off scan of the system folders.
_CJK_FILE = re.compile(
    r"(cjk|wqy|wenquanyi|sourcehan|notosanssc|notoserifsc|msyh|simhei|simsun|pingfang|"
    r"hiragino|uming|ukai|droidsansfallback|arialuni)",
    re.IGNORECASE,
)

_LATIN = "DejaVu Sans"


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese text will show as boxes."""


def _known_families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of the CJK font the figures use, or ``None`` if there is none.

    Looks in matplotlib's font manager; if none of :data:`CJK_FAMILIES` is known,
    scans the system font folders once for CJK font files (a font installed after
    matplotlib built its cache) and adds them. The answer is cached.

    Returns
    -------
    str or None

    Notes
    -----
    Cost: a set lookup normally; one scan of the system font folders on a miss.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    known = _known_families()
    for fam in CJK_FAMILIES:
        if fam in known:
            return fam
    from matplotlib import font_manager

    added = False
    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(path.replace("-", "").replace("_", "")):
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
                added = True
    if added:
        known = _known_families()
        for fam in CJK_FAMILIES:
            if fam in known:
                return fam
    return None


def cjk_font_path() -> str | None:
    """Path of the font file matplotlib uses for :func:`cjk_font` (``None`` if none)."""
    fam = cjk_font()
    if fam is None:
        return None
    from matplotlib import font_manager

    return str(
        font_manager.findfont(font_manager.FontProperties(family=fam), fallback_to_default=False)
    )


def font_covers(text: str, path: str | None = None) -> bool:
    """Whether the font file ``path`` (default: the CJK font) has a glyph for every character.

    Whitespace is ignored. Reads the font's character map with
    :class:`matplotlib.ft2font.FT2Font`.

    Examples
    --------
    >>> cjk_font() is None or font_covers("王伟")
    True
    """
    path = cjk_font_path() if path is None else path
    if path is None:
        return False
    from matplotlib.ft2font import FT2Font

    cmap = FT2Font(path).get_charmap()
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


_warned = False


def _warn_once() -> None:
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        "No font with Chinese glyphs was found, so Chinese names in famgraph's figures "
        "will show as empty boxes. Install one, e.g. on Debian/Ubuntu run "
        "`scripts/setup-system` (apt-get install fonts-noto-cjk); famgraph picks it up "
        "automatically.",
        CJKFontWarning,
        stacklevel=4,
    )


def font_families() -> list[str]:
    """The ``font.family`` list for figures: DejaVu Sans, then the CJK font if any."""
    fam = cjk_font()
    return [_LATIN] if fam is None else [_LATIN, fam]


def rc_params() -> dict[str, Any]:
    """matplotlib rcParams famgraph's figures are drawn with."""
    return {
        "font.family": font_families(),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "figure.dpi": 100,
        "svg.fonttype": "path",
    }


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context in which famgraph draws: its rcParams, and CJK fallback handled.

    Without a CJK font, warns once (:class:`CJKFontWarning`) and silences
    matplotlib's per-glyph "missing from font" warnings inside the context.
    """
    import matplotlib as mpl

    missing = cjk_font() is None
    if missing:
        _warn_once()
    rc: Any = rc_params()
    with mpl.rc_context(rc), warnings.catch_warnings():
        if missing:
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield
