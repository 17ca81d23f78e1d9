"""The board cache on the real Redis: early recomputation and invalidation by writes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from partner42.pagination import SliceParams
from rooms import cache as board_cache
from rooms import services
from rooms.selectors import BoardFilters, room_board
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db


def board(user=None, query=""):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get("/api/articles" + query)
    assert response.status_code == 200
    return response.json()["content"]


def test_it_runs_on_redis():
    assert settings.CACHES["default"]["BACKEND"] == "partner42.cache.FailOpenRedisCache"


def test_it_serves_a_stored_entry_until_it_nears_expiry():
    key = board_cache.board_key({"test": "fresh"})
    clock = [1000.0]
    computed = []

    def compute():
        computed.append(1)
        clock[0] += 0.01  # the computation takes 10 ms
        return len(computed)

    def read(rand=0.5):
        return board_cache.board_cached(key, compute, now=lambda: clock[0], rand=lambda: rand)

    assert read() == 1
    assert read() == 1  # fresh: served from Redis
    assert cache.get(key)["value"] == 1

    # Just before the expiry an average draw recomputes early; a low draw still waits.
    clock[0] += board_cache._ttl() - 0.005
    assert read(rand=0.0) == 1
    assert read(rand=0.5) == 2


def test_it_recomputes_expensive_entries_earlier_than_cheap_ones():
    clock = [0.0]

    def computing_for(seconds):
        def compute():
            clock[0] += seconds
            return "old"

        return compute

    cheap = board_cache.board_key({"test": "cheap"})
    expensive = board_cache.board_key({"test": "expensive"})
    board_cache.board_cached(cheap, computing_for(0.01), now=lambda: clock[0])
    clock[0] = 0.0
    board_cache.board_cached(expensive, computing_for(1.0), now=lambda: clock[0])

    # Half a second before both expire, with the same draw:
    clock[0] = cache.get(cheap)["expiry"] - 0.5
    assert (
        board_cache.board_cached(cheap, lambda: "new", now=lambda: clock[0], rand=lambda: 0.5)
        == "old"
    )
    clock[0] = cache.get(expensive)["expiry"] - 0.5
    assert (
        board_cache.board_cached(expensive, lambda: "new", now=lambda: clock[0], rand=lambda: 0.5)
        == "new"
    )


def test_it_ignores_entries_of_an_older_generation(django_capture_on_commit_callbacks):
    key = board_cache.board_key({"test": "generation"})
    assert board_cache.board_cached(key, lambda: "old") == "old"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        board_cache.board_changed()
        # A reader between the write and its commit may store what it saw under the new
        # generation...
        assert board_cache.board_cached(key, lambda: "seen before commit") == "seen before commit"
    # ... which the bump after commit discards.
    for callback in callbacks:
        callback()
    assert board_cache.board_cached(key, lambda: "after commit") == "after commit"


def test_it_serves_the_board_when_redis_fails(alice, monkeypatch):
    RoomFactory(author=alice)

    class BrokenCache:
        def __getattr__(self, name):
            def broken(*args, **kwargs):
                raise ConnectionError("redis is down")

            return broken

    # Only the board's cache breaks: DRF's throttling keeps its own (working) cache.
    monkeypatch.setattr(board_cache, "cache", BrokenCache())

    assert len(board()) == 1
    RoomFactory(author=alice)  # the write does not fail either
    assert len(board()) == 2


def test_it_shows_each_write_on_the_next_read(alice, bob, operator, django_assert_num_queries):
    room = RoomFactory(author=alice, participant_num_max=4)
    assert [i["participantNum"] for i in board()] == [1]
    with django_assert_num_queries(0):
        board()

    services.room_join(room=room, user=bob)
    assert [i["participantNum"] for i in board()] == [2]

    services.room_leave(room=room, user=bob)
    assert [i["participantNum"] for i in board()] == [1]

    services.room_update(
        room=room,
        user=alice,
        title="edited",
        content="c",
        meeting_date=services.room_today() + timedelta(days=3),
        anonymity=True,
        participant_num_max=6,
        conditions={},
    )
    assert [(i["title"], i["nickname"], i["participantNumMax"]) for i in board()] == [
        ("edited", "익명", 6)
    ]
    # Masking happens after the cache: the author still sees the name on the cached page.
    assert board(alice)[0]["nickname"] == "alice"

    second = RoomFactory(author=bob)
    assert len(board()) == 2
    services.room_delete(room=second, user=bob)
    assert len(board()) == 1
    services.room_restore(room=second, user=operator)
    assert len(board()) == 2


def test_it_invalidates_after_commit(alice, bob, django_capture_on_commit_callbacks):
    room = RoomFactory(author=alice)
    board()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.room_join(room=room, user=bob)
    assert callbacks  # the bump after commit is registered
    assert board()[0]["participantNum"] == 2


def test_it_counts_comments_on_the_cached_board(alice, bob):
    room = RoomFactory(author=alice)
    params = SliceParams(page=0, size=20, order_by=["-date", "pk"])

    assert room_board(filters=BoardFilters(), params=params)[0][0]["comment_count"] == 0
    comment = CommentFactory(room=room, author=bob)
    assert room_board(filters=BoardFilters(), params=params)[0][0]["comment_count"] == 1
    services.comment_delete(comment=comment, user=bob)
    assert room_board(filters=BoardFilters(), params=params)[0][0]["comment_count"] == 0


def test_it_talks_to_redis_only_after_the_seat_transaction_commits(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    room = RoomFactory(author=alice)
    calls = []
    real_cache = board_cache.cache

    class Recording:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real_cache, name)

    monkeypatch.setattr(board_cache, "cache", Recording())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.room_join(room=room, user=bob)
        assert calls == []  # no network I/O while the seat transaction (and its row lock) is open
        # The writing transaction still sees its own change on the board.
        assert board()[0]["participantNum"] == 2
    calls.clear()
    for callback in callbacks:
        callback()
    assert "incr" in calls  # the bump after commit


# --- This process's copies and their shared bodies ----------------------------------------------
# Committed writes (transaction=True): a write still pending in the test's own transaction keeps
# its reads off the process copy, as it should.

committed = pytest.mark.django_db(transaction=True)


def _recording_cache(monkeypatch):
    calls = []
    real_cache = board_cache.cache

    class Recording:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(real_cache, name)

    monkeypatch.setattr(board_cache, "cache", Recording())
    return calls


@committed
def test_it_serves_the_first_page_from_the_process_with_one_redis_get(
    alice, bob, monkeypatch, django_assert_num_queries
):
    RoomFactory(author=alice)
    first = board(bob)
    calls = _recording_cache(monkeypatch)
    with django_assert_num_queries(0):
        assert board(None) == first
        assert board(bob) == first
    assert calls == ["get", "get"]  # the generation, once per request; nothing unpickled


@committed
@pytest.mark.parametrize(
    "order",
    [
        ("author", "member", "outsider", "visitor", "operator"),
        ("operator", "visitor", "author", "outsider", "member"),
        ("visitor", "outsider", "member", "operator", "author"),
    ],
)
def test_shared_bodies_never_show_an_anonymous_author(alice, bob, charlie, operator, order):
    alices = RoomFactory(author=alice, anonymity=True, participant_num_max=4)
    charlies = RoomFactory(author=charlie, anonymity=True)
    bobs = RoomFactory(author=bob, anonymity=False)
    services.room_join(room=alices, user=bob)
    viewers = {
        "author": alice,  # of alices
        "member": bob,  # of alices, author of the public bobs
        "outsider": charlie,  # to alices, author of the anonymous charlies
        "visitor": None,
        "operator": operator,
    }
    shown = {}
    for name in order + order:  # the second round from the process copy
        shown[name] = {
            item["articleId"]: (item["nickname"], item["userId"]) for item in board(viewers[name])
        }

    def sees(name, room, author):
        return shown[name][str(room.api_id)] == (author.nickname, str(author.api_id))

    def masked(name, room):
        return shown[name][str(room.api_id)] == ("익명", None)

    assert sees("author", alices, alice)
    assert sees("operator", alices, alice)
    assert all(masked(name, alices) for name in ("member", "outsider", "visitor"))
    assert sees("outsider", charlies, charlie)
    assert sees("operator", charlies, charlie)
    assert all(masked(name, charlies) for name in ("author", "member", "visitor"))
    assert all(sees(name, bobs, bob) for name in viewers)


@committed
def test_every_write_path_shows_on_the_next_read_from_the_process_copy(alice, bob, charlie):
    room = RoomFactory(author=alice, participant_num_max=4)

    def first():
        return board()[0]

    assert first()["participantNum"] == 1
    services.room_join(room=room, user=bob)
    assert first()["participantNum"] == 2
    services.room_join(room=room, user=charlie)
    assert first()["participantNum"] == 3
    services.room_leave(room=room, user=charlie)
    assert first()["participantNum"] == 2
    room.refresh_from_db()
    services.room_update(
        room=room,
        user=alice,
        title="edited",
        content="c",
        meeting_date=room.date,
        anonymity=False,
        participant_num_max=5,
        conditions={},
    )
    assert (first()["title"], first()["participantNumMax"]) == ("edited", 5)
    generation = cache.get(board_cache.GENERATION_KEY)
    comment = services.comment_create(room=room, author=bob, content="hi")
    services.comment_delete(comment=comment, user=bob)
    assert cache.get(board_cache.GENERATION_KEY) == generation + 2  # the HTML board counts them
    room.refresh_from_db()
    services.room_complete(room=room, user=alice)
    assert board(None, "?isComplete=false") == []
    assert board(None, "?isComplete=true")[0]["isComplete"] is True
    other = RoomFactory(author=bob)
    assert len(board()) == 2
    services.room_delete(room=other, user=bob)
    assert len(board()) == 1


@committed
def test_a_write_in_an_open_transaction_is_seen_by_its_own_reads_only(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=4)
    assert board()[0]["participantNum"] == 1
    with transaction.atomic():
        services.room_join(room=room, user=bob)
        # The process copy is of the committed board: this transaction reads its own page.
        assert board()[0]["participantNum"] == 2
        transaction.set_rollback(True)
    assert board()[0]["participantNum"] == 1
