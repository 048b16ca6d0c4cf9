"""Routes of task tracking (定期调度), mounted at /plantasks/ (docs/plantasks.md)."""

from django.urls import path

from techmarket.plantasks import views

app_name = "plantasks"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("dispatch/", views.dispatch_report, name="dispatch"),
    path("<int:number>/", views.task_detail, name="task"),
    path("units/<int:pk>/assign/", views.assign, name="assign"),
    path("units/<int:pk>/unassign/<int:user_id>/", views.unassign, name="unassign"),
    path("units/<int:pk>/report/", views.report, name="report"),
    path("reports/<int:pk>/evidence/", views.evidence, name="evidence"),
]
