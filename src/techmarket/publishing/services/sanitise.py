"""Rich text of articles, kept safe by a kept library: nh3 (the Ammonia sanitiser, docs/decisions.md).

Editors paste or write HTML; what is stored is what nh3 leaves of it under the allow-list below (structure,
emphasis, lists, tables, links and quotes): no script, style, event handler, iframe or form survives, links keep only
http(s), mailto and site-relative addresses and get rel="noopener noreferrer". Pages render the stored HTML as is.
"""

import html as html_module

import nh3

from techmarket.common.bounds import forbidden_characters
from techmarket.common.errors import InvalidInput

TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
        "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "caption", "hr", "span", "div"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """The article body as stored: sanitised, control characters refused."""
    html = (html or "").strip()
    if forbidden_characters(html):
        raise InvalidInput("正文中含有不可见的控制字符或方向控制字符，请删除后重试。")
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


def plain_text(html: str) -> str:
    """The words of a body, for search and feeds' descriptions."""
    return " ".join(html_module.unescape(nh3.clean(html or "", tags=set())).split())
