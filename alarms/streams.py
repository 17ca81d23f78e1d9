"""Long-lived connections (SSE streams, websockets) that cannot take the site down.

An open stream waits for minutes or hours. Three rules keep many of them harmless:

1. **No database connection while waiting.** Every database access of a stream goes through
   `run_in_database(fn, ...)`: `fn` runs in a worker thread (as Django's async ORM would) and that
   thread's connections are closed right after, so a waiting stream holds none (the ASGI process
   also forces `CONN_MAX_AGE=0`, partner42/asgi.py).
2. **A cap per user and per process.** `await stream_slot_acquire(user_key)` before the stream
   starts; it raises `StreamRefused` when the user already has `ALARM_STREAMS_PER_USER` open
   streams (counted in Redis, across every realtime process; each slot is a lease that expires
   unless renewed, so a process that dies leaks nothing for long) or this process serves
   `ALARM_STREAMS_PER_PROCESS` (counted in memory). New streams are refused; open ones are never
   closed to make room, since a closed EventSource reconnects at once.
3. **Renew and release.** Call `await slot.renew()` at least every `slot.renew_every` seconds
   (the SSE view renews on each keep-alive, the consumer from a small task) and
   `await slot.release()` in a `finally`.

Usage, for any new consumer or streaming view::

    try:
        slot = await stream_slot_acquire(user.api_id, transport="websocket")
    except StreamRefused as refused:
        ...  # answer 429 (refused.per_user) or 503, or close the socket with refused.close_code
    try:
        unread = await run_in_database(alarm_unread_count, user_id=user.pk)
        ...  # wait; every slot.renew_every seconds: await slot.renew()
    finally:
        await slot.release()

`StreamUnavailable` means Redis could not be reached: the stream cannot work, so the caller ends
it (an EventSource reconnects by itself, the page's script too).
"""

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from partner42.errors import ErrorCode, error_body

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Websocket close codes of a refused socket (the page's script retries both with its backoff).
CLOSE_TOO_MANY_STREAMS = 4429
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455: the server is overloaded, try again later
# Redis operations of the cap are small: a Redis that does not answer within this is down.
REDIS_TIMEOUT_SECONDS = 3.0

# Takes a slot if the user has fewer than the cap; expired leases (a crashed process) drop first.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class StreamRefused(Exception):
    """Over a cap: `per_user` True for the user's cap, False for this process's."""

    def __init__(self, *, per_user: bool):
        self.per_user = per_user
        super().__init__("too many streams for this user" if per_user else "process at capacity")

    @property
    def close_code(self) -> int:
        return CLOSE_TOO_MANY_STREAMS if self.per_user else CLOSE_TRY_AGAIN_LATER


class StreamUnavailable(Exception):
    """Redis (the stream cap, the channel layer) could not be reached."""


def release_database_connections() -> None:
    """Close this thread's database connections, except inside a transaction (tests)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


# At most this many database accesses of streams at once per process (per event loop): a burst of
# reconnecting streams (each request runs in a thread of its own) must not open a connection each.
DATABASE_CONCURRENCY = 4
_database_gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


async def run_in_database(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a worker thread whose database connections are closed after;
    at most DATABASE_CONCURRENCY at once in this process."""

    def call() -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            release_database_connections()

    loop = asyncio.get_running_loop()
    gate = _database_gates.get(loop)
    if gate is None:
        gate = _database_gates[loop] = asyncio.Semaphore(DATABASE_CONCURRENCY)
    async with gate:
        return await sync_to_async(call, thread_sensitive=True)()


# --- The cap ----------------------------------------------------------------------------------

_open_in_process = 0
# One Redis client per event loop: a redis.asyncio connection belongs to the loop that opened it.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis]" = (
    weakref.WeakKeyDictionary()
)


def open_in_process() -> int:
    """Streams and sockets this process serves now (holding a slot)."""
    return _open_in_process


def lease_seconds() -> float:
    """How long a slot lives without renewal: three renewal periods."""
    return 3 * renew_every_seconds()


def renew_every_seconds() -> float:
    return float(settings.ALARM_SSE_KEEPALIVE_SECONDS)


def _client() -> aioredis.Redis | None:
    if not settings.REDIS_URL:
        return None  # the embedded default: one process, its count is the per-process one
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        # A bounded pool where a burst waits for a free connection (within the Redis timeout):
        # redis-py's default pool refuses its 101st connection at once, so 150 streams ending
        # together lost slot releases and a burst of new streams was answered 503.
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            max_connections=settings.ALARM_REDIS_MAX_CONNECTIONS,
            timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        client = aioredis.Redis.from_pool(pool)
        _clients[loop] = client
    return client


def _user_key(user_key: Any) -> str:
    # Beside the channel layer's keys, under its prefix (kept apart per test worker).
    prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "p42:asgi")
    return f"{prefix}:streams:{user_key}"


class StreamSlot:
    """One open stream's place in the caps; see the module docstring."""

    def __init__(self, key: str | None, member: str):
        self.key = key
        self.member = member
        self.renew_every = renew_every_seconds()
        self._released = False

    async def renew(self) -> None:
        client = _client()
        if client is None or self.key is None:
            return
        until = time.time() + lease_seconds()
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                # Added again if it had expired meanwhile: the count heals after a Redis blip.
                await client.zadd(self.key, {self.member: until})
                await client.expire(self.key, int(lease_seconds()) + 1)
        except Exception as exc:
            raise StreamUnavailable(str(exc)) from exc

    async def release(self) -> None:
        global _open_in_process
        if self._released:
            return
        self._released = True
        _open_in_process -= 1
        client = _client()
        if client is None or self.key is None:
            return
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                await client.zrem(self.key, self.member)
        except Exception:
            # The lease expires by itself; the user only waits for it if at the cap.
            logger.warning("Could not release stream slot %s", self.key, exc_info=True)


async def stream_slot_acquire(user_key: Any, *, transport: str) -> StreamSlot:
    """A slot for one more stream of `user_key` (the user's public id), or StreamRefused.

    `transport` ("sse", "websocket", …) is only part of the slot's name, for debugging: every
    transport counts against the same per-user cap.
    """
    global _open_in_process
    if _open_in_process >= settings.ALARM_STREAMS_PER_PROCESS:
        raise StreamRefused(per_user=False)
    _open_in_process += 1  # taken before the await: concurrent acquires see it
    slot = StreamSlot(None, f"{transport}:{uuid.uuid4().hex}")
    client = _client()
    if client is None:
        return slot
    slot.key = _user_key(user_key)
    now = time.time()
    try:
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            taken = await client.eval(
                _ACQUIRE,
                1,
                slot.key,
                now,
                now + lease_seconds(),
                slot.member,
                settings.ALARM_STREAMS_PER_USER,
                int(lease_seconds()) + 1,
            )
    except Exception as exc:
        _open_in_process -= 1
        slot._released = True
        raise StreamUnavailable(str(exc)) from exc
    if not taken:
        _open_in_process -= 1
        slot._released = True
        raise StreamRefused(per_user=True)
    return slot


# --- Readiness of the realtime process --------------------------------------------------------

READY_TIMEOUT_SECONDS = 3.0


async def channel_layer_roundtrip() -> None:
    """Send a message to a new channel of this process and receive it: what a stream needs."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel(prefix="readyz")
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        await layer.send(channel, {"type": "readyz.ping"})
        await layer.receive(channel)


@never_cache
async def realtime_readyz(request: HttpRequest) -> JsonResponse:
    """`/readyz/realtime`: this process can serve streams (its channel layer round-trips).

    The realtime role's container health check asks this instead of `/healthz`: a daphne whose
    Redis is gone still answers `/healthz` but serves no alarm.
    """
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(error_body(ErrorCode.METHOD_NOT_ALLOWED), status=405)
    try:
        await channel_layer_roundtrip()
    except Exception as exc:
        logger.warning("realtime readiness: channel layer failed: %r", exc)
        body = {
            "status": "unavailable",
            "checks": {"channel_layer": f"error: {type(exc).__name__}"},
        }
        return JsonResponse(body, status=503)
    body = {"status": "ok", "checks": {"channel_layer": "ok"}, "streams": open_in_process()}
    return JsonResponse(body)
