"""Writes people can flood have a per-user budget, the same for the pages and the API.

Page forms had none (150 comments in 2.7 s, 60 rooms in 1 s from one student). Over its budget a
page answers 429 with a friendly page, the API 429 C008; both spend one budget in DRF's cache.
"""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from matching.models import RandomMatchRequest
from matching.tests.match_helpers import completed_room
from rooms import services
from rooms.models import Comment, Room
from rooms.tests.factories import RoomFactory

THROTTLED = "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."


@pytest.fixture(autouse=True)
def _fresh_budgets():
    # The counts live in Redis, outside the test's transaction.
    cache.delete_pattern("throttle_*")
    yield
    cache.delete_pattern("throttle_*")


@pytest.fixture
def rates(settings):
    """Set some budgets for this test: rates(comment="3/min")."""

    def set_rates(**scoped: str) -> None:
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **scoped}
        settings.REST_FRAMEWORK = framework

    return set_rates


@pytest.fixture
def alice_page(client, alice):
    client.force_login(alice)
    return client


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_throttled_page(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) >= 1
    assert THROTTLED in response.content.decode()


def room_form() -> dict:
    return {
        "category": "MEAL",
        "title": "점심 먹어요",
        "date": (services.room_today() + timedelta(days=1)).isoformat(),
        "participant_num_max": "4",
        "content": "개포에서 만나요",
        "places": ["GAEPO"],
        "times_of_eating": ["LUNCH"],
        "ways_of_eating": ["EATOUT"],
    }


def test_it_stops_a_comment_flood_from_the_page(rates, alice_page, bob):
    rates(comment="3/min")
    room = RoomFactory(author=bob)
    url = reverse("rooms:comment-create", args=[room.api_id])

    answers = [alice_page.post(url, {"content": f"도배 {n}"}).status_code for n in range(10)]

    assert answers == [302] * 3 + [429] * 7
    assert Comment.objects.filter(room=room).count() == 3
    assert_throttled_page(alice_page.post(url, {"content": "한 번 더"}))


def test_it_stops_a_room_flood_from_the_page(rates, alice_page, alice):
    rates(room_create="2/min")
    url = reverse("rooms:create")

    answers = [alice_page.post(url, room_form()).status_code for _ in range(5)]

    assert answers == [302, 302, 429, 429, 429]
    assert Room.objects.filter(author=alice).count() == 2
    # Reading the form spends nothing.
    assert alice_page.get(url).status_code == 200


def test_it_stops_a_join_and_leave_loop_from_the_page(rates, alice_page, bob):
    rates(participation="4/min")
    room = RoomFactory(author=bob)
    join = reverse("rooms:join", args=[room.api_id])
    leave = reverse("rooms:leave", args=[room.api_id])

    # Leave is confirmed (confirm=1), as the dialog sends it.
    answers = [alice_page.post(url, {"confirm": "1"}).status_code for url in [join, leave] * 4]

    assert answers == [302] * 4 + [429] * 4
    assert_throttled_page(alice_page.post(join))


def test_it_stops_random_match_requests_from_the_page(rates, alice_page, alice):
    rates(random_match="1/min")

    first = alice_page.post("/random/", {"category": "STUDY"})
    alice_page.post(reverse("matching:cancel"), {"category": "STUDY"})
    second = alice_page.post("/random/", {"category": "STUDY"})

    assert first.status_code == 302
    assert_throttled_page(second)
    assert RandomMatchRequest.objects.filter(user=alice).count() == 1
    assert alice_page.get("/random/?category=STUDY").status_code == 200


def test_it_stops_reviews_from_the_page(rates, settings, alice_page, alice, bob):
    settings.REVIEW_DELAY_MINUTES = 0
    rates(review="1/min")
    _room, match = completed_room(alice, bob)
    url = reverse("mypage:match_review", args=[match.api_id])

    alice_page.post(url, {"score_0": "MATCH_REVIEW_5"})

    assert_throttled_page(alice_page.post(url, {"score_0": "MATCH_REVIEW_5"}))


def test_it_throttles_api_writes_with_c008_and_not_reads(rates, alice):
    rates(room_create="1/min")
    client = api_client_for(alice)
    body = {
        "title": "점심",
        "date": (services.room_today() + timedelta(days=1)).isoformat(),
        "matchConditionDto": {"placeList": ["GAEPO"]},
        "content": "치킨",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
    }

    first = client.post("/api/articles", json.dumps(body), content_type="application/json")
    second = client.post("/api/articles", json.dumps(body), content_type="application/json")

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["code"] == "C008"
    assert int(second["Retry-After"]) >= 1
    assert client.get("/api/articles").status_code == 200


def test_it_spends_one_budget_from_the_page_and_the_api(rates, alice_page, alice, bob):
    rates(comment="2/min")
    room = RoomFactory(author=bob)
    api = api_client_for(alice)
    body = {"articleId": str(room.api_id), "content": "API에서", "parentId": None, "level": 1}

    from_api = api.post("/api/opinions", body, format="json")
    from_page = alice_page.post(
        reverse("rooms:comment-create", args=[room.api_id]), {"content": "페이지에서"}
    )
    over = api.post("/api/opinions", body, format="json")

    assert (from_api.status_code, from_page.status_code) == (200, 302)
    assert (over.status_code, over.json()["code"]) == (429, "C008")
    # Another student has a budget of their own.
    assert api_client_for(bob).post("/api/opinions", body, format="json").status_code == 200
