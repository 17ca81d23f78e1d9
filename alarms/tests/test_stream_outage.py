"""A Redis outage under a real daphne (a private redis-server, stopped and started again).

Before: a stream that lost Redis raised after its response had started; daphne then tried to
start the response again inside its periodic checker, which died for good, so every later failed
request was never answered (clients waited for nothing). `/healthz` stayed 200 all along.
Now: streams opened during the outage are answered at once (a `retry:` hint, then the end),
`/readyz/realtime` answers 503 while the channel layer is gone and 200 when it is back, and new
streams and sockets work again by themselves.
"""

import asyncio
import http.client
import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect

from alarms.services import NOTIFY_EVENT, alarm_group_name
from alarms.tests.servers import daphne, redis_server, sse_event, sse_open
from tests.helpers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TIMEOUT = 15  # a bound on waiting, never an assertion about speed
OUTAGE_SECONDS = 6


def _status(address: str, path: str) -> int:
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def _push(redis_url: str, user) -> None:
    """An alarm push as the web process sends it, on the private Redis."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]  # the server's too
    layer = RedisChannelLayer(hosts=[redis_url], prefix=prefix)
    message = {"type": NOTIFY_EVENT, "alarmId": "x", "alarmType": "MATCH_CONFIRMED", "unread": 1}
    async_to_sync(layer.group_send)(alarm_group_name(user.api_id), message)


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_it_recovers_by_itself_when_redis_comes_back(alice):
    token = AccessToken.for_user(alice)
    cookie = _session_cookie(alice)
    with redis_server() as redis:
        env = {
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": redis.url,
        }
        with daphne(env) as server:
            assert _status(server.address, "/readyz/realtime") == 200
            first = sse_open(server.address, token)
            assert "event:CONNECTED" in sse_event(first)

            redis.stop()
            # The open stream ends (EventSource reconnects); new ones are answered, not hung.
            assert sse_event(first) == "retry:5000\n"
            assert sse_event(first) == ""
            deadline = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < deadline:
                during = sse_open(server.address, token, timeout=TIMEOUT)
                body = during.read().decode()  # the whole answer, within TIMEOUT
                assert during.status == 200, body
                assert body.startswith("retry:"), body
                assert _status(server.address, "/readyz/realtime") == 503
                time.sleep(0.5)
            assert _status(server.address, "/healthz") == 200  # alive, only not ready

            redis.start()
            deadline = time.monotonic() + TIMEOUT
            while _status(server.address, "/readyz/realtime") != 200:
                assert time.monotonic() < deadline, "never ready again"
                time.sleep(0.5)
            after = sse_open(server.address, token)
            assert after.status == 200
            assert "event:CONNECTED" in sse_event(after)

            async def websocket_after():
                async with connect(
                    f"ws://{server.address}/ws/alarms/",
                    origin=f"http://{server.address}",
                    additional_headers={"Cookie": cookie},
                    proxy=None,
                    open_timeout=TIMEOUT,
                ) as ws:
                    greeting = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                    assert greeting["type"] == "unread"
                    await asyncio.to_thread(_push, redis.url, alice)
                    pushed = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                    assert pushed["type"] == "alarm"

            async_to_sync(websocket_after)()
            assert "event:alarmList" in sse_event(after)
            after.close()

            log = server.log()
    assert "Exception inside application" not in log
