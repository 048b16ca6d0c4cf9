"""Routes of information publishing and matchmaking events, mounted at /publishing/ (docs/publishing.md)."""

app_name = "publishing"

urlpatterns = []
