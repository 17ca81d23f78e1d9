"""Streams cannot take the site down: a real daphne on MariaDB with a database user limited to
20 connections (the incident had 40) and CONN_MAX_AGE=60, as in production.

Before: every open SSE stream kept a MariaDB connection for its whole life, so 45 streams of one
student made every request answer 500. Now a waiting stream holds none, a user has at most
ALARM_STREAMS_PER_USER (5) open, and the realtime process keeps no idle connection.
"""

import asyncio
import http.client
import json
import os
import secrets
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import UserFactory
from alarms.models import AlarmType
from alarms.services import alarm_create
from alarms.tests.servers import daphne

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20  # a bound on waiting, never an assertion about speed
DB_USER_CONNECTIONS = 20
STREAMS = 60


def _count(sql: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[-1])


def _connections_of(user: str) -> int:
    return _count("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = %s", user)


def _threads_connected() -> int:
    return _count("SHOW GLOBAL STATUS LIKE 'Threads_connected'")


@pytest.fixture(scope="module")
def limited_db_user(django_db_setup, django_db_blocker):
    """A MariaDB user for the realtime process, limited to DB_USER_CONNECTIONS connections."""
    name = f"p42rt_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(3)}"
    password = secrets.token_hex(12)
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{password}' "
                f"WITH MAX_USER_CONNECTIONS {DB_USER_CONNECTIONS}"
            )
            cursor.execute(f"GRANT ALL PRIVILEGES ON `{settings_dict['NAME']}`.* TO '{name}'@'%%'")
        host = settings_dict["HOST"] or "127.0.0.1"
        port, database = settings_dict["PORT"] or 3306, settings_dict["NAME"]
        url = f"mysql://{name}:{password}@{host}:{port}/{database}"
        try:
            yield name, url
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP USER '{name}'@'%%'")


@pytest.fixture(scope="module")
def server(limited_db_user):
    _, url = limited_db_user
    with daphne({"DATABASE_URL": url, "CONN_MAX_AGE": "60"}) as served:
        yield served


async def _request(address: str, path: str, headers: dict | None = None):
    """An HTTP/1.0 request (no chunked framing): status, reader, writer after the headers."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = [f"GET {path} HTTP/1.0", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), TIMEOUT)
    status = int(status_line.split()[1])
    while (await asyncio.wait_for(reader.readline(), TIMEOUT)) not in (b"\r\n", b""):
        pass
    return status, reader, writer


async def _stream(address: str, user):
    """An SSE stream of `user`: (status, reader, writer); a 200 has read its CONNECTED event."""
    token = AccessToken.for_user(user)
    status, reader, writer = await _request(address, f"/api/alarm/subscribe?accessToken={token}")
    if status == 200:
        await asyncio.wait_for(reader.readuntil(b"data:subscribe\n\n"), TIMEOUT)
    return status, reader, writer


def _get(address: str, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _site_answers(address: str, user) -> None:
    bearer = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}
    board, _ = _get(address, "/api/articles", bearer)
    ready, body = _get(address, "/readyz")
    assert (board, ready) == (200, 200), body


def test_it_refuses_a_users_streams_over_the_cap_and_the_site_stays_up(
    server, limited_db_user, alice, bob
):
    db_user, _ = limited_db_user
    before, threads_before = _connections_of(db_user), _threads_connected()

    async def scenario():
        opened = await asyncio.gather(*(_stream(server.address, alice) for _ in range(STREAMS)))
        statuses = sorted(status for status, _, _ in opened)
        refused_body = None
        for status, reader, _ in opened:
            if status == 429:
                refused_body = json.loads(await asyncio.wait_for(reader.read(), TIMEOUT))
                break
        during = await sync_to_async(_connections_of)(db_user)
        threads_during = await sync_to_async(_threads_connected)()
        await sync_to_async(_site_answers)(server.address, bob)
        for _, _, writer in opened:
            writer.close()
        return statuses, refused_body, during, threads_during

    statuses, refused_body, during, threads_during = async_to_sync(scenario)()

    print(f"threads_connected before={threads_before} during={threads_during}")
    assert statuses == [200] * 5 + [429] * (STREAMS - 5)
    assert refused_body["code"] == "C008"
    assert refused_body["status"] == 429
    assert set(refused_body) == {"message", "status", "errors", "code"}
    assert (before, during) == (0, 0)


def test_it_holds_no_database_connection_while_streams_wait(server, limited_db_user):
    db_user, _ = limited_db_user
    users = UserFactory.create_batch(STREAMS // 5)
    threads_before = _threads_connected()

    async def scenario():
        opened = await asyncio.gather(
            *(_stream(server.address, user) for user in users for _ in range(5))
        )
        assert [status for status, _, _ in opened] == [200] * STREAMS, server.log()[-2000:]
        waiting = await sync_to_async(_connections_of)(db_user)
        threads_waiting = await sync_to_async(_threads_connected)()
        await sync_to_async(_site_answers)(server.address, users[0])
        # Every stream is alive: an alarm of the first user reaches its five streams.
        await sync_to_async(alarm_create)(user=users[0], alarm_type=AlarmType.MATCH_CONFIRMED)
        for _, reader, _ in opened[:5]:
            await asyncio.wait_for(reader.readuntil(b"event:alarmList"), TIMEOUT)
        for _, _, writer in opened:
            writer.close()
        return waiting, threads_waiting

    waiting, threads_waiting = async_to_sync(scenario)()

    # The process keeps no idle connection after the requests, whatever CONN_MAX_AGE says (a
    # request closes its connection just after its response: give it a moment).
    deadline = time.monotonic() + 5
    while (after := _connections_of(db_user)) and time.monotonic() < deadline:
        time.sleep(0.1)
    print(
        f"threads_connected before={threads_before} waiting={threads_waiting} after streams={after}"
    )
    assert (waiting, after) == (0, 0)
