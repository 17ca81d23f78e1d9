"""The matchmaking lock: at most one run at a time across every worker and web process.

With Redis as the cache (every real deployment) it is a redis-py lock with an expiry, so a
crashed holder frees it by itself; the holder refreshes it while it works and stops if it ever
loses it. The embedded default (local-memory cache, one process) falls back to an atomic
`cache.add` with the same expiry.
"""

import logging
import time
import uuid

from django.core.cache import cache
from redis.exceptions import LockError

logger = logging.getLogger(__name__)

LOCK_KEY = "matching:matchmaking:lock"
LOCK_TIMEOUT_SECONDS = 60
# Refresh well before expiry: a run that stalls longer than the timeout loses the lock.
REFRESH_EVERY_SECONDS = LOCK_TIMEOUT_SECONDS / 4


class MatchmakingLock:
    def __init__(self, timeout: int = LOCK_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._refreshed_at = 0.0
        self._token = uuid.uuid4().hex
        self._redis_lock = None
        if hasattr(cache, "lock"):  # django-redis
            self._redis_lock = cache.lock(LOCK_KEY, timeout=timeout, thread_local=False)

    def acquire(self) -> bool:
        if self._redis_lock is not None:
            acquired = self._redis_lock.acquire(blocking=False)
        else:
            acquired = cache.add(LOCK_KEY, self._token, timeout=self.timeout)
        if acquired:
            self._refreshed_at = time.monotonic()
        return bool(acquired)

    def keep(self) -> bool:
        """Extend the lock if it is due; False means it was lost and the run must stop."""
        if time.monotonic() - self._refreshed_at < REFRESH_EVERY_SECONDS:
            return True
        if self._redis_lock is not None:
            try:
                self._redis_lock.reacquire()
            except LockError:
                logger.warning("Matchmaking lock lost (expired after %ss)", self.timeout)
                return False
        elif cache.get(LOCK_KEY) != self._token or not cache.touch(LOCK_KEY, self.timeout):
            logger.warning("Matchmaking lock lost (expired after %ss)", self.timeout)
            return False
        self._refreshed_at = time.monotonic()
        return True

    def release(self) -> None:
        if self._redis_lock is not None:
            try:
                self._redis_lock.release()
            except LockError:
                logger.warning("Matchmaking lock had expired before release")
        elif cache.get(LOCK_KEY) == self._token:
            cache.delete(LOCK_KEY)
