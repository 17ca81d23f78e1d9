"""A small per-process read cache with expiry, invalidated across processes by a generation number.

Recommendation reads are hot and the data changes only on an import or an operator's edit, so
each process keeps what it read for `RESTAURANT_CACHE_SECONDS`. Every read first fetches the
generation number from the shared cache (Redis in production): a write bumps it after commit and
every process drops its copy on its next read. Correctness never depends on this cache (SPEC 1):
losing it costs one query, and a stale copy lives at most until the next read after a write.
While the shared cache is down (Redis stopped) the generation is unknown: every read goes to the
database and this process's copies are dropped, so no copy outlives an unannounced write.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "restaurants:generation"
# One entry per campus and per filter combination in use; the least recently used goes first.
MAX_ENTRIES = 512

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry:
    generation: int
    expires_at: float
    value: Any


_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
_lock = threading.Lock()


def cache_enabled() -> bool:
    return settings.RESTAURANT_CACHE_SECONDS > 0


def restaurant_cache_generation() -> int | None:
    """The shared generation number, or None when the shared cache does not answer."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is not None:
            return int(value)
        # Missing, or Redis is down (the fail-open cache reads a miss): adding tells them apart,
        # since the fail-open cache answers None instead of True or False when Redis is down.
        added = cache.add(GENERATION_KEY, 0, timeout=None)
    except Exception:
        logger.warning("restaurant cache generation unreadable; reading the database")
        return None
    if added is None:
        return None
    return 0 if added else int(cache.get(GENERATION_KEY) or 0)


def restaurant_cache_invalidate() -> None:
    """Make every process re-read on its next request. Call it on commit of a write."""
    local_cache_clear()
    try:
        cache.add(GENERATION_KEY, 0, timeout=None)
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # evicted between add and incr
            cache.set(GENERATION_KEY, 1, timeout=None)
    except Exception:
        # After commit: the write is safe. Other processes' copies expire by themselves, and
        # while the shared cache is down every read goes to the database anyway.
        logger.warning("restaurant cache invalidation failed", exc_info=True)


def local_cache_clear() -> None:
    with _lock:
        _entries.clear()


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """The value of `load()`, from this process's copy while it is fresh and current."""
    # The copy is filed under the generation read *before* loading: a write that commits during
    # the load bumps the number, so the next read reloads instead of trusting a stale copy.
    generation = restaurant_cache_generation()
    if generation is None:
        # The shared cache is down: a write elsewhere could not be announced, so no copy of
        # this process can be trusted. Read the database (SPEC 1: never depend on the cache).
        local_cache_clear()
        return load()
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry.generation == generation and entry.expires_at > now:
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
        return entry.value
    value = load()
    with _lock:
        _entries[key] = _Entry(generation, now + settings.RESTAURANT_CACHE_SECONDS, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value
