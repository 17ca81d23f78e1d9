"""Under ASGI (daphne: `make run`, the realtime process) API errors keep the SPEC JSON body.

Daphne's Twisted layer refused a multipart body it could not parse with its own empty 400 before
Django saw it; Django's ASGI handler answers an undecodable query string with an empty 400; with
DEBUG an unknown `/api/` path was Django's HTML 404. All of them are the SPEC error JSON now.
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.conf import settings
from django.db import connection

from accounts.tokens import issue_token_pair
from partner42.asgi import application
from tests.helpers import (
    NotReadyError,
    database_url,
    free_port,
    port_open,
    running,
    wait_until_ready,
)

TIMEOUT = 15  # a bound on waiting, never an assertion about speed
BROKEN_MULTIPART = b"--xx\r\nbroken"


def assert_spec_error(status: int, headers, body: bytes, expected_status: int, code: str) -> None:
    assert status == expected_status, body
    assert dict(headers).get("Content-Type", "").startswith("application/json"), headers
    payload = json.loads(body)
    assert list(payload) == ["message", "status", "errors", "code"]
    assert (payload["status"], payload["code"]) == (expected_status, code)


def asgi_call(path: str, *, method: str = "GET", body: bytes = b"", headers=(), query=b""):
    async def call():
        communicator = HttpCommunicator(
            application, method, path, body=body, headers=[(b"host", b"testserver"), *headers]
        )
        communicator.scope["query_string"] = query
        return await communicator.get_response(timeout=TIMEOUT)

    response = async_to_sync(call)()
    headers = {k.decode("latin1"): v.decode("latin1") for k, v in response["headers"]}
    return response["status"], headers, response["body"]


@pytest.fixture(scope="module")
def daphne_server(django_db_setup):
    """`daphne partner42.asgi:application`, as served by `make run` and the realtime process."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
    }
    args = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "partner42.asgi:application",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "daphne.log"
        with (
            log.open("w") as out,
            running(args, env=env, stdout=out, stderr=subprocess.STDOUT) as process,
        ):
            try:
                wait_until_ready(process, lambda: port_open(port), what="daphne")
            except NotReadyError as exc:
                pytest.fail(f"{exc}:\n{log.read_text()}")
            yield port


def daphne_post(port: int, path: str, body: bytes, headers: dict):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "content_type", "status", "code"),
    [
        # JSON-only views refuse multipart as they do under WSGI.
        ("/api/articles", "multipart/form-data; boundary=yy", 415, "C009"),
        ("/api/articles", "multipart/form-data", 415, "C009"),
        # Views that take forms read the broken multipart themselves: a 400 C001, with the body.
        ("/api/random-matches", "multipart/form-data; boundary=yy", 400, "C001"),
    ],
)
def test_it_answers_json_to_a_malformed_multipart_body_under_daphne(
    daphne_server, alice, path, content_type, status, code
):
    token = issue_token_pair(user=alice).access
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}

    answer = daphne_post(daphne_server, path, BROKEN_MULTIPART, headers)

    assert_spec_error(*answer, status, code)


@pytest.mark.django_db
def test_it_answers_json_to_an_undecodable_query_string_under_asgi():
    answer = asgi_call("/api/articles", query=b"page=\xff")

    assert_spec_error(*answer, 400, "C001")


@pytest.mark.django_db
def test_it_answers_json_to_an_unknown_api_path_with_debug_on(settings):
    settings.DEBUG = True

    assert_spec_error(*asgi_call("/api/no-such-thing"), 404, "C003")


@pytest.mark.django_db
def test_it_keeps_django_s_debug_page_for_an_unknown_page(settings):
    settings.DEBUG = True

    status, headers, _body = asgi_call("/no-such-page/")

    assert status == 404
    assert headers["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_it_answers_json_to_an_unknown_api_path_with_debug_on_under_wsgi(settings, client):
    settings.DEBUG = True

    response = client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "C003"


@pytest.mark.django_db
def test_it_keeps_allow_on_a_bare_405_of_a_plain_api_view(client, alice):
    client.force_login(alice)

    response = client.post("/api/alarm/subscribe")

    assert response.status_code == 405
    assert response.json()["code"] == "C002"
    assert "GET" in response["Allow"]
