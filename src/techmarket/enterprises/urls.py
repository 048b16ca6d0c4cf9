"""Routes of enterprise services, mounted at /enterprises/ (docs/enterprises.md)."""

from django.urls import path

from techmarket.enterprises import views, views_financing, views_profile

app_name = "enterprises"

urlpatterns = [
    path("checkup/", views.start, name="checkup-start"),
    path("checkup/<int:pk>/", views.detail, name="checkup"),
    path("checkup/for/", views.for_list, name="checkup-for-list"),
    path("checkup/for/<int:organisation_id>/", views.start_for, name="checkup-for"),
    path("checkup/<int:pk>/report.pdf", views.download, name="checkup-pdf"),
    path("checkup/<int:pk>/publish/<int:index>/", views.publish, name="checkup-publish"),
    path("points/", views.points_page, name="points"),
    path("financing/", views_financing.home, name="financing"),
    path("financing/desk/", views_financing.desk, name="financing-desk"),
    path("financing/<int:pk>/", views_financing.need_page, name="need"),
    path("financing/<int:pk>/share/", views_financing.share, name="need-share"),
    path("financing/<int:pk>/close/", views_financing.close, name="need-close"),
    path("financing/<int:pk>/respond/", views_financing.respond, name="need-respond"),
    path("financing/<int:pk>/outcome/", views_financing.outcome, name="need-outcome"),
    path("financing/<int:pk>/bad-loan/", views_financing.bad_loan_record, name="need-bad-loan"),
    path("bad-loans/<int:pk>/", views_financing.bad_loan_page, name="bad-loan"),
    path("profile/", views_profile.profile_page, name="profile"),
    path("pools/", views_profile.pools_page, name="pools"),
    path("recognitions/", views_profile.recognition_queue, name="recognition-queue"),
    path("recognitions/<int:pk>/document/", views_profile.recognition_document, name="recognition-document"),
    path("recognitions/<int:pk>/decide/", views_profile.recognition_decide, name="recognition-decide"),
]
