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
