"""The {% url %} builtin (common.templatetags.cached_urls): the same paths as Django's tag, reversals of names
without arguments kept, names with arguments and `as` variables as before."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from techmarket.common.templatetags import cached_urls


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_names_without_arguments_reverse_as_django_does_and_are_kept():
    cached_urls._reverse.cache_clear()
    assert render("{% url 'search' %}|{% url 'market:statistics' %}") == \
        f"{reverse('search')}|{reverse('market:statistics')}"
    assert render("{% url 'search' %}") == reverse("search")
    info = cached_urls._reverse.cache_info()
    assert info.hits == 1 and info.misses == 2


def test_names_with_arguments_and_variables_go_through_djangos_node():
    cached_urls._reverse.cache_clear()
    assert render("{% url 'listing-edit' ref %}", ref="a/b") == reverse("listing-edit", args=["a/b"])
    assert render("{% url name %}", name="search") == reverse("search")
    assert render("{% url 'search' as target %}[{{ target }}]") == f"[{reverse('search')}]"
    assert render("{% url 'no-such-page' as target %}[{{ target }}]") == "[]"
    info = cached_urls._reverse.cache_info()
    assert (info.misses, info.hits) == (2, 1)  # `name` and the missing name reversed; `as target` kept


def test_an_unknown_name_fails_as_with_django():
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")


def test_the_script_prefix_is_part_of_the_key():
    from django.urls import set_script_prefix

    plain = render("{% url 'search' %}")
    set_script_prefix("/platform/")
    try:
        assert render("{% url 'search' %}") == "/platform" + plain
    finally:
        set_script_prefix("/")


@override_settings(ROOT_URLCONF="techmarket.urls")
def test_the_url_configuration_is_part_of_the_key():
    assert render("{% url 'search' %}") == reverse("search")
