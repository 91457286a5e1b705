"""Settings for the test suite: the real settings, plus a throwaway key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from .settings import *  # noqa: F403

# Hashing passwords properly is the slowest thing a test can do, and proves nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Generated requests (schemathesis) would exhaust any realistic rate; tests/api/test_hardening.py
# turns throttling back on where it is the subject.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
