"""Public accounts for tests that need a signed-in applicant without the provider's round
trip (the round trip itself is tested in ``test_public_sign_in``)."""

from gongkai.core import clock
from gongkai.identity.models import PublicAccount
from gongkai.identity.public import SESSION_KEY

VERIFIED_ID = "11010519491231002X"
# The claim names of the settings' defaults (GONGKAI_OIDC_PUBLIC_*_CLAIM).
CLAIMS = {"name": "name", "id_number": "id_number", "phone": "phone_number", "email": "email"}


def make_public_account(subject: str = "citizen-1", **fields) -> PublicAccount:
    values = {"name": "王五", "id_type": "resident_id", "id_number": VERIFIED_ID,
              "phone": "13900139000", "email": "wangwu@example.com"}
    values.update(fields)
    now = clock.now()
    return PublicAccount.objects.create(provider="public", subject=subject, verified_at=now,
                                        last_signed_in_at=now, **values)


def sign_in_public(client, account: PublicAccount) -> None:
    """Put ``account`` in the test client's session, as ``public_sign_in`` does."""
    session = client.session
    session[SESSION_KEY] = account.pk
    session.save()
