"""End to end: two requests through the API, matched by a real Celery worker on Redis."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools
from kombu.utils.collections import eqhash

from alarms.models import Alarm, AlarmType
from matching.models import Match, RandomMatchRequest
from partner42.celery import app as celery_app
from tests.helpers import database_url, running

POLL_LIMIT_SECONDS = 90  # a bound for the worker to start and work, not a timing assertion


def _use_broker_options(**conf) -> None:
    """Change the broker options and make the next publish use a pool for them.

    The app's pools come from kombu's process-wide registry (kombu.pools), keyed by the
    connection's options, and every other test of this process publishes through them (even an
    eager task borrows a producer). So only forget the app's references: closing a pool would
    leave it closed in the registry, and later tests would get "Acquire on closed pool".
    """
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _close_pools_of_current_options() -> None:
    """Close the pools of the current broker options and take them out of kombu's registry."""
    with celery_app.connection_for_write() as connection:
        key = eqhash(connection)
    for group in (pools.producers, pools.connections):
        pool = dict.pop(group, key, None)
        if pool is not None:
            pool.force_close_all()


@pytest.fixture
def broker_prefix():
    """Publish for real (not eager), under a prefix of our own in the broker."""
    prefix = f"p42-e2e-{uuid.uuid4().hex[:12]}:"
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }
    _use_broker_options(
        task_always_eager=False, broker_transport_options={"global_keyprefix": prefix}
    )
    yield prefix
    _close_pools_of_current_options()
    _use_broker_options(**saved)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def worker(broker_prefix):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "P42_TEST_BROKER_PREFIX": broker_prefix,
        "SLACK_BOT_TOKEN": "",
    }
    log = tempfile.NamedTemporaryFile(prefix="p42-worker-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "matching.tests.celery_worker",
        "worker",
        "-Q",
        "matchmaking,default",
        "-c",
        "1",
        "-P",
        "solo",
        "-n",
        f"e2e-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    try:
        with running(
            command, env=env, stop_timeout=20, stdout=log, stderr=subprocess.STDOUT
        ) as process:
            process.log_path = log.name
            yield process
    finally:
        log.close()
        os.unlink(log.name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_matches_two_requests_through_a_real_worker(worker, api_client, alice, bob):
    for user in (alice, bob):
        api_client.force_authenticate(user=user)
        response = api_client.post(
            "/api/random-matches",
            {"contentCategory": "MEAL", "placeList": ["GAEPO"]},
            format="json",
        )
        assert response.status_code == 201

    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while not Match.objects.exists():
        assert worker.poll() is None, "the worker exited"
        assert time.monotonic() < deadline, "no match was made by the worker"
        time.sleep(0.2)

    match = Match.objects.get()
    assert {m.user for m in match.members.all()} == {alice, bob}
    assert set(RandomMatchRequest.objects.values_list("status", flat=True)) == {"MATCHED"}
    alarms = Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match.api_id)
    assert {a.user for a in alarms} == {alice, bob}
    # The worker made it, not an in-process (eager) run. The match commits inside the task; the
    # worker logs the task's result only after it returns, so wait for that line too.
    log = Path(worker.log_path)
    while "'matched': 1" not in log.read_text():
        assert worker.poll() is None, "the worker exited"
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
