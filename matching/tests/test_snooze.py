"""A student's pause of random matching (their preferences): refused with RM004 on the page and
the API while it lasts, over by itself on its date (Asia/Seoul), and shown with how to end it."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.selectors import SEOUL, seoul_today
from accounts.services import user_preferences_update
from accounts.tokens import issue_token_pair
from matching.models import RandomMatchRequest
from matching.services.random import (
    RandomMatchSnoozedError,
    matchmaking_run,
    random_match_expire_due,
    random_match_request_create,
    random_match_request_renew,
)

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 12, 10)
BEFORE = datetime(2026, 12, 9, 23, 59, tzinfo=SEOUL)  # the last minute of the pause
ON_THE_DAY = datetime(2026, 12, 10, 0, 0, tzinfo=SEOUL)


def _pause(user, until=UNTIL, today=date(2026, 12, 5)) -> None:
    user_preferences_update(user=user, random_snooze_until=until, today=today)


def _pause_from_today(user, days: int = 3) -> date:
    until = seoul_today() + timedelta(days=days)
    user_preferences_update(user=user, random_snooze_until=until)
    return until


# --- The service ----------------------------------------------------------------------------------


def test_it_refuses_a_request_while_paused(alice):
    _pause(alice)

    with pytest.raises(RandomMatchSnoozedError) as caught:
        random_match_request_create(user=alice, category="MEAL", now=BEFORE)

    error = caught.value
    assert (error.code, error.status) == ("RM004", 409)
    assert "2026-12-10" in error.message
    assert error.errors[0]["field"] == "randomSnoozeUntil"
    assert error.errors[0]["value"] == "2026-12-10"
    assert not RandomMatchRequest.objects.exists()


def test_it_takes_a_request_again_on_the_pauses_date(alice):
    _pause(alice)

    request = random_match_request_create(user=alice, category="MEAL", now=ON_THE_DAY)

    assert request.status == RandomMatchRequest.Status.WAITING


def test_it_refuses_a_renew_while_paused(alice):
    start = datetime(2026, 12, 5, 12, 0, tzinfo=SEOUL)
    random_match_request_create(user=alice, category="MEAL", now=start)
    random_match_expire_due(now=start + timedelta(hours=1))
    _pause(alice)

    with pytest.raises(RandomMatchSnoozedError):
        random_match_request_renew(user=alice, category="MEAL", now=start + timedelta(hours=2))


def test_it_leaves_a_paused_students_waiting_request_unmatched(alice, bob):
    start = datetime(2026, 12, 9, 23, 40, tzinfo=SEOUL)
    for user in (alice, bob):
        random_match_request_create(user=user, category="MEAL", now=start)
    _pause(bob)  # after asking

    assert matchmaking_run(now=BEFORE).matches == []
    assert matchmaking_run(now=ON_THE_DAY).matches != []  # the pause is over: paired


# --- The API --------------------------------------------------------------------------------------


def test_it_answers_rm004_with_the_error_body(alice, api_client):
    until = _pause_from_today(alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=alice).access}")

    response = api_client.post(
        "/api/random-matches",
        {"contentCategory": "MEAL", "placeList": ["GAEPO"]},
        format="json",
    )

    assert response.status_code == 409, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert (body["status"], body["code"]) == (409, "RM004")
    assert body["errors"][0]["field"] == "randomSnoozeUntil"
    assert body["errors"][0]["value"] == until.isoformat()


def test_it_answers_rm004_in_english_on_request(alice, api_client):
    _pause_from_today(alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=alice).access}")

    response = api_client.post(
        "/api/random-matches",
        {"contentCategory": "MEAL"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["message"].startswith("You paused random matching")


# --- The page -------------------------------------------------------------------------------------


def test_it_shows_the_pause_and_how_to_end_it_instead_of_the_form(client, alice):
    until = _pause_from_today(alice)
    client.force_login(alice)

    html = client.get(reverse("matching:random") + "?category=MEAL").content.decode()

    assert 'data-snooze="on"' in html
    assert until.isoformat() in html
    assert f'action="{reverse("mypage:snooze_end")}"' in html
    assert f'href="{reverse("mypage:settings")}"' in html
    assert 'class="card random__form"' not in html


def test_it_refuses_a_posted_request_with_the_reason(client, alice):
    _pause_from_today(alice)
    client.force_login(alice)

    response = client.post(
        reverse("matching:random"), {"category": "MEAL", "places": ["GAEPO"]}, follow=True
    )

    assert "랜덤 매칭을 쉬는 중이에요" in response.content.decode()
    assert not RandomMatchRequest.objects.exists()


def test_it_ends_the_pause_from_the_random_page_and_comes_back(client, alice):
    _pause_from_today(alice)
    client.force_login(alice)
    back = reverse("matching:random") + "?category=STUDY"

    response = client.post(reverse("mypage:snooze_end"), {"next": back}, follow=True)

    assert response.redirect_chain[-1][0] == back
    html = response.content.decode()
    assert 'data-snooze="on"' not in html
    assert 'class="card random__form"' in html
