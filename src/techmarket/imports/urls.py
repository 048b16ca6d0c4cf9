"""Staff pages of compilation imports, mounted at /imports/ (docs/imports.md)."""

from django.urls import path

from techmarket.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batches_page, name="batches"),
    path("<int:pk>/", views.batch_page, name="batch"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/duplicates/", views.duplicates, name="duplicates"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/undo/", views.undo, name="undo"),
]
