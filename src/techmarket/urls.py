from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("techmarket.api.urls")),
    path("policy/", include("techmarket.policy.urls")),
    path("market/", include("techmarket.market.urls")),
    path("indicators/", include("techmarket.indicators.urls")),
    path("ecosystem/", include("techmarket.ecosystem.urls")),
    path("platforms/", include("techmarket.platforms.urls")),
    path("experts/", include("techmarket.experts.urls")),
    path("challenges/", include("techmarket.challenges.urls")),
    path("achievements/", include("techmarket.achievements.urls")),
    path("publishing/", include("techmarket.publishing.urls")),
    path("enterprises/", include("techmarket.enterprises.urls")),
    path("plantasks/", include("techmarket.plantasks.urls")),
    path("m/", include("techmarket.prefectures.urls")),
    path("open/", include("techmarket.docking.urls")),
    path("imports/", include("techmarket.imports.urls")),
    path("", include("techmarket.ops.urls")),  # /health/live, /health/ready, /metrics (machine endpoints)
    path("", include("techmarket.common.urls")),  # /notifications/, /notices/
    path("", include("techmarket.matching.urls")),
    path("", include("techmarket.accounts.urls")),  # /accounts/email/confirm/
    path("", include("techmarket.web.urls")),
]

# JSON under /api/ (techmarket.api.errors), Django's default pages elsewhere.
handler400 = "techmarket.api.errors.handler400"
handler403 = "techmarket.api.errors.handler403"
handler404 = "techmarket.api.errors.handler404"
handler500 = "techmarket.api.errors.handler500"
