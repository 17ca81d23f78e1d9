"""Fault: the matchmaking worker is SIGKILLed in the middle of a run.

A real Celery worker (a subprocess, on the test's own broker prefix) runs the matchmaking task
over three compatible pairs in batches of two pairs (one transaction per batch); a hook holds the
second batch's transaction open after its activity rows are written (tests/faults_worker.py) and
the test SIGKILLs the worker there. MariaDB rolls the open transaction back: the first batch's two
matches are whole, the third never happened, its requests still wait. The next run (once the dead
worker's lock has expired) makes the missing match.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import pools
from kombu.utils.collections import eqhash

from accounts.tests.factories import UserFactory
from matching.locks import LOCK_KEY
from matching.models import Match, RandomMatchRequest
from matching.services.random import matchmaking_run
from matching.tasks import matchmaking_run_task
from matching.tests.factories import RandomMatchRequestFactory
from partner42.celery import app as celery_app
from tests.fault_checks import assert_no_half_match
from tests.helpers import database_url, running

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POLL_LIMIT_SECONDS = 90  # a bound for the worker to start and get there, not a measurement
Status = RandomMatchRequest.Status


def _use_broker_options(**conf) -> None:
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_prefix():
    prefix = f"p42-faults-{uuid.uuid4().hex[:12]}:"
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }
    _use_broker_options(
        task_always_eager=False,
        broker_transport_options={
            **(saved["broker_transport_options"] or {}),
            "global_keyprefix": prefix,
        },
    )
    yield prefix
    with celery_app.connection_for_write() as conn:
        key = eqhash(conn)
    for group in (pools.producers, pools.connections):
        pool = dict.pop(group, key, None)
        if pool is not None:
            pool.force_close_all()
    _use_broker_options(**saved)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def slow_worker(broker_prefix, tmp_path):
    marker = tmp_path / "inside"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "P42_TEST_BROKER_PREFIX": broker_prefix,
        "P42_FAULT_SLOW_TABLE": "matching_activity",
        "P42_FAULT_SLOW_AT": "2",  # the second batch's activity rows (one INSERT per batch)
        "P42_FAULT_GROUPS_PER_TRANSACTION": "2",
        "P42_FAULT_MARKER": str(marker),
        "SLACK_BOT_TOKEN": "",
    }
    log = tempfile.NamedTemporaryFile(prefix="p42-faults-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tests.faults_worker",
        "worker",
        "-Q",
        "matchmaking,default",
        "-c",
        "1",
        "-P",
        "solo",
        "-n",
        f"faults-{uuid.uuid4().hex[:8]}@%h",
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
            process.marker = marker
            process.log_path = log.name
            yield process
    finally:
        log.close()
        os.unlink(log.name)


def test_it_leaves_no_half_match_and_the_next_run_completes_it(slow_worker):
    users = UserFactory.create_batch(6)
    for user in users:
        RandomMatchRequestFactory(user=user)

    matchmaking_run_task.delay()
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while not slow_worker.marker.exists():
        assert slow_worker.poll() is None, Path(slow_worker.log_path).read_text()
        assert time.monotonic() < deadline, Path(slow_worker.log_path).read_text()
        time.sleep(0.1)

    os.kill(slow_worker.pid, signal.SIGKILL)  # mid-transaction: match, members, activity written
    slow_worker.wait(timeout=10)
    assert slow_worker.returncode == -signal.SIGKILL

    # The first batch (two pairs) was committed whole; the second (the third pair) was rolled
    # back with the dead connection.
    assert Match.objects.count() == 2
    assert RandomMatchRequest.objects.filter(status=Status.WAITING).count() == 2
    assert_no_half_match()

    # The dead worker's lock frees itself after its timeout (LOCK_TIMEOUT_SECONDS); skip the wait.
    lock_key = cache.make_key(LOCK_KEY)
    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert 0 < raw.ttl(lock_key) <= 60
    raw.pexpire(lock_key, 1)
    time.sleep(0.05)

    result = matchmaking_run()  # the next run (beat's tick; in-process here)

    assert len(result.matches) == 1
    assert Match.objects.count() == 3
    assert set(RandomMatchRequest.objects.values_list("status", flat=True)) == {Status.MATCHED}
    assert_no_half_match()
