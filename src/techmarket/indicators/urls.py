"""Routes of the indicator dashboard, mounted at /indicators/ (docs/indicators.md)."""

from django.urls import path

from techmarket.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("report/", views.report, name="report"),
    path("values/new/", views.enter_value, name="enter"),
    path("values/queue/", views.queue, name="queue"),
    path("values/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("values/<int:pk>/<slug:action>/", views.decide, name="decide"),
    path("<slug:code>/records/", views.records, name="records"),
]
