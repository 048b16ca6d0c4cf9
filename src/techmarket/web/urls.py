"""Routes of the Chinese web interface. Listing references contain slashes, so the more specific
listing routes come before the listing page."""

from django.contrib.auth import views as auth_views
from django.urls import path

from techmarket.accounts import views as account_views
from techmarket.catalogue import views as catalogue_views
from techmarket.web.views import assets, manage, public, review, search, workspace

urlpatterns = [
    # Public pages (web/views/public.py)
    path("", public.home, name="home"),
    path("catalogue/", public.catalogue, name="catalogue"),
    path("catalogue/export.xlsx", public.catalogue_export, name="catalogue-export"),
    path("organisations/<int:pk>/", public.organisation_detail, name="organisation-detail"),
    path("search/", search.search_page, name="search"),
    path("favicon.ico", assets.favicon, name="favicon"),
    # Accounts (accounts/views.py)
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # What awaits the logged-in user, by role (web/views/workspace.py)
    path("my/", workspace.workspace, name="workspace"),
    # Organisation members write listings (web/views/manage.py)
    path("my/listings/", manage.my_listings, name="my-listings"),
    path("my/listings/new/", manage.listing_create, name="listing-create"),
    path("listings/<path:reference>/edit/", manage.listing_edit, name="listing-edit"),
    path("listings/<path:reference>/transition/", manage.listing_transition, name="listing-transition"),
    # Provincial reviewers (web/views/review.py)
    path("review/", review.review_queue, name="review-queue"),
    path("listings/<path:reference>/review/", review.review_listing, name="review-listing"),
    # A listing's attachments (catalogue/views.py)
    path("listings/<path:reference>/attachments/<int:pk>/", catalogue_views.attachment_download,
         name="listing-attachment"),
    # The listing page last: its pattern would swallow the routes above.
    path("listings/<path:reference>/", public.listing_detail, name="listing-detail"),
]
