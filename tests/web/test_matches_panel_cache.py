"""The matches panel is computed by the view's service call and cached until the index changes."""

import re

import pytest

from techmarket.catalogue.models import Listing
from techmarket.matching.services import panel as panel_service
from tests.web.pages import panel_html

pytestmark = pytest.mark.django_db

DEMAND = "innovation/hightech/17"
ITEM = re.compile(r'class="mb-2 match-item" data-reference="([^"]+)"')




@pytest.fixture
def match_calls(monkeypatch):
    """How many times the page computed matches."""
    calls = []
    real = panel_service.match_listing

    def counting(listing, **kwargs):
        calls.append(listing.reference)
        return real(listing, **kwargs)

    monkeypatch.setattr(panel_service, "match_listing", counting)
    return calls


def test_a_second_view_shows_the_same_panel_without_recomputing(client, match_calls):
    first = panel_html(client, DEMAND)
    assert ITEM.findall(first)
    second = panel_html(client, DEMAND)
    assert second == first
    assert match_calls == [DEMAND]


def test_the_panel_follows_the_index(client, match_calls, django_capture_on_commit_callbacks):
    shown = ITEM.findall(panel_html(client, DEMAND))
    gone = Listing.objects.get(reference=shown[0])
    with django_capture_on_commit_callbacks(execute=True):
        gone.status = Listing.Status.WITHDRAWN
        gone.save()
    after = ITEM.findall(panel_html(client, DEMAND))
    assert gone.reference not in after and after
    assert match_calls == [DEMAND, DEMAND]


def test_a_failure_is_shown_and_not_kept(client, monkeypatch):
    real = panel_service.match_listing

    def failing(listing, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(panel_service, "match_listing", failing)
    assert "暂时无法计算匹配结果" in panel_html(client, DEMAND)
    monkeypatch.setattr(panel_service, "match_listing", real)
    html = panel_html(client, DEMAND)
    assert "暂时无法计算匹配结果" not in html and ITEM.findall(html)
