"""The live room page: `/ws/rooms/<id>/` on the real Redis channel layer, and the page's parts."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from rooms import services
from rooms.routing import websocket_urlpatterns
from rooms.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)
TIMEOUT = 10  # a bound on waiting, never an assertion about speed


async def _connect(user, room_id) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/rooms/{room_id}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def _closed_with(communicator) -> int:
    closed = await communicator.receive_output(timeout=TIMEOUT)
    assert closed["type"] == "websocket.close"
    return closed["code"]


def test_it_closes_unauthenticated_and_unknown_or_deleted_rooms(alice, bob):
    room = RoomFactory(author=alice)
    gone = RoomFactory(author=alice)
    services.room_delete(room=gone, user=alice)

    async def scenario():
        assert await _closed_with(await _connect(AnonymousUser(), room.api_id)) == 4401
        unknown = "00000000-0000-4000-8000-000000000000"
        assert await _closed_with(await _connect(bob, unknown)) == 4404
        assert await _closed_with(await _connect(bob, gone.api_id)) == 4404

    async_to_sync(scenario)()


def test_it_tells_the_owner_live_when_someone_joins_leaves_or_comments(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=3)
    join = database_sync_to_async(services.room_join)
    leave = database_sync_to_async(services.room_leave)
    comment = database_sync_to_async(services.comment_create)

    async def scenario():
        owner = await _connect(alice, room.api_id)
        await join(room=room, user=bob)
        assert await owner.receive_json_from(timeout=TIMEOUT) == {"type": "room.changed"}
        await comment(room=room, author=bob, content="곧 가요")
        assert await owner.receive_json_from(timeout=TIMEOUT) == {"type": "room.changed"}
        await leave(room=room, user=bob)
        assert await owner.receive_json_from(timeout=TIMEOUT) == {"type": "room.changed"}
        assert await owner.receive_nothing(timeout=0.2)
        await owner.disconnect()

    async_to_sync(scenario)()


def test_it_sends_nothing_before_commit_or_for_a_failed_change(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=2)
    services.room_join(room=room, user=bob)

    def join_full():
        from partner42.errors import ApplicationError

        with pytest.raises(ApplicationError):
            services.room_join(room=room, user=alice)

    async def scenario():
        owner = await _connect(alice, room.api_id)
        await database_sync_to_async(join_full)()
        assert await owner.receive_nothing(timeout=0.3)
        await owner.disconnect()

    async_to_sync(scenario)()


def test_it_holds_no_database_connection_and_never_queries_per_event(monkeypatch, alice, bob):
    """The consumer closes its connection after the one check at connect; events use none.

    With persistent connections (CONN_MAX_AGE, as in production) nothing else would close it."""
    room = RoomFactory(author=alice, participant_num_max=4)
    monkeypatch.setitem(connections.settings[DEFAULT_DB_ALIAS], "CONN_MAX_AGE", 600)
    connection.close()

    def connection_is_open() -> bool:
        return connection.connection is not None

    def close() -> None:
        connection.close()

    async def scenario():
        owner = await _connect(alice, room.api_id)
        # Sync code of the consumer runs on the thread that database_sync_to_async uses here.
        assert not await database_sync_to_async(connection_is_open)()
        await database_sync_to_async(services.room_join)(room=room, user=bob)
        await database_sync_to_async(close)()
        assert await owner.receive_json_from(timeout=TIMEOUT) == {"type": "room.changed"}
        assert not await database_sync_to_async(connection_is_open)()
        await owner.disconnect()

    async_to_sync(scenario)()


def test_it_never_names_the_anonymous_author_in_an_event(alice, bob):
    room = RoomFactory(author=alice, anonymity=True)

    async def scenario():
        watcher = await _connect(bob, room.api_id)
        await database_sync_to_async(services.comment_create)(
            room=room, author=alice, content="익명 방장"
        )
        event = await watcher.receive_json_from(timeout=TIMEOUT)
        assert event == {"type": "room.changed"}
        await watcher.disconnect()

    async_to_sync(scenario)()


def test_the_room_page_listens_and_refreshes_its_parts_in_place(client, alice, bob):
    room = RoomFactory(author=alice, participant_num_max=3)
    client.force_login(alice)
    page = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()
    assert f'data-room-socket="/ws/rooms/{room.api_id}/"' in page
    assert 'id="room-members"' in page
    assert 'id="room-actions"' in page
    assert 'id="comment-list"' in page
    assert 'hx-trigger="room-changed' in page
    assert "js/room_live.js" in page
    assert "참여자 <span" in page
    assert "1/3" in page

    services.room_join(room=room, user=bob)
    # What the page re-fetches on "room changed": the count and the complete button are there.
    fresh = client.get(
        reverse("rooms:detail", args=[room.api_id]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "2/3" in fresh
    assert reverse("rooms:complete", args=[room.api_id]) in fresh


def test_the_refreshed_parts_of_an_anonymous_room_hide_its_author(client, alice, bob):
    room = RoomFactory(author=alice, anonymity=True)
    services.comment_create(room=room, author=alice, content="방장 댓글")
    client.force_login(bob)
    page = client.get(
        reverse("rooms:detail", args=[room.api_id]), headers={"HX-Request": "true"}
    ).content.decode()
    assert alice.nickname not in page


def test_the_project_routes_the_room_socket(alice):
    """Through partner42.asgi (origin check, session auth): an anonymous visitor is told 4401."""
    from partner42.asgi import application as project

    room = RoomFactory(author=alice)

    async def scenario():
        communicator = WebsocketCommunicator(
            project, f"/ws/rooms/{room.api_id}/", headers=[(b"origin", b"http://localhost")]
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        assert await _closed_with(communicator) == 4401

    async_to_sync(scenario)()
