"""The board's first pages in the shared cache (Redis), with probabilistic early recomputation.

Each entry is stored with the time its computation took (`delta`) and its logical expiry; a reader
recomputes early with a probability that grows as the expiry nears (XFetch: Vattani, Chierichetti
and Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015), so a hot key is
refreshed by one reader shortly before it expires instead of by all readers right after.

Writes invalidate every board at once by bumping a generation number after commit; an entry
computed under an older generation is ignored. The generation is read in the same round trip as
the entry. No write talks to Redis before its commit (no network I/O under the seat lock): a read
inside the writing transaction itself keys its pages by its pending changes instead.

On top of Redis, each process keeps its own copy of the entries it served, with their rendered
response bodies (`board_rendered`): a request then costs one Redis GET, of the generation, and
no unpickling, masking or JSON. The copy is used only while the generation is the one it was
computed under and its entry has not expired (the same XFetch draw as above decides), so it is
never staler than the shared entry. A body is kept per *variant* of viewer, the caller's key for
"every viewer who would get these exact bytes" (the board masks anonymous authors per viewer).
"""

import hashlib
import logging
import math
import random
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
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
    return _entry(key, compute, now=now, rand=rand)["value"]


def _fresh(entry: dict[str, Any], now: Callable[[], float], rand: Callable[[], float]) -> bool:
    # XFetch: -log(u) for u in (0, 1] is an exponential draw, scaled by how long a recompute
    # takes; a cheap entry is almost never recomputed early, an expensive one earlier.
    early = entry["delta"] * _beta() * -math.log(1.0 - rand())
    return now() + early < entry["expiry"]


def _entry(
    key: str,
    compute: Callable[[], Any],
    *,
    now: Callable[[], float],
    rand: Callable[[], float],
) -> dict[str, Any]:
    """The entry (value, generation, expiry) from Redis, or computed and stored there."""
    if _ttl() <= 0:  # caching switched off (ROOM_BOARD_CACHE_SECONDS=0)
        return {"gen": None, "value": compute()}
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception:
        logger.exception("board cache read failed; computing without the cache")
        return {"gen": None, "value": compute()}
    generation = found.get(GENERATION_KEY, 0)
    pending = _changes_in_this_transaction()
    if pending:
        # This transaction changed the board and has not committed: its pages are its own, under
        # a generation no other connection reads (what the bump after commit will be for them).
        generation = (generation, pending)
    entry = found.get(key)
    if entry is not None and entry.get("gen") == generation and _fresh(entry, now, rand):
        return entry

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
    return entry


# --- This process's copies, with their rendered bodies -----------------------------------------

# Distinct first pages a process keeps (filters x page size x order x day); past it, it starts over.
LOCAL_ENTRIES_MAX = 256


@dataclass
class _Local:
    entry: dict[str, Any]
    bodies: dict[Hashable, bytes] = field(default_factory=dict)


_local: dict[str, _Local] = {}


def board_rendered(
    key: str,
    compute: Callable[[], Any],
    *,
    render: Callable[[Any], bytes],
    variant: Callable[[Any], Hashable],
    now: Callable[[], float] = time.time,
    rand: Callable[[], float] = random.random,
) -> bytes:
    """`render(value)` for the cached value under `key`, from this process's copy when current.

    `variant(value)` names the viewers who get the same bytes: one body per variant is kept with
    the copy, so it must differ whenever `render` would (it is called with the same value).
    """
    if _ttl() <= 0 or _changes_in_this_transaction():
        return render(board_cached(key, compute, now=now, rand=rand))
    try:
        generation = cache.get(GENERATION_KEY, 0)
    except Exception:
        logger.exception("board cache read failed; computing without the cache")
        return render(compute())
    local = _local.get(key)
    if local is None or local.entry["gen"] != generation or not _fresh(local.entry, now, rand):
        entry = _entry(key, compute, now=now, rand=rand)
        local = _Local(entry)
        if entry["gen"] == generation:  # not a page of this transaction's own, nor of another gen
            if len(_local) >= LOCAL_ENTRIES_MAX:
                _local.clear()
            _local[key] = local
    name = variant(local.entry["value"])
    body = local.bodies.get(name)
    if body is None:
        body = local.bodies[name] = render(local.entry["value"])
    return body


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
