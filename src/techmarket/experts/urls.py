"""Routes of the expert pool, mounted at /experts/ (docs/experts.md)."""

from django.urls import path

from techmarket.experts import views

app_name = "experts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("join/", views.join, name="join"),
    path("review/", views.review_queue, name="review-queue"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
