"""Who gets which alarm, through the services of rooms (and matching) that cause them."""

from datetime import timedelta
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from alarms.models import Alarm, AlarmType
from alarms.routing import websocket_urlpatterns
from alarms.tasks import slack_match_notice_task
from matching.services.matches import match_create
from matching.services.random import random_match_expire_due, random_match_request_create
from partner42.errors import ApplicationError
from rooms import services as rooms
from rooms.tests.factories import CommentFactory, RoomFactory


def _alarms() -> list[tuple]:
    return list(
        Alarm.objects.order_by("pk").values_list(
            "user__username", "alarm_type", "calling_nickname", "article_id", "opinion_id"
        )
    )


def test_it_alarms_the_author_when_someone_joins(alice, bob):
    room = RoomFactory(author=alice)

    rooms.room_join(room=room, user=bob)

    assert _alarms() == [("alice", AlarmType.PARTICIPATION_ON_MY_POST, "bob", room.api_id, None)]


def test_it_alarms_the_author_when_someone_leaves(alice, bob):
    room = RoomFactory(author=alice)
    rooms.room_join(room=room, user=bob)

    rooms.room_leave(room=room, user=bob)

    assert _alarms()[-1] == (
        "alice",
        AlarmType.PARTICIPATION_CANCEL_ON_MY_POST,
        "bob",
        room.api_id,
        None,
    )


def test_it_writes_no_alarm_for_a_refused_join(alice, bob, charlie):
    room = RoomFactory(author=alice, participant_num_max=2)
    rooms.room_join(room=room, user=bob)

    with pytest.raises(ApplicationError):
        rooms.room_join(room=room, user=charlie)  # full

    assert len(_alarms()) == 1


def test_it_alarms_the_parent_comments_author_on_a_reply(alice, bob, charlie):
    room = RoomFactory(author=alice)
    parent = CommentFactory(room=room, author=bob)

    reply = CommentFactory(room=room, author=charlie, parent=parent)

    assert _alarms() == [
        ("alice", AlarmType.COMMENT_ON_MY_POST, "bob", room.api_id, parent.api_id),
        ("bob", AlarmType.COMMENT_ON_MY_COMMENT, "charlie", room.api_id, parent.api_id),
        ("alice", AlarmType.COMMENT_ON_MY_POST, "charlie", room.api_id, reply.api_id),
    ]


def test_it_never_alarms_oneself_for_a_reply(alice, bob):
    room = RoomFactory(author=alice)
    parent = CommentFactory(room=room, author=bob)

    CommentFactory(room=room, author=bob, parent=parent)

    # Only the room's author hears of bob's comments (once: the reply is coalesced).
    assert _alarms() == [("alice", AlarmType.COMMENT_ON_MY_POST, "bob", room.api_id, parent.api_id)]


def test_it_alarms_the_room_author_of_a_top_level_comment(alice, bob):
    room = RoomFactory(author=alice)

    comment = CommentFactory(room=room, author=bob)

    assert _alarms() == [
        ("alice", AlarmType.COMMENT_ON_MY_POST, "bob", room.api_id, comment.api_id)
    ]


def test_it_writes_no_alarm_for_the_room_authors_own_comment(alice):
    CommentFactory(room=RoomFactory(author=alice), author=alice)

    assert _alarms() == []


def test_it_keeps_an_anonymous_author_anonymous_in_a_reply_alarm(alice, bob):
    room = RoomFactory(author=alice, anonymity=True)
    parent = CommentFactory(room=room, author=bob)

    CommentFactory(room=room, author=alice, parent=parent)

    # bob's comment alarmed alice; her reply reaches bob under the mask.
    [_bob_commented, (user, alarm_type, nickname, _, _)] = _alarms()
    assert (user, alarm_type, nickname) == ("bob", AlarmType.COMMENT_ON_MY_COMMENT, "익명")


def _match_alarms() -> list[tuple]:
    return list(
        Alarm.objects.order_by("user__username").values_list(
            "user__username", "alarm_type", "calling_nickname", "match_id"
        )
    )


def test_it_alarms_every_member_of_a_random_match_and_tells_slack(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    settings.SLACK_BOT_TOKEN = "xoxb-test"  # a notice is written only when Slack is set up
    with (
        mock.patch.object(slack_match_notice_task, "delay") as slack,
        django_capture_on_commit_callbacks(execute=True),
    ):
        match = match_create(category="MEAL", method="RANDOM", users=[alice, bob], conditions={})

    assert _match_alarms() == [
        ("alice", AlarmType.MATCH_CONFIRMED, "system", match.api_id),
        ("bob", AlarmType.MATCH_CONFIRMED, "system", match.api_id),
    ]
    [(emails, text)] = [call.args for call in slack.call_args_list]
    assert emails == [alice.email, bob.email]
    assert "매칭이 확정되었어요" in text


def test_it_alarms_the_owner_of_an_expired_random_match_request(alice, bob):
    start = timezone.now()
    random_match_request_create(user=alice, category="MEAL", now=start)

    random_match_expire_due(now=start + timedelta(hours=1))

    assert _alarms() == [("alice", AlarmType.RANDOM_MATCH_EXPIRED, "", None, None)]


@pytest.mark.django_db(transaction=True)
def test_it_pushes_a_join_to_the_authors_open_page(alice, bob):
    room = RoomFactory(author=alice)

    async def scenario():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/alarms/")
        communicator.scope["user"] = alice
        assert (await communicator.connect(timeout=10))[0]
        await communicator.receive_json_from(timeout=10)  # the unread count on connect

        await database_sync_to_async(rooms.room_join)(room=room, user=bob)

        message = await communicator.receive_json_from(timeout=10)
        assert (message["alarmType"], message["unread"]) == ("PARTICIPATION_ON_MY_POST", 1)
        await communicator.disconnect()

    async_to_sync(scenario)()
