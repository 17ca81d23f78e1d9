"""The ASGI app served by a real daphne process; alarms are created here, in the test process."""

import asyncio
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from alarms.models import AlarmType
from alarms.services import alarm_create, alarm_group_name
from alarms.tests.helpers import group_members
from alarms.tests.servers import sse_event, sse_open
from tests.helpers import (
    NotReadyError,
    database_url,
    free_port,
    port_open,
    running,
    wait_until_ready,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ASGI_APP = "partner42.asgi:application"
TIMEOUT = 15  # a bound on waiting, never an assertion about speed


@pytest.fixture(scope="module")
def server(django_db_setup):
    """`daphne partner42.asgi:application` on the test database and this worker's Redis prefix."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
    }
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "daphne.log"
        with (
            log.open("w") as out,
            running(daphne, env=env, stdout=out, stderr=subprocess.STDOUT) as process,
        ):
            try:
                wait_until_ready(process, lambda: port_open(port), what="daphne")
            except NotReadyError as exc:
                pytest.fail(f"{exc}:\n{log.read_text()}")
            yield f"127.0.0.1:{port}"


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _socket(server: str, cookie: str | None = None):
    return connect(
        f"ws://{server}/ws/alarms/",
        origin=f"http://{server}",
        additional_headers={"Cookie": cookie} if cookie else None,
        proxy=None,
        open_timeout=TIMEOUT,
    )


async def _receive(ws) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


def test_it_pushes_an_alarm_from_another_process_to_the_websocket(server, alice):
    cookie = _session_cookie(alice)

    async def scenario():
        async with _socket(server, cookie) as ws:
            assert await _receive(ws) == {"type": "unread", "unread": 0}

            alarm = await sync_to_async(alarm_create)(
                user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="system"
            )

            message = await _receive(ws)
            assert message["type"] == "alarm"
            assert (message["alarmId"], message["unread"]) == (str(alarm.api_id), 1)

    async_to_sync(scenario)()


def test_it_closes_a_websocket_without_a_session(server):
    async def scenario():
        async with _socket(server) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert closed.value.rcvd.code == 4401

    async_to_sync(scenario)()


def _read_event(response: http.client.HTTPResponse) -> str:
    lines = []
    while (line := response.readline().decode()) not in ("\n", ""):
        lines.append(line)
    return "".join(lines)


def test_it_streams_sse_and_leaves_the_group_when_the_client_goes(server, alice):
    host, port = server.split(":")
    group = alarm_group_name(alice.api_id)
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    conn.request("GET", f"/api/alarm/subscribe?accessToken={AccessToken.for_user(alice)}")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert "event:CONNECTED" in _read_event(response)

    alarm_create(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST)
    assert "event:alarmList" in _read_event(response)
    assert len(group_members(group)) == 1

    response.close()
    conn.close()
    deadline = time.monotonic() + TIMEOUT
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(group) == set()


# Longer than redis-py's default socket timeout (5 s), which equals channels-redis's blocking
# receive: before CHANNEL_LAYER_SOCKET_TIMEOUT, every idle socket and stream died at about 5.1 s.
IDLE_SECONDS = 7


def test_it_keeps_idle_websockets_and_streams_open_and_pushing(server, alice):
    cookie = _session_cookie(alice)
    stream = sse_open(server, AccessToken.for_user(alice))
    assert "event:CONNECTED" in sse_event(stream)

    async def scenario():
        async with _socket(server, cookie) as ws:
            assert await _receive(ws) == {"type": "unread", "unread": 0}
            await asyncio.sleep(IDLE_SECONDS)

            alarm = await sync_to_async(alarm_create)(
                user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="system"
            )

            assert (await _receive(ws))["alarmId"] == str(alarm.api_id)

    async_to_sync(scenario)()
    assert "event:alarmList" in sse_event(stream)
    stream.close()
