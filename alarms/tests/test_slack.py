"""The Slack match notice against a local fake Slack Web API (real HTTP through slack_sdk)."""

import logging
from unittest import mock

import pytest
from django.db import transaction

from alarms.slack import NoticeMember, match_notice_text
from alarms.tasks import slack_match_notice_task, slack_retry_countdown
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from tests.helpers import free_port

EMAILS = ["alice@student.42seoul.kr", "bob@student.42seoul.kr"]
TEXT = "[42Partner] 식사 매칭이 확정되었어요!"


@pytest.fixture
def slack(settings, db):
    fake, stop = serve_fake_slack()
    fake.users.update({EMAILS[0]: "U0ALICE", EMAILS[1]: "U0BOB"})
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    yield fake
    stop()


def _send(emails=EMAILS, text=TEXT):
    # CELERY_TASK_ALWAYS_EAGER in tests: retries run at once, without the countdown.
    return slack_match_notice_task.delay(emails, text).get()


def test_it_posts_the_summary_to_a_group_dm_of_the_members(slack):
    assert _send() is True

    assert [c["email"] for c in slack.calls_to("users.lookupByEmail")] == EMAILS
    [opened] = slack.calls_to("conversations.open")
    assert opened["users"] == "U0ALICE,U0BOB"
    [posted] = slack.calls_to("chat.postMessage")
    assert (posted["channel"], posted["text"]) == ("GU0ALICEU0BOB", TEXT)


def test_it_skips_a_member_unknown_to_slack_and_logs_it(slack, caplog):
    with caplog.at_level(logging.WARNING, logger="alarms.slack"):
        assert _send([*EMAILS, "charlie@student.42seoul.kr"]) is True

    assert slack.calls_to("conversations.open")[0]["users"] == "U0ALICE,U0BOB"
    assert "charlie@student.42seoul.kr" in caplog.text


def test_it_skips_blank_and_repeated_emails(slack):
    assert _send([EMAILS[0], "", EMAILS[0], "  "]) is True
    assert len(slack.calls_to("users.lookupByEmail")) == 1


def test_it_posts_nothing_when_no_member_is_on_slack(slack, caplog):
    assert _send(["nobody@example.com"]) is False
    assert slack.calls_to("conversations.open") == []
    assert "No match member is on Slack" in caplog.text


def test_it_retries_a_server_error_then_posts_once(slack):
    slack.failures["conversations.open"] = [(503, "<html>down</html>", {})]

    assert _send() is True

    assert len(slack.calls_to("conversations.open")) == 2
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_it_waits_what_slack_asks_when_rate_limited(slack):
    slack.failures["chat.postMessage"] = [
        (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
    ]

    with mock.patch("alarms.tasks.slack_retry_countdown", wraps=slack_retry_countdown) as backoff:
        assert _send() is True

    backoff.assert_called_once_with(0, 7)
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_it_gives_up_after_its_retries_and_only_logs(slack, caplog):
    slack.failures["users.lookupByEmail"] = [(500, "oops", {})] * 10

    with caplog.at_level(logging.WARNING, logger="alarms.tasks"):
        assert _send() is False

    assert len(slack.calls_to("users.lookupByEmail")) == 1 + slack_match_notice_task.max_retries
    assert "given up" in caplog.text


@pytest.mark.django_db
def test_it_never_breaks_the_match_when_slack_is_down(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = f"http://127.0.0.1:{free_port()}/api/"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transaction.on_commit(lambda: slack_match_notice_task.delay(EMAILS, TEXT))

    assert "given up" in caplog.text


def test_it_does_not_retry_a_refusal(slack, settings, caplog):
    settings.SLACK_BOT_TOKEN = "xoxb-revoked"

    assert _send() is False

    assert len(slack.calls) == 1
    assert "invalid_auth" in caplog.text


def test_it_skips_slack_without_a_token(slack, settings, caplog):
    settings.SLACK_BOT_TOKEN = ""

    with caplog.at_level(logging.INFO, logger="alarms.slack"):
        assert _send() is False

    assert slack.calls == []
    assert "SLACK_BOT_TOKEN is not set" in caplog.text


@pytest.mark.parametrize(("retries", "low", "high"), [(0, 5, 10), (1, 10, 20), (2, 20, 40)])
def test_it_backs_off_exponentially_with_jitter(retries, low, high):
    assert low <= slack_retry_countdown(retries) <= high


def test_it_caps_the_backoff():
    assert slack_retry_countdown(30) <= 600


def test_it_writes_a_korean_summary():
    text = match_notice_text(
        category_label="식사",
        method_label="랜덤 매칭",
        members=[NoticeMember("a"), NoticeMember("b")],
    )
    assert "식사 매칭이 확정되었어요" in text
    assert "a, b" in text


def test_it_names_a_hidden_member_by_the_mask_for_everyone():
    text = match_notice_text(
        category_label="식사",
        method_label="방 매칭",
        members=[NoticeMember("SecretAuthor", hidden=True), NoticeMember("bob")],
    )
    assert "SecretAuthor" not in text
    assert "익명, bob" in text
