"""Accounts pages not in web/urls.py: confirming an e-mail address (and sending the link again), the member's
organisation and verification page, and the staff's verification queue."""

from django.urls import path

from techmarket.accounts import views

urlpatterns = [
    path("accounts/email/confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    path("accounts/email/resend/", views.resend_confirmation, name="resend-confirmation"),
    path("my/organisation/", views.my_organisation, name="my-organisation"),
    path("review/members/", views.member_review_queue, name="member-review-queue"),
    path("review/members/<int:pk>/", views.member_review_decide, name="member-review-decide"),
]
