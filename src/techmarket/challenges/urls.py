from django.urls import path

from techmarket.challenges import views

app_name = "challenges"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("new/", views.challenge_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("<int:pk>/", views.challenge_detail, name="detail"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/propose/", views.proposal_new, name="propose"),
    path("<int:pk>/review/", views.review_list, name="review"),
    path("<int:pk>/act/", views.department_act, name="act"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/score/", views.score, name="score"),
    path("proposals/<int:pk>/act/", views.team_act, name="team-act"),
    path("milestones/<int:pk>/evidence/", views.evidence, name="evidence"),
]
