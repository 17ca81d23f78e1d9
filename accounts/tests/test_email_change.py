"""A student's email is theirs: a change waits for the link mailed to it (SPEC section 2).

`User.email` is the confirmed address, the only one Slack looks members up by; a requested
change is `pending_email` until its owner follows the link while logged in to the same account.
"""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import email_tokens
from accounts.models import User
from accounts.services import user_email_change_request, user_email_confirm
from accounts.tests.factories import UserFactory
from accounts.tests.fake_intra import intra_profile
from accounts.tokens import issue_token_pair
from matching.services.matches import match_create
from partner42.choices import ConditionKind, ContentCategory, MethodCategory
from partner42.errors import ApplicationError
from tests.helpers import run_together

pytestmark = pytest.mark.django_db

OLD = "alice@student.42seoul.kr"
NEW = "alice@example.org"
LINK = re.compile(r"https?://testserver(/email/confirm/[^/\s]+/)")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=user).access}")
    return client


def _link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _request_by_page(client, email: str, capture) -> None:
    with capture(execute=True):
        response = client.post(reverse("mypage:email"), {"email": email})
    assert response.status_code == 302, response.content.decode()


def _confirm(client, path: str):
    return client.post(path)


@pytest.fixture
def slack_calls(monkeypatch, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"  # a notice is written only when Slack is set up
    calls = []
    from alarms import tasks

    monkeypatch.setattr(
        tasks.slack_match_notice_task, "delay", lambda emails, text, **kwargs: calls.append(emails)
    )
    return calls


def _match(*users, capture) -> None:
    with capture(execute=True):
        match_create(
            category=ContentCategory.MEAL,
            method=MethodCategory.RANDOM,
            users=list(users),
            conditions={ConditionKind.PLACE: ["GAEPO"], ConditionKind.WAY_OF_EATING: ["EATOUT"]},
        )


# --- Asking for a change ---------------------------------------------------------------------


def test_it_keeps_a_page_change_pending_and_mails_a_link_to_the_new_address(
    alice_client, alice, django_capture_on_commit_callbacks
):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)

    alice.refresh_from_db()
    assert alice.email == OLD
    assert alice.pending_email == NEW
    [message] = mail.outbox
    assert message.to == [NEW]
    assert _link(message)
    page = alice_client.get(reverse("mypage:index")).content.decode()
    assert NEW in page
    assert reverse("mypage:email_resend") in page


def test_it_keeps_an_api_change_pending_and_mails_a_link_to_the_new_address(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(alice).patch(
            f"/api/users/{alice.api_id}/email", {"email": NEW}, format="json"
        )

    assert response.status_code == 200, response.content
    assert response.json() == {"userId": str(alice.api_id)}
    alice.refresh_from_db()
    assert alice.email == OLD
    assert alice.pending_email == NEW
    [message] = mail.outbox
    assert message.to == [NEW]
    detail = _api(alice).get(f"/api/users/{alice.api_id}").json()
    assert detail["email"] == OLD
    assert detail["pendingEmail"] == NEW


def test_it_sends_no_mail_before_the_change_commits(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_email_change_request(user=alice, email=NEW, site_url="http://testserver")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_it_uses_only_the_confirmed_email_for_slack(
    alice_client, alice, bob, slack_calls, django_capture_on_commit_callbacks
):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])

    _match(alice, bob, capture=django_capture_on_commit_callbacks)
    assert slack_calls == [[OLD, bob.email]]

    _confirm(alice_client, link)
    alice.refresh_from_db()
    _match(alice, bob, capture=django_capture_on_commit_callbacks)
    assert slack_calls[-1] == [NEW, bob.email]


def test_it_cancels_a_pending_change_when_the_confirmed_address_is_asked_again(
    alice_client, alice, django_capture_on_commit_callbacks
):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)
    _request_by_page(alice_client, OLD.upper(), django_capture_on_commit_callbacks)

    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (OLD, "")
    assert len(mail.outbox) == 1


def test_it_refuses_an_address_another_account_confirmed(alice_client, alice, bob):
    response = alice_client.post(reverse("mypage:email"), {"email": bob.email.upper()})

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.pending_email == ""
    assert mail.outbox == []


def test_it_resends_the_link_once_a_minute_at_most(
    alice_client, alice, django_capture_on_commit_callbacks
):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)

    too_soon = alice_client.post(reverse("mypage:email_resend"))
    assert too_soon.status_code == 302
    assert len(mail.outbox) == 1
    response = alice_client.post(reverse("mypage:email"), {"email": "other@example.org"})
    assert response.status_code == 400  # a second address within the minute: no second mail
    assert len(mail.outbox) == 1

    User.objects.filter(pk=alice.pk).update(
        pending_email_sent_at=timezone.now() - timedelta(minutes=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("mypage:email_resend"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[NEW], [NEW]]


def test_it_answers_429_to_an_api_change_within_the_minute(
    alice, django_capture_on_commit_callbacks
):
    client = _api(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/users/{alice.api_id}/email", {"email": NEW}, format="json")
    response = client.patch(
        f"/api/users/{alice.api_id}/email", {"email": "x@example.org"}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "C008"
    assert len(mail.outbox) == 1


# --- Following the link ----------------------------------------------------------------------


def test_it_confirms_the_address_once(alice_client, alice, django_capture_on_commit_callbacks):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])

    page = alice_client.get(link)
    assert page.status_code == 200
    assert NEW in page.content.decode()
    alice.refresh_from_db()
    assert alice.email == OLD  # a GET (a mail scanner's prefetch) changes nothing

    response = _confirm(alice_client, link)
    assert response.status_code == 302
    assert response.url == reverse("mypage:index")
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (NEW, "")

    again = _confirm(alice_client, link)
    assert again.status_code == 400
    assert "이미 사용했거나" in again.content.decode()
    assert alice_client.get(link).status_code == 400


def test_it_refuses_an_expired_link(
    alice_client, alice, monkeypatch, django_capture_on_commit_callbacks
):
    _request_by_page(alice_client, NEW, django_capture_on_commit_callbacks)
    later = time.time() + email_tokens.MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = _confirm(alice_client, _link(mail.outbox[0]))

    assert response.status_code == 400
    assert "만료" in response.content.decode()
    alice.refresh_from_db()
    assert (alice.email, alice.pending_email) == (OLD, NEW)


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"u": "x", "e": "y"}, salt="wrong"),
        lambda token: "not-a-token",
    ],
)
def test_it_refuses_a_forged_link(alice_client, alice, forge):
    alice.pending_email = NEW
    alice.save(update_fields=["pending_email"])
    token = email_tokens.make(user=alice, email=NEW)

    response = _confirm(alice_client, reverse("accounts:email_confirm", args=[forge(token)]))

    assert response.status_code == 400
    assert "올바르지 않은 링크" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == OLD


def test_it_refuses_another_account_following_the_link(
    client, alice, bob, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    _request_by_page(client, NEW, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])

    client.force_login(bob)
    response = _confirm(client, link)

    assert response.status_code == 403
    assert "다른 계정" in response.content.decode()
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.email == "bob@student.42seoul.kr"
    assert (alice.email, alice.pending_email) == (OLD, NEW)

    client.force_login(alice)
    assert _confirm(client, link).status_code == 302


def test_it_asks_a_visitor_to_log_in_before_confirming(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    _request_by_page(client, NEW, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()

    response = _confirm(client, link)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    alice.refresh_from_db()
    assert alice.email == OLD


def test_it_lets_only_one_account_confirm_an_address(
    client, alice, bob, django_capture_on_commit_callbacks
):
    shared = "shared@example.org"
    links = {}
    for user in (alice, bob):
        client.force_login(user)
        _request_by_page(client, shared, django_capture_on_commit_callbacks)
        links[user.pk] = _link(mail.outbox[-1])

    client.force_login(alice)
    assert _confirm(client, links[alice.pk]).status_code == 302
    client.force_login(bob)
    response = _confirm(client, links[bob.pk])

    assert response.status_code == 400
    assert "다른 계정" in response.content.decode()
    assert list(User.objects.filter(email__iexact=shared)) == [alice]


def test_it_keeps_confirmed_addresses_unique_in_the_database(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=bob.pk).update(email=alice.email)


def test_it_lets_many_accounts_have_no_confirmed_address(db):
    # Operators made by createsuperuser have none: NULL, not "", so the unique index allows it.
    first = User.objects.create_superuser("op1", "", "pw-123456789")
    second = UserFactory(username="op2", email="")
    assert first.email is None
    assert second.email is None


# --- The 42 login ----------------------------------------------------------------------------


def test_it_keeps_a_confirmed_change_over_the_intra_email_on_the_next_login(
    client, fake_intra, django_capture_on_commit_callbacks
):
    fake_intra.login(client, intra_profile("jikang", intra_id=4242))
    user = User.objects.get(username="jikang")
    assert user.email == "jikang@student.42seoul.kr"  # the first login's is confirmed
    _request_by_page(client, "jikang@example.org", django_capture_on_commit_callbacks)
    _confirm(client, _link(mail.outbox[0]))
    client.logout()

    fake_intra.login(client, intra_profile("jikang", intra_id=4242))

    user.refresh_from_db()
    assert user.email == "jikang@example.org"


def test_it_gives_the_intra_email_to_an_account_without_a_confirmed_one(client, fake_intra):
    fake_intra.login(client, intra_profile("jikang", intra_id=4242))
    User.objects.filter(username="jikang").update(email=None, pending_email="x@example.org")
    client.logout()

    fake_intra.login(client, intra_profile("jikang", intra_id=4242))

    user = User.objects.get(username="jikang")
    assert (user.email, user.pending_email) == ("jikang@student.42seoul.kr", "x@example.org")


def test_it_logs_in_a_new_student_whose_intra_email_another_account_confirmed(
    client, fake_intra, alice
):
    User.objects.filter(pk=alice.pk).update(email="jikang@student.42seoul.kr")

    response = fake_intra.login(client, intra_profile("jikang", intra_id=4242))

    assert response.status_code == 302
    assert response.url == reverse("accounts:choose")
    assert User.objects.get(username="jikang").email is None


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_accounts_confirming_the_same_address_at_once_win():
    shared = "shared@example.org"
    users = [UserFactory(username=name, pending_email=shared) for name in ("racer1", "racer2")]
    tokens = [email_tokens.make(user=user, email=shared) for user in users]

    results = run_together(
        [
            lambda user=user, token=token: user_email_confirm(
                user=User.objects.get(pk=user.pk), token=token
            )
            for user, token in zip(users, tokens, strict=True)
        ]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert isinstance(errors[0], ApplicationError)
    assert errors[0].status == 400
    assert User.objects.filter(email=shared).count() == 1
