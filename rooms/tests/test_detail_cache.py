"""The room detail's snapshot cache on the real Redis: queries, invalidation by every write that
changes what the detail shows, and masking that never travels between viewers."""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from rooms import cache as room_cache
from rooms import services
from rooms.tests.factories import RoomFactory

# Committed writes: the invalidation runs after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def detail(room, user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(f"/api/articles/{room.api_id}")


def body(room, user=None):
    response = detail(room, user)
    assert response.status_code == 200, response.content
    return response.json()


def test_it_reads_three_queries_on_a_miss_and_none_on_a_hit(
    alice, bob, monkeypatch, django_assert_num_queries
):
    room = RoomFactory(author=alice, participant_num_max=4)
    services.room_join(room=room, user=bob)
    with django_assert_num_queries(3):  # room with author and restaurant; members; conditions
        first = body(room, bob)
    monkeypatch.setattr(room_cache, "_local_details", {})  # another process: Redis has it
    with django_assert_num_queries(0):
        assert body(room, bob) == first
    with django_assert_num_queries(0):  # this process's copy
        assert body(room, bob) == first
        body(room)


def test_every_write_shows_on_the_next_read(alice, bob, charlie):
    room = RoomFactory(author=alice, participant_num_max=4)

    def members():
        return [m["nickname"] for m in body(room)["participantsOrAuthor"]]

    assert members() == ["alice"]
    services.room_join(room=room, user=bob)
    assert members() == ["alice", "bob"]
    services.room_join(room=room, user=charlie)
    services.room_leave(room=room, user=charlie)
    assert members() == ["alice", "bob"]
    assert body(room)["participantNum"] == 2

    generation = room_cache.cache.get(room_cache.DETAIL_GENERATION_KEY.format(room=room.api_id))
    comment = services.comment_create(room=room, author=bob, content="hi")
    services.comment_update(comment=comment, user=bob, content="hello")
    services.comment_delete(comment=comment, user=bob)
    after = room_cache.cache.get(room_cache.DETAIL_GENERATION_KEY.format(room=room.api_id))
    assert after == generation + 3

    room.refresh_from_db()
    services.room_update(
        room=room,
        user=alice,
        title="edited",
        content="c",
        meeting_date=room.date,
        anonymity=True,
        participant_num_max=5,
        conditions={},
    )
    edited = body(room)
    assert (edited["title"], edited["participantNumMax"], edited["userId"]) == ("edited", 5, None)
    assert edited["participantsOrAuthor"][0]["nickname"] == "익명"

    room.refresh_from_db()
    before = room_cache.cache.get(room_cache.DETAIL_GENERATION_KEY.format(room=room.api_id))
    services.room_complete(room=room, user=alice)
    room.refresh_from_db()
    assert room.is_complete
    # The detail shows no state of completion, but the snapshot (its room) is outdated all the same.
    assert room_cache.cache.get(room_cache.DETAIL_GENERATION_KEY.format(room=room.api_id)) > before

    other = RoomFactory(author=bob)
    assert body(other)["title"] == other.title
    services.room_delete(room=other, user=bob)
    assert detail(other).status_code == 404
    assert detail(other, bob).status_code == 404


def test_it_never_serves_a_deleted_room_from_the_cache_to_non_operators(alice, bob, operator):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)
    assert body(room, operator)["articleId"] == str(room.api_id)  # cached now
    for viewer in (None, alice, bob):
        assert detail(room, viewer).status_code == 404
    assert body(room, operator)["articleId"] == str(room.api_id)


@pytest.mark.parametrize(
    "order",
    [
        ("author", "member", "outsider", "visitor", "operator"),
        ("operator", "visitor", "outsider", "member", "author"),
        ("member", "operator", "author", "visitor", "outsider"),
    ],
)
def test_shared_bodies_never_show_an_anonymous_author_or_another_me(
    alice, bob, charlie, operator, order
):
    room = RoomFactory(author=alice, anonymity=True, participant_num_max=4)
    services.room_join(room=room, user=bob)
    viewers = {
        "author": alice,
        "member": bob,
        "outsider": charlie,
        "visitor": None,
        "operator": operator,
    }
    shown = {name: body(room, viewers[name]) for name in order + order}  # then from the copy

    def people(name):
        return [(m["nickname"], m["isMe"]) for m in shown[name]["participantsOrAuthor"]]

    assert people("author") == [("alice", True), ("bob", False)]
    assert people("member") == [("익명", False), ("bob", True)]
    assert people("outsider") == [("익명", False), ("bob", False)]
    assert people("visitor") == [("익명", False), ("bob", False)]
    assert people("operator") == [("alice", False), ("bob", False)]
    for name in ("author", "operator"):
        assert shown[name]["userId"] == str(alice.api_id)
    for name in ("member", "outsider", "visitor"):
        assert shown[name]["userId"] is None


def test_a_write_in_an_open_transaction_is_seen_by_its_own_reads_only(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=4)
    assert body(room)["participantNum"] == 1
    with transaction.atomic():
        services.room_join(room=room, user=bob)
        assert body(room)["participantNum"] == 2  # not the process copy
        transaction.set_rollback(True)
    assert body(room)["participantNum"] == 1


def test_a_nickname_edit_shows_once_the_snapshot_expires(alice, bob, monkeypatch):
    # Nicknames are not room writes: the detail may lag one by ROOM_BOARD_CACHE_SECONDS.
    room = RoomFactory(author=alice)
    assert body(room)["participantsOrAuthor"][0]["nickname"] == "alice"
    alice.nickname = "alice2"
    alice.save(update_fields=["nickname"])
    assert body(room)["participantsOrAuthor"][0]["nickname"] == "alice"
    later = room_cache.time.time() + room_cache._ttl() + 0.1
    monkeypatch.setattr(room_cache, "_clock", lambda: later)
    assert body(room)["participantsOrAuthor"][0]["nickname"] == "alice2"


def test_an_unknown_room_is_a_404_and_nothing_is_cached(alice):
    room = RoomFactory(author=alice)
    missing = "00000000-0000-0000-0000-000000000000"
    response = APIClient().get(f"/api/articles/{missing}")
    assert response.status_code == 404
    assert APIClient().get("/api/articles/not-an-id").status_code == 404
    assert missing not in room_cache._local_details
    assert body(room)["articleId"] == str(room.api_id)
