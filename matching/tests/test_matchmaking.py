"""Matchmaking runs against the database (matching.services.random.matchmaking_run)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from matching.locks import MatchmakingLock
from matching.models import Match, MatchMember, RandomMatchRequest
from matching.services import random as random_services
from matching.services.blocks import block_create
from matching.services.matches import match_create
from matching.services.random import (
    matchmaking_run,
    random_match_request_cancel,
    random_match_request_create,
)
from matching.tests.factories import RandomMatchRequestFactory
from partner42.choices import ContentCategory, MethodCategory

pytestmark = pytest.mark.django_db

Status = RandomMatchRequest.Status
MEAL, STUDY = ContentCategory.MEAL, ContentCategory.STUDY


@pytest.fixture(autouse=True)
def _no_slack(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


def ask(user, category=MEAL, places=(), options=(), *, at=None):
    return random_match_request_create(
        user=user, category=category, places=places, options=options, now=at
    )


def members(match: Match) -> set:
    return {m.user for m in match.members.all()}


def test_it_pairs_two_compatible_requests(alice, bob):
    first = ask(alice, places=["GAEPO", "SEOCHO"], options=["EATOUT"])
    second = ask(bob, places=["GAEPO"], options=[])
    result = matchmaking_run()
    assert len(result.matches) == 1
    match = Match.objects.get()
    assert (match.method, match.category, match.participant_num) == (
        MethodCategory.RANDOM,
        MEAL,
        2,
    )
    assert members(match) == {alice, bob}
    assert not match.members.filter(is_author=True).exists()
    # What both can do: GAEPO, and the only way alice accepts.
    assert {(c.kind, c.value) for c in match.conditions.all()} == {
        ("PLACE", "GAEPO"),
        ("WAY_OF_EATING", "EATOUT"),
    }
    for request in (first, second):
        request.refresh_from_db()
        assert (request.status, request.match, request.waiting_key) == (Status.MATCHED, match, None)
    assert Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED).count() == 2


def test_it_leaves_incompatible_requests_waiting(alice, bob, charlie):
    ask(alice, places=["GAEPO"], options=["EATOUT"])
    ask(bob, places=["SEOCHO"], options=["EATOUT"])
    ask(charlie, category=STUDY)
    assert matchmaking_run().matches == []
    assert RandomMatchRequest.objects.filter(status=Status.WAITING).count() == 3


def test_it_pairs_within_a_category_only(alice, bob):
    ask(alice, category=MEAL)
    ask(bob, category=STUDY)
    assert matchmaking_run().matches == []


def test_it_pairs_the_oldest_compatible_requests_first(alice, bob, charlie):
    start = timezone.now()
    dave = UserFactory(username="dave")
    ask(charlie, at=start)
    ask(alice, at=start + timedelta(seconds=1))
    ask(dave, at=start + timedelta(seconds=2))
    matchmaking_run(now=start + timedelta(seconds=3))
    assert members(Match.objects.get()) == {charlie, alice}
    assert RandomMatchRequest.objects.get(status=Status.WAITING).user == dave


def test_it_leaves_the_users_other_category_waiting(alice, bob):
    ask(alice, category=MEAL)
    ask(alice, category=STUDY)
    ask(bob, category=MEAL)
    matchmaking_run()
    assert RandomMatchRequest.objects.get(user=alice, category=STUDY).status == Status.WAITING
    assert RandomMatchRequest.objects.get(user=alice, category=MEAL).status == Status.MATCHED


@pytest.mark.parametrize("size", [2, 3])
def test_it_makes_groups_of_match_size(settings, size):
    settings.MATCH_SIZE = size
    users = [UserFactory() for _ in range(7)]
    for user in users:
        ask(user)
    result = matchmaking_run()
    assert len(result.matches) == 7 // size
    assert all(m.participant_num == size for m in Match.objects.all())
    assert RandomMatchRequest.objects.filter(status=Status.WAITING).count() == 7 % size


def test_it_prefers_people_never_met_before(alice, bob, charlie):
    match_create(category=STUDY, method=MethodCategory.RANDOM, users=[alice, bob], conditions={})
    start = timezone.now()
    ask(alice, at=start)
    ask(bob, at=start + timedelta(seconds=1))
    ask(charlie, at=start + timedelta(seconds=2))
    matchmaking_run(now=start + timedelta(seconds=3))
    new = Match.objects.get(category=MEAL)
    assert members(new) == {alice, charlie}


def test_it_pairs_past_partners_when_nobody_else_fits(alice, bob):
    match_create(category=MEAL, method=MethodCategory.MANUAL, users=[alice, bob], conditions={})
    ask(alice)
    ask(bob)
    matchmaking_run()
    assert Match.objects.filter(method=MethodCategory.RANDOM).count() == 1


@pytest.mark.parametrize("direction", ["alice-blocks-bob", "bob-blocks-alice"])
def test_it_never_pairs_blocked_users(alice, bob, charlie, direction):
    if direction == "alice-blocks-bob":
        block_create(blocker=alice, blocked=bob)
    else:
        block_create(blocker=bob, blocked=alice)
    start = timezone.now()
    ask(alice, at=start)
    ask(bob, at=start + timedelta(seconds=1))
    assert matchmaking_run(now=start + timedelta(seconds=2)).matches == []
    ask(charlie, at=start + timedelta(seconds=2))
    matchmaking_run(now=start + timedelta(seconds=3))
    assert members(Match.objects.get()) == {alice, charlie}


def test_it_never_matches_a_cancelled_request(alice, bob, charlie):
    ask(alice)
    ask(bob)
    random_match_request_cancel(user=alice, category=MEAL)
    ask(charlie)
    matchmaking_run()
    assert members(Match.objects.get()) == {bob, charlie}


def test_it_never_matches_an_expired_request_and_alarms_its_owner(alice, bob):
    start = timezone.now()
    ask(alice, at=start)
    ask(bob, at=start + timedelta(minutes=20))
    result = matchmaking_run(now=start + timedelta(minutes=30))
    assert result.matches == []
    assert result.expired == 1
    assert RandomMatchRequest.objects.get(user=alice).status == Status.EXPIRED
    assert Alarm.objects.get(alarm_type=AlarmType.RANDOM_MATCH_EXPIRED).user == alice


@pytest.fixture
def one_by_one(monkeypatch):
    """The path a batch falls back to (and a database without RETURNING takes): each group in a
    savepoint of its own (`_apply_group`)."""
    monkeypatch.setattr(random_services, "_batch_supported", lambda: False)


def test_it_skips_a_group_whose_request_changed_since_it_was_read(alice, bob, charlie, monkeypatch):
    """A stale version (a cancel and a new request in between) loses; the pass is replanned."""
    ask(alice)
    ask(bob)
    ask(charlie)
    real_apply = random_services._apply_batch
    calls = []

    def apply_after_a_cancel(*, groups, **kwargs):
        if not calls:
            # Between planning and claiming, the oldest user cancels.
            random_match_request_cancel(user=alice, category=MEAL)
        calls.append([[c.user_id for c in group] for group in groups])
        return real_apply(groups=groups, **kwargs)

    monkeypatch.setattr(random_services, "_apply_batch", apply_after_a_cancel)
    result = matchmaking_run()
    assert result.conflicts == 1
    assert calls == [[[alice.pk, bob.pk]], [[bob.pk, charlie.pk]]]
    assert members(Match.objects.get()) == {bob, charlie}


def test_it_skips_only_the_changed_group_of_a_batch(monkeypatch):
    users = [UserFactory() for _ in range(6)]
    start = timezone.now()
    for i, user in enumerate(users):
        ask(user, at=start + timedelta(seconds=i))
    real_apply = random_services._apply_batch
    calls = []

    def apply_after_a_cancel(*, groups, **kwargs):
        if not calls:
            random_match_request_cancel(user=users[2], category=MEAL)
        calls.append([[c.user_id for c in group] for group in groups])
        return real_apply(groups=groups, **kwargs)

    monkeypatch.setattr(random_services, "_apply_batch", apply_after_a_cancel)
    result = matchmaking_run(now=start + timedelta(seconds=7))
    # The planned groups (0, 1), (2, 3), (4, 5) go as one batch; (2, 3) lost, the others made.
    assert calls[0] == [[u.pk for u in users[i : i + 2]] for i in (0, 2, 4)]
    assert result.conflicts == 1
    made = {frozenset(members(m)) for m in Match.objects.all()}
    assert made == {frozenset(users[0:2]), frozenset(users[4:6])}
    assert RandomMatchRequest.objects.get(user=users[3]).status == Status.WAITING
    assert Alarm.objects.count() == 4


def test_it_skips_a_changed_group_one_by_one_too(alice, bob, charlie, monkeypatch, one_by_one):
    ask(alice)
    ask(bob)
    ask(charlie)
    real_apply = random_services._apply_group
    calls = []

    def apply_after_a_cancel(*, group, **kwargs):
        if not calls:
            random_match_request_cancel(user=alice, category=MEAL)
        calls.append([c.user_id for c in group])
        return real_apply(group=group, **kwargs)

    monkeypatch.setattr(random_services, "_apply_group", apply_after_a_cancel)
    result = matchmaking_run()
    assert result.conflicts == 1
    assert calls == [[alice.pk, bob.pk], [bob.pk, charlie.pk]]
    assert members(Match.objects.get()) == {bob, charlie}


def test_it_skips_the_run_while_another_holds_the_lock(alice, bob):
    ask(alice)
    ask(bob)
    other = MatchmakingLock()
    assert other.acquire()
    try:
        assert matchmaking_run().skipped is True
        assert not Match.objects.exists()
    finally:
        other.release()
    assert len(matchmaking_run().matches) == 1


def test_it_releases_the_lock_after_a_run(alice):
    matchmaking_run()
    lock = MatchmakingLock()
    assert lock.acquire()
    lock.release()


@pytest.mark.parametrize("path", ["batch", "one by one"])
def test_it_leaves_no_half_made_match_when_a_run_crashes(monkeypatch, path):
    """A group failing mid-way (its members' INSERT) undoes itself alone: the batch it was in
    fails and is made again one group at a time, the group before it commits, the failing one
    leaves no trace and the error reaches the task (which retries the run)."""
    if path == "one by one":
        monkeypatch.setattr(random_services, "_batch_supported", lambda: False)
    users = [UserFactory() for _ in range(4)]
    start = timezone.now()
    for i, user in enumerate(users):
        ask(user, at=start + timedelta(seconds=i))
    real_create = MatchMember.objects.bulk_create

    def crash_on_second_match(objs, *args, **kwargs):
        objs = list(objs)
        if any(member.user_id == users[2].pk for member in objs):
            raise RuntimeError("worker killed")
        return real_create(objs, *args, **kwargs)

    monkeypatch.setattr(MatchMember.objects, "bulk_create", crash_on_second_match)
    with pytest.raises(RuntimeError):
        matchmaking_run(now=start + timedelta(seconds=5))
    # The first group is made, the second left no trace: no match, no alarm, still waiting.
    assert Match.objects.count() == 1
    assert members(Match.objects.get()) == set(users[:2])
    assert Alarm.objects.count() == 2
    waiting = RandomMatchRequest.objects.filter(status=Status.WAITING)
    assert {r.user for r in waiting} == set(users[2:])
    assert all(r.match is None and r.version == 0 for r in waiting)

    monkeypatch.undo()
    result = matchmaking_run(now=start + timedelta(seconds=6))
    assert len(result.matches) == 1
    assert Match.objects.count() == 2
    assert not RandomMatchRequest.objects.filter(status=Status.WAITING).exists()
    assert all(m.members.count() == 2 for m in Match.objects.all())


def test_it_runs_through_the_task(alice, bob):
    from matching.tasks import matchmaking_run_task

    ask(alice)
    ask(bob)
    assert matchmaking_run_task.delay().get()["matched"] == 1


def test_it_matches_many_with_few_queries(django_assert_max_num_queries):
    users = [UserFactory() for _ in range(20)]
    for user in users:
        RandomMatchRequestFactory(user=user)
    # A few reads per run and pass, then the ten matches in one batch of nine statements
    # (savepoint, locking read, matches, claim, members, conditions, activities, alarms,
    # release): test_matchmaking_perf.py counts them exactly.
    with django_assert_max_num_queries(6 + 9):
        result = matchmaking_run()
    assert len(result.matches) == 10


def test_it_retries_a_failed_run(monkeypatch):
    from matching import tasks

    calls = []

    def flaky_run():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return random_services.MatchmakingResult()

    monkeypatch.setattr(tasks, "matchmaking_run", flaky_run)
    # throw=False: in-process, Celery then runs the retry at once instead of raising Retry.
    result = tasks.matchmaking_run_task.apply(throw=False)
    assert len(calls) == 2
    assert result.get()["skipped"] is False


def test_it_stops_when_its_lock_expired_and_another_run_took_it(monkeypatch):
    from django.core.cache import cache

    from matching import locks

    for user in [UserFactory() for _ in range(6)]:
        ask(user)
    monkeypatch.setattr(locks, "REFRESH_EVERY_SECONDS", 0)  # check the lock before every group
    monkeypatch.setattr(random_services, "GROUPS_PER_TRANSACTION", 1)  # a batch per group
    real_apply = random_services._apply_batch
    other = MatchmakingLock()

    def apply_then_lose_the_lock(**kwargs):
        made = real_apply(**kwargs)
        if not other._refreshed_at:
            cache.delete(locks.LOCK_KEY)  # as if it had expired
            assert other.acquire()
        return made

    monkeypatch.setattr(random_services, "_apply_batch", apply_then_lose_the_lock)
    try:
        result = matchmaking_run()
    finally:
        other.release()
    assert result.lock_lost is True
    assert len(result.matches) == 1
    assert RandomMatchRequest.objects.filter(status=Status.WAITING).count() == 4
