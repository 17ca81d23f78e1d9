"""Fault: the Celery broker is unreachable when a student asks for a random match.

The request is committed before anything is published (`transaction.on_commit`), so the student
gets their answer, the failed publish is logged, and the next beat tick matches the request once
the broker is back. A broker that refuses and one that accepts and never answers are both tried:
neither may hold the request for long.
"""

import logging
import socket
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from kombu import pools
from kombu.utils.collections import eqhash
from rest_framework.test import APIClient

from matching.models import Match, RandomMatchRequest
from partner42.celery import app as celery_app
from tests.helpers import free_port

pytestmark = pytest.mark.django_db(transaction=True)

# A bound on how long the request may take with the broker gone, not a timing measurement.
ANSWER_WITHIN_SECONDS = 8


def _use_broker(**conf) -> None:
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Publish for real (not eager) to `url`; the pools of that URL are closed afterwards."""
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    _use_broker(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        with celery_app.connection_for_write() as connection:
            key = eqhash(connection)
        for group in (pools.producers, pools.connections):
            pool = dict.pop(group, key, None)
            if pool is not None:
                pool.force_close_all()
        _use_broker(**saved)


@pytest.fixture(autouse=True)
def _no_pending_run():
    from django.core.cache import cache

    from matching.services.random import PENDING_KEY

    cache.delete(PENDING_KEY)
    yield
    cache.delete(PENDING_KEY)


def ask(user) -> tuple[int, float]:
    client = APIClient()
    client.force_authenticate(user)
    started = time.monotonic()
    response = client.post(
        "/api/random-matches", {"contentCategory": "MEAL", "placeList": ["GAEPO"]}, format="json"
    )
    return response.status_code, time.monotonic() - started


def beat_tick() -> None:
    """What the next beat tick does once the broker is back: run the scheduled matchmaking."""
    entry = settings.CELERY_BEAT_SCHEDULE["matchmaking-tick"]
    celery_app.tasks[entry["task"]].apply().get()


@pytest.mark.parametrize("broker", ["refusing", "silent"])
def test_it_stores_the_request_and_the_next_beat_run_matches_it(broker, alice, bob, caplog):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1] if broker == "silent" else free_port()
        with (
            broker_at(f"redis://127.0.0.1:{port}/0"),
            caplog.at_level(logging.WARNING),
        ):
            answers = [ask(alice), ask(bob)]

    for status, seconds in answers:
        assert status in (200, 201)
        assert seconds < ANSWER_WITHIN_SECONDS, answers
    assert set(RandomMatchRequest.objects.values_list("status", flat=True)) == {"WAITING"}
    assert not Match.objects.exists()
    assert "could not enqueue" in caplog.text.lower()

    beat_tick()

    match = Match.objects.get()
    assert {m.user for m in match.members.all()} == {alice, bob}
    assert set(RandomMatchRequest.objects.values_list("status", flat=True)) == {"MATCHED"}
