"""Fault: Slack fails or is slow while two students are matched.

The match commits first (members, activity rows, MATCH_CONFIRMED alarms); the Slack notice runs
after commit in its task, which retries with backoff and then only logs. The fake Slack is a local
HTTP server (alarms/tests/fake_slack.py); tasks run in-process (the test settings' eager mode),
where the task retries at once instead of after its countdown.
"""

import logging
import time

import pytest
from rest_framework.test import APIClient

from alarms.tasks import slack_match_notice_task
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.models import Match, RandomMatchRequest
from tests.fault_checks import assert_no_half_match

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slack(settings, alice, bob):
    fake, stop = serve_fake_slack()
    fake.users.update({alice.email: "U0ALICE", bob.email: "U0BOB"})
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    yield fake
    stop()


@pytest.fixture(autouse=True)
def _no_pending_run():
    from django.core.cache import cache

    from matching.services.random import PENDING_KEY

    cache.delete(PENDING_KEY)
    yield
    cache.delete(PENDING_KEY)


def ask_both(alice, bob) -> None:
    for user in (alice, bob):
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(
            "/api/random-matches",
            {"contentCategory": "MEAL", "placeList": ["GAEPO"]},
            format="json",
        )
        assert response.status_code in (200, 201), response.content


def assert_complete_match(alice, bob) -> None:
    match = Match.objects.get()
    assert {m.user for m in match.members.all()} == {alice, bob}
    assert set(RandomMatchRequest.objects.values_list("status", flat=True)) == {"MATCHED"}
    assert set(RandomMatchRequest.objects.values_list("match", flat=True)) == {match.pk}
    assert_no_half_match()


def test_it_makes_the_match_when_slack_fails_and_logs_after_its_retries(slack, alice, bob, caplog):
    slack.failures["users.lookupByEmail"] = [(500, "<html>down</html>", {})] * 20

    with caplog.at_level(logging.WARNING, logger="alarms.tasks"):
        ask_both(alice, bob)

    assert_complete_match(alice, bob)
    tries = 1 + slack_match_notice_task.max_retries
    assert len(slack.calls_to("users.lookupByEmail")) == tries
    retried = [r for r in caplog.records if "retry" in r.getMessage()]
    assert len(retried) == slack_match_notice_task.max_retries
    assert "given up" in caplog.text
    assert slack.calls_to("chat.postMessage") == []


def test_it_makes_the_match_when_slack_is_slow_and_retries_it(
    slack, settings, alice, bob, caplog, monkeypatch
):
    settings.SLACK_TIMEOUT_SECONDS = 0.3
    posts = []
    answer = slack.answer

    def slow_first_post(method, params, token):
        if method == "chat.postMessage":
            posts.append(time.monotonic())
            if len(posts) == 1:
                time.sleep(1.0)  # past the client's timeout: this call counts as failed
        return answer(method, params, token)

    monkeypatch.setattr(slack, "answer", slow_first_post)

    with caplog.at_level(logging.WARNING, logger="alarms.tasks"):
        ask_both(alice, bob)

    assert_complete_match(alice, bob)
    assert "retry 1" in caplog.text
    # The slow call and its retry, which got through (the fake answers the slow one later).
    assert len(posts) == 2
