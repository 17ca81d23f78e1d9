"""Each student's switches are respected where alarms and Slack notices are sent.

A muted alarm kind is never written (so never pushed nor counted); a student who switched Slack
off is left out of the match's group DM (checked against the fake Slack server).
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.services import user_preferences_update
from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from alarms.services import alarm_create
from alarms.tasks import slack_match_notice_task
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.services import random as matching
from rooms import services as rooms
from rooms.tests.factories import CommentFactory, RoomFactory


@pytest.fixture
def layer():
    fake = mock.Mock()
    fake.group_send = mock.AsyncMock()
    with mock.patch("alarms.services.get_channel_layer", return_value=fake):
        yield fake


@pytest.fixture
def slack(settings, db):
    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    yield fake
    stop()


def _mute(user, *kinds: str) -> None:
    user_preferences_update(user=user, alarm_types=dict.fromkeys(kinds, False))


def _kinds(user) -> list[str]:
    return list(Alarm.objects.filter(user=user).order_by("pk").values_list("alarm_type", flat=True))


# --- Alarm kinds --------------------------------------------------------------------------------


def test_it_writes_and_pushes_nothing_of_a_muted_kind(
    alice, layer, django_capture_on_commit_callbacks
):
    _mute(alice, AlarmType.MATCH_CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alarm = alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)

    assert alarm is None
    assert callbacks == []
    assert not Alarm.objects.exists()
    layer.group_send.assert_not_called()


def test_it_still_writes_the_kinds_left_on(alice, layer, django_capture_on_commit_callbacks):
    _mute(alice, AlarmType.MATCH_CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True):
        alarm = alarm_create(user=alice, alarm_type=AlarmType.RANDOM_MATCH_EXPIRED)

    assert alarm is not None
    assert _kinds(alice) == [AlarmType.RANDOM_MATCH_EXPIRED]
    layer.group_send.assert_awaited_once()


def test_it_writes_again_once_the_kind_is_switched_back_on(alice, layer):
    _mute(alice, AlarmType.MATCH_CONFIRMED)
    user_preferences_update(user=alice, alarm_types={AlarmType.MATCH_CONFIRMED: True})

    assert alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED) is not None


def test_it_costs_no_query_to_skip_a_muted_kind(alice, django_assert_num_queries):
    _mute(alice, AlarmType.PARTICIPATION_ON_MY_POST)

    with django_assert_num_queries(0):
        alarm_create(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST)


def test_it_spares_the_author_a_muted_join_and_leave(alice, bob):
    _mute(alice, AlarmType.PARTICIPATION_ON_MY_POST)
    room = RoomFactory(author=alice)

    rooms.room_join(room=room, user=bob)
    rooms.room_leave(room=room, user=bob)

    assert _kinds(alice) == [AlarmType.PARTICIPATION_CANCEL_ON_MY_POST]


def test_it_spares_a_muted_comment_alarm_but_not_the_other_kind(alice, bob, charlie):
    _mute(alice, AlarmType.COMMENT_ON_MY_POST)
    room = RoomFactory(author=alice)
    mine = CommentFactory(room=room, author=alice)

    rooms.comment_create(room=room, author=bob, content="저도요")
    rooms.comment_create(room=room, author=charlie, content="답글", parent=mine)

    assert _kinds(alice) == [AlarmType.COMMENT_ON_MY_COMMENT]


def test_it_spares_only_the_member_who_muted_match_alarms(alice, bob):
    _mute(bob, AlarmType.MATCH_CONFIRMED)
    room = RoomFactory(author=alice, participant_num_max=2)
    rooms.room_join(room=room, user=bob)

    rooms.room_complete(room=room, user=alice)

    assert _kinds(alice) == [AlarmType.PARTICIPATION_ON_MY_POST, AlarmType.MATCH_CONFIRMED]
    assert _kinds(bob) == []


def test_it_expires_a_request_without_the_muted_notice(alice):
    _mute(alice, AlarmType.RANDOM_MATCH_EXPIRED)
    start = timezone.now()
    matching.random_match_request_create(user=alice, category="MEAL", now=start)

    assert matching.random_match_expire_due(now=start + timedelta(hours=1)) == 1

    assert _kinds(alice) == []


def test_it_reads_the_switch_of_a_student_the_matchmaker_loaded(alice, bob):
    # The matchmaker loads members with only some columns; the switch is still honoured.
    _mute(bob, AlarmType.MATCH_CONFIRMED)
    for user in (alice, bob):
        matching.random_match_request_create(user=user, category="MEAL")

    matching.matchmaking_run()

    assert _kinds(alice) == [AlarmType.MATCH_CONFIRMED]
    assert _kinds(bob) == []


# --- Slack --------------------------------------------------------------------------------------


def _members(fake, *users) -> None:
    fake.users.update({user.email: f"U{user.username.upper()}" for user in users})


def _send(*users) -> bool:
    return slack_match_notice_task.delay([u.email for u in users], "매칭").get()


def test_it_leaves_a_student_who_switched_slack_off_out_of_the_group_dm(slack, alice, bob):
    charlie = UserFactory(username="charlie")
    _members(slack, alice, bob, charlie)
    user_preferences_update(user=bob, slack_notices=False)

    assert _send(alice, bob, charlie) is True

    assert [c["email"] for c in slack.calls_to("users.lookupByEmail")] == [
        alice.email,
        charlie.email,
    ]
    assert slack.calls_to("conversations.open")[0]["users"] == "UALICE,UCHARLIE"


def test_it_posts_nothing_when_every_member_switched_slack_off(slack, alice, bob):
    _members(slack, alice, bob)
    for user in (alice, bob):
        user_preferences_update(user=user, slack_notices=False)

    assert _send(alice, bob) is False

    assert slack.calls == []


def test_it_honours_a_switch_made_between_the_match_and_the_notice(
    slack, alice, bob, django_capture_on_commit_callbacks
):
    _members(slack, alice, bob)
    room = RoomFactory(author=alice, participant_num_max=2)
    rooms.room_join(room=room, user=bob)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rooms.room_complete(room=room, user=alice)
    user_preferences_update(user=bob, slack_notices=False)

    for callback in callbacks:
        callback()

    [opened] = slack.calls_to("conversations.open")
    assert opened["users"] == "UALICE"
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_it_posts_to_everyone_who_left_slack_on(
    slack, alice, bob, django_capture_on_commit_callbacks
):
    _members(slack, alice, bob)
    room = RoomFactory(author=alice, participant_num_max=2)
    rooms.room_join(room=room, user=bob)

    with django_capture_on_commit_callbacks(execute=True):
        rooms.room_complete(room=room, user=alice)

    assert slack.calls_to("conversations.open")[0]["users"] == "UALICE,UBOB"
