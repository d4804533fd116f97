"""A comment sent while signed in with a government-service account is listed under that
account ("我的申请")."""

import pytest
from django.urls import reverse

from gongkai.consultations.models import Comment
from gongkai.consultations.selectors import comments_of_account
from gongkai.identity.tests.public_accounts import make_public_account, sign_in_public

pytestmark = pytest.mark.django_db


def test_a_signed_in_person_s_comment_is_linked_to_their_account(client, open_now):
    account = make_public_account()
    sign_in_public(client, account)
    response = client.post(f"/consultations/{open_now.pk}/", {"body": "期限改为十五个工作日"})
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.public_account == account
    assert list(comments_of_account(account)) == [comment]
    assert not comments_of_account(make_public_account(subject="someone-else")).exists()
    mine = client.get(reverse("portal:my-requests")).content.decode()
    assert open_now.title in mine and f'href="/consultations/{open_now.pk}/"' in mine


def test_an_anonymous_comment_belongs_to_no_account(client, open_now):
    client.post(f"/consultations/{open_now.pk}/", {"body": "期限改为十五个工作日"})
    assert Comment.objects.get().public_account is None
