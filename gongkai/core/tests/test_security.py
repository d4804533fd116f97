"""Security settings that 等保 level 3 and a public government site rely on: password
hashing and rules, idle sessions, response headers, CSRF, and the production start-up
checks (run as a real process with production environment values)."""

import base64
import datetime as dt
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import (
    get_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory

# --- Password hashing and rules -------------------------------------------------------


def production_hashers():
    import gongkai.settings

    return gongkai.settings.PASSWORD_HASHERS


def test_production_hashes_passwords_with_argon2_first():
    assert production_hashers()[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_set_password_under_production_hashers_stores_an_argon2_hash(db):
    with override_settings(PASSWORD_HASHERS=production_hashers()):
        user = UserFactory()
        user.set_password("Gongkai@2026x")

        assert user.password.startswith("argon2$")
        assert user.check_password("Gongkai@2026x")
        assert not user.check_password("Gongkai@2026y")


def password_errors(password, user=None):
    """(code, message) of every rule the project's validators find broken."""
    validators = get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)
    try:
        validate_password(password, user=user, password_validators=validators)
    except ValidationError as exc:
        return [(error.code, message) for error in exc.error_list for message in error.messages]
    return []


def is_chinese(message):
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and not re.search(r"[A-Za-z]{2,}", message)


@pytest.mark.parametrize(
    "password,code",
    [
        ("short1A!", "password_too_short"),
        ("alllowercaseletters", "password_too_simple"),
        ("1234567890123", "password_entirely_numeric"),
        ("1234567890123", "password_too_common"),
        ("1234567890123", "password_too_simple"),
        # Three classes and eleven characters, but on Django's common-password list.
        ("Password123", "password_too_common"),
    ],
)
def test_weak_password_is_rejected_in_chinese(password, code):
    errors = password_errors(password)

    assert code in {c for c, _ in errors}
    assert [m for _, m in errors if not is_chinese(m)] == []


def test_password_like_the_user_name_is_rejected_in_chinese(db):
    user = UserFactory(username="zhangwei2026", full_name="张伟", email="zhangwei@example.invalid")

    errors = password_errors("Zhangwei2026!", user=user)

    assert [c for c, _ in errors] == ["password_too_similar"]
    assert is_chinese(errors[0][1])


def test_complex_password_is_accepted(db):
    assert password_errors("Gongkai@2026x") == []
    assert password_errors("Gongkai@2026x", user=UserFactory()) == []


def test_non_ascii_characters_count_as_the_other_class():
    # Lower-case letters, digits and Chinese characters: three classes.
    assert password_errors("gongkai2026公开") == []


def test_password_rules_are_explained_in_chinese():
    validators = get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)

    texts = password_validators_help_texts(validators)

    assert len(texts) == 5
    assert [t for t in texts if not is_chinese(t)] == []


# --- Sessions -------------------------------------------------------------------------


def test_session_settings_give_a_thirty_minute_idle_limit_that_every_request_renews():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def set_idle_expiry(client, seconds_left):
    """As if the last request was 30 minutes minus ``seconds_left`` ago."""
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=seconds_left)
    )


@pytest.mark.parametrize(
    "seconds_left,signed_in",
    [
        (60, True),  # idle for 29 minutes: still signed in
        (-1, False),  # idle for 30 minutes and a second: signed out
    ],
)
def test_idle_session_is_signed_out_only_past_the_limit(client_for, officer, seconds_left, signed_in):
    client = client_for(officer)
    assert client.get(reverse("staff:home")).status_code == 200

    set_idle_expiry(client, seconds_left)
    response = client.get(reverse("staff:home"))

    if signed_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("staff:sign-in") + "?next=/staff/"


def test_activity_pushes_the_session_expiry_thirty_minutes_ahead(client_for, officer):
    client = client_for(officer)
    set_idle_expiry(client, 60)

    before = timezone.now()
    assert client.get(reverse("staff:home")).status_code == 200

    remaining = session_row(client).expire_date - before
    assert dt.timedelta(minutes=29, seconds=50) <= remaining <= dt.timedelta(minutes=30, seconds=10)


# --- Headers and CSRF -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/staff/sign-in/"])
def test_pages_carry_security_headers(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_staff_pages_are_never_stored(client, client_for, officer):
    assert "no-store" in client.get("/staff/sign-in/")["Cache-Control"]
    assert "no-store" in client_for(officer).get("/staff/")["Cache-Control"]


def test_public_home_page_may_be_cached(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


@pytest.mark.parametrize("with_token,status", [(True, 302), (False, 403)])
def test_sign_in_post_needs_the_csrf_token(officer, with_token, status):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("staff:sign-in"))
    data = {"username": "officer", "password": TEST_PASSWORD}
    if with_token:
        data["csrfmiddlewaretoken"] = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(reverse("staff:sign-in"), data)

    assert response.status_code == status


# --- Production start-up --------------------------------------------------------------

_INHERITED_CONFIG = {
    "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "CACHE_URL",
}


def production_env(tmp_path, **overrides):
    """A production environment with nothing inherited from the developer's shell."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in _INHERITED_CONFIG and not k.startswith(("GONGKAI_", "DJANGO_"))
    }
    env.update(
        GONGKAI_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="gongkai.example.gov.cn",
        GONGKAI_BASE_URL="https://gongkai.example.gov.cn",
        GONGKAI_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gongkai.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        CACHE_URL="redis://127.0.0.1:6379/15",
        GONGKAI_FIELD_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def gongkai(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "gongkai", *args],
        env=env, cwd=env["GONGKAI_VAR_DIR"], capture_output=True, text=True, timeout=60,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) == 60

    result = gongkai(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


# A value production refuses stops the start at once, with one line naming it.
@pytest.mark.parametrize(
    "overrides,named",
    [
        ({"DEBUG": "1"}, "DEBUG"),
        ({"GONGKAI_TODAY": "2027-01-04"}, "GONGKAI_TODAY"),
    ],
)
def test_production_refuses_to_start_misconfigured(tmp_path, overrides, named):
    result = gongkai(production_env(tmp_path, **overrides), "check", "--deploy")

    # One line naming the variable, not a traceback.
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr


def test_production_names_every_missing_variable_at_once(tmp_path):
    # Missing variables are collected and named together, one line each: one start shows
    # the line of every variable production requires.
    env = production_env(
        tmp_path, GONGKAI_FIELD_KEYS=None, GONGKAI_BASE_URL=None, SECRET_KEY=None,
        ALLOWED_HOSTS=None, CACHE_URL=None,
    )

    result = gongkai(env, "check", "--deploy")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split()[1] for line in lines] == [
        "SECRET_KEY", "GONGKAI_FIELD_KEYS", "ALLOWED_HOSTS", "CACHE_URL", "GONGKAI_BASE_URL",
    ]


def signing_key_of_a_new_process(env) -> str:
    """SECRET_KEY as the settings of a fresh process read it (settings only: no checks)."""
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env=env, cwd=env["GONGKAI_VAR_DIR"], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_local_install_starts_without_a_secret_and_keeps_the_one_it_made(tmp_path):
    env = production_env(tmp_path, GONGKAI_ENV="local", SECRET_KEY=None, ALLOWED_HOSTS=None)

    assert gongkai(env, "check").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    # The next start signs with the key the first one made (and leaves the file alone).
    assert signing_key_of_a_new_process(env) == key
    assert (tmp_path / "secret_key").read_text() == key
