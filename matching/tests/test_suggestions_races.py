"""The pin against a concurrent cancel, on real MariaDB with real threads (each its own
connection, so the test commits). Synchronised by events and by watching the pin's UPDATE wait
in the server, never by sleeping for the outcome."""

import threading
import time

import pytest
from django.db import connection, transaction

from matching.models import Match
from matching.services.matches import match_create
from matching.services.suggestions import match_restaurant_pin
from matching.tests.test_races import WAIT_SECONDS, Worker
from partner42.choices import (
    ConditionKind,
    ContentCategory,
    MatchStatus,
    MethodCategory,
    Place,
)
from partner42.errors import ApplicationError
from restaurants.tests.factories import restaurant_near

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB"),
]


@pytest.fixture(autouse=True)
def _no_slack(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


PIN_COLUMN = "`pinned_restaurant_id`"


def _pin_update_waiting() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
            "WHERE DB = %s AND COMMAND = 'Query' AND INFO LIKE %s",
            [
                connection.settings_dict["NAME"],
                "UPDATE `matching_match` SET `pinned_restaurant_id`%",
            ],
        )
        return cursor.fetchone()[0] > 0


def test_a_pin_racing_a_cancel_is_refused_once_the_cancel_commits(alice, bob):
    restaurant = restaurant_near(Place.GAEPO, 100)
    match = match_create(
        category=ContentCategory.MEAL,
        method=MethodCategory.RANDOM,
        users=[alice, bob],
        conditions={ConditionKind.PLACE: [Place.GAEPO]},
    )
    locked, go = threading.Event(), threading.Event()

    def cancel():
        with transaction.atomic():
            Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)
            locked.set()
            assert go.wait(WAIT_SECONDS)

    def pin():
        # Reads the match as MATCHED (the cancel has not committed), then its UPDATE waits for
        # the cancel's row lock and finds the match canceled.
        stale = Match.objects.prefetch_related("conditions").get(pk=match.pk)
        assert stale.status == MatchStatus.MATCHED
        return match_restaurant_pin(match=stale, user=alice, restaurant_id=restaurant.api_id)

    canceller = Worker(cancel)
    canceller.start()
    assert locked.wait(WAIT_SECONDS)
    pinner = Worker(pin)
    pinner.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not _pin_update_waiting():
        assert time.monotonic() < deadline, "the pin's UPDATE never reached the server"
        assert pinner.is_alive(), f"the pin finished without waiting: {pinner.error!r}"
        time.sleep(0.01)
    go.set()
    canceller.finish()
    pinner.finish()

    assert canceller.error is None
    assert isinstance(pinner.error, ApplicationError)
    assert pinner.error.code == "MCH006"
    final = Match.objects.get(pk=match.pk)
    assert (final.status, final.pinned_restaurant_id, final.pinned_by_id) == (
        MatchStatus.CANCELED,
        None,
        None,
    )


def test_two_concurrent_pins_leave_one_whole_pin(alice, bob):
    first, second = restaurant_near(Place.GAEPO, 100), restaurant_near(Place.GAEPO, 200)
    match = match_create(
        category=ContentCategory.MEAL,
        method=MethodCategory.RANDOM,
        users=[alice, bob],
        conditions={ConditionKind.PLACE: [Place.GAEPO]},
    )
    start = threading.Barrier(2)

    def pin(user, restaurant):
        def run():
            stale = Match.objects.prefetch_related("conditions").get(pk=match.pk)
            start.wait(WAIT_SECONDS)
            return match_restaurant_pin(match=stale, user=user, restaurant_id=restaurant.api_id)

        return run

    workers = [Worker(pin(alice, first)), Worker(pin(bob, second))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.finish()
        assert worker.error is None

    final = Match.objects.get(pk=match.pk)
    # One UPDATE writes the restaurant and who pinned it together: never one's restaurant with
    # the other's name.
    assert (final.pinned_restaurant_id, final.pinned_by_id) in (
        (first.pk, alice.pk),
        (second.pk, bob.pk),
    )
