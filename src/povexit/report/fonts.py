"""Find a CJK font for charts (matplotlib) and the PDF (WeasyPrint via fontconfig).

Without one, every Chinese character becomes a missing-glyph box; that is an error, not a warning
(``PVX-RP03``). Debian's ``fonts-noto-cjk`` (installed by ``make setup``) is preferred.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from .. import errors as E
from ..errors import report as R

PREFERRED = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans CJK JP", "Noto Sans CJK TC",
)
# CSS font stacks for the HTML/PDF (fontconfig resolves them; the first installed one wins).
CSS_SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", sans-serif'
CSS_SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", "SimSun", serif'


def _matplotlib_names() -> set[str]:
    from matplotlib import font_manager as fm

    return {f.name for f in fm.fontManager.ttflist}


@functools.lru_cache(maxsize=1)
def chart_font() -> str:
    """Family name of an installed CJK font matplotlib can use; raises ``PVX-RP03`` if none."""
    names = _matplotlib_names()
    for fam in PREFERRED:
        if fam in names:
            return fam
    # fonts installed after matplotlib built its cache: rebuild once
    from matplotlib import font_manager as fm

    fm.fontManager = fm._load_fontmanager(try_read_cache=False)
    names = _matplotlib_names()
    for fam in PREFERRED:
        if fam in names:
            return fam
    raise E.PovexitError(R.CJK_FONT_MISSING(value=PREFERRED[0]))


def fontconfig_has_cjk() -> bool:
    """Whether fontconfig (used by WeasyPrint) knows a font covering Chinese."""
    if not shutil.which("fc-list"):
        return True  # cannot tell; WeasyPrint will do its best
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


def require_pdf_font() -> None:
    if not fontconfig_has_cjk():
        raise E.PovexitError(R.CJK_FONT_MISSING(value="fontconfig :lang=zh"))
