"""Pieces of pages that several web tests read."""

from django.urls import reverse


def panel_html(client, reference: str) -> str:
    """The matches panel of a listing page, which sits in the page's main column."""
    response = client.get(reverse("listing-detail", args=[reference]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="matches-panel"')
    assert html.index('class="col-lg-8"') < start < html.index('class="col-lg-4"')
    return html[start: html.index('class="col-lg-4"')]
