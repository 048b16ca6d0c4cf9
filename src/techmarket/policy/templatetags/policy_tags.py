"""Filters of the policy pages: money in yuan, the vocabulary's labels, and texts of the rule files and of the
engine as a person reads them (`plain`: simplified characters, event fields by their labels; quotations of the
source documents take `simplified` from {% load chinese %})."""

from decimal import Decimal, InvalidOperation

from django import template

from techmarket.policy.services.data import rulebook
from techmarket.policy.services.display import readable
from techmarket.policy.services.results import yuan as format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥1,234.50 from a Decimal or a decimal string; "未设定" for None."""
    if value is None or value == "":
        return "未设定"
    try:
        return format_yuan(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def role_label(code: str) -> str:
    return rulebook().vocabulary.roles.get(code, code)


@register.filter
def event_type_label(code: str) -> str:
    return rulebook().vocabulary.event_types.get(code, code)


@register.filter(is_safe=True)
def plain(text) -> str:
    """A note, condition, derivation step or reason as a page shows it (policy/services/display.py)."""
    return readable(text)
