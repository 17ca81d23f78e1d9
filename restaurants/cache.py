"""A small per-process read cache with expiry, invalidated across processes by a generation number.

Recommendation reads are hot and the data changes only on an import or an operator's edit, so
each process keeps what it read for `RESTAURANT_CACHE_SECONDS`. Every read first fetches the
generation number from the shared cache (Redis in production): a write bumps it after commit and
every process drops its copy on its next read. Correctness never depends on this cache (SPEC 1):
losing it costs one query, and a stale copy lives at most until the next read after a write.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

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


def restaurant_cache_generation() -> int:
    return int(cache.get(GENERATION_KEY) or 0)


def restaurant_cache_invalidate() -> None:
    """Make every process re-read on its next request. Call it on commit of a write."""
    cache.add(GENERATION_KEY, 0, timeout=None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(GENERATION_KEY, 1, timeout=None)
    local_cache_clear()


def local_cache_clear() -> None:
    with _lock:
        _entries.clear()


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """The value of `load()`, from this process's copy while it is fresh and current."""
    # The copy is filed under the generation read *before* loading: a write that commits during
    # the load bumps the number, so the next read reloads instead of trusting a stale copy.
    generation = restaurant_cache_generation()
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
