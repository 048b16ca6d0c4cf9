from django.urls import path

from techmarket.achievements import views

app_name = "achievements"

urlpatterns = [
    path("", views.achievement_list, name="list"),
    path("new/", views.achievement_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.achievement_detail, name="detail"),
    path("<int:pk>/edit/", views.achievement_edit, name="edit"),
    path("<int:pk>/offer/", views.publish_offer, name="offer"),
    path("<int:pk>/evaluate/", views.request_evaluation, name="evaluate"),
    path("<int:pk>/price-notice/", views.price_notice, name="price-notice"),
    path("<int:pk>/contract/", views.link_contract, name="link-contract"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/draw/", views.draw, name="draw"),
    path("evaluations/<int:pk>/report.pdf", views.evaluation_pdf, name="evaluation-pdf"),
    path("reports/", views.report_home, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]
