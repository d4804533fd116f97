"""CACHE_URL switches the cache to Redis (the machine runs one on 127.0.0.1:6379): a
value written by one process is read by another, as gunicorn workers need."""

import os
import subprocess
import sys
import uuid


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "GONGKAI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "redis://127.0.0.1:6379/15",
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def test_cache_url_shares_values_between_processes_through_redis(tmp_path):
    key, value = f"gongkai-test-{uuid.uuid4().hex}", uuid.uuid4().hex
    writer = _run(
        "from django.conf import settings; from django.core.cache import cache; "
        f"print(settings.CACHES['default']['BACKEND']); cache.set('{key}', '{value}', 60)",
        tmp_path,
    )
    assert writer.returncode == 0, writer.stderr
    assert "RedisCache" in writer.stdout
    reader = _run(
        f"from django.core.cache import cache; print(cache.get('{key}')); cache.delete('{key}')",
        tmp_path,
    )
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == value


def test_a_cache_url_that_is_not_redis_is_refused_at_start(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gongkai.settings",
             "GONGKAI_VAR_DIR": str(tmp_path), "CACHE_URL": "memcached://127.0.0.1:11211"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
