"""Fault: MariaDB drops the connection a request is using.

The test's own connection is killed from a second connection (`KILL <its CONNECTION_ID()>`):
only our connections, never anyone else's. The request answers 503 (the SPEC JSON body with
C012 under /api/, a friendly page elsewhere) instead of 500 C004, the dead connection is thrown
away, and the next request works again on a new one. Nothing written before is lost.
"""

import MySQLdb
import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from rooms.models import Participation, Room
from rooms.tests.factories import RoomFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="KILL is MariaDB's"),
]

UNAVAILABLE = {"status": 503, "errors": [], "code": "C012"}


@pytest.fixture(autouse=True)
def _usable_connection_after():
    """Whatever the code under test did, the test's teardown (the flush) gets a live connection."""
    yield
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def kill_own_connection() -> None:
    """Kill this thread's database connection from a second connection of ours."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        (thread_id,) = cursor.fetchone()
    params = connection.get_connection_params()
    other = MySQLdb.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "db")}
    )
    try:
        other.cursor().execute(f"KILL {int(thread_id)}")
    finally:
        other.close()


def test_it_answers_a_json_503_and_the_next_request_recovers(alice):
    room = RoomFactory(author=alice)
    client = APIClient()
    client.force_authenticate(alice)
    assert client.get("/api/alarms").status_code == 200

    kill_own_connection()
    dropped = client.get(f"/api/articles/{room.api_id}")  # reads the database, not the cache

    assert dropped.status_code == 503, dropped.content
    body = dropped.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert {k: body[k] for k in ("status", "errors", "code")} == UNAVAILABLE
    assert dropped["Retry-After"]

    again = client.get(f"/api/articles/{room.api_id}")
    assert again.status_code == 200
    assert again.json()["articleId"] == str(room.api_id)
    assert Room.objects.filter(pk=room.pk).exists()


def test_it_answers_a_json_503_to_a_write_and_keeps_nothing_half_done(alice, bob):
    room = RoomFactory(author=alice)
    client = APIClient()
    client.force_authenticate(bob)

    kill_own_connection()
    dropped = client.post(f"/api/articles/{room.api_id}/participate")

    assert dropped.status_code == 503, dropped.content
    assert dropped.json()["code"] == "C012"
    retried = client.post(f"/api/articles/{room.api_id}/participate")
    assert retried.status_code == 200, retried.content
    assert Participation.objects.filter(room=room, user=bob).count() == 1


def test_it_answers_a_friendly_503_page_and_the_next_page_recovers(client, alice):
    room = RoomFactory(author=alice)
    client.force_login(alice)
    url = reverse("rooms:detail", args=[room.api_id])
    assert client.get(url).status_code == 200

    kill_own_connection()
    dropped = client.get(url)

    assert dropped.status_code == 503
    assert dropped["Content-Type"].startswith("text/html")
    assert "잠시" in dropped.content.decode()
    assert dropped["Retry-After"]
    assert client.get(url).status_code == 200
