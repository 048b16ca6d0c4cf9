"""URLconf of the API, so the project URLconf only needs `path("api/", include("techmarket.api.urls"))`."""

from techmarket.api.api import api

urlpatterns, _, app_name = api.urls  # app_name doubles as the namespace ninja reverses ("api")
