"""Routes of the policy pages, mounted at /policy/ (docs/policy.md, "Pages")."""

from django.urls import path

from techmarket.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
    path("calculator/", views.calculator, name="calculator"),
    path("apply/", views.apply, name="apply"),
    path("claim/", views.claimable, name="claimable"),
    path("claim/<str:source>/<str:key>/", views.claim, name="claim"),
    path("applications/", views.my_applications, name="my-applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("review/", views.review_queue, name="review"),
    path("ledger/", views.ledger, name="ledger"),
]
