"""The match notice carries its buttons (Block Kit), with its text kept as the fallback."""

import json

import pytest
from django.core.cache import cache

from alarms.slackapp.blocks import match_notice_blocks
from alarms.tasks import slack_match_notice_task
from alarms.tests.slack_requests import send_command, slack_user_id
from matching.models import Match
from matching.services.random import PENDING_KEY
from matching.tests.factories import RandomMatchRequestFactory
from partner42.choices import ContentCategory
from rooms import services as room_services
from rooms.tests.factories import RoomFactory

TEXT = "[42Partner] 식사 매칭이 확정되었어요!\n함께할 동료: <!channel>, *bob*"
MATCH_ID = "5f0c3f53-8c5e-4a67-9a3e-0b7f1d3c2a11"


@pytest.fixture
def members(slack_app, alice, bob):
    slack_app.users.update({alice.email: slack_user_id(), bob.email: slack_user_id()})
    return [alice.email, bob.email]


def _posted(slack_app) -> dict:
    [posted] = slack_app.calls_to("chat.postMessage")
    if isinstance(posted.get("blocks"), str):  # form-encoded by the client
        posted["blocks"] = json.loads(posted["blocks"])
    return posted


def test_it_posts_the_text_with_a_see_the_match_button(slack_app, members):
    assert slack_match_notice_task.delay(members, TEXT, MATCH_ID).get() is True

    posted = _posted(slack_app)
    assert posted["text"] == TEXT  # the fallback of notifications
    section, actions = posted["blocks"]
    # plain_text: the members' nicknames never become mentions or formatting
    assert section == {
        "type": "section",
        "text": {"type": "plain_text", "text": TEXT, "emoji": True},
    }
    assert actions["type"] == "actions"
    assert actions["block_id"] == f"match:{MATCH_ID}"
    [see] = actions["elements"]
    assert see["action_id"] == "open_match"
    assert see["value"] == MATCH_ID
    assert see["url"] == f"https://partner42.test/matches/{MATCH_ID}/"
    assert see["text"]["text"] == "매칭 보기"


def test_it_posts_only_the_text_section_without_site_url(slack_app, members, settings):
    settings.SITE_URL = ""

    slack_match_notice_task.delay(members, TEXT, MATCH_ID).get()

    assert [block["type"] for block in _posted(slack_app)["blocks"]] == ["section"]


def test_it_posts_plain_text_without_a_match_id(slack_app, members):
    slack_match_notice_task.delay(members, TEXT).get()

    assert "blocks" not in _posted(slack_app)


def test_it_cuts_a_text_longer_than_slack_takes_in_a_section(settings):
    settings.SITE_URL = ""
    [section] = match_notice_blocks(text="가" * 5000, match_api_id=MATCH_ID)
    assert len(section["text"]["text"]) == 3000


def test_it_puts_further_buttons_after_see_the_match(settings):
    from alarms.slackapp.blocks import button

    settings.SITE_URL = "https://partner42.test"
    extra = button(text="만났어요", action_id="meeting_met_yes", value=MATCH_ID)

    [_section, actions] = match_notice_blocks(
        text=TEXT, match_api_id=MATCH_ID, extra_buttons=[extra]
    )

    assert [e["action_id"] for e in actions["elements"]] == ["open_match", "meeting_met_yes"]


def test_a_completed_room_posts_its_match_with_the_buttons(
    slack_app, members, alice, bob, django_capture_on_commit_callbacks
):
    room = RoomFactory(author=alice, participant_num_max=2)
    room_services.room_join(room=room, user=bob)

    with django_capture_on_commit_callbacks(execute=True):
        match = room_services.room_complete(room=room, user=alice)

    [_section, actions] = _posted(slack_app)["blocks"]
    assert actions["block_id"] == f"match:{match.api_id}"
    assert actions["elements"][0]["url"] == f"https://partner42.test/matches/{match.api_id}/"


def test_a_meal_asked_from_slack_matches_and_posts_the_notice_with_its_buttons(
    client, slack_app, members, alice, bob, django_capture_on_commit_callbacks
):
    RandomMatchRequestFactory(user=bob, category=ContentCategory.MEAL)
    cache.delete(PENDING_KEY)
    alice_slack = slack_app.users[alice.email]

    with django_capture_on_commit_callbacks(execute=True):
        response = send_command(client, alice_slack, "meal")

    assert response.status_code == 200
    match = Match.objects.get()
    assert set(match.members.values_list("user__username", flat=True)) == {"alice", "bob"}
    [_section, actions] = _posted(slack_app)["blocks"]
    assert actions["elements"][0]["value"] == str(match.api_id)


def test_it_posts_the_buttons_the_caller_gives_after_see_the_match(slack_app, members):
    from alarms.slackapp.blocks import button

    extra = [button(text="김밥천국", action_id="pin_restaurant:3", value="3")]

    slack_match_notice_task.delay(members, TEXT, match_id=MATCH_ID, buttons=extra).get()

    [_section, actions] = _posted(slack_app)["blocks"]
    assert [e["action_id"] for e in actions["elements"]] == ["open_match", "pin_restaurant:3"]
