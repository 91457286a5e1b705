"""Settings for the test suite: the real settings, plus a throwaway key and a fast hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from . import sqlite
from .settings import *  # noqa: F403

# Hashing passwords properly is the slowest thing a test can do, and proves nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests send far more requests than any client may; the tests about the limits turn them on.
RATE_LIMITS_ENABLED = False
# Each process's own cache, whatever CACHE_URL the environment names: tests that count in Redis
# give themselves a key prefix of their own (tests/redis.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# The static files as the development server finds them (collectstatic is for servers).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# collectstatic builds the hashed names' manifest; only the production-mode servers of the suite
# (tests/servers.py) run it, in a directory of their own.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# The suite's production-mode servers (gunicorn, another process) read the test database: on
# SQLite that must be a file rather than Django's in-memory database.
if DATABASES["default"]["ENGINE"] == sqlite.ENGINE:  # noqa: F405 (tracker/sqlite: Django's backend, tuned)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"tracker-test-{os.getpid()}.sqlite3")
    }

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
