"""Real races on the real database: threads, each with its own connection, released together.

No timing is asserted; only the outcome: every request answered 200 or a 409 with its reason, the
count matches the rows, the capacity holds, and the version moved once per successful change.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from rooms.models import Participation, Room
from rooms.services import room_today
from rooms.tests.factories import RoomFactory
from tests import helpers

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """tests.helpers.run_together, a crash shown as ("crash", repr) in the results."""
    return [
        ("crash", repr(result)) if isinstance(result, Exception) else result
        for result in helpers.run_together(calls)
    ]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def outcome(response):
    code = response.json().get("code") if response.status_code != 200 else None
    return (response.status_code, code)


def join(room, user):
    client = client_for(user)
    return lambda: ("join", *outcome(client.post(f"/api/articles/{room.api_id}/participate")))


def leave(room, user):
    client = client_for(user)
    return lambda: (
        "leave",
        *outcome(client.post(f"/api/articles/{room.api_id}/participate-cancel")),
    )


def edit_capacity(room, author, capacity):
    client = client_for(author)
    body = {
        "title": room.title,
        "date": (room_today() + timedelta(days=1)).isoformat(),
        "matchConditionDto": {"placeList": ["GAEPO"]},
        "content": room.content,
        "anonymity": False,
        "participantNumMax": capacity,
        "contentCategory": "MEAL",
    }
    return lambda: (
        f"edit{capacity}",
        *outcome(client.put(f"/api/articles/{room.api_id}", body, format="json")),
    )


def assert_consistent(room: Room) -> Room:
    room = Room.objects.get(pk=room.pk)
    assert room.participant_num == Participation.objects.filter(room=room).count()
    assert room.participant_num <= room.participant_num_max
    return room


def test_it_never_overbooks_under_fifty_concurrent_joiners(alice):
    room = RoomFactory(author=alice, participant_num_max=10)
    joiners = UserFactory.create_batch(50)

    results = run_together([join(room, user) for user in joiners])

    assert not [r for r in results if r[0] == "crash"], results
    tally = Counter((status, code) for _op, status, code in results)
    assert tally == {(200, None): 9, (409, "AR008"): 41}, tally
    room = assert_consistent(room)
    assert room.participant_num == 10
    assert room.version == 9  # once per successful join


def test_it_keeps_count_and_capacity_when_joins_race_leaves_and_edits(alice):
    room = RoomFactory(author=alice, participant_num_max=10)
    members = UserFactory.create_batch(4)
    for member in members:
        client_for(member).post(f"/api/articles/{room.api_id}/participate")
    start = assert_consistent(room)
    assert start.participant_num == 5
    newcomers = UserFactory.create_batch(20)

    calls = [join(room, user) for user in newcomers]
    calls += [leave(room, member) for member in members]
    calls += [edit_capacity(room, alice, capacity) for capacity in (3, 5, 7, 9, 12, 15)]
    results = run_together(calls)

    assert not [r for r in results if r[0] == "crash"], results
    allowed = {"join": {"AR008"}, "leave": set(), "edit": {"AR003"}}
    for op, status, code in results:
        assert status == 200 or (status == 409 and code in allowed[op[:5].rstrip("0123456789")]), (
            op,
            status,
            code,
        )
    successes = sum(1 for _op, status, _code in results if status == 200)
    room = assert_consistent(room)
    assert room.version == start.version + successes
    joined = {
        u.pk for u, r in zip(newcomers, results[: len(newcomers)], strict=True) if r[1] == 200
    }
    # Leaves never fail (no capacity check applies), so the members left for good.
    assert all(r[1] == 200 for r in results[len(newcomers) : len(newcomers) + len(members)])
    assert set(Participation.objects.filter(room=room).values_list("user", flat=True)) == {
        alice.pk,
        *joined,
    }


def test_it_lets_exactly_one_of_two_concurrent_joins_of_the_same_user_win(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=10)

    results = run_together([join(room, bob) for _ in range(8)])

    tally = Counter((status, code) for _op, status, code in results)
    assert tally == {(200, None): 1, (409, "AR005"): 7}, results
    room = assert_consistent(room)
    assert room.participant_num == 2
    assert room.version == 1


def test_it_locks_only_the_room_row_in_the_compare_and_set(alice, bob):
    # A range scan of a secondary index (say one starting with is_complete) would lock every open
    # room and make concurrent joins deadlock; the UPDATE must go through the primary key.
    from django.test.utils import CaptureQueriesContext

    room = RoomFactory(author=alice)
    with CaptureQueriesContext(connection) as queries:
        client_for(bob).post(f"/api/articles/{room.api_id}/participate")
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE `rooms_room`")]
    assert updates
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + updates[0])
        columns = [column[0] for column in cursor.description]
        plan = dict(zip(columns, cursor.fetchone(), strict=True))
    assert plan["key"] == "PRIMARY", plan


def test_it_gives_a_seat_freed_at_a_full_room_to_at_most_one_joiner(alice):
    # Joiners refused on their first read (the room is full) race a leave that frees one seat:
    # the refusals take no lock, so the seat goes to one joiner that reads after the leave, or
    # stays free when all of them read before it.
    room = RoomFactory(author=alice, participant_num_max=5)
    members = UserFactory.create_batch(4)
    for member in members:
        client_for(member).post(f"/api/articles/{room.api_id}/participate")
    start = assert_consistent(room)
    assert start.participant_num == 5
    newcomers = UserFactory.create_batch(30)

    results = run_together([leave(room, members[0])] + [join(room, user) for user in newcomers])

    assert not [r for r in results if r[0] == "crash"], results
    assert results[0] == ("leave", 200, None), results[0]
    tally = Counter((status, code) for _op, status, code in results[1:])
    assert set(tally) <= {(200, None), (409, "AR008")}, tally
    assert tally[(200, None)] <= 1, tally
    room = assert_consistent(room)
    assert room.participant_num == 4 + tally[(200, None)]
    assert room.version == start.version + 1 + tally[(200, None)]


def test_it_puts_every_joiner_that_won_a_seat_in_the_match_of_a_racing_complete(
    alice, bob, monkeypatch
):
    from alarms import tasks
    from matching.models import Match

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    room = RoomFactory(author=alice, participant_num_max=20)
    client_for(bob).post(f"/api/articles/{room.api_id}/participate")
    newcomers = UserFactory.create_batch(15)
    author = client_for(alice)

    def complete():
        return ("complete", *outcome(author.post(f"/api/articles/{room.api_id}/complete")))

    results = run_together([complete] + [join(room, user) for user in newcomers])

    assert not [r for r in results if r[0] == "crash"], results
    assert results[0] == ("complete", 200, None), results[0]
    for _op, status, code in results[1:]:
        assert (status, code) in {(200, None), (409, "AR007")}, results
    room = assert_consistent(room)
    members = set(Match.objects.get(room=room).members.values_list("user_id", flat=True))
    assert members == set(Participation.objects.filter(room=room).values_list("user", flat=True))
    joined = {u.pk for u, r in zip(newcomers, results[1:], strict=True) if r[1] == 200}
    assert joined <= members
    assert room.participant_num == 2 + len(joined)
