"""The open feed, mounted at /open/ (docs/docking.md)."""

from django.urls import path

from techmarket.docking import views

app_name = "docking"

urlpatterns = [
    path("feed.json", views.feed_json, name="feed-json"),
    path("feed.rss", views.ListingsFeed(), name="feed-rss"),
    path("schema.json", views.schema_json, name="schema"),
    path("contract-registration.schema.json", views.contracts_schema_json, name="contracts-schema"),
]
