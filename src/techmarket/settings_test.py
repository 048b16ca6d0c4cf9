"""Settings for the test suite: the production settings with jobs run inline, plain static files, a fast
password hasher, and a fixed key when no key was generated (a fresh checkout: the suite creates no files)."""

import os

from techmarket.settings import *  # noqa: F403

TECHMARKET_JOBS = "inline"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = SECRET_KEY or "test-only-insecure-key-not-for-any-site"  # noqa: F405

# The search index in each test process's memory, caught up by the searching thread (tests that need the
# on-disk node index, or a process a test starts, name a temporary directory).
TECHMARKET_SEARCH_DIR = os.environ.get("TECHMARKET_SEARCH_DIR", "")
TECHMARKET_SEARCH_FOLLOW = os.environ.get("TECHMARKET_SEARCH_FOLLOW", "0") == "1"

# Uploads the tests make go to a temporary directory of this process, never into the checkout's data directory
# (tests that read files back set their own MEDIA_ROOT).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="techmarket-test-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)  # each process removes the directory it made
