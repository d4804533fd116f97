"""Test settings: the production module with fast hashing, plain static storage and an
in-memory mail outbox. The database still comes from DATABASE_URL, so the same suite runs
on SQLite and on PostgreSQL."""

from gongkai.settings import *  # noqa: F403
from gongkai.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in the test process after commit (no broker) unless a test names one; retries
# are 1 s, 2 s, … without jitter, so a test can read the delays it expects.
TASK_BROKER_URL = None
TASK_MAX_ATTEMPTS = 3
TASK_RETRY_BACKOFF = 1
TASK_RETRY_JITTER = False
