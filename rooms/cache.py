"""The board's first pages in the shared cache (Redis), with probabilistic early recomputation.

Each entry is stored with the time its computation took (`delta`) and its logical expiry; a reader
recomputes early with a probability that grows as the expiry nears (XFetch: Vattani, Chierichetti
and Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015), so a hot key is
refreshed by one reader shortly before it expires instead of by all readers right after.

Writes invalidate every board at once by bumping a generation number after commit; an entry
computed under an older generation is ignored. The generation is read in the same round trip as
the entry. No write talks to Redis before its commit (no network I/O under the seat lock): a read
inside the writing transaction itself keys its pages by its pending changes instead.
"""

import hashlib
import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "rooms:board:gen"
ENTRY_KEY = "rooms:board:page0:{digest}"


def _ttl() -> float:
    # A few seconds: the board may lag a write by no more than this when an invalidation is lost.
    return float(getattr(settings, "ROOM_BOARD_CACHE_SECONDS", 5))


def _beta() -> float:
    return float(getattr(settings, "ROOM_BOARD_CACHE_BETA", 1.0))


def board_key(parts: dict[str, Any]) -> str:
    canonical = repr(sorted((str(k), repr(v)) for k, v in parts.items()))
    return ENTRY_KEY.format(digest=hashlib.sha256(canonical.encode()).hexdigest()[:32])


def board_cached(
    key: str,
    compute: Callable[[], Any],
    *,
    now: Callable[[], float] = time.time,
    rand: Callable[[], float] = random.random,
) -> Any:
    """The cached value under `key`, or `compute()` stored there; never fails on a cache outage."""
    if _ttl() <= 0:  # caching switched off (ROOM_BOARD_CACHE_SECONDS=0)
        return compute()
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:
        logger.exception("board cache read failed; computing without the cache")
        return compute()
    generation = found.get(GENERATION_KEY, 0)
    pending = _changes_in_this_transaction()
    if pending:
        # This transaction changed the board and has not committed: its pages are its own, under
        # a generation no other connection reads (what the bump after commit will be for them).
        generation = (generation, pending)
    entry = found.get(key)
    if entry is not None and entry.get("gen") == generation:
        # XFetch: -log(u) for u in (0, 1] is an exponential draw, scaled by how long a recompute
        # takes; a cheap entry is almost never recomputed early, an expensive one earlier.
        early = entry["delta"] * _beta() * -math.log(1.0 - rand())
        if now() + early < entry["expiry"]:
            return entry["value"]

    started = now()
    value = compute()
    finished = now()
    ttl = _ttl()
    entry = {
        "gen": generation,
        "value": value,
        "delta": finished - started,
        "expiry": finished + ttl,
    }
    try:
        cache.set(key, entry, timeout=ttl)
    except Exception:
        logger.exception("board cache write failed")
    return value


def board_changed() -> None:
    """Invalidate every cached board page once the current transaction commits.

    Only after commit: Redis is network I/O and the caller may hold the room's row lock. Reads in
    the same transaction see their own changes meanwhile (`_changes_in_this_transaction`).
    """
    transaction.on_commit(_bump_generation)


def _changes_in_this_transaction() -> int:
    """How many board changes wait for this transaction's commit (0 outside a transaction).

    Django keeps the pending on-commit callbacks per connection and drops a rolled-back
    savepoint's, so this needs no state, and no I/O, of its own."""
    if not connection.in_atomic_block:
        return 0
    pending = connection.run_on_commit
    return sum(callback is _bump_generation for _sids, callback, _robust in pending)


def _bump_generation() -> None:
    try:
        cache.add(GENERATION_KEY, 0, timeout=None)
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(GENERATION_KEY, 1, timeout=None)
    except Exception:
        # The entries expire within seconds anyway; a cache outage must not fail a write.
        logger.exception("board cache invalidation failed")
