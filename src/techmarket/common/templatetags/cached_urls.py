"""Django's {% url %} tag, with the reversal of a name given without arguments kept per process.

The layout reverses about two dozen such names on every page; reversing each again cost about a fifth of a
cached search page's rendering. A name without arguments always reverses to the same path for the same URL
configuration, script prefix and current application, which make the key. Installed as a template builtin
(settings.TEMPLATES), so templates keep writing {% url %}; names with arguments go through Django's own node.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@lru_cache(maxsize=2048)
def _reverse(view_name: str, urlconf: str, prefix: str, current_app: str | None) -> str:
    return reverse(view_name, urlconf=urlconf, current_app=current_app)


def _current_app(context) -> str | None:
    request = getattr(context, "request", None)
    if request is None:
        return None
    current_app = getattr(request, "current_app", None)
    if current_app is not None:
        return current_app
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


class CachedURLNode(defaulttags.URLNode):
    def render(self, context):
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:
            url = _reverse(view_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(),
                           _current_app(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
