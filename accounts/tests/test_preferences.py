"""A student's switches: the service, `/api/users/{userId}/preferences`, the pause of random
matching ending on its date, and the language preference applied to every page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from accounts.selectors import (
    SEOUL,
    seoul_today,
    user_alarm_switches,
    user_random_snoozed_until,
)
from accounts.services import user_preferences_update
from accounts.tokens import issue_token_pair
from partner42.choices import AlarmType
from partner42.errors import InvalidInputError

pytestmark = pytest.mark.django_db

ALL_ON = dict.fromkeys(AlarmType.values, True)


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.deactivate()


def _as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=user).access}")
    return client


def _url(user) -> str:
    return f"/api/users/{user.api_id}/preferences"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert (body["status"], body["code"]) == (status, code)
    return body


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


# --- The service and the selectors ---------------------------------------------------------------


def test_it_starts_with_every_notice_on_no_pause_and_the_browsers_language(alice):
    assert alice.slack_notices is True
    assert user_alarm_switches(user=alice) == ALL_ON
    assert user_random_snoozed_until(user=alice) is None
    assert alice.language == ""


def test_it_switches_alarm_kinds_off_and_on_by_name(alice):
    user_preferences_update(
        user=alice, alarm_types={"MATCH_CONFIRMED": False, "COMMENT_ON_MY_POST": False}
    )
    user_preferences_update(user=alice, alarm_types={"MATCH_CONFIRMED": True})

    assert _fresh(alice).muted_alarm_types == ["COMMENT_ON_MY_POST"]
    assert user_alarm_switches(user=_fresh(alice)) == {**ALL_ON, "COMMENT_ON_MY_POST": False}


def test_it_keeps_what_it_is_not_given(alice):
    tomorrow = seoul_today() + timedelta(days=1)
    user_preferences_update(
        user=alice,
        slack_notices=False,
        alarm_types={"MATCH_CONFIRMED": False},
        random_snooze_until=tomorrow,
        language="en",
    )
    user_preferences_update(user=alice, alarm_types={})

    alice = _fresh(alice)
    assert (alice.slack_notices, alice.muted_alarm_types) == (False, ["MATCH_CONFIRMED"])
    assert (alice.random_snooze_until, alice.language) == (tomorrow, "en")


def test_it_refuses_an_unknown_alarm_kind_and_writes_nothing(alice):
    with pytest.raises(InvalidInputError) as caught:
        user_preferences_update(user=alice, slack_notices=False, alarm_types={"NOPE": False})

    assert [e["field"] for e in caught.value.errors] == ["alarmTypes.NOPE"]
    assert _fresh(alice).slack_notices is True


@pytest.mark.parametrize("days", [0, -1, 366])
def test_it_refuses_a_pause_that_ends_today_before_or_beyond_a_year(alice, days):
    today = date(2026, 12, 5)
    with pytest.raises(InvalidInputError) as caught:
        user_preferences_update(
            user=alice, random_snooze_until=today + timedelta(days=days), today=today
        )
    assert [e["field"] for e in caught.value.errors] == ["randomSnoozeUntil"]


def test_it_takes_a_pause_from_tomorrow_to_a_year_and_lifts_it_with_none(alice):
    today = date(2026, 12, 5)
    for days in (1, 365):
        user_preferences_update(
            user=alice, random_snooze_until=today + timedelta(days=days), today=today
        )
    assert _fresh(alice).random_snooze_until == today + timedelta(days=365)

    user_preferences_update(user=alice, random_snooze_until=None)
    assert _fresh(alice).random_snooze_until is None


def test_it_ends_the_pause_on_its_date_in_seoul(alice):
    until = date(2026, 12, 10)
    user_preferences_update(user=alice, random_snooze_until=until, today=date(2026, 12, 5))

    assert user_random_snoozed_until(user=alice, today=date(2026, 12, 9)) == until
    assert user_random_snoozed_until(user=alice, today=until) is None
    # 23:59 on the 9th in Seoul is still the 9th, though UTC is already there too; 00:00 on the
    # 10th in Seoul is 15:00 UTC on the 9th, and the pause is over.
    before = datetime(2026, 12, 9, 23, 59, tzinfo=SEOUL)
    after = datetime(2026, 12, 10, 0, 0, tzinfo=SEOUL)
    assert user_random_snoozed_until(user=alice, today=seoul_today(before)) == until
    assert user_random_snoozed_until(user=alice, today=seoul_today(after)) is None
    assert after.astimezone(UTC).date() == date(2026, 12, 9)


@pytest.mark.parametrize("language", ["fr", "KO", "ko-kr"])
def test_it_refuses_a_language_we_do_not_speak(alice, language):
    with pytest.raises(InvalidInputError):
        user_preferences_update(user=alice, language=language)
    assert _fresh(alice).language == ""


# --- The API ------------------------------------------------------------------------------------


def test_it_shows_every_switch(alice):
    response = _as(alice).get(_url(alice))

    assert response.status_code == 200
    assert response.json() == {
        "userId": str(alice.api_id),
        "slackNotices": True,
        "alarmTypes": ALL_ON,
        "randomSnoozeUntil": None,
        "language": None,
    }
    assert list(response.json()["alarmTypes"]) == AlarmType.values


def test_it_changes_switches_through_the_api(alice):
    until = (seoul_today() + timedelta(days=3)).isoformat()
    response = _as(alice).patch(
        _url(alice),
        {
            "slackNotices": False,
            "alarmTypes": {"RANDOM_MATCH_EXPIRED": False},
            "randomSnoozeUntil": until,
            "language": "en",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "userId": str(alice.api_id),
        "slackNotices": False,
        "alarmTypes": {**ALL_ON, "RANDOM_MATCH_EXPIRED": False},
        "randomSnoozeUntil": until,
        "language": "en",
    }


def test_it_lifts_the_pause_and_the_language_with_null(alice):
    user_preferences_update(
        user=alice, random_snooze_until=seoul_today() + timedelta(days=2), language="en"
    )

    response = _as(alice).patch(
        _url(alice), {"randomSnoozeUntil": None, "language": None}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["randomSnoozeUntil"], response.json()["language"]) == (None, None)
    assert (_fresh(alice).random_snooze_until, _fresh(alice).language) == (None, "")


def test_it_shows_no_pause_once_its_date_has_come(alice):
    User.objects.filter(pk=alice.pk).update(random_snooze_until=seoul_today())

    assert _as(alice).get(_url(alice)).json()["randomSnoozeUntil"] is None


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"randomSnoozeUntil": "2020-01-01"}, "C001", ["randomSnoozeUntil"]),
        ({"randomSnoozeUntil": "tomorrow"}, "C001", ["randomSnoozeUntil"]),
        ({"language": "fr"}, "C001", ["language"]),
        ({"alarmTypes": {"NOPE": False}}, "C001", ["alarmTypes.NOPE"]),
        ({"alarmTypes": {"MATCH_CONFIRMED": "maybe"}}, "C005", ["alarmTypes.MATCH_CONFIRMED"]),
        ({"alarmTypes": ["MATCH_CONFIRMED"]}, "C005", ["alarmTypes"]),
        ({"slackNotices": "perhaps"}, "C005", ["slackNotices"]),
        ({"theme": "dark"}, "C001", ["theme"]),
    ],
)
def test_it_refuses_bad_input_with_the_error_body(alice, body, code, fields):
    response = _as(alice).patch(_url(alice), body, format="json")

    assert [e["field"] for e in _error(response, 400, code)["errors"]] == fields
    assert _fresh(alice).muted_alarm_types == []


def test_it_refuses_another_students_switches(alice, bob):
    _error(_as(bob).get(_url(alice)), 403, "U001")
    _error(_as(bob).patch(_url(alice), {"slackNotices": False}, format="json"), 403, "U001")
    assert _fresh(alice).slack_notices is True


def test_it_lets_an_operator_read_but_not_change_switches(alice, operator):
    assert _as(operator).get(_url(alice)).json()["slackNotices"] is True
    _error(_as(operator).patch(_url(alice), {"slackNotices": False}, format="json"), 403, "U001")


def test_it_needs_credentials_for_the_switches(alice):
    _error(APIClient().get(_url(alice)), 401, "AU000")
    _error(APIClient().patch(_url(alice), {"slackNotices": False}, format="json"), 401, "AU000")


def test_it_takes_a_session_with_csrf(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.patch(_url(alice), {"slackNotices": False}, format="json")

    _error(response, 403, "C006")
    assert _fresh(alice).slack_notices is True


# --- The language preference on pages ------------------------------------------------------------


def _page_language(client) -> str:
    response = client.get(reverse("accounts:choose"))
    assert response.status_code == 200
    return response["Content-Language"]


def test_it_speaks_the_students_language_whatever_the_browser_asks(client, alice):
    user_preferences_update(user=alice, language="en")
    client.force_login(alice)

    assert _page_language(client) == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    assert _page_language(client) == "en"
    assert client.get(reverse("accounts:choose"), HTTP_ACCEPT_LANGUAGE="ko").content.count(
        b'lang="en"'
    )


def test_it_follows_the_browser_without_a_preference(client, alice):
    client.force_login(alice)

    assert _page_language(client) == "ko"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _page_language(client) == "en"


def test_it_leaves_visitors_to_their_browser(client, alice):
    user_preferences_update(user=alice, language="en")

    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ko")

    assert response["Content-Language"] == "ko"


def test_it_saves_the_language_switch_as_the_students_preference(client, alice):
    client.force_login(alice)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/choose/"})

    assert response.status_code == 302
    assert response["Location"] == "/choose/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _fresh(alice).language == "en"
    # Another browser of the same student, with no cookie, speaks English too.
    other = client.__class__()
    other.force_login(alice)
    assert _page_language(other) == "en"


def test_it_switches_back_to_korean_for_a_student_who_chose_english(client, alice):
    user_preferences_update(user=alice, language="en")
    client.force_login(alice)

    client.post(reverse("set_language"), {"language": "ko", "next": "/choose/"})

    assert _fresh(alice).language == "ko"
    assert _page_language(client) == "ko"


def test_it_saves_nothing_for_a_language_we_do_not_speak_or_a_visitor(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "fr", "next": "/choose/"})
    assert _fresh(alice).language == ""

    visitor = client.__class__()
    response = visitor.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_costs_a_bearer_request_no_query_for_the_language(alice, settings):
    user_preferences_update(user=alice, language="en")
    client = _as(alice)
    with_preference = _queries(client, _url(alice))
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "UserLanguage" not in m]

    assert _queries(client, _url(alice)) == with_preference


def test_it_costs_a_page_no_query_for_the_language(client, alice, settings):
    # The page loads the student anyway; the preference is a column of that row.
    user_preferences_update(user=alice, language="en")
    client.force_login(alice)
    url = reverse("accounts:choose")
    with_preference = _queries(client, url)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "UserLanguage" not in m]

    assert _queries(client, url) == with_preference


# --- Concurrency ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_switch_when_several_change_at_once():
    # Each request loaded the student before the others wrote: the muted list is read again
    # under a row lock, so every kind switched off stays off.
    from accounts.tests.factories import UserFactory
    from tests.helpers import run_together

    user = UserFactory(username="alice")
    stale = [User.objects.get(pk=user.pk) for _ in AlarmType.values]

    results = run_together(
        [
            (lambda u=u, kind=kind: user_preferences_update(user=u, alarm_types={kind: False}))
            for u, kind in zip(stale, AlarmType.values, strict=True)
        ]
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert _fresh(user).muted_alarm_types == AlarmType.values
