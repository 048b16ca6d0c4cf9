from django.urls import path

from techmarket.ops import views

app_name = "ops"

urlpatterns = [
    path("health/live", views.live, name="live"),
    path("health/ready", views.ready, name="ready"),
    path("metrics", views.metrics, name="metrics"),
    path("ops/audit-export/", views.audit_export, name="audit-export"),
]
