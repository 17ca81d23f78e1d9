"""The React client's SSE stream through Django's ASGI handler, on the real Redis channel layer."""

import json
import re
import time

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test import override_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from alarms.models import AlarmType
from alarms.services import alarm_create, alarm_group_name
from alarms.tests.helpers import group_members

# A stream reads the user from another thread (Django's ASGI handler): data must be committed.
streaming = pytest.mark.django_db(transaction=True)

TIMEOUT = 10  # a bound on waiting, never an assertion about speed
URL = "/api/alarm/subscribe"


def _scope(query: str, method: str = "GET") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"accept-encoding", b"gzip, deflate")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _open(query: str, method: str = "GET") -> tuple[ApplicationCommunicator, dict]:
    communicator = ApplicationCommunicator(ASGIHandler(), _scope(query, method))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(TIMEOUT)
    assert start["type"] == "http.response.start"
    return communicator, start


async def _chunk(communicator: ApplicationCommunicator) -> str:
    message = await communicator.receive_output(TIMEOUT)
    assert message["type"] == "http.response.body"
    return message["body"].decode()


def _headers(start: dict) -> dict[str, str]:
    return {name.decode().lower(): value.decode() for name, value in start["headers"]}


def _event_pattern(user, event: str, data: str) -> str:
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?"
    return rf"id:{user.api_id}_alarmList_{stamp}\nevent:{event}\ndata:{data}\n\n"


@streaming
def test_it_streams_connected_then_one_event_per_alarm(alice):
    token = str(AccessToken.for_user(alice))

    async def scenario():
        communicator, start = await _open(f"accessToken={token}")
        assert start["status"] == 200
        headers = _headers(start)
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-cache"
        assert headers["x-accel-buffering"] == "no"
        assert re.fullmatch(
            _event_pattern(alice, "CONNECTED", "subscribe"), await _chunk(communicator)
        )

        await database_sync_to_async(alarm_create)(
            user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST
        )

        assert re.fullmatch(
            _event_pattern(alice, "alarmList", "alarmList"), await _chunk(communicator)
        )
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(TIMEOUT)

    async_to_sync(scenario)()


@streaming
def test_it_leaves_the_group_when_the_client_disconnects(alice):
    token = str(AccessToken.for_user(alice))
    group = alarm_group_name(alice.api_id)

    async def scenario():
        communicator, _ = await _open(f"accessToken={token}")
        await _chunk(communicator)  # CONNECTED: the stream has joined the group
        assert len(group_members(group)) == 1

        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(TIMEOUT)  # the view has finished

    async_to_sync(scenario)()

    assert group_members(group) == set()


@streaming
@override_settings(ALARM_SSE_KEEPALIVE_SECONDS=0.05)
def test_it_sends_keep_alive_comments(alice):
    token = str(AccessToken.for_user(alice))

    async def scenario():
        communicator, _ = await _open(f"accessToken={token}")
        await _chunk(communicator)
        assert await _chunk(communicator) == ": keep-alive\n\n"
        assert await _chunk(communicator) == ": keep-alive\n\n"
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(TIMEOUT)

    async_to_sync(scenario)()


@streaming
def test_it_is_never_gzipped(alice):
    token = str(AccessToken.for_user(alice))

    async def scenario():
        # Built inside the override: the handler loads its middleware when created.
        communicator, start = await _open(f"accessToken={token}")
        assert _headers(start).get("content-encoding") in (None, "identity")
        assert (await _chunk(communicator)).startswith("id:")
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(TIMEOUT)

    with override_settings(
        MIDDLEWARE=["django.middleware.gzip.GZipMiddleware", *settings.MIDDLEWARE]
    ):
        async_to_sync(scenario)()


def _refused(client, query: str, method: str = "get") -> tuple[int, dict, dict]:
    # Refusals answer at once, so the plain test client (and a test transaction) will do.
    response = getattr(client, method)(f"{URL}?{query}")
    return response.status_code, response.headers, response.json()


@pytest.mark.django_db
def test_it_refuses_a_missing_token(client):
    status, _, body = _refused(client, "")
    assert (status, body["code"]) == (401, "AU000")


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_it_refuses_a_forged_token(client, token):
    status, headers, body = _refused(client, f"accessToken={token}")
    assert status == 401
    assert body == {
        "message": "토큰이 만료되었습니다.",
        "status": 401,
        "errors": [],
        "code": "AU001",
    }
    assert headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.django_db
def test_it_refuses_an_expired_token(client, alice):
    token = AccessToken.for_user(alice)
    token["exp"] = int(time.time()) - 60
    status, _, body = _refused(client, f"accessToken={token}")
    assert (status, body["code"]) == (401, "AU001")


@pytest.mark.django_db
def test_it_refuses_a_refresh_token(client, alice):
    status, _, body = _refused(client, f"accessToken={RefreshToken.for_user(alice)}")
    assert (status, body["code"]) == (401, "AU001")


@pytest.mark.django_db
def test_it_refuses_a_disabled_user(client, alice):
    token = AccessToken.for_user(alice)
    alice.is_active = False
    alice.save()
    status, _, body = _refused(client, f"accessToken={token}")
    assert (status, body["code"]) == (401, "AU001")


@pytest.mark.django_db
def test_it_refuses_a_deleted_user(client, alice):
    token = AccessToken.for_user(alice)
    alice.delete()
    status, _, body = _refused(client, f"accessToken={token}")
    assert (status, body["code"]) == (401, "AU001")


@pytest.mark.django_db
@override_settings(LEGACY_EXPIRED_TOKEN_STATUS=403)
def test_it_answers_403_for_the_legacy_client(client, alice):
    token = AccessToken.for_user(alice)
    token["exp"] = int(time.time()) - 60
    status, _, body = _refused(client, f"accessToken={token}")
    assert (status, body["status"], body["code"]) == (403, 403, "AU001")


@pytest.mark.django_db
def test_it_refuses_other_methods(client, alice):
    status, _, body = _refused(client, f"accessToken={AccessToken.for_user(alice)}", "post")
    assert (status, body["code"]) == (405, "C002")


@streaming
@override_settings(ALARM_STREAMS_PER_USER=2)
def test_it_refuses_a_stream_over_the_users_cap_until_one_closes(alice, bob):
    alices, bobs = str(AccessToken.for_user(alice)), str(AccessToken.for_user(bob))

    async def scenario():
        first, _ = await _open(f"accessToken={alices}")
        second, _ = await _open(f"accessToken={alices}")
        refused, start = await _open(f"accessToken={alices}")
        body = json.loads((await refused.receive_output(TIMEOUT))["body"])
        assert start["status"] == 429
        assert _headers(start)["retry-after"].isdigit()
        assert body == {
            "message": "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.",
            "status": 429,
            "errors": [],
            "code": "C008",
        }
        # Another user has a cap of their own.
        others, start = await _open(f"accessToken={bobs}")
        assert start["status"] == 200
        # A stream that closes gives its place back.
        await first.send_input({"type": "http.disconnect"})
        await first.wait(TIMEOUT)
        again, start = await _open(f"accessToken={alices}")
        assert start["status"] == 200
        for communicator in (second, others, again):
            await communicator.send_input({"type": "http.disconnect"})
            await communicator.wait(TIMEOUT)

    async_to_sync(scenario)()


@streaming
@override_settings(ALARM_STREAMS_PER_PROCESS=1)
def test_it_answers_503_when_the_process_serves_its_cap(alice, bob):
    async def scenario():
        first, _ = await _open(f"accessToken={AccessToken.for_user(alice)}")
        refused, start = await _open(f"accessToken={AccessToken.for_user(bob)}")
        body = json.loads((await refused.receive_output(TIMEOUT))["body"])
        assert (start["status"], body["status"], body["code"]) == (503, 503, "C008")
        await first.send_input({"type": "http.disconnect"})
        await first.wait(TIMEOUT)

    async_to_sync(scenario)()


@streaming
def test_it_holds_no_database_connection_while_it_waits(alice):
    token = str(AccessToken.for_user(alice))

    async def scenario():
        communicator, _ = await _open(f"accessToken={token}")
        await _chunk(communicator)  # authenticated, joined, waiting
        # Every thread the stream used for the database closed its connection.
        open_now = await database_sync_to_async(_open_connections)()
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(TIMEOUT)
        return open_now

    before = _open_connections()
    assert async_to_sync(scenario)() == before


def _open_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = %s",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]
