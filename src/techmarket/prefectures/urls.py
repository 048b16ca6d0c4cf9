"""Routes of the prefecture markets, mounted at /m/ (docs/prefectures.md)."""

from django.urls import path

from techmarket.prefectures import views

app_name = "prefectures"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("fields/<slug:code>/", views.specialised, name="specialised"),
    path("<slug:code>/", views.portal, name="portal"),
]
