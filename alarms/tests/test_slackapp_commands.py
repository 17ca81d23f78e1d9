"""`/42partner` for the student whose confirmed email is their Slack email, and for nobody else."""

import logging
from datetime import timedelta

import pytest

from accounts.services import user_preferences_update
from accounts.tests.factories import UserFactory
from alarms.tests.slack_requests import send_command, slack_user_id
from matching.models import RandomMatchRequest
from matching.tests.factories import RandomMatchRequestFactory
from partner42.choices import ContentCategory, Place
from rooms import services as room_services
from rooms.tests.factories import RoomFactory

Status = RandomMatchRequest.Status


@pytest.fixture
def linked(slack_app, alice):
    user_id = slack_user_id()
    slack_app.users[alice.email] = user_id
    return user_id


def _say(client, user_id, text=""):
    response = send_command(client, user_id, text)
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def _waiting(user):
    return list(
        RandomMatchRequest.objects.filter(user=user, status=Status.WAITING).values_list(
            "category", "places"
        )
    )


# --- Who is asking ---------------------------------------------------------------------------


def test_it_does_nothing_for_a_slack_user_unknown_to_slack(client, slack_app, alice):
    text = _say(client, slack_user_id(), "meal")

    assert "내 페이지" in text
    assert "이메일" in text
    assert "https://partner42.test/me/" in text
    assert RandomMatchRequest.objects.count() == 0


def test_it_does_nothing_for_an_email_that_is_only_waiting_for_confirmation(
    client, slack_app, alice
):
    alice.pending_email = "alice.new@example.org"
    alice.save()
    user_id = slack_user_id()
    slack_app.profiles[user_id] = "alice.new@example.org"

    text = _say(client, user_id, "meal")

    assert "이메일" in text
    assert RandomMatchRequest.objects.count() == 0


def test_it_does_nothing_for_a_slack_profile_without_an_email(client, slack_app, alice):
    user_id = slack_user_id()
    slack_app.profiles[user_id] = ""

    assert "이메일" in _say(client, user_id, "meal")
    assert RandomMatchRequest.objects.count() == 0


def test_it_does_nothing_for_a_deactivated_student(client, linked, alice):
    alice.is_active = False
    alice.save()

    assert "이메일" in _say(client, linked, "meal")
    assert RandomMatchRequest.objects.count() == 0


def test_it_matches_the_email_whatever_its_case(client, slack_app, alice):
    user_id = slack_user_id()
    slack_app.profiles[user_id] = alice.email.upper()

    _say(client, user_id, "meal")

    assert _waiting(alice) == [(ContentCategory.MEAL, [])]


def test_it_asks_slack_once_then_reads_our_side_at_every_request(client, linked, alice, slack_app):
    _say(client, linked, "help")
    _say(client, linked, "help")
    assert len(slack_app.calls_to("users.info")) == 1

    # The student's confirmed email changes: the cached Slack email no longer names them.
    alice.email = "alice.elsewhere@example.org"
    alice.save()
    assert "이메일" in _say(client, linked, "meal")
    assert RandomMatchRequest.objects.count() == 0


def test_it_answers_politely_when_slack_cannot_say_who_it_is(client, linked, slack_app, caplog):
    slack_app.failures["users.info"] = [(503, "<html>down</html>", {})]

    with caplog.at_level(logging.WARNING, logger="alarms.slackapp.views"):
        text = _say(client, linked, "meal")

    assert "잠시 후" in text
    assert RandomMatchRequest.objects.count() == 0
    assert "cannot tell who" in caplog.text


def test_it_answers_politely_without_a_bot_token(client, linked, settings):
    settings.SLACK_BOT_TOKEN = ""
    assert "잠시 후" in _say(client, linked, "meal")
    assert RandomMatchRequest.objects.count() == 0


# --- meal / study ----------------------------------------------------------------------------


def test_it_asks_for_a_random_meal_anywhere(client, linked, alice):
    text = _say(client, linked, "meal")

    assert _waiting(alice) == [(ContentCategory.MEAL, [])]
    assert "식사 랜덤 매칭을 신청했어요" in text
    assert "어디든" in text
    assert "https://partner42.test/random/?category=MEAL" in text


@pytest.mark.parametrize(
    ("words", "category", "places"),
    [
        ("식사 서초", ContentCategory.MEAL, [Place.SEOCHO]),
        ("밥 개포 서초 개포", ContentCategory.MEAL, [Place.SEOCHO, Place.GAEPO]),
        ("study gaepo", ContentCategory.STUDY, [Place.GAEPO]),
        ("  STUDY   Out ", ContentCategory.STUDY, [Place.OUT_OF_CLUSTER]),
        ("공부 외부", ContentCategory.STUDY, [Place.OUT_OF_CLUSTER]),
    ],
)
def test_it_asks_with_the_places_given(client, linked, alice, words, category, places):
    _say(client, linked, words)
    assert _waiting(alice) == [(category, places)]


def test_it_refuses_an_unknown_place_and_does_nothing(client, linked, alice):
    text = _say(client, linked, "meal <!channel> busan")

    assert "알 수 없는 장소" in text
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert RandomMatchRequest.objects.count() == 0


def test_it_says_the_service_refusal_when_already_waiting(client, linked, alice):
    RandomMatchRequestFactory(user=alice, category=ContentCategory.MEAL)

    assert "이미 랜덤 매칭에 참여하고 있습니다" in _say(client, linked, "meal")
    assert RandomMatchRequest.objects.filter(user=alice).count() == 1


def test_it_says_the_snooze_and_does_nothing(client, linked, alice):
    until = room_services.room_today() + timedelta(days=3)
    user_preferences_update(user=alice, random_snooze_until=until)

    text = _say(client, linked, "study")

    assert "랜덤 매칭을 쉬는 중이에요" in text
    assert until.isoformat() in text
    assert RandomMatchRequest.objects.count() == 0


def test_it_spends_the_students_random_match_budget(client, linked, alice, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "random_match": "1/min"},
    }
    from django.core.cache import cache

    cache.delete_many([f"throttle_random_match_{alice.pk}"])

    _say(client, linked, "meal")
    text = _say(client, linked, "study")

    assert "요청이 너무 많습니다" in text
    assert _waiting(alice) == [(ContentCategory.MEAL, [])]


def test_it_never_answers_500_when_a_service_fails(client, linked, monkeypatch, caplog):
    from matching.views import slack

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(slack, "random_match_request_create", broken)
    with caplog.at_level(logging.ERROR, logger="alarms.slackapp.commands"):
        text = _say(client, linked, "meal")

    assert "처리하지 못했어요" in text
    assert "database on fire" in caplog.text


# --- cancel ----------------------------------------------------------------------------------


def test_it_cancels_my_waiting_request(client, linked, alice, bob):
    RandomMatchRequestFactory(user=alice, category=ContentCategory.STUDY)
    RandomMatchRequestFactory(user=bob, category=ContentCategory.STUDY)

    text = _say(client, linked, "cancel")

    assert "공부 랜덤 매칭 신청을 취소했어요" in text
    assert _waiting(alice) == []
    assert RandomMatchRequest.objects.get(user=alice).status == Status.CANCELLED
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING


def test_it_cancels_only_the_category_named(client, linked, alice):
    RandomMatchRequestFactory(user=alice, category=ContentCategory.STUDY)
    RandomMatchRequestFactory(user=alice, category=ContentCategory.MEAL)

    _say(client, linked, "취소 식사")

    assert _waiting(alice) == [(ContentCategory.STUDY, [])]


def test_it_says_when_there_is_nothing_to_cancel(client, linked, alice):
    assert "취소할 수 있는 랜덤매칭 신청내역이 존재하지 않습니다" in _say(client, linked, "cancel")
    assert "취소할 수 있는" in _say(client, linked, "cancel study")


def test_it_refuses_a_cancel_of_something_else(client, linked, alice):
    RandomMatchRequestFactory(user=alice, category=ContentCategory.MEAL)

    assert "알 수 없는 명령" in _say(client, linked, "cancel everything")
    assert _waiting(alice) == [(ContentCategory.MEAL, [])]


# --- rooms -----------------------------------------------------------------------------------


def test_it_lists_my_open_rooms_with_links(client, linked, alice, bob, charlie):
    mine = RoomFactory(author=alice, title="점심 <!here> & 산책")
    joined = RoomFactory(author=bob, title="알고리즘 스터디")
    room_services.room_join(room=joined, user=alice)
    RoomFactory(author=charlie, title="남의 방")

    text = _say(client, linked, "rooms")

    assert f"<https://partner42.test/rooms/{mine.api_id}/|점심 &lt;!here&gt; &amp; 산책>" in text
    assert f"https://partner42.test/rooms/{joined.api_id}/" in text
    assert "남의 방" not in text
    assert "(2개)" in text


def test_it_links_to_the_address_slack_called_without_site_url(client, linked, alice, settings):
    settings.SITE_URL = ""
    room = RoomFactory(author=alice)

    assert f"http://testserver/rooms/{room.api_id}/" in _say(client, linked, "방")


def test_it_says_when_i_have_no_open_room(client, linked, alice):
    assert "참여 중인 열린 방이 없어요" in _say(client, linked, "rooms")


def test_it_shows_ten_rooms_and_a_link_to_all(client, linked, alice):
    for _ in range(12):
        RoomFactory(author=alice)

    text = _say(client, linked, "rooms")

    assert text.count("https://partner42.test/rooms/") == 11  # ten rooms and "all"
    assert "https://partner42.test/rooms/mine/" in text


# --- help and the rest -----------------------------------------------------------------------


@pytest.mark.parametrize("words", ["", "help", "도움말", "  HELP  "])
def test_it_shows_the_usage(client, linked, words):
    text = _say(client, linked, words)
    assert "/42partner meal" in text
    assert "/42partner cancel" in text


@pytest.mark.parametrize("words", ["dance", "x" * 300, "🍜", "meal\x00"])
def test_it_answers_garbage_with_the_usage_and_does_nothing(client, linked, words):
    text = _say(client, linked, words)
    assert "/42partner meal" in text
    assert RandomMatchRequest.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"text=help",  # no user_id
        b"user_id=U1&user_id=U2&text=help",  # twice
        "user_id=" + "U" * 100,
    ],
    ids=["no-user", "user-twice", "long-user"],
)
def test_it_refuses_an_unreadable_command_with_400(client, slack_app, body):
    from alarms.tests.slack_requests import COMMANDS, signed_post

    body = body.encode() if isinstance(body, str) else body
    assert signed_post(client, COMMANDS, body).status_code == 400


def test_it_refuses_a_command_that_is_not_a_form(client, linked):
    from alarms.tests.slack_requests import COMMANDS, command_body, signed_post

    response = signed_post(
        client, COMMANDS, command_body(linked, "meal"), content_type="application/json"
    )
    assert response.status_code == 400
    assert RandomMatchRequest.objects.count() == 0


def test_it_acts_for_the_linked_student_only(client, slack_app, alice, bob):
    other = UserFactory(username="dave")
    user_id = slack_user_id()
    slack_app.users[other.email] = user_id

    _say(client, user_id, "meal")

    assert _waiting(other) == [(ContentCategory.MEAL, [])]
    assert _waiting(alice) == []
    assert _waiting(bob) == []


def test_it_answers_in_the_students_language(client, linked, alice):
    alice.language = "en"
    alice.save()

    assert "ask for a random meal match" in _say(client, linked, "help")
    assert "Unknown command" in _say(client, linked, "dance")


def test_every_word_the_apps_give_leads_to_a_handler():
    from alarms.slackapp.registry import app_actions, app_commands, resolve

    words = app_commands()
    assert {"meal", "식사", "study", "공부", "cancel", "취소", "rooms", "방"} <= set(words)
    for dotted_path in [*words.values(), *app_actions().values()]:
        assert callable(resolve(dotted_path)), dotted_path
