"""The Chinese font of every PDF the platform makes (certificates, indicator reports).

The font is embedded (the subset of glyphs used), so that any PDF reader shows the text and can extract it
(pdftotext, search, copy): AR PL UMing CN, a Song/Ming TrueType font from Debian's fonts-arphic-uming, which the
project's setup installs (`make fonts`, CI). TECHMARKET_CJK_FONT may name another TrueType font file (.ttf, or
.ttc with `#index`). Without any, PDFs fall back to reportlab's STSong-Light, a CID font that is not embedded:
readers without Adobe's Chinese fonts and CMaps then show or extract nothing, so a warning is logged.
"""

import logging
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONT = "TechmarketCJK"
FALLBACK_FONT = "STSong-Light"
# TrueType CJK fonts with simplified Chinese, first found wins: (path, index in a .ttc collection).
FONT_FILES = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming: AR PL UMing CN
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
)
logger = logging.getLogger(__name__)


def font_file() -> tuple[str, int] | None:
    """The TrueType font to embed: TECHMARKET_CJK_FONT ("path" or "path#index") or the first of FONT_FILES."""
    configured = os.environ.get("TECHMARKET_CJK_FONT", "").strip()
    if configured:
        path, _, index = configured.partition("#")
        if Path(path).is_file():
            return path, int(index or 0)
        logger.warning("TECHMARKET_CJK_FONT names no file: %s", path)
    return next(((path, index) for path, index in FONT_FILES if Path(path).is_file()), None)


def cjk_font() -> str:
    """The registered name of the font to use (embedded TrueType, else the CID fallback)."""
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT in registered:
        return FONT
    found = font_file()
    if found:
        pdfmetrics.registerFont(TTFont(FONT, found[0], subfontIndex=found[1]))
        return FONT
    if FALLBACK_FONT not in registered:
        logger.warning("No TrueType CJK font (install fonts-arphic-uming or set TECHMARKET_CJK_FONT): PDFs use the "
                       "non-embedded %s, whose text many readers cannot show or extract.", FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT
