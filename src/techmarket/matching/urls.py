"""Routes of targeted publishing (定向发布). Included before the web routes in techmarket/urls.py, so the
publish page is matched before the listing page's catch-all `listings/<path:reference>/`."""

from django.urls import path

from techmarket.matching.views import intents

urlpatterns = [
    path("listings/<path:reference>/publish/", intents.publish, name="intent-publish"),
    path("my/intents/", intents.my_intents, name="my-intents"),
    path("intents/<int:pk>/respond/", intents.respond, name="intent-respond"),
]
