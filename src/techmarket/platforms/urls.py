from django.urls import path

from techmarket.platforms import views

app_name = "platforms"

urlpatterns = [
    path("", views.platform_list, name="platforms"),
    path("new/", views.platform_new, name="platform-new"),
    path("<int:pk>/", views.platform_detail, name="platform"),
    path("<int:pk>/document/", views.platform_document, name="platform-document"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_new, name="team-new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/document/", views.team_document, name="team-document"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.queue, name="queue"),
    path("review/<str:what>/<int:pk>/", views.decide, name="decide"),
    path("specialists/", views.assignments, name="assignments"),
    path("specialists/new/", views.assignment_new, name="assignment-new"),
    path("specialists/<int:pk>/", views.assignment_detail, name="assignment"),
]
