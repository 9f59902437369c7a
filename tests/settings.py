"""Test settings: the real settings with fast hashing and an in-memory outbox."""

import os

os.environ.setdefault("DEBUG", "true")

from rezerva.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# The live server (e2e) serves static files straight from the apps, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Stripe goes to the local fake (tests/fakes); these are its test credentials, not secrets.
STRIPE_SECRET_KEY = "sk_test_fake"
STRIPE_WEBHOOK_SECRET = "whsec_test_fake"
# The suite books from one address (the test client's 127.0.0.1): limits high enough never to
# trip; tests/core/test_ratelimit.py sets real ones. Counters live in local memory, even when
# REDIS_URL is set in the shell (the Redis tests pick their own database and key prefix).
RATE_LIMIT_BOOKING = RATE_LIMIT_MANAGE = "100000/min"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
