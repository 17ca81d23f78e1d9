import pytest
from django.core.cache import cache

from matching.locks import LOCK_KEY
from matching.services.random import PENDING_KEY


@pytest.fixture(autouse=True)
def _clean_matchmaking_keys():
    """The lock and the pending flag live in Redis, outside the test transaction."""
    cache.delete_many([LOCK_KEY, PENDING_KEY])
    yield
    cache.delete_many([LOCK_KEY, PENDING_KEY])
