"""Settings for the test suite: the production settings with jobs run inline, plain static files and a
fast password hasher."""

from techmarket.settings import *  # noqa: F403

TECHMARKET_JOBS = "inline"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
