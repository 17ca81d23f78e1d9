"""Every request from Slack is verified: signature, timestamp, once only, a body of Slack's size."""

import logging
import time

import pytest

from alarms.tests.slack_requests import (
    COMMANDS,
    INTERACTIONS,
    SECRET,
    action,
    actions_payload,
    command_body,
    interaction_body,
    send_command,
    signature,
    signed_post,
    slack_user_id,
)


@pytest.fixture
def linked(slack_app, alice):
    """A Slack user whose profile email is alice's confirmed email."""
    user_id = slack_user_id()
    slack_app.users[alice.email] = user_id
    return user_id


def test_it_accepts_a_signed_command(client, linked):
    response = send_command(client, linked, "help")

    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"
    assert "/42partner meal" in response.json()["text"]


def test_it_refuses_a_bad_signature(client, linked, slack_app):
    response = send_command(client, linked, "help", secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["code"] == "AU000"
    assert slack_app.calls == []  # nothing asked of Slack either


def test_it_refuses_a_body_changed_after_signing(client, linked):
    body = command_body(linked, "help")
    now = int(time.time())
    response = client.post(
        COMMANDS,
        command_body(linked, "meal"),
        content_type="application/x-www-form-urlencoded",
        headers={
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": signature(body, now),
        },
    )
    assert response.status_code == 401


@pytest.mark.parametrize("age", [6 * 60, -6 * 60])
def test_it_refuses_a_timestamp_more_than_five_minutes_away(client, linked, age):
    response = send_command(client, linked, "help", timestamp=int(time.time()) - age)
    assert response.status_code == 401


def test_it_accepts_a_timestamp_within_five_minutes(client, linked):
    response = send_command(client, linked, "help", timestamp=int(time.time()) - 4 * 60)
    assert response.status_code == 200


def test_it_refuses_the_same_signed_request_twice(client, linked, caplog):
    body = command_body(linked, "help")
    now = int(time.time())

    assert signed_post(client, COMMANDS, body, timestamp=now).status_code == 200
    with caplog.at_level(logging.WARNING, logger="alarms.slackapp.verify"):
        replay = signed_post(client, COMMANDS, body, timestamp=now)

    assert replay.status_code == 401
    assert "Replayed" in caplog.text


def test_it_refuses_a_replayed_button_press(client, linked, slack_app):
    body = interaction_body(actions_payload(linked, slack_app.hooks_url + "x", action("nope")))
    now = int(time.time())

    assert signed_post(client, INTERACTIONS, body, timestamp=now).status_code == 200
    assert signed_post(client, INTERACTIONS, body, timestamp=now).status_code == 401
    assert len(slack_app.hooks) == 1  # one reply, to the first press only


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(int(time.time()))},
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
    ],
    ids=["none", "no-signature", "no-timestamp", "timestamp-not-a-number"],
)
@pytest.mark.parametrize("path", [COMMANDS, INTERACTIONS])
def test_it_refuses_a_request_without_its_signature_headers(client, linked, headers, path):
    response = signed_post(client, path, command_body(linked, "help"), sign=False, **headers)
    assert response.status_code == 401


@pytest.mark.parametrize("path", [COMMANDS, INTERACTIONS])
def test_it_answers_404_and_logs_without_a_signing_secret(client, linked, settings, caplog, path):
    settings.SLACK_SIGNING_SECRET = ""

    with caplog.at_level(logging.WARNING, logger="alarms.slackapp.verify"):
        response = signed_post(client, path, command_body(linked, "help"))

    assert response.status_code == 404
    assert "SLACK_SIGNING_SECRET is not set" in caplog.text


@pytest.mark.parametrize("path", [COMMANDS, INTERACTIONS])
def test_it_refuses_a_huge_body_before_reading_it(client, linked, path):
    body = command_body(linked, "x" * 100_000)
    response = signed_post(client, path, body)
    assert response.status_code == 413


@pytest.mark.parametrize("path", [COMMANDS, INTERACTIONS])
def test_it_answers_only_posts(client, slack_app, path):
    assert client.get(path).status_code == 405


def test_it_is_not_fooled_by_the_secret_of_another_app(client, linked, settings):
    settings.SLACK_SIGNING_SECRET = SECRET + "-rotated"
    assert send_command(client, linked, "help").status_code == 401


def test_it_refuses_a_body_it_cannot_verify(client, linked):
    # Slack signs UTF-8 text; bytes that are not cannot carry a valid signature.
    assert signed_post(client, COMMANDS, b"user_id=U1&text=\xff\xfe").status_code == 401


def test_it_refuses_when_the_cache_cannot_tell_a_replay(client, linked, monkeypatch, caplog):
    from alarms.slackapp import verify

    # The fail-open Redis cache answers None to a write it could not make.
    monkeypatch.setattr(verify.cache, "add", lambda *args, **kwargs: None)

    response = send_command(client, linked, "help")

    assert response.status_code == 503
    assert "cannot tell a replay" in caplog.text


def test_it_lets_one_of_two_simultaneous_copies_through(client, slack_app, settings):
    """The same signed request sent twice at once: Redis's SET NX lets exactly one pass."""
    from django.test import Client

    from tests.helpers import run_together

    body = command_body(slack_user_id(), "help")  # nobody of ours: no database row needed
    now = int(time.time())

    statuses = run_together(
        [lambda: signed_post(Client(), COMMANDS, body, timestamp=now).status_code] * 4
    )

    assert sorted(statuses) == [200, 401, 401, 401]


@pytest.mark.parametrize("who", ["alice", "operator"])
@pytest.mark.parametrize("path", [COMMANDS, INTERACTIONS])
def test_it_gives_a_logged_in_session_nothing_without_slacks_signature(
    client, slack_app, alice, operator, who, path
):
    """The Slack endpoints are not session routes (tests/test_access_control.py exempts them):
    a student's or an operator's session with a CSRF-free POST does nothing."""
    from matching.models import RandomMatchRequest

    client.force_login(alice if who == "alice" else operator)
    slack_app.users[alice.email] = linked_id = slack_user_id()
    body = (
        command_body(linked_id, "meal")
        if path == COMMANDS
        else interaction_body(actions_payload(linked_id, slack_app.hooks_url, action("x")))
    )

    response = signed_post(client, path, body, sign=False)

    assert response.status_code == 401
    assert RandomMatchRequest.objects.count() == 0
    assert slack_app.calls == []
    assert slack_app.hooks == []


def test_it_answers_slacks_certificate_check_and_does_nothing(client, slack_app):
    body = b"ssl_check=1&token=deprecated-verification-token"

    response = signed_post(client, COMMANDS, body, sign=False)

    assert response.status_code == 200
    assert response.content == b""
    assert slack_app.calls == []


def test_it_runs_no_command_dressed_as_a_certificate_check(client, linked):
    from matching.models import RandomMatchRequest

    body = command_body(linked, "meal") + b"&ssl_check=1"

    assert signed_post(client, COMMANDS, body, sign=False).status_code == 401
    assert RandomMatchRequest.objects.count() == 0
