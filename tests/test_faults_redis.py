"""Fault: Redis stops. Pages and the API serve from MariaDB, nothing written is lost.

Redis is the cache (DRF's throttle counts, the board's first pages, the restaurants' generation),
the channel layer and the broker. A Redis of our own (a throwaway `redis-server` on a free port)
takes their place and is killed mid-test: the shared Redis of the machine is never touched.
Before the fix every API call answered 500 C004 for the whole outage (DRF's throttles read the
cache first).
"""

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.urls import reverse
from rest_framework.test import APIClient

from alarms.models import Alarm, AlarmType
from matching.models import RandomMatchRequest
from partner42.celery import app as celery_app
from restaurants.tests.factories import RestaurantFactory
from rooms import services as room_services
from rooms.models import Comment, Participation
from rooms.tests.factories import RoomFactory
from tests.helpers import free_port, port_open, running, wait_until_ready

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@pytest.fixture
def own_redis():
    """A throwaway redis-server on a free port (no persistence); `.kill()` stops it dead."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--bind", "127.0.0.1", "--daemonize", "no"]
    with running(command, env={}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        wait_until_ready(process, lambda: port_open(port), what="redis-server", timeout=20)
        process.url = f"redis://127.0.0.1:{port}/0"
        yield process


@pytest.fixture
def redis_stopped(own_redis, settings):
    """Every Redis user of this process pointed at `own_redis`, used, then the server killed."""
    url = own_redis.url
    caches = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": url,
            "OPTIONS": {**settings.CACHES["default"]["OPTIONS"]},
        }
    }
    settings.CACHES = caches
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "faults:asgi"},
        }
    }
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    from django.core.cache import cache

    cache.set("faults:warm", "1")  # the pool holds a live connection when Redis dies
    assert redis.Redis.from_url(url).ping()
    own_redis.kill()
    own_redis.wait()
    yield url
    celery_app.conf.broker_url = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_serves_the_api_from_mariadb_while_redis_is_stopped(redis_stopped, alice, bob):
    tomorrow = (room_services.room_today() + timedelta(days=1)).isoformat()
    created = client_for(alice).post(
        "/api/articles",
        {
            "title": "점심",
            "date": tomorrow,
            "matchConditionDto": {
                "placeList": ["GAEPO"],
                "timeOfEatingList": ["LUNCH"],
                "wayOfEatingList": ["EATOUT"],
            },
            "content": "치킨",
            "anonymity": False,
            "participantNumMax": 4,
            "contentCategory": "MEAL",
        },
        format="json",
    )
    assert created.status_code == 200, created.content
    article_id = created.json()["articleId"]

    board = client_for(bob).get("/api/articles")
    assert board.status_code == 200, board.content
    assert [a["articleId"] for a in board.json()["content"]] == [article_id]

    joined = client_for(bob).post(f"/api/articles/{article_id}/participate")
    assert joined.status_code == 200, joined.content
    comment = client_for(bob).post(
        "/api/opinions",
        {"articleId": article_id, "content": "같이 가요", "level": 1},
        format="json",
    )
    assert comment.status_code == 200, comment.content
    asked = client_for(bob).post(
        "/api/random-matches", {"contentCategory": "STUDY", "placeList": ["GAEPO"]}, format="json"
    )
    assert asked.status_code in (200, 201), asked.content

    assert Participation.objects.filter(user=bob).exists()
    assert Comment.objects.filter(author=bob).exists()
    assert RandomMatchRequest.objects.get(user=bob).status == "WAITING"
    # The alarm rows are kept although their live push failed, and listed on reload.
    alarms = client_for(alice).get("/api/alarms")
    assert alarms.status_code == 200, alarms.content
    kinds = {a["alarmType"] for a in alarms.json()["content"]}
    assert AlarmType.PARTICIPATION_ON_MY_POST in kinds
    assert Alarm.objects.filter(user=alice).count() >= 1


def test_it_serves_the_pages_while_redis_is_stopped(redis_stopped, client, alice, bob):
    room = RoomFactory(author=alice)
    RestaurantFactory()
    client.force_login(bob)

    for url in (
        reverse("rooms:board"),
        reverse("rooms:detail", args=[room.api_id]),
        reverse("restaurants:list"),
        reverse("alarms:list"),
        "/api/restaurants",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    joined = client.post(reverse("rooms:join", args=[room.api_id]))
    assert joined.status_code in (200, 302), joined.status_code
    assert Participation.objects.filter(room=room, user=bob).exists()
    client.force_login(alice)
    page = client.get(reverse("alarms:list"))
    assert page.status_code == 200
    assert Alarm.objects.filter(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST).exists()


def test_it_names_redis_in_readiness_while_it_is_stopped(redis_stopped, client):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert {"cache", "broker"} <= set(body["failing"])
    assert "ConnectionError" in body["checks"]["cache"]


def test_it_logs_the_outage_without_a_line_per_request(redis_stopped, alice, caplog):
    client = client_for(alice)
    with caplog.at_level(logging.WARNING):
        for _ in range(30):
            assert client.get("/api/articles").status_code == 200

    outage_lines = [r for r in caplog.records if "redis" in r.getMessage().lower()]
    assert 1 <= len(outage_lines) <= 3, [r.getMessage() for r in caplog.records]


def test_it_lets_requests_through_a_throttle_whose_cache_raises(settings, alice, caplog):
    # Plain django-redis (no fail-open) at a closed port: the throttles themselves fail open.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], "user": "1/min"}
    settings.REST_FRAMEWORK = framework
    client = client_for(alice)

    with caplog.at_level(logging.WARNING, logger="partner42.net"):
        statuses = [client.get("/api/articles").status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert len([r for r in caplog.records if "throttle cache" in r.getMessage()]) == 1


def test_it_skips_a_hanging_redis_after_one_timeout_and_notices_its_return(
    own_redis, settings, caplog, monkeypatch
):
    """A Redis that accepts and never answers costs one timeout, then the cache is skipped until
    a probe finds Redis again."""
    monkeypatch.setattr("partner42.cache.RETRY_SECONDS", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        location = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        settings.CACHES = {
            "default": {
                "BACKEND": "partner42.cache.FailOpenRedisCache",
                "LOCATION": location,
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
        from django.core.cache import cache

        started = time.monotonic()
        assert cache.get("k", "miss") == "miss"
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(50):
            assert cache.get("k", "miss") == "miss"
            assert cache.set("k", "v") is None
        skipped = time.monotonic() - started

    assert first >= 0.4  # the one timeout
    assert skipped < 0.3  # 100 calls without waiting for Redis
    # Redis comes back (here: the throwaway server, under the same cache location's circuit).
    from partner42 import cache as fail_open

    circuit = fail_open._circuit(location)
    fail_open._circuits[own_redis.url] = circuit
    settings.CACHES = {
        "default": {"BACKEND": "partner42.cache.FailOpenRedisCache", "LOCATION": own_redis.url}
    }
    time.sleep(0.35)
    with caplog.at_level(logging.WARNING, logger="partner42.cache"):
        assert cache.set("k", "v") is True
        assert cache.get("k") == "v"
    assert "answers again" in caplog.text


def test_it_answers_a_50_student_run_without_one_5xx_while_redis_is_stopped(redis_stopped):
    """The issue's run: 50 students reading the board, asking for a random match and reading
    their alarms answered 454 failures, all from the throttles reading the cache."""
    from accounts.tests.factories import UserFactory

    room = RoomFactory()
    statuses = []
    for student in UserFactory.create_batch(50):
        client = client_for(student)
        statuses.append(client.get("/api/articles").status_code)
        statuses.append(client.get(f"/api/articles/{room.api_id}").status_code)
        statuses.append(
            client.post(
                "/api/random-matches",
                {"contentCategory": "MEAL", "placeList": ["GAEPO"]},
                format="json",
            ).status_code
        )
        statuses.append(client.get("/api/alarms").status_code)

    assert [s for s in statuses if s >= 500] == []
    assert RandomMatchRequest.objects.filter(status="WAITING").count() == 50
