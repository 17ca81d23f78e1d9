"""Many streams opening or ending at the same moment (a lecture ends, a deploy restarts the
load balancer, the load run's clients stop) share one Redis client per event loop.

Before: redis-py's asyncio pool holds at most 100 connections and refuses the 101st at once
("Too many connections"), so in a burst of 150 ending streams 14 slots were not released (seen in
`make load` with two web replicas) and a burst of acquires answered 503. Now a burst waits for a
free connection, within the Redis timeout.
"""

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from alarms import streams

pytestmark = pytest.mark.django_db

BURST = 250  # well over redis-py's default pool of 100


def test_it_takes_and_releases_a_burst_of_slots_without_losing_one(settings):
    settings.ALARM_STREAMS_PER_USER = 1
    settings.ALARM_STREAMS_PER_PROCESS = BURST + 10
    users = [uuid.uuid4().hex for _ in range(BURST)]

    async def burst():
        slots = await asyncio.gather(
            *(streams.stream_slot_acquire(user, transport="sse") for user in users)
        )
        held = [await _members(user) for user in users]
        await asyncio.gather(*(slot.release() for slot in slots))
        left = [await _members(user) for user in users]
        await streams._client().aclose()
        streams._clients.clear()
        return held, left

    held, left = asyncio.run(burst())

    assert held == [1] * BURST
    assert left == [0] * BURST  # every slot given back: the students can open a stream again
    assert streams._open_in_process == 0


async def _members(user: str) -> int:
    return await streams._client().zcard(streams._user_key(user))


def test_the_pool_is_bounded(settings):
    async def pool():
        client = streams._client()
        found = client.connection_pool
        await client.aclose()
        streams._clients.clear()
        return found

    found = asyncio.run(pool())

    assert isinstance(found, aioredis.BlockingConnectionPool)
    assert found.max_connections == settings.ALARM_REDIS_MAX_CONNECTIONS
