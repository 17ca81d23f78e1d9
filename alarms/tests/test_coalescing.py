"""Repeated alarms are coalesced; comments on my room alarm me; alarms name who and which room."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from rest_framework.test import APIClient

from alarms.models import Alarm, AlarmType
from alarms.routing import websocket_urlpatterns
from alarms.services import _push, alarm_create
from rooms.services import comment_create, room_join, room_leave
from rooms.tests.factories import CommentFactory, RoomFactory

CYCLES = 50
TIMEOUT = 10  # a bound on waiting, never an assertion about speed


def pushes(callbacks) -> int:
    return sum(1 for callback in callbacks if getattr(callback, "func", None) is _push)


def test_it_coalesces_a_join_and_leave_loop_into_one_alarm_of_each_kind(
    alice, bob, django_capture_on_commit_callbacks
):
    room = RoomFactory(author=alice, participant_num_max=4)

    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(CYCLES):
            room_join(room=room, user=bob)
            room_leave(room=room, user=bob)

    kinds = sorted(Alarm.objects.filter(user=alice).values_list("alarm_type", flat=True))
    assert kinds == [
        AlarmType.PARTICIPATION_CANCEL_ON_MY_POST,
        AlarmType.PARTICIPATION_ON_MY_POST,
    ]
    assert pushes(callbacks) == 2


def test_it_alarms_again_once_the_window_has_passed(alice, bob, settings):
    settings.ALARM_COALESCE_SECONDS = 60
    room = RoomFactory(author=alice, participant_num_max=4)
    room_join(room=room, user=bob)
    room_leave(room=room, user=bob)
    Alarm.objects.filter(user=alice).update(created_at=timezone.now() - timedelta(seconds=61))

    room_join(room=room, user=bob)

    assert (
        Alarm.objects.filter(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST).count() == 2
    )


def test_it_never_coalesces_different_actors_rooms_or_recipients(alice, bob, charlie):
    first, second = RoomFactory(author=alice), RoomFactory(author=alice)

    room_join(room=first, user=bob)
    room_join(room=first, user=charlie)
    room_join(room=second, user=bob)

    assert Alarm.objects.filter(user=alice).count() == 3


def test_it_keeps_every_alarm_when_coalescing_is_off(alice, bob, settings):
    settings.ALARM_COALESCE_SECONDS = 0
    room = RoomFactory(author=alice, participant_num_max=4)

    for _ in range(3):
        room_join(room=room, user=bob)
        room_leave(room=room, user=bob)

    assert Alarm.objects.filter(user=alice).count() == 6


def test_it_coalesces_a_comment_flood_on_my_room(alice, bob, django_capture_on_commit_callbacks):
    room = RoomFactory(author=alice)

    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(30):
            comment_create(room=room, author=bob, content=f"도배 {n}")

    assert Alarm.objects.filter(user=alice, alarm_type=AlarmType.COMMENT_ON_MY_POST).count() == 1
    assert pushes(callbacks) == 1


def test_it_alarms_the_room_author_of_a_new_comment_naming_who_and_which_room(alice, bob):
    room = RoomFactory(author=alice, title="치킨 먹을 사람")

    comment = comment_create(room=room, author=bob, content="저요")

    alarm = Alarm.objects.get(user=alice)
    assert alarm.alarm_type == AlarmType.COMMENT_ON_MY_POST
    assert (alarm.calling_nickname, alarm.article_id, alarm.opinion_id) == (
        bob.nickname,
        room.api_id,
        comment.api_id,
    )
    assert bob.nickname in alarm.message
    assert "치킨 먹을 사람" in alarm.message


def test_it_never_alarms_the_author_of_their_own_comment(alice):
    room = RoomFactory(author=alice)

    comment_create(room=room, author=alice, content="제가 쓴 방")

    assert not Alarm.objects.exists()


def test_it_sends_one_alarm_for_a_reply_to_the_room_authors_comment(alice, bob):
    room = RoomFactory(author=alice)
    parent = CommentFactory(room=room, author=alice)

    comment_create(room=room, author=bob, content="답글", parent=parent)

    assert list(Alarm.objects.values_list("user", "alarm_type")) == [
        (alice.pk, AlarmType.COMMENT_ON_MY_COMMENT)
    ]


def test_it_masks_the_anonymous_room_author_replying(alice, bob):
    room = RoomFactory(author=alice, anonymity=True, title="익명 스터디")
    parent = CommentFactory(room=room, author=bob)

    comment_create(room=room, author=alice, content="답글", parent=parent)

    alarm = Alarm.objects.get(user=bob)
    assert alarm.calling_nickname == "익명"
    assert alice.nickname not in alarm.message
    assert "익명" in alarm.message
    assert "익명 스터디" in alarm.message


def test_it_names_who_and_which_room_for_joins_and_leaves(alice, bob):
    room = RoomFactory(author=alice, title="점심 팟")

    room_join(room=room, user=bob)
    room_leave(room=room, user=bob)

    for alarm in Alarm.objects.filter(user=alice):
        assert bob.nickname in alarm.message
        assert "점심 팟" in alarm.message


def test_it_falls_back_to_the_kinds_text_without_actor_or_room(alice):
    alarm = alarm_create(user=alice, alarm_type=AlarmType.RANDOM_MATCH_EXPIRED)

    assert alarm.message == alarm.text


def test_it_adds_the_message_to_the_api_and_keeps_the_originals_fields(alice, bob):
    room = RoomFactory(author=alice, title="저녁 팟")
    room_join(room=room, user=bob)
    client = APIClient()
    client.force_authenticate(alice)

    [item] = client.get("/api/alarms").json()["content"]

    assert list(item)[:4] == ["alarmId", "text", "alarmArgsDto", "isRead"]
    assert item["text"] == "내가 쓴 글에 참여가 있었어요!"
    assert item["alarmArgsDto"]["callingMemberNickname"] == bob.nickname
    assert bob.nickname in item["message"]
    assert "저녁 팟" in item["message"]


def test_it_shows_who_and_which_room_on_the_alarm_page(client, alice, bob):
    room = RoomFactory(author=alice, title="야식 팟")
    room_join(room=room, user=bob)
    client.force_login(alice)

    page = client.get("/alarms/").content.decode()

    assert "야식 팟" in page
    assert bob.nickname in page


@pytest.mark.django_db(transaction=True)
def test_it_toasts_who_and_which_room(alice, bob):
    room = RoomFactory(author=alice, title="코테 스터디")

    async def scenario():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/alarms/")
        communicator.scope["user"] = alice
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await communicator.receive_json_from(timeout=TIMEOUT)  # the unread count greeting
        await database_sync_to_async(room_join)(room=room, user=bob)
        toast = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return toast

    toast = async_to_sync(scenario)()

    assert toast["type"] == "alarm"
    assert toast["text"] == "내가 쓴 글에 참여가 있었어요!"
    assert bob.nickname in toast["message"]
    assert "코테 스터디" in toast["message"]
