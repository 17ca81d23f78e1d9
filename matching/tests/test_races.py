"""Races on real MariaDB with real threads: cancel vs. run, run vs. run.

Each thread has its own database connection, so these tests commit (transaction=True).
Synchronisation is by events and by watching InnoDB's lock waits, never by sleeping.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections

from accounts.tests.factories import UserFactory
from matching.models import Match, RandomMatchRequest
from matching.services import random as random_services
from matching.services.random import (
    RandomMatchNoneError,
    matchmaking_run,
    random_match_request_cancel,
    random_match_request_create,
)
from partner42.choices import ContentCategory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB"),
]

Status = RandomMatchRequest.Status
MEAL = ContentCategory.MEAL
WAIT_SECONDS = 30  # an upper bound for a thread to reach its next step, not a timing assertion


@pytest.fixture(autouse=True)
def _no_side_runs(monkeypatch):
    """Requests commit here, which would run the (eager) matchmaker: the tests run it."""
    from alarms import tasks

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


class Worker(threading.Thread):
    """Runs `target` in a thread with its own connection; keeps its result or exception."""

    def __init__(self, target: Callable) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.target()
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()

    def finish(self):
        self.join(WAIT_SECONDS)
        assert not self.is_alive(), "thread did not finish"
        return self


def _cancel_update_in_server() -> bool:
    """True once the cancel's UPDATE is executing in MariaDB (it then has to wait for the run's
    row lock: the run holds it until told to go on)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
            "WHERE DB = %s AND COMMAND = 'Query' AND INFO LIKE %s",
            [
                connection.settings_dict["NAME"],
                "UPDATE `matching_randommatchrequest` SET%CANCELLED%",
            ],
        )
        return cursor.fetchone()[0] > 0


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


def test_it_never_matches_a_request_cancelled_after_the_run_read_it(monkeypatch):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_create(user=bob, category=MEAL)
    planned, go_on = threading.Event(), threading.Event()
    real_apply = random_services._apply_batch

    def apply_later(**kwargs):
        planned.set()
        go_on.wait(WAIT_SECONDS)
        return real_apply(**kwargs)

    monkeypatch.setattr(random_services, "_apply_batch", apply_later)
    run = Worker(matchmaking_run)
    run.start()
    assert planned.wait(WAIT_SECONDS)
    assert random_match_request_cancel(user=alice, category=MEAL) == 1  # commits at once
    go_on.set()
    result = run.finish().result

    assert run.error is None
    assert result.matches == []
    assert result.conflicts >= 1
    assert not Match.objects.exists()
    assert RandomMatchRequest.objects.get(user=alice).status == Status.CANCELLED
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING


def test_it_refuses_a_cancel_once_the_run_has_claimed_the_request(monkeypatch):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_create(user=bob, category=MEAL)
    claimed, go_on = threading.Event(), threading.Event()
    real_fill = random_services._random_match_fill

    def fill_later(**kwargs):
        # Inside the group's transaction, right after the claim: the rows are locked.
        claimed.set()
        go_on.wait(WAIT_SECONDS)
        return real_fill(**kwargs)

    monkeypatch.setattr(random_services, "_random_match_fill", fill_later)
    run = Worker(matchmaking_run)
    run.start()
    assert claimed.wait(WAIT_SECONDS)
    cancel = Worker(lambda: random_match_request_cancel(user=alice, category=MEAL))
    cancel.start()
    _wait_until(lambda: _cancel_update_in_server() or not cancel.is_alive())
    go_on.set()
    run.finish()
    cancel.finish()

    assert run.error is None
    assert isinstance(cancel.error, RandomMatchNoneError)
    match = Match.objects.get()
    assert {m.user for m in match.members.all()} == {alice, bob}
    assert RandomMatchRequest.objects.get(user=alice).status == Status.MATCHED


def test_it_makes_a_cancel_wait_from_the_batchs_locking_read_on(monkeypatch):
    """Between the batch's SELECT ... FOR UPDATE and its claim, a cancel of a read request waits
    on the row lock, then finds it MATCHED (RM002): nothing can change a group once read."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_create(user=bob, category=MEAL)
    read, go_on = threading.Event(), threading.Event()
    real_bulk_create = Match.objects.bulk_create

    def insert_later(objs, *args, **kwargs):
        # Right after the locking read, before the matches are inserted and the rows claimed.
        read.set()
        go_on.wait(WAIT_SECONDS)
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Match.objects, "bulk_create", insert_later)
    run = Worker(matchmaking_run)
    run.start()
    assert read.wait(WAIT_SECONDS)
    cancel = Worker(lambda: random_match_request_cancel(user=alice, category=MEAL))
    cancel.start()
    _wait_until(lambda: _cancel_update_in_server() or not cancel.is_alive())
    assert cancel.is_alive(), "the cancel did not wait for the batch's row lock"
    go_on.set()
    run.finish()
    cancel.finish()

    assert run.error is None
    assert run.result.conflicts == 0
    assert isinstance(cancel.error, RandomMatchNoneError)
    match = Match.objects.get()
    assert {m.user for m in match.members.all()} == {alice, bob}
    assert RandomMatchRequest.objects.get(user=alice).status == Status.MATCHED


def test_it_keeps_cancel_and_run_consistent_under_free_racing():
    for round_number in range(15):
        alice = UserFactory(username=f"race-a{round_number}")
        bob = UserFactory(username=f"race-b{round_number}")
        random_match_request_create(user=alice, category=MEAL)
        random_match_request_create(user=bob, category=MEAL)
        start = threading.Barrier(2)

        def run_now(start=start):
            start.wait(WAIT_SECONDS)
            return matchmaking_run()

        def cancel_now(start=start, user=alice):
            start.wait(WAIT_SECONDS)
            return random_match_request_cancel(user=user, category=MEAL)

        run, cancel = Worker(run_now), Worker(cancel_now)
        run.start()
        cancel.start()
        run.finish()
        cancel.finish()
        assert run.error is None

        alice_request = RandomMatchRequest.objects.get(user=alice)
        bob_request = RandomMatchRequest.objects.get(user=bob)
        in_a_match = Match.objects.filter(members__user=alice).exists()
        if cancel.error is None:
            assert alice_request.status == Status.CANCELLED
            assert not in_a_match
            assert bob_request.status == Status.WAITING
            random_match_request_cancel(user=bob, category=MEAL)  # clean for the next round
        else:
            assert isinstance(cancel.error, RandomMatchNoneError)
            assert alice_request.status == Status.MATCHED
            assert in_a_match
            assert bob_request.status == Status.MATCHED
            assert alice_request.match_id == bob_request.match_id


def test_it_lets_only_one_of_two_simultaneous_runs_work(monkeypatch):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_create(user=bob, category=MEAL)
    inside, go_on = threading.Event(), threading.Event()
    real_pass = random_services._matchmaking_pass

    def slow_pass(**kwargs):
        inside.set()
        go_on.wait(WAIT_SECONDS)
        return real_pass(**kwargs)

    monkeypatch.setattr(random_services, "_matchmaking_pass", slow_pass)
    first = Worker(matchmaking_run)
    first.start()
    assert inside.wait(WAIT_SECONDS)
    second = Worker(matchmaking_run)
    second.start()
    second.finish()
    go_on.set()
    first.finish()

    assert first.error is None
    assert second.error is None
    assert second.result.skipped is True
    assert first.result.skipped is False
    assert len(first.result.matches) == 1
    assert Match.objects.count() == 1


def test_it_never_overlaps_runs_started_together(monkeypatch):
    users = [UserFactory() for _ in range(8)]
    for user in users:
        random_match_request_create(user=user, category=MEAL)
    running, peak = [0], [0]
    guard = threading.Lock()
    real_pass = random_services._matchmaking_pass

    def counting_pass(**kwargs):
        with guard:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_pass(**kwargs)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(random_services, "_matchmaking_pass", counting_pass)
    start = threading.Barrier(4)

    def run_now():
        start.wait(WAIT_SECONDS)
        return matchmaking_run()

    runs = [Worker(run_now) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.finish()

    assert all(run.error is None for run in runs)
    assert peak[0] == 1
    assert Match.objects.count() == 4
    assert sum(len(run.result.matches) for run in runs) == 4
    matched_users = [m.user_id for match in Match.objects.all() for m in match.members.all()]
    assert sorted(matched_users) == sorted(u.pk for u in users)
