from datetime import UTC, date, datetime, timedelta

import pytest

from partner42.choices import ConditionKind, ContentCategory, Place, TypeOfStudy, WayOfEating
from partner42.errors import ApplicationError, ErrorCode
from rooms import services
from rooms.models import Comment, Participation, Room, RoomCondition
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db


def raises(code: ErrorCode):
    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(ApplicationError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert self.info.value.error_code is code, self.info.value.error_code
            return handled

    return _Check()


def fresh(room: Room) -> Room:
    return Room.objects.get(pk=room.pk)


def edit(room, user, **overrides):
    fields = {
        "title": "new title",
        "content": "new content",
        "meeting_date": services.room_today() + timedelta(days=2),
        "anonymity": False,
        "participant_num_max": room.participant_num_max,
        "conditions": {ConditionKind.PLACE: [Place.SEOCHO]},
    }
    fields.update(overrides)
    return services.room_update(room=room, user=user, **fields)


# --- create -------------------------------------------------------------------------------------


def test_it_makes_the_author_the_first_participant(alice):
    room = RoomFactory(author=alice)

    room = fresh(room)
    assert room.participant_num == 1
    assert room.version == 0
    assert list(Participation.objects.filter(room=room).values_list("user", flat=True)) == [
        alice.pk
    ]
    assert set(RoomCondition.objects.filter(room=room).values_list("kind", "value")) == {
        ("PLACE", "GAEPO"),
        ("TIME_OF_EATING", "LUNCH"),
        ("WAY_OF_EATING", "EATOUT"),
    }


def test_it_refuses_a_date_before_today_in_seoul(alice):
    # 15:30 UTC on 1 March is already 2 March in Seoul.
    now = datetime(2030, 3, 1, 15, 30, tzinfo=UTC)
    with raises(ErrorCode.DATE_IN_PAST):
        RoomFactory(author=alice, date=date(2030, 3, 1), now=now)
    assert not Room.objects.exists()

    room = RoomFactory(author=alice, date=date(2030, 3, 2), now=now)
    assert room.date == date(2030, 3, 2)


@pytest.mark.parametrize("capacity", [0, 1, 21, 1000])
def test_it_refuses_a_capacity_out_of_range(alice, capacity):
    with raises(ErrorCode.INVALID_INPUT) as info:
        RoomFactory(author=alice, participant_num_max=capacity)
    assert info.value.errors[0]["field"] == "participantNumMax"
    assert not Room.objects.exists()
    assert not Participation.objects.exists()


def test_it_refuses_conditions_of_the_other_category(alice):
    with raises(ErrorCode.INVALID_INPUT) as info:
        RoomFactory(
            author=alice,
            category=ContentCategory.MEAL,
            conditions={ConditionKind.TYPE_OF_STUDY: [TypeOfStudy.INNER_CIRCLE]},
        )
    assert info.value.errors[0]["field"] == "typeOfStudyList"


def test_it_refuses_unknown_condition_values(alice):
    with raises(ErrorCode.INVALID_INPUT):
        RoomFactory(author=alice, conditions={ConditionKind.PLACE: ["MOON"]})


def test_it_refuses_blank_and_huge_texts(alice):
    with raises(ErrorCode.INVALID_INPUT):
        RoomFactory(author=alice, title="   ")
    with raises(ErrorCode.INVALID_INPUT):
        RoomFactory(author=alice, title="x" * 256)
    with raises(ErrorCode.INVALID_INPUT):
        RoomFactory(author=alice, content="x" * 100_001)
    assert not Room.objects.exists()


# --- join ---------------------------------------------------------------------------------------


def test_it_joins_a_room(alice, bob):
    room = RoomFactory(author=alice)

    change = services.room_join(room=room, user=bob)

    assert change.attempts == 1
    assert change.room.participant_num == 2
    assert change.room.version == 1
    assert Participation.objects.filter(room=room, user=bob).exists()


def test_it_refuses_a_second_join(alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)

    with raises(ErrorCode.ALREADY_PARTICIPANT):
        services.room_join(room=room, user=bob)
    with raises(ErrorCode.ALREADY_PARTICIPANT):
        services.room_join(room=room, user=alice)
    assert fresh(room).participant_num == 2


def test_it_refuses_to_join_a_full_room(alice, bob, charlie):
    room = RoomFactory(author=alice, participant_num_max=2)
    services.room_join(room=room, user=bob)

    with raises(ErrorCode.ARTICLE_FULL):
        services.room_join(room=room, user=charlie)
    assert fresh(room).participant_num == 2


def test_it_refuses_a_full_room_after_one_read_without_a_transaction_or_a_retry(
    alice, bob, charlie, monkeypatch, django_assert_num_queries
):
    room = RoomFactory(author=alice, participant_num_max=2)
    services.room_join(room=room, user=bob)
    pauses = []
    monkeypatch.setattr(services, "_backoff", pauses.append)

    # One SELECT (the room and whether charlie is in it): no savepoint, UPDATE or row lock.
    with django_assert_num_queries(1) as queries, raises(ErrorCode.ARTICLE_FULL):
        services.room_join(room=room, user=charlie)

    assert queries.captured_queries[0]["sql"].startswith("SELECT")
    assert "FOR UPDATE" not in queries.captured_queries[0]["sql"]
    assert pauses == []
    assert fresh(room).version == 1


def test_it_tells_a_member_of_a_full_room_that_they_joined_already(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=2)
    services.room_join(room=room, user=bob)

    with raises(ErrorCode.ALREADY_PARTICIPANT):
        services.room_join(room=room, user=bob)


def test_it_refuses_a_non_member_leaving_after_one_read(alice, bob, django_assert_num_queries):
    room = RoomFactory(author=alice)

    with django_assert_num_queries(1), raises(ErrorCode.NOT_PARTICIPANT):
        services.room_leave(room=room, user=bob)


def test_it_refuses_to_join_a_completed_room(alice, bob):
    room = RoomFactory(author=alice)
    Room.objects.filter(pk=room.pk).update(is_complete=True)

    with raises(ErrorCode.ARTICLE_COMPLETED):
        services.room_join(room=room, user=bob)


def test_it_hides_a_deleted_room_from_joiners_but_not_from_operators(alice, bob, operator):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)

    with raises(ErrorCode.NOT_FOUND):
        services.room_join(room=room, user=bob)
    with raises(ErrorCode.ARTICLE_DELETED):
        services.room_join(room=room, user=operator)


def test_it_retries_a_join_that_lost_the_compare_and_set(alice, bob, monkeypatch):
    room = RoomFactory(author=alice)
    real_read = services._read_room
    reads = []

    def stale_first(pk, *, lock, member=None):
        current = real_read(pk, lock=lock, member=member)
        reads.append(lock)
        if len(reads) == 1:
            current.version -= 1  # as if somebody changed the room after our read
        return current

    monkeypatch.setattr(services, "_read_room", stale_first)
    monkeypatch.setattr(services, "_backoff", lambda attempt: None)

    change = services.room_join(room=room, user=bob)

    assert change.attempts == 2
    assert change.room.participant_num == 2
    assert change.room.version == 1
    assert Participation.objects.filter(room=room).count() == 2


def test_it_locks_the_row_on_the_last_attempt(alice, bob, monkeypatch):
    room = RoomFactory(author=alice)
    real_read = services._read_room
    locks = []

    def always_stale_unless_locked(pk, *, lock, member=None):
        current = real_read(pk, lock=lock, member=member)
        locks.append(lock)
        if not lock:
            current.version -= 1
        return current

    monkeypatch.setattr(services, "_read_room", always_stale_unless_locked)
    monkeypatch.setattr(services, "_backoff", lambda attempt: None)

    change = services.room_join(room=room, user=bob)

    assert change.attempts == services.SEAT_ATTEMPTS
    assert locks == [False] * (services.SEAT_ATTEMPTS - 1) + [True]
    assert fresh(room).participant_num == 2


def test_it_answers_the_true_reason_after_losing_to_the_last_seat(alice, bob, charlie, monkeypatch):
    room = RoomFactory(author=alice, participant_num_max=2)
    real_read = services._read_room
    reads = []

    def charlie_takes_the_seat_after_our_read(pk, *, lock, member=None):
        current = real_read(pk, lock=lock, member=member)
        reads.append(lock)
        if len(reads) == 1:
            services.room_join(room=room, user=charlie)
        return current

    monkeypatch.setattr(services, "_backoff", lambda attempt: None)
    monkeypatch.setattr(services, "_read_room", charlie_takes_the_seat_after_our_read)

    with raises(ErrorCode.ARTICLE_FULL):
        services.room_join(room=room, user=bob)
    room = fresh(room)
    assert room.participant_num == 2
    assert room.version == 1


# --- leave --------------------------------------------------------------------------------------


def test_it_leaves_a_room(alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)

    change = services.room_leave(room=room, user=bob)

    assert change.room.participant_num == 1
    assert change.room.version == 2
    assert not Participation.objects.filter(room=room, user=bob).exists()


def test_it_lets_a_member_join_again_after_leaving(alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)
    services.room_leave(room=room, user=bob)

    assert services.room_join(room=room, user=bob).room.participant_num == 2


def test_it_refuses_the_author_leaving(alice):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.AUTHOR_CANNOT_LEAVE):
        services.room_leave(room=room, user=alice)


def test_it_refuses_a_non_participant_leaving(alice, charlie):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.NOT_PARTICIPANT) as info:
        services.room_leave(room=room, user=charlie)
    assert info.value.code == "AR007"
    assert fresh(room).participant_num == 1


def test_it_refuses_leaving_a_completed_room(alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)
    Room.objects.filter(pk=room.pk).update(is_complete=True)

    with raises(ErrorCode.ARTICLE_COMPLETED):
        services.room_leave(room=room, user=bob)


# --- edit ---------------------------------------------------------------------------------------


def test_it_edits_a_room_and_replaces_its_conditions(alice):
    room = RoomFactory(author=alice)

    room = edit(room, alice, participant_num_max=6, anonymity=True)

    assert room.title == "new title"
    assert room.participant_num_max == 6
    assert room.anonymity is True
    assert room.version == 1
    assert room.category == ContentCategory.MEAL
    assert list(RoomCondition.objects.filter(room=room).values_list("kind", "value")) == [
        ("PLACE", "SEOCHO")
    ]


def test_it_lets_only_the_author_or_an_operator_edit(alice, bob, operator):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.NOT_ARTICLE_AUTHOR):
        edit(room, bob)
    assert edit(room, operator, title="by operator").title == "by operator"


def test_it_refuses_editing_a_completed_room(alice):
    room = RoomFactory(author=alice)
    Room.objects.filter(pk=room.pk).update(is_complete=True)
    with raises(ErrorCode.ARTICLE_COMPLETED):
        edit(room, alice)


def test_it_refuses_a_capacity_below_the_current_count(alice, bob, charlie):
    room = RoomFactory(author=alice, participant_num_max=4)
    services.room_join(room=room, user=bob)
    services.room_join(room=room, user=charlie)

    with raises(ErrorCode.CAPACITY_BELOW_COUNT):
        edit(room, alice, participant_num_max=2)
    assert edit(room, alice, participant_num_max=3).participant_num_max == 3
    assert fresh(room).version == 3


def test_it_refuses_a_past_date_on_edit(alice):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.DATE_IN_PAST):
        edit(room, alice, meeting_date=services.room_today() - timedelta(days=1))


def test_it_refuses_conditions_of_the_other_category_on_edit(alice):
    room = RoomFactory(author=alice, category=ContentCategory.STUDY)
    with raises(ErrorCode.INVALID_INPUT):
        edit(room, alice, conditions={ConditionKind.WAY_OF_EATING: [WayOfEating.DELIVERY]})


def test_it_hides_a_deleted_room_from_editors(alice, operator):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)
    with raises(ErrorCode.NOT_FOUND):
        edit(room, alice)
    with raises(ErrorCode.ARTICLE_DELETED):
        edit(room, operator)


# --- delete and restore -------------------------------------------------------------------------


def test_it_soft_deletes_a_room(alice):
    room = RoomFactory(author=alice)

    room = services.room_delete(room=room, user=alice)

    assert room.deleted_at is not None
    assert room.version == 1
    assert Room.objects.filter(pk=room.pk).exists()


def test_it_lets_only_the_author_or_an_operator_delete(alice, bob, operator):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.NOT_ARTICLE_AUTHOR):
        services.room_delete(room=room, user=bob)
    assert services.room_delete(room=room, user=operator).deleted_at is not None


def test_it_refuses_deleting_a_completed_or_deleted_room(alice):
    completed = RoomFactory(author=alice)
    Room.objects.filter(pk=completed.pk).update(is_complete=True)
    with raises(ErrorCode.ARTICLE_COMPLETED):
        services.room_delete(room=completed, user=alice)

    deleted = RoomFactory(author=alice)
    services.room_delete(room=deleted, user=alice)
    with raises(ErrorCode.NOT_FOUND):
        services.room_delete(room=deleted, user=alice)


def test_it_lets_only_operators_restore(alice, operator):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)

    with raises(ErrorCode.FORBIDDEN):
        services.room_restore(room=room, user=alice)
    assert services.room_restore(room=room, user=operator).deleted_at is None


# --- comments -----------------------------------------------------------------------------------


def test_it_comments_and_replies(alice, bob, charlie):
    room = RoomFactory(author=alice)

    top = services.comment_create(room=room, author=bob, content="hi")
    reply = services.comment_create(room=room, author=charlie, content="hello", parent=top)
    deeper = services.comment_create(room=room, author=alice, content="yo", parent=reply)

    assert (top.level, reply.level, deeper.level) == (1, 2, 3)
    assert reply.parent == top


def test_it_refuses_a_parent_from_another_room(alice, bob):
    other = CommentFactory(author=bob)
    room = RoomFactory(author=alice)
    with raises(ErrorCode.NOT_FOUND):
        services.comment_create(room=room, author=bob, content="x", parent=other)


def test_it_refuses_comments_on_a_deleted_room(alice, bob):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)
    with raises(ErrorCode.NOT_FOUND):
        services.comment_create(room=room, author=bob, content="x")


@pytest.mark.parametrize("content", ["", "   ", "x" * 1001])
def test_it_refuses_blank_or_huge_comments(alice, content):
    room = RoomFactory(author=alice)
    with raises(ErrorCode.INVALID_INPUT):
        services.comment_create(room=room, author=alice, content=content)
    assert not Comment.objects.exists()


def test_it_lets_only_the_comment_author_or_an_operator_edit_and_delete(alice, bob, operator):
    comment = CommentFactory(author=bob)

    with raises(ErrorCode.NOT_OPINION_AUTHOR):
        services.comment_update(comment=comment, user=alice, content="mine now")
    with raises(ErrorCode.NOT_OPINION_AUTHOR):
        services.comment_delete(comment=comment, user=alice)

    assert services.comment_update(comment=comment, user=bob, content="v2").content == "v2"
    assert services.comment_update(comment=comment, user=operator, content="v3").content == "v3"
    assert services.comment_delete(comment=comment, user=operator).deleted_at is not None


def test_it_deletes_a_comment_softly_and_idempotently(bob):
    comment = CommentFactory(author=bob)
    first = services.comment_delete(comment=comment, user=bob).deleted_at
    second = services.comment_delete(comment=comment, user=bob).deleted_at
    assert first is not None
    assert first == second
    with raises(ErrorCode.NOT_FOUND):
        services.comment_update(comment=comment, user=bob, content="back")
