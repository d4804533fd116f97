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


PRODUCTION_ENV = {
    "GONGKAI_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "gongkai.example.gov.cn",
    "GONGKAI_FIELD_KEYS": "M2Q4YjI1YmE5ZjI4NGM0Y2E1ZTcxYjQ0ZDQ1ZjE3ZjU=",
    "GONGKAI_BASE_URL": "https://gongkai.example.gov.cn",
}


def _start(tmp_path, **env) -> subprocess.CompletedProcess:
    # Nothing inherited from the shell or the CI stage (its pinned GONGKAI_TODAY, which
    # production refuses, or its DATABASE_URL).
    base = {k: v for k, v in os.environ.items()
            if k not in ("CACHE_URL", "DATABASE_URL") and not k.startswith("GONGKAI_")}
    base["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.CACHES['default']); print(settings.GONGKAI_TRUSTED_PROXIES)"],
        env={**base, "DJANGO_SETTINGS_MODULE": "gongkai.settings",
             "GONGKAI_VAR_DIR": str(tmp_path), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    result = _start(tmp_path, **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "CACHE_URL must be set in production" in result.stderr
    started = _start(tmp_path, **PRODUCTION_ENV, CACHE_URL="redis://127.0.0.1:6379/15")
    assert started.returncode == 0, started.stderr


def test_the_redis_cache_fails_fast(tmp_path):
    result = _start(tmp_path, CACHE_URL="redis://127.0.0.1:6379/15")
    assert "'socket_connect_timeout': 0.25" in result.stdout
    assert "'socket_timeout': 1.0" in result.stdout


def test_trusted_proxies_are_read_and_a_malformed_one_is_refused(tmp_path):
    ok = _start(tmp_path, GONGKAI_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/24,2001:db8::/48")
    assert ok.returncode == 0, ok.stderr
    assert "['10.0.0.5', '10.1.0.0/24', '2001:db8::/48']" in ok.stdout
    bad = _start(tmp_path, GONGKAI_TRUSTED_PROXIES="10.0.0.5,proxy.example")
    assert bad.returncode != 0
    assert "GONGKAI_TRUSTED_PROXIES: 'proxy.example' is not an IP address or network" in bad.stderr
