from django.urls import path

from techmarket.common import views

app_name = "common"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read-all/", views.mark_all_read, name="read-all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/objections/", views.file_objection, name="object"),
    path("notices/objections/<int:pk>/resolve/", views.resolve_objection, name="resolve"),
]
