"""{% load chinese %}: Chinese text for display.

`simplified` shows traditional characters as simplified ones ({{ rule.excerpt|simplified }}). Source documents
are quoted as printed (the 2025 action plan is in traditional characters) and the stored text stays as it is;
only what a page shows is converted. One OpenCC converter per process, used under a lock (OpenCC's converter
object is not documented as safe to share between threads), and short texts seen again are served from a cache:
pages show the same excerpts over and over.
"""

import functools
import threading

import opencc
from django import template

register = template.Library()

_LOCK = threading.Lock()
_CONVERTER: opencc.OpenCC | None = None


def _converter() -> opencc.OpenCC:
    global _CONVERTER
    if _CONVERTER is None:
        with _LOCK:
            if _CONVERTER is None:
                _CONVERTER = opencc.OpenCC("t2s")
    return _CONVERTER


@functools.lru_cache(maxsize=4096)
def _convert(text: str) -> str:
    converter = _converter()
    with _LOCK:
        return converter.convert(text)


def to_simplified(text) -> str:
    """`text` in simplified characters; "" for None. Text with no CJK character is returned as it is."""
    if text is None:
        return ""
    text = str(text)
    if not any(ord(ch) >= 0x2E80 for ch in text):
        return text
    return _convert(text)


@register.filter(is_safe=True)
def simplified(value) -> str:
    """Traditional characters shown as simplified. Safe text stays safe (the conversion changes Chinese
    characters only, never markup); anything else is escaped by the template as usual."""
    return to_simplified(value)
