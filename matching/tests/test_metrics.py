"""Each matchmaking run that holds the lock is timed for the operations dashboard."""

import pytest
from prometheus_client import REGISTRY

from matching.locks import MatchmakingLock
from matching.services.random import matchmaking_run

pytestmark = pytest.mark.django_db


def _runs() -> float:
    return REGISTRY.get_sample_value("partner42_matchmaking_run_seconds_count") or 0.0


def test_it_times_a_run():
    before = _runs()
    matchmaking_run()
    assert _runs() == before + 1


def test_it_does_not_time_a_skipped_run():
    lock = MatchmakingLock()
    assert lock.acquire()
    try:
        before = _runs()
        assert matchmaking_run().skipped
        assert _runs() == before
    finally:
        lock.release()
