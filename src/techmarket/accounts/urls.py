"""Accounts pages not in web/urls.py: confirming an e-mail address."""

from django.urls import path

from techmarket.accounts import views

urlpatterns = [
    path("accounts/email/confirm/<str:token>/", views.confirm_email, name="confirm-email"),
]
