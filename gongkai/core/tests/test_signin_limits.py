"""Sign-in limits that hold (issue 15): parallel wrong passwords cannot be checked more
often than the lock allows, and one client address cannot try many user names."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate as real_authenticate
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connections
from django.test import RequestFactory, override_settings

from gongkai.core import cachehealth, clock, forms
from gongkai.core.forms import SignInForm
from gongkai.core.models import AuditEvent, SignInFailure
from gongkai.core.services import signin
from gongkai.core.tests.factories import TEST_PASSWORD, UserFactory
from gongkai.core.tests.parallel import database_for_threads, in_thread

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
rf = RequestFactory()


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    cachehealth.reset()
    clock.freeze(T0)
    yield
    cache.clear()
    cachehealth.reset()


def attempt(username, password, address="203.0.113.5", **meta):
    request = rf.post("/staff/sign-in/", REMOTE_ADDR=address, **meta)
    request.session = SessionStore()
    form = SignInForm(request, data={"username": username, "password": password})
    valid = form.is_valid()
    return valid, form


def error_codes(form):
    return [e.code for e in form.non_field_errors().as_data()]


@pytest.fixture
def counted_checks(monkeypatch):
    """How many passwords were actually checked."""
    checks = []
    lock = threading.Lock()

    def counting(*args, **kwargs):
        with lock:
            checks.append(kwargs.get("username"))
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(forms, "authenticate", counting)
    return checks


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_check_at_most_five_then_the_account_is_locked(
        tmp_path, counted_checks):
    """Runs on PostgreSQL (the guard row's lock) and on a SQLite file (BEGIN IMMEDIATE)."""
    UserFactory(username="officer")
    use_database = database_for_threads(tmp_path)
    barrier = threading.Barrier(30)
    outcomes, errors = [], []

    def guess(n):
        use_database()
        try:
            barrier.wait()
            # Distinct addresses: this test is about the account lock, not the throttle.
            valid, form = attempt("officer", f"wrong-{n}", address=f"198.51.100.{n + 1}")
            outcomes.append((valid, error_codes(form)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert not any(valid for valid, _ in outcomes)
    assert len(counted_checks) == 5
    codes = [code for _, form_codes in outcomes for code in form_codes]
    assert codes.count("locked") >= 25
    assert in_thread(use_database, lambda: SignInFailure.objects.count()) == len(counted_checks)
    assert in_thread(use_database, lambda: SignInFailure.objects.filter(pending=True).count()) == 0
    assert in_thread(use_database, lambda: AuditEvent.objects.filter(
        action="signin.failure").count()) == len(counted_checks)
    assert in_thread(use_database, lambda: AuditEvent.objects.filter(
        action="signin.lockout").count()) == 1

    # The right password after the limit is refused, without being checked.
    before = len(counted_checks)
    valid, form = in_thread(use_database, lambda: attempt("officer", TEST_PASSWORD))
    assert not valid and error_codes(form) == ["locked"]
    assert len(counted_checks) == before


@pytest.mark.django_db
def test_an_attempt_in_progress_counts_so_the_limit_cannot_be_overrun(counted_checks):
    UserFactory(username="officer")
    for n in range(4):
        attempt("officer", f"wrong-{n}")
    in_progress = signin.signin_begin(username="officer", ip_address="203.0.113.5")
    assert isinstance(in_progress, signin.Attempt)

    valid, form = attempt("officer", TEST_PASSWORD)  # a sixth, while the fifth is checked
    assert not valid and error_codes(form) == ["locked"]
    assert len(counted_checks) == 4

    signin.signin_password_accepted(in_progress)  # the fifth was right after all
    valid, form = attempt("officer", TEST_PASSWORD)
    assert valid


@pytest.mark.django_db
def test_a_right_password_does_not_count_as_a_failure(counted_checks):
    UserFactory(username="officer")
    for _ in range(3):
        assert attempt("officer", TEST_PASSWORD)[0]
    assert SignInFailure.objects.count() == 0


@pytest.mark.django_db
def test_a_failure_cleared_meanwhile_by_an_unlock_still_counts():
    UserFactory(username="officer")
    begun = signin.signin_begin(username="officer", ip_address=None)
    SignInFailure.objects.all().delete()  # e.g. an administrator's unlock in between
    signin.signin_failed(begun)
    assert SignInFailure.objects.filter(pending=False).count() == 1


@pytest.mark.django_db
def test_old_failures_and_idle_guards_are_purged():
    UserFactory(username="officer")
    attempt("officer", "wrong")
    attempt("nobody-by-this-name", "wrong")
    assert signin.purge(T0 + dt.timedelta(minutes=59)) == (0, 0)
    assert signin.purge(T0 + dt.timedelta(days=2)) == (2, 2)


# --- the per-address throttle --------------------------------------------------------------------


THROTTLE = {"GONGKAI_SIGNIN_ADDRESS_MAX_FAILURES": 3, "GONGKAI_SIGNIN_ADDRESS_WINDOW_MINUTES": 15}


@pytest.mark.django_db
@override_settings(**THROTTLE)
def test_one_address_failing_over_many_user_names_is_throttled_in_chinese(counted_checks):
    for name in ("alice", "bob", "carol"):
        valid, form = attempt(name, "Spring2026!")
        assert error_codes(form) == ["invalid_login"]

    valid, form = attempt("dave", "Spring2026!")

    assert not valid and error_codes(form) == ["address_throttled"]
    assert "您所在的网络地址登录失败次数过多，请15分钟后再试" in form.non_field_errors()[0]
    assert counted_checks == ["alice", "bob", "carol"]  # dave's password was not checked
    refused = AuditEvent.objects.get(action="signin.refused_address")
    assert refused.object_repr == "dave"
    assert refused.after["ip_address"] == "203.0.113.5"
    # Another address is not affected; and the window slides on.
    assert error_codes(attempt("erin", "x", address="198.51.100.7")[1]) == ["invalid_login"]
    clock.freeze(T0 + dt.timedelta(minutes=31))
    assert error_codes(attempt("dave", "Spring2026!")[1]) == ["invalid_login"]


@pytest.mark.django_db
@override_settings(**THROTTLE)
def test_right_passwords_and_attempts_on_locked_accounts_do_not_use_up_the_address():
    UserFactory(username="officer")
    for _ in range(5):
        assert attempt("officer", TEST_PASSWORD)[0]
    for n in range(2):
        attempt("alice", f"wrong-{n}")
    assert attempt("officer", TEST_PASSWORD)[0]  # two failures of three used: still in


@pytest.mark.django_db
@override_settings(**THROTTLE, GONGKAI_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled_and_recorded():
    for n in range(3):
        attempt(f"user{n}", "wrong", address="10.0.0.2",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.77, 10.0.0.9")
    valid, form = attempt("user9", "wrong", address="10.0.0.2",
                          HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert error_codes(form) == ["address_throttled"]
    assert set(AuditEvent.objects.filter(action="signin.failure")
               .values_list("after__ip_address", flat=True)) == {"203.0.113.77"}
    # A rotating X-Forwarded-For from an untrusted peer changes nothing: it is the peer.
    for n in range(3):
        attempt(f"other{n}", "wrong", address="198.51.100.50", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    _, form = attempt("other9", "wrong", address="198.51.100.50", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert error_codes(form) == ["address_throttled"]


# --- a flood of refused attempts is audited once per window ----------------------------------


def refusals(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.mark.django_db
def test_a_flood_against_a_locked_account_writes_one_audit_entry_per_window(counted_checks):
    """Refusals of a locked account are audited once per user name per failure window
    (15 minutes; T0 starts one), whichever address they come from, and use up no address."""
    UserFactory(username="officer")
    clock.freeze(T0 + dt.timedelta(minutes=10))
    for n in range(5):
        attempt("officer", f"wrong-{n}")  # locked until 10:40
    assert AuditEvent.objects.filter(action="signin.lockout").count() == 1

    clock.freeze(T0 + dt.timedelta(minutes=11))
    for n in range(40):  # more than the address allows (30): refusals give their place back
        valid, form = attempt("officer", TEST_PASSWORD, address=f"198.51.100.{n % 3}")
        assert not valid and error_codes(form) == ["locked"]
    clock.freeze(T0 + dt.timedelta(minutes=14, seconds=59))
    assert error_codes(attempt("OFFICER", TEST_PASSWORD)[1]) == ["locked"]
    (first,) = refusals("signin.refused_locked")
    assert first.object_repr == "officer" and first.after["ip_address"] == "198.51.100.0"
    assert first.after["recorded_once_per_minutes"] == 15
    assert dt.datetime.fromisoformat(first.after["locked_until"]) == T0 + dt.timedelta(minutes=40)

    clock.freeze(T0 + dt.timedelta(minutes=15))  # the next window, still locked
    for _ in range(10):
        assert error_codes(attempt("officer", TEST_PASSWORD)[1]) == ["locked"]
    assert len(refusals("signin.refused_locked")) == 2
    assert len(counted_checks) == 5  # no refused password was checked
    assert SignInFailure.objects.count() == 5  # nor counted: the lock is not extended
    # Another locked account has its own entry.
    UserFactory(username="clerk")
    for n in range(5):
        attempt("clerk", f"wrong-{n}", address="192.0.2.1")
    attempt("clerk", TEST_PASSWORD, address="192.0.2.1")
    attempt("clerk", TEST_PASSWORD, address="192.0.2.1")
    assert [e.object_repr for e in refusals("signin.refused_locked")] == ["officer", "officer", "clerk"]
    # The address was never used up by the refusals: officer's own address still gets in
    # once the lock is over.
    clock.freeze(T0 + dt.timedelta(minutes=41))
    assert attempt("officer", TEST_PASSWORD, address="198.51.100.0")[0]


@pytest.mark.django_db
@override_settings(**THROTTLE)
def test_a_flood_from_a_throttled_address_writes_one_audit_entry_per_window(counted_checks):
    for name in ("alice", "bob", "carol"):
        attempt(name, "Spring2026!")
    for n in range(50):
        valid, form = attempt(f"user{n}", "Spring2026!")
        assert not valid and error_codes(form) == ["address_throttled"]
    (first,) = refusals("signin.refused_address")
    assert first.object_repr == "user0" and first.after["ip_address"] == "203.0.113.5"
    assert first.after["recorded_once_per_minutes"] == 15
    assert counted_checks == ["alice", "bob", "carol"]

    # Another address has its own window of refusals.
    for name in ("dan", "eve", "fay", "gus", "hal"):
        attempt(name, "x", address="198.51.100.7")
    assert [e.after["ip_address"] for e in refusals("signin.refused_address")] == [
        "203.0.113.5", "198.51.100.7"]

    # The next fixed window: the hammering address is still refused (its refused hits
    # count), and audited once more.
    clock.freeze(T0 + dt.timedelta(minutes=15))
    for n in range(20):
        assert error_codes(attempt(f"late{n}", "Spring2026!")[1]) == ["address_throttled"]
    assert [e.object_repr for e in refusals("signin.refused_address")] == ["user0", "gus", "late0"]
    assert len(counted_checks) == 3 + 3


@pytest.mark.django_db
@override_settings(**THROTTLE)
def test_refusals_are_audited_once_per_window_while_the_cache_is_down_too(monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    for name in ("add", "incr", "get", "decr"):
        monkeypatch.setattr(cache, name, down)
    UserFactory(username="officer")
    for n in range(5):
        attempt("officer", f"wrong-{n}", address=f"198.51.100.{n}")
    for n in range(10):
        assert error_codes(attempt("officer", TEST_PASSWORD, address=f"192.0.2.{n}")[1]) == ["locked"]
    for name in ("alice", "bob", "carol"):
        attempt(name, "wrong")
    for n in range(10):
        assert error_codes(attempt(f"user{n}", "wrong")[1]) == ["address_throttled"]
    assert len(refusals("signin.refused_locked")) == 1
    assert len(refusals("signin.refused_address")) == 1
