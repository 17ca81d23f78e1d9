"""The pages' websocket on the real Redis channel layer (settings.CHANNEL_LAYERS, REDIS_URL)."""

import contextlib

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import override_settings

from alarms.models import AlarmType
from alarms.routing import websocket_urlpatterns
from alarms.services import alarm_create, alarm_group_name
from alarms.tests.factories import AlarmFactory
from alarms.tests.helpers import group_members

# Consumers reach the database from other threads and the pushes need real commits.
pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)
TIMEOUT = 10  # a bound on waiting, never an assertion about speed


async def _connect(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/alarms/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def _connect_and_greet(user) -> WebsocketCommunicator:
    communicator = await _connect(user)
    greeting = await communicator.receive_json_from(timeout=TIMEOUT)
    assert greeting["type"] == "unread"
    return communicator


create_alarm = database_sync_to_async(alarm_create)


def test_it_closes_unauthenticated_connections():
    async def scenario():
        communicator = await _connect(AnonymousUser())
        closed = await communicator.receive_output(timeout=TIMEOUT)
        assert (closed["type"], closed["code"]) == ("websocket.close", 4401)

    async_to_sync(scenario)()


def test_it_sends_the_unread_count_on_connect(alice):
    AlarmFactory.create_batch(2, user=alice)
    AlarmFactory(user=alice, is_read=True)

    async def scenario():
        communicator = await _connect(alice)
        assert await communicator.receive_json_from(timeout=TIMEOUT) == {
            "type": "unread",
            "unread": 2,
        }
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_it_pushes_to_every_connection_of_the_user_and_no_one_else(alice, bob):
    async def scenario():
        first, second = await _connect_and_greet(alice), await _connect_and_greet(alice)
        others = await _connect_and_greet(bob)

        alarm = await create_alarm(
            user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST, calling_nickname="bob"
        )

        expected = {
            "type": "alarm",
            "unread": 1,
            "text": "내가 쓴 글에 참여가 있었어요!",
            # No room title given: the message is the kind's text.
            "message": "내가 쓴 글에 참여가 있었어요!",
            "alarmId": str(alarm.api_id),
            "alarmType": "PARTICIPATION_ON_MY_POST",
        }
        assert await first.receive_json_from(timeout=TIMEOUT) == expected
        assert await second.receive_json_from(timeout=TIMEOUT) == expected
        # Bob's next message is his own alarm: alice's never reached him.
        bobs = await create_alarm(user=bob, alarm_type=AlarmType.MATCH_CONFIRMED)
        assert (await others.receive_json_from(timeout=TIMEOUT))["alarmId"] == str(bobs.api_id)
        for communicator in (first, second, others):
            await communicator.disconnect()

    async_to_sync(scenario)()


def test_it_pushes_nothing_for_a_rolled_back_transaction(alice):
    def rolled_back():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            alarm_create(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST)
            raise RuntimeError("the join failed")

    async def scenario():
        communicator = await _connect_and_greet(alice)

        await database_sync_to_async(rolled_back)()
        marker = await create_alarm(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)

        # The first push is the committed alarm, and it counts one unread: the other never was.
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        assert (message["alarmId"], message["unread"]) == (str(marker.api_id), 1)
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_it_leaves_the_group_on_disconnect(alice):
    group = alarm_group_name(alice.api_id)

    async def scenario():
        communicator = await _connect_and_greet(alice)
        assert len(group_members(group)) == 1
        await communicator.disconnect()

    async_to_sync(scenario)()

    assert group_members(group) == set()


def test_it_ignores_what_the_client_sends(alice):
    async def scenario():
        communicator = await _connect_and_greet(alice)
        await communicator.send_to(text_data="not json")
        alarm = await create_alarm(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["alarmId"] == str(
            alarm.api_id
        )
        await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    ("cookies", "headers", "text"),
    [
        ({}, [], "매칭이 확정되었어요!"),
        ({"django_language": "en"}, [], "Your match is confirmed!"),
        ({}, [(b"accept-language", b"en-US,en;q=0.9")], "Your match is confirmed!"),
        ({"django_language": "xx"}, [(b"accept-language", b"fr")], "매칭이 확정되었어요!"),
    ],
)
def test_it_speaks_the_pages_language(alice, cookies, headers, text):
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/alarms/", headers=headers)
        communicator.scope.update(user=alice, cookies=cookies)
        assert (await communicator.connect(timeout=TIMEOUT))[0]
        await communicator.receive_json_from(timeout=TIMEOUT)

        await create_alarm(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)

        assert (await communicator.receive_json_from(timeout=TIMEOUT))["text"] == text
        await communicator.disconnect()

    async_to_sync(scenario)()


@override_settings(ALARM_STREAMS_PER_USER=2)
def test_it_closes_a_socket_over_the_users_cap_until_one_closes(alice):
    async def scenario():
        first, second = await _connect_and_greet(alice), await _connect_and_greet(alice)
        third = await _connect(alice)
        closed = await third.receive_output(timeout=TIMEOUT)
        assert (closed["type"], closed["code"]) == ("websocket.close", 4429)
        await third.disconnect()  # the server's answer to the close handshake

        await first.disconnect()
        again = await _connect_and_greet(alice)
        for communicator in (second, again):
            await communicator.disconnect()

    async_to_sync(scenario)()


def test_it_holds_no_database_connection_while_it_waits(alice):
    def open_connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = %s",
                [connection.settings_dict["NAME"]],
            )
            return cursor.fetchone()[0]

    before = open_connections()

    async def scenario():
        communicator = await _connect_and_greet(alice)  # counted the unread alarms
        waiting = await database_sync_to_async(open_connections)()
        await communicator.disconnect()
        return waiting

    assert async_to_sync(scenario)() == before
