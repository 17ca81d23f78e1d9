"""The Slack buttons that act on a match (matching/views/slack.py): "did you meet?" yes/no under
the meeting question, "여기로 정하기" under a meal match's notice. Signed requests to the real
/slack/interactions endpoint, on MariaDB and Redis, against the local fake Slack, which answers
`users.info` and records the replies posted to the response URL and the messages posted."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from alarms.tests.slack_requests import action, actions_payload, send_interaction, slack_user_id
from matching.models import Match, MeetingReport
from matching.selectors.matches import NotMatchMemberError
from matching.selectors.suggestions import restaurant_suggestions
from matching.services import random as random_services
from matching.services.meetings import MeetingAlreadyReportedError
from matching.services.random import PENDING_KEY, matchmaking_run, random_match_request_create
from matching.services.suggestions import MatchCanceledError
from matching.tasks import meeting_check_due_task
from matching.tests.match_helpers import completed_room, random_match
from partner42.choices import ContentCategory, MatchStatus, Place
from partner42.errors import ErrorCode
from restaurants.cache import local_cache_clear
from restaurants.tests.factories import restaurant_near

pytestmark = pytest.mark.django_db

GAEPO = Place.GAEPO
SITE = "https://partner42.test"


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    """Korean replies unless a student chose English; no matchmaking triggered by a request; no
    per-process copy of the restaurants surviving a test's rollback."""
    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    local_cache_clear()
    with translation.override("ko"):
        yield
    local_cache_clear()


@pytest.fixture
def slack_app(settings):
    from alarms.tests.fake_slack import TOKEN, serve_fake_slack
    from alarms.tests.slack_requests import SECRET

    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_RESPONSE_URL_PREFIXES = [fake.hooks_url]
    settings.SITE_URL = SITE
    yield fake
    stop()


def link(slack_app, user) -> str:
    """`user`'s Slack account, linked through their confirmed email."""
    user_id = slack_user_id()
    slack_app.users[user.email] = user_id
    return user_id


def press(client, slack_app, user_id: str, action_id: str, *, match: Match, value: str) -> str:
    """A signed press of a button of `match`'s message; the one reply posted back."""
    slack_app.hooks.clear()
    hook = slack_app.hooks_url + "actions/T0001/1/secret"
    block = f"match:{match.api_id}"
    payload = actions_payload(user_id, hook, action(action_id, value=value, block_id=block))
    response = send_interaction(client, payload)
    assert response.status_code == 200
    [(_path, body)] = slack_app.hooks
    assert body["response_type"] == "ephemeral"
    assert body["replace_original"] is False
    return body["text"]


def posted_blocks(slack_app) -> list[dict]:
    [posted] = slack_app.calls_to("chat.postMessage")
    blocks = posted.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def past(match: Match, hours: float = 2) -> Match:
    """The match as if made `hours` ago (a random match meets when it is made)."""
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    match.refresh_from_db()
    return match


@pytest.fixture
def met_match(alice, bob, slack_app):
    return past(random_match(alice, bob))


def reports(match) -> list[tuple[str, bool]]:
    return list(
        MeetingReport.objects.filter(match=match)
        .order_by("pk")
        .values_list("reporter__username", "met")
    )


# --- Did you meet? -----------------------------------------------------------------------------


def test_yes_records_that_the_student_met(client, slack_app, alice, met_match):
    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "meeting_met_yes",
        match=met_match,
        value=str(met_match.api_id),
    )

    assert reports(met_match) == [("alice", True)]
    assert MeetingReport.objects.get(match=met_match).absent_users.count() == 0
    assert text == "만났다고 기록했어요. 알려 줘서 고마워요!"


def test_no_records_that_the_meeting_did_not_happen_naming_nobody(
    client, slack_app, bob, met_match
):
    text = press(
        client,
        slack_app,
        link(slack_app, bob),
        "meeting_met_no",
        match=met_match,
        value=str(met_match.api_id),
    )

    assert reports(met_match) == [("bob", False)]
    assert MeetingReport.objects.get(match=met_match).absent_users.count() == 0
    assert text.startswith("만나지 못했다고 기록했어요.")
    assert "매칭 페이지에서만" in text  # naming who did not come needs the page
    assert f"<{SITE}/matches/{met_match.api_id}/|매칭 보기>" in text


def test_a_student_in_english_is_answered_in_english(client, slack_app, alice, met_match):
    alice.language = "en"
    alice.save()

    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "meeting_met_yes",
        match=met_match,
        value=str(met_match.api_id),
    )

    assert text == "Noted that you met. Thanks for telling us!"


def test_a_second_answer_is_refused_and_changes_nothing(client, slack_app, alice, met_match):
    user_id = link(slack_app, alice)
    value = str(met_match.api_id)
    press(client, slack_app, user_id, "meeting_met_yes", match=met_match, value=value)

    text = press(client, slack_app, user_id, "meeting_met_no", match=met_match, value=value)

    assert text == str(MeetingAlreadyReportedError().message)
    assert ErrorCode.MEETING_ALREADY_REPORTED.code == "MCH010"
    assert reports(met_match) == [("alice", True)]


def test_an_answer_before_the_meeting_is_refused(client, slack_app, alice, bob, charlie):
    _room, match = completed_room(alice, bob)  # meets tomorrow

    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "meeting_met_yes",
        match=match,
        value=str(match.api_id),
    )

    assert "만남 시간" in text  # MCH007
    assert reports(match) == []


def test_a_non_member_is_refused_and_nothing_is_written(client, slack_app, charlie, met_match):
    text = press(
        client,
        slack_app,
        link(slack_app, charlie),
        "meeting_met_yes",
        match=met_match,
        value=str(met_match.api_id),
    )

    assert text == str(NotMatchMemberError().message)
    assert reports(met_match) == []


def test_a_slack_user_whose_email_is_not_confirmed_writes_nothing(
    client, slack_app, alice, met_match
):
    alice.pending_email = "alice.new@example.org"
    alice.save()
    user_id = slack_user_id()
    slack_app.profiles[user_id] = "alice.new@example.org"  # only waiting for confirmation

    text = press(
        client, slack_app, user_id, "meeting_met_yes", match=met_match, value=str(met_match.api_id)
    )

    assert "이메일" in text
    assert reports(met_match) == []


def test_a_forged_signature_writes_nothing(client, slack_app, alice, met_match):
    hook = slack_app.hooks_url + "actions/T0001/1/secret"
    block = f"match:{met_match.api_id}"
    pressed = action("meeting_met_yes", block_id=block)
    payload = actions_payload(link(slack_app, alice), hook, pressed)

    response = send_interaction(client, payload, secret="not-the-secret")

    assert response.status_code == 401
    assert reports(met_match) == []
    assert slack_app.hooks == []


def test_the_meeting_question_carries_the_two_answers(
    alice, bob, slack_app, django_capture_on_commit_callbacks
):
    slack_app.users.update({alice.email: "UA", bob.email: "UB"})
    match = past(random_match(alice, bob), hours=4)
    slack_app.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_check_due_task.delay()

    [posted] = slack_app.calls_to("chat.postMessage")
    assert "만남은 어땠나요?" in posted["text"]
    _section, actions = posted_blocks(slack_app)
    assert actions["block_id"] == f"match:{match.api_id}"
    see, yes, no = actions["elements"]
    assert see["action_id"] == "open_match"
    assert (yes["action_id"], yes["text"]["text"], yes["value"]) == (
        "meeting_met_yes",
        "만났어요",
        str(match.api_id),
    )
    assert (no["action_id"], no["text"]["text"], no["value"]) == (
        "meeting_met_no",
        "못 만났어요",
        str(match.api_id),
    )
    assert "매칭 페이지" in no["confirm"]["text"]["text"]  # asked before a final answer


# --- Where to eat ------------------------------------------------------------------------------


def row_of(n: int, *, campus=GAEPO):
    return [
        restaurant_near(campus, 50 + i * 40, name=f"r{i:02d}", category="한식") for i in range(n)
    ]


def test_a_member_pins_a_restaurant_and_another_replaces_it(client, slack_app, alice, bob):
    first, second = row_of(2)
    match = random_match(alice, bob)

    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "pin_restaurant:1",
        match=match,
        value=str(first.api_id),
    )
    match.refresh_from_db()
    assert (match.pinned_restaurant, match.pinned_by) == (first, alice)
    assert text == "식당을 정했어요: r00. 매칭 페이지에서 모두 볼 수 있어요."

    press(
        client,
        slack_app,
        link(slack_app, bob),
        "pin_restaurant:2",
        match=match,
        value=str(second.api_id),
    )
    match.refresh_from_db()
    assert (match.pinned_restaurant, match.pinned_by) == (second, bob)


def test_a_canceled_match_takes_no_pin(client, slack_app, alice, bob):
    (restaurant,) = row_of(1)
    match = random_match(alice, bob)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)

    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "pin_restaurant:1",
        match=match,
        value=str(restaurant.api_id),
    )

    assert text == str(MatchCanceledError().message)
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


@pytest.mark.parametrize(
    "value", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "<!channel>", ""]
)
def test_a_forged_restaurant_id_is_refused_and_nothing_is_written(
    client, slack_app, alice, bob, value
):
    row_of(1)
    match = random_match(alice, bob)

    text = press(
        client, slack_app, link(slack_app, alice), "pin_restaurant:1", match=match, value=value
    )

    assert text == f"{ErrorCode.INVALID_INPUT.message} 그런 식당이 없어요."
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def test_a_restaurant_far_from_the_match_is_refused_with_its_reason(client, slack_app, alice, bob):
    far = restaurant_near(GAEPO, 3000)
    match = random_match(alice, bob)

    text = press(
        client,
        slack_app,
        link(slack_app, alice),
        "pin_restaurant:1",
        match=match,
        value=str(far.api_id),
    )

    assert text.startswith(ErrorCode.INVALID_INPUT.message)
    assert "걸어서" in text
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def test_a_non_member_pins_nothing(client, slack_app, alice, bob, charlie):
    (restaurant,) = row_of(1)
    match = random_match(alice, bob)

    text = press(
        client,
        slack_app,
        link(slack_app, charlie),
        "pin_restaurant:1",
        match=match,
        value=str(restaurant.api_id),
    )

    assert text == str(NotMatchMemberError().message)
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def _pin_buttons(slack_app) -> list[dict]:
    _section, actions = posted_blocks(slack_app)
    return [e for e in actions["elements"] if e["action_id"].startswith("pin_restaurant")]


def test_a_completed_rooms_meal_notice_carries_a_pin_button_per_suggestion(
    client, slack_app, alice, bob, django_capture_on_commit_callbacks
):
    row_of(5)
    slack_app.users.update({alice.email: slack_user_id(), bob.email: slack_user_id()})

    with django_capture_on_commit_callbacks(execute=True):
        _room, match = completed_room(alice, bob, participant_num_max=2)

    suggested = restaurant_suggestions(match)
    assert len(suggested) == 3
    buttons = _pin_buttons(slack_app)
    assert [b["value"] for b in buttons] == [str(card.api_id) for card in suggested]
    assert [b["action_id"] for b in buttons] == [f"pin_restaurant:{n}" for n in (1, 2, 3)]
    assert [b["text"]["text"] for b in buttons] == [f"여기로 정하기: {c.name}" for c in suggested]
    # The text lists the same restaurants the buttons pin.
    [posted] = slack_app.calls_to("chat.postMessage")
    assert all(card.name in posted["text"] for card in suggested)

    # And a press of one of them pins it.
    text = press(
        client,
        slack_app,
        slack_app.users[bob.email],
        buttons[1]["action_id"],
        match=match,
        value=buttons[1]["value"],
    )
    assert Match.objects.get(pk=match.pk).pinned_restaurant.api_id == suggested[1].api_id
    assert suggested[1].name in text


def test_a_random_meal_match_made_by_the_matchmaker_carries_the_pin_buttons(
    slack_app, alice, bob, django_capture_on_commit_callbacks
):
    row_of(5)
    slack_app.users.update({alice.email: slack_user_id(), bob.email: slack_user_id()})
    random_match_request_create(user=alice, category=ContentCategory.MEAL, places=[GAEPO])
    random_match_request_create(user=bob, category=ContentCategory.MEAL, places=[GAEPO])
    cache.delete(PENDING_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        assert len(matchmaking_run().matches) == 1

    match = Match.objects.get()
    suggested = restaurant_suggestions(match)
    assert len(suggested) == 3
    assert [b["value"] for b in _pin_buttons(slack_app)] == [str(c.api_id) for c in suggested]


def test_a_study_match_has_no_pin_buttons(
    slack_app, alice, bob, django_capture_on_commit_callbacks
):
    row_of(5)
    slack_app.users.update({alice.email: slack_user_id(), bob.email: slack_user_id()})

    with django_capture_on_commit_callbacks(execute=True):
        random_match(alice, bob, category=ContentCategory.STUDY)

    assert _pin_buttons(slack_app) == []
    _section, actions = posted_blocks(slack_app)
    assert [e["action_id"] for e in actions["elements"]] == ["open_match"]


def test_the_notice_goes_out_without_pin_buttons_when_the_suggestions_fail(
    monkeypatch, slack_app, alice, bob, django_capture_on_commit_callbacks, caplog
):
    from matching.selectors import suggestions

    row_of(5)
    slack_app.users.update({alice.email: slack_user_id(), bob.email: slack_user_id()})

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(suggestions, "restaurant_suggestions", broken)
    with django_capture_on_commit_callbacks(execute=True):
        random_match(alice, bob)

    assert _pin_buttons(slack_app) == []
    assert "boom" in caplog.text
