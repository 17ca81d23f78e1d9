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

import functools
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


# --- Room details ---------------------------------------------------------------------------------
# A snapshot of one room (the room, its members, its conditions: what the detail shows to anyone)
# under a generation of its own, bumped after the commit of any change to the room, its members
# or its comments (`detail_changed`, from rooms.live.room_changed, which every such write calls).
# What other writes change (a member's nickname, the restaurant's name or hours) shows once the
# snapshot expires, within ROOM_BOARD_CACHE_SECONDS. Each process keeps its snapshots and their
# rendered bodies like the board's pages, checked by one GET of the room's generation.

DETAIL_GENERATION_KEY = "rooms:detail:gen:{room}"
DETAIL_KEY = "rooms:detail:{room}"
# A room's generation outlives any snapshot of it by far, and goes when the room is long quiet.
DETAIL_GENERATION_SECONDS = 24 * 3600
LOCAL_DETAILS_MAX = 1024

_local_details: dict[str, _Local] = {}
_clock = time.time  # the tests move it


def detail_changed(room: Any) -> None:
    """Invalidate the room's detail snapshots once the current transaction commits."""
    transaction.on_commit(functools.partial(_bump_detail, str(room)))


def _detail_pending(room: str) -> bool:
    if not connection.in_atomic_block:
        return False
    return any(
        isinstance(callback, functools.partial)
        and callback.func is _bump_detail
        and callback.args == (room,)
        for _sids, callback, _robust in connection.run_on_commit
    )


def _bump_detail(room: str) -> None:
    key = DETAIL_GENERATION_KEY.format(room=room)
    try:
        cache.add(key, 0, timeout=DETAIL_GENERATION_SECONDS)
        cache.incr(key)  # keeps the key's expiry
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=DETAIL_GENERATION_SECONDS)
    except Exception:
        logger.exception("room detail cache invalidation failed")


def detail_rendered(
    room: str,
    load: Callable[[], Any],
    *,
    render: Callable[[Any], bytes],
    variant: Callable[[Any], Hashable],
    now: Callable[[], float] | None = None,
) -> bytes:
    """`render(snapshot)` of the room, from this process's copy when current, else from Redis,
    else `load()` (which may raise, e.g. for an unknown room: nothing is cached then).

    `variant(snapshot)` names the viewers who get the same bytes, as for `board_rendered`; it is
    called before every body is served, cached or not, and may raise to refuse the viewer.
    """
    now = now or _clock
    if _ttl() <= 0 or _detail_pending(room):
        return _uncached(load(), render, variant)
    try:
        generation = cache.get(DETAIL_GENERATION_KEY.format(room=room), 0)
    except Exception:
        logger.exception("room detail cache read failed; reading without the cache")
        return _uncached(load(), render, variant)
    local = _local_details.get(room)
    if local is None or local.entry["gen"] != generation or now() >= local.entry["expiry"]:
        local = _Local(_detail_entry(room, load, generation, now))
        if len(_local_details) >= LOCAL_DETAILS_MAX:
            _local_details.clear()
        _local_details[room] = local
    name = variant(local.entry["value"])
    body = local.bodies.get(name)
    if body is None:
        body = local.bodies[name] = render(local.entry["value"])
    return body


def _uncached(value: Any, render: Callable[[Any], bytes], variant: Callable[[Any], Hashable]):
    variant(value)  # it may refuse the viewer (raise), whatever the cache
    return render(value)


def _detail_entry(
    room: str, load: Callable[[], Any], generation: Any, now: Callable[[], float]
) -> dict[str, Any]:
    key = DETAIL_KEY.format(room=room)
    try:
        entry = cache.get(key)
    except Exception:
        logger.exception("room detail cache read failed")
        entry = None
    if entry is not None and entry.get("gen") == generation and now() < entry["expiry"]:
        return entry
    # The generation was read before the snapshot: a change committed meanwhile bumped it, and
    # this snapshot, stored under the older one, is never served.
    entry = {"gen": generation, "value": load(), "expiry": now() + _ttl()}
    try:
        cache.set(key, entry, timeout=_ttl())
    except Exception:
        logger.exception("room detail cache write failed")
    return entry
