"""The random-match and block API (paths and fields of the original, API.md 4.5)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Block, RandomMatchRequest
from matching.services.random import random_match_expire_due, random_match_request_create
from matching.tests.factories import BlockFactory, RandomMatchRequestFactory

pytestmark = pytest.mark.django_db

Status = RandomMatchRequest.Status
URL = "/api/random-matches"


@pytest.fixture
def as_alice(api_client, alice):
    api_client.force_authenticate(user=alice)
    return api_client


@pytest.fixture(autouse=True)
def _no_runs(monkeypatch):
    from matching.services import random as random_services

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)


def assert_error(response, status: int, code: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code
    assert list(body) == ["message", "status", "errors", "code"]
    assert body["status"] == status
    return body


# --- POST /api/random-matches -------------------------------------------------------------------


def test_it_queues_a_flat_meal_request(as_alice, alice):
    response = as_alice.post(
        URL,
        {"contentCategory": "MEAL", "placeList": ["GAEPO"], "wayOfEatingList": ["eatout"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.content == b""
    request = RandomMatchRequest.objects.get(user=alice)
    assert (request.category, request.places, request.options) == ("MEAL", ["GAEPO"], ["EATOUT"])


def test_it_queues_a_flat_study_request_with_any_lists(as_alice, alice):
    response = as_alice.post(URL, {"contentCategory": "STUDY"}, format="json")
    assert response.status_code == 201
    request = RandomMatchRequest.objects.get(user=alice)
    assert (request.category, request.places, request.options) == ("STUDY", [], [])


def test_it_queues_the_older_clients_nested_body(as_alice, alice):
    body = {
        "contentCategory": "STUDY",
        "matchConditionRandomMatchDto": {
            "placeList": ["SEOCHO"],
            "wayOfEatingList": None,
            "typeOfStudyList": ["INNER_CIRCLE"],
        },
    }
    assert as_alice.post(URL, body, format="json").status_code == 201
    request = RandomMatchRequest.objects.get(user=alice)
    assert (request.places, request.options) == (["SEOCHO"], ["INNER_CIRCLE"])


def test_it_accepts_json_sent_as_text_plain(as_alice, alice):
    # The newer React client posts JSON.stringify(...) without a JSON content type (API.md Q5).
    body = '{"contentCategory":"MEAL","placeList":["SEOCHO"]}'
    assert as_alice.post(URL, body, content_type="text/plain").status_code == 201
    cancel = '{"contentCategory":"MEAL"}'
    assert as_alice.post(f"{URL}/mine", cancel, content_type="text/plain").status_code == 200


def test_it_triggers_a_run_on_commit(as_alice, monkeypatch, django_capture_on_commit_callbacks):
    from matching.services import random as random_services

    runs = []
    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: runs.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.post(URL, {"contentCategory": "MEAL"}, format="json")
    assert runs == [1]


def test_it_answers_rm001_to_a_second_request(as_alice, alice):
    as_alice.post(URL, {"contentCategory": "MEAL"}, format="json")
    response = as_alice.post(URL, {"contentCategory": "MEAL"}, format="json")
    assert_error(response, 409, "RM001")
    assert as_alice.post(URL, {"contentCategory": "STUDY"}, format="json").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            {"contentCategory": "MEAL", "typeOfStudyList": ["INNER_CIRCLE"]}, id="study-in-meal"
        ),
        pytest.param(
            {"contentCategory": "STUDY", "wayOfEatingList": ["EATOUT"]}, id="meal-in-study"
        ),
        pytest.param(
            {"contentCategory": "MEAL", "timeOfEatingList": ["LUNCH"]}, id="time-of-eating"
        ),
        pytest.param(
            {
                "contentCategory": "STUDY",
                "matchConditionRandomMatchDto": {"wayOfEatingList": ["DELIVERY"]},
            },
            id="nested-meal-in-study",
        ),
    ],
)
def test_it_answers_rm003_to_conditions_of_the_other_category(as_alice, body):
    assert_error(as_alice.post(URL, body, format="json"), 400, "RM003")
    assert not RandomMatchRequest.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-category"),
        pytest.param({"contentCategory": "meal"}, id="lower-case-category"),
        pytest.param({"contentCategory": "SLEEP"}, id="unknown-category"),
        pytest.param({"contentCategory": None}, id="null-category"),
        pytest.param({"contentCategory": "MEAL", "placeList": None}, id="null-list"),
        pytest.param({"contentCategory": "MEAL", "placeList": ["MOON"]}, id="unknown-place"),
        pytest.param({"contentCategory": "MEAL", "placeList": [3]}, id="number-in-list"),
        pytest.param({"contentCategory": "MEAL", "extra": 1}, id="unknown-key"),
        pytest.param(
            {"contentCategory": "MEAL", "matchConditionRandomMatchDto": {"nope": []}},
            id="unknown-nested-key",
        ),
        pytest.param(
            {
                "contentCategory": "MEAL",
                "placeList": ["GAEPO"],
                "matchConditionRandomMatchDto": {"placeList": ["GAEPO"]},
            },
            id="both-shapes",
        ),
    ],
)
def test_it_answers_c001_to_bad_bodies(as_alice, body):
    response = as_alice.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in {"C001", "C005"}
    assert not RandomMatchRequest.objects.exists()


def test_it_reports_the_field_of_a_bad_value(as_alice):
    body = assert_error(
        as_alice.post(URL, {"contentCategory": "MEAL", "placeList": ["MOON"]}, format="json"),
        400,
        "C001",
    )
    assert body["errors"][0]["field"].startswith("placeList")


def test_it_answers_c007_to_malformed_json(as_alice):
    response = as_alice.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_it_requires_a_login(api_client):
    response = api_client.post(URL, {"contentCategory": "MEAL"}, format="json")
    assert response.status_code == 401
    assert not RandomMatchRequest.objects.exists()


# --- POST /api/random-matches/mine (cancel) -----------------------------------------------------


def test_it_cancels_the_callers_request(as_alice, alice):
    random_match_request_create(user=alice, category="STUDY")
    response = as_alice.post(f"{URL}/mine", {"contentCategory": "study"}, format="json")
    assert response.status_code == 200
    assert response.content == b""
    assert RandomMatchRequest.objects.get(user=alice).status == Status.CANCELLED


def test_it_answers_rm002_when_there_is_nothing_to_cancel(as_alice, bob):
    random_match_request_create(user=bob, category="MEAL")
    response = as_alice.post(f"{URL}/mine", {"contentCategory": "MEAL"}, format="json")
    assert_error(response, 409, "RM002")
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING


@pytest.mark.parametrize(
    "body", [{}, {"contentCategory": "NAP"}, {"contentCategory": "MEAL", "x": 1}]
)
def test_it_answers_c001_to_a_bad_cancel_body(as_alice, body):
    assert_error(as_alice.post(f"{URL}/mine", body, format="json"), 400, "C001")


# --- GET /api/random-matches/mine --------------------------------------------------------------


def test_it_says_whether_the_caller_waits(as_alice, alice):
    assert as_alice.get(f"{URL}/mine", {"contentCategory": "MEAL"}).json() == {"isExist": False}
    random_match_request_create(user=alice, category="STUDY")
    assert as_alice.get(f"{URL}/mine", {"contentCategory": "MEAL"}).json() == {"isExist": False}
    assert as_alice.get(f"{URL}/mine", {"contentCategory": "study"}).json() == {"isExist": True}
    assert as_alice.get(f"{URL}/mine").json() == {"isExist": True}


def test_it_does_not_count_an_expired_request_as_waiting(as_alice, alice):
    random_match_request_create(
        user=alice, category="MEAL", now=timezone.now() - timedelta(minutes=31)
    )
    assert as_alice.get(f"{URL}/mine", {"contentCategory": "MEAL"}).json() == {"isExist": False}
    # A read never writes: the scheduled run (or alice's next write) expires the row.
    assert RandomMatchRequest.objects.get(user=alice).status == Status.WAITING
    random_match_expire_due()
    assert RandomMatchRequest.objects.get(user=alice).status == Status.EXPIRED


def test_it_answers_c001_to_a_bad_category_query(as_alice):
    assert_error(as_alice.get(f"{URL}/mine", {"contentCategory": "NAP"}), 400, "C001")


# --- GET /api/random-matches/condition/mine ---------------------------------------------------


def test_it_shows_the_callers_conditions_in_both_shapes(as_alice, alice):
    random_match_request_create(
        user=alice, category="MEAL", places=["GAEPO"], options=["DELIVERY", "EATOUT"]
    )
    body = as_alice.get(f"{URL}/condition/mine", {"contentCategory": "MEAL"}).json()
    assert body == {
        "contentCategory": "MEAL",
        "placeList": ["GAEPO"],
        "wayOfEatingList": ["DELIVERY", "EATOUT"],
        "matchConditionRandomMatchDto": {
            "placeList": ["GAEPO"],
            "wayOfEatingList": ["DELIVERY", "EATOUT"],
            "typeOfStudyList": [],
        },
    }


def test_it_shows_any_as_every_value(as_alice, alice):
    random_match_request_create(user=alice, category="STUDY")
    body = as_alice.get(f"{URL}/condition/mine", {"contentCategory": "STUDY"}).json()
    assert body["placeList"] == ["SEOCHO", "GAEPO", "OUT_OF_CLUSTER"]
    assert body["typeOfStudyList"] == ["INNER_CIRCLE", "NOT_INNER_CIRCLE"]
    assert body["matchConditionRandomMatchDto"]["wayOfEatingList"] == []


def test_it_shows_empty_lists_without_an_active_request(as_alice):
    body = as_alice.get(f"{URL}/condition/mine", {"contentCategory": "STUDY"}).json()
    assert body["placeList"] == []
    assert body["typeOfStudyList"] == []


def test_it_answers_c001_without_a_category(as_alice):
    # The original answered 500 here (API.md Q11).
    assert_error(as_alice.get(f"{URL}/condition/mine"), 400, "C001")


# --- GET /api/random-matches/members/count ----------------------------------------------------


def test_it_counts_distinct_waiting_members_publicly(api_client, alice, bob, charlie):
    random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=alice, category="STUDY")
    random_match_request_create(user=bob, category="MEAL")
    RandomMatchRequestFactory(user=charlie, status=Status.CANCELLED)
    RandomMatchRequestFactory(
        category="STUDY",
        created_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() - timedelta(minutes=30),
    )
    count = f"{URL}/members/count"
    assert api_client.get(count, {"contentCategory": "MEAL"}).json() == {"randomMatchCount": 2}
    assert api_client.get(count, {"contentCategory": "study"}).json() == {"randomMatchCount": 1}
    assert api_client.get(count).json() == {"randomMatchCount": 2}


def test_it_counts_in_one_query(api_client, django_assert_num_queries, alice, bob):
    random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=bob, category="MEAL")
    with django_assert_num_queries(1):
        api_client.get(f"{URL}/members/count", {"contentCategory": "MEAL"})


# --- POST /api/random-matches/renew ----------------------------------------------------------


def test_it_renews_an_expired_request(as_alice, alice):
    random_match_request_create(
        user=alice, category="MEAL", places=["SEOCHO"], now=timezone.now() - timedelta(hours=1)
    )
    response = as_alice.post(f"{URL}/renew", {"contentCategory": "MEAL"}, format="json")
    assert response.status_code == 201
    waiting = RandomMatchRequest.objects.get(user=alice, status=Status.WAITING)
    assert waiting.places == ["SEOCHO"]


def test_it_answers_c003_when_nothing_expired(as_alice):
    response = as_alice.post(f"{URL}/renew", {"contentCategory": "MEAL"}, format="json")
    assert_error(response, 404, "C003")


# --- /api/blocks -----------------------------------------------------------------------------


def test_it_blocks_and_lists_and_unblocks(as_alice, alice, bob):
    response = as_alice.post("/api/blocks", {"userId": str(bob.api_id)}, format="json")
    assert response.status_code == 201
    assert response.json() == {"userId": str(bob.api_id)}
    again = as_alice.post("/api/blocks", {"userId": str(bob.api_id)}, format="json")
    assert again.status_code == 200
    listed = as_alice.get("/api/blocks").json()
    assert [(b["userId"], b["nickname"]) for b in listed] == [(str(bob.api_id), bob.nickname)]
    assert set(listed[0]) == {"userId", "nickname", "createdAt"}
    assert as_alice.delete(f"/api/blocks/{bob.api_id}").status_code == 200
    assert not Block.objects.exists()
    assert_error(as_alice.delete(f"/api/blocks/{bob.api_id}"), 404, "C003")


def test_it_hides_a_block_from_the_blocked_user(api_client, alice, bob):
    BlockFactory(blocker=alice, blocked=bob)
    api_client.force_authenticate(user=bob)
    assert api_client.get("/api/blocks").json() == []


def test_it_lists_blocks_in_constant_queries(as_alice, alice, django_assert_num_queries):
    for _ in range(5):
        BlockFactory(blocker=alice)
    with django_assert_num_queries(1):
        assert len(as_alice.get("/api/blocks").json()) == 5


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"userId": "not-a-uuid"}, 404, "C003"),
        ({"userId": "00000000-0000-0000-0000-000000000000"}, 404, "C003"),
        ({}, 400, "C001"),
        ({"userId": "x", "extra": True}, 400, "C001"),
    ],
)
def test_it_answers_errors_to_bad_blocks(as_alice, body, status, code):
    assert_error(as_alice.post("/api/blocks", body, format="json"), status, code)


def test_it_refuses_blocking_oneself(as_alice, alice):
    response = as_alice.post("/api/blocks", {"userId": str(alice.api_id)}, format="json")
    assert_error(response, 400, "C001")
