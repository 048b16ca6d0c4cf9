"""Routes of enterprise services, mounted at /enterprises/ (docs/enterprises.md)."""

from django.urls import path

from techmarket.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("checkup/", views.start, name="checkup-start"),
    path("checkup/<int:pk>/", views.detail, name="checkup"),
    path("checkup/<int:pk>/report.pdf", views.download, name="checkup-pdf"),
    path("checkup/<int:pk>/publish/<int:index>/", views.publish, name="checkup-publish"),
    path("points/", views.points_page, name="points"),
]
