"""Reading matches: GET /api/matches and /api/matches/{id} (API.md 4.1, 4.4)."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation

from accounts.tests.factories import UserFactory
from matching.models import ActivityMatchScore, Match
from matching.services.reviews import match_review_create
from matching.tests.match_helpers import client_for, completed_room, error_code, random_match
from partner42.choices import ContentCategory, MethodCategory


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # A page asked for in English leaves English active in this thread for the next tests.
    yield
    translation.deactivate()


MATCH_DTO_KEYS = [
    "matchId",
    "createdAt",
    "reviewAvailableTime",
    "isReviewed",
    "matchStatus",
    "contentCategory",
    "methodCategory",
    "participantNum",
    "matchConditionDto",
    "participantsOrAuthor",
]


def _list(client, **query):
    return client.get("/api/matches", query)


def _parse(local: str) -> datetime:
    return datetime.fromisoformat(local)


def test_it_lists_the_callers_matches_in_the_original_shape(alice, bob, charlie, settings):
    settings.REVIEW_DELAY_MINUTES = 30
    _room, match = completed_room(alice, bob, charlie)

    body = _list(client_for(bob)).json()

    assert body["numberOfElements"] == 1
    assert body["last"] is True
    dto = body["content"][0]
    assert list(dto) == MATCH_DTO_KEYS
    assert dto["matchId"] == str(match.api_id)
    assert dto["isReviewed"] is False
    assert dto["matchStatus"] == "MATCHED"
    assert dto["contentCategory"] == "MEAL"
    assert dto["methodCategory"] == "MANUAL"
    assert dto["participantNum"] == 3
    assert dto["matchConditionDto"] == {
        "placeList": ["GAEPO"],
        "timeOfEatingList": ["LUNCH"],
        "wayOfEatingList": ["EATOUT"],
        "typeOfStudyList": [],
    }
    assert dto["participantsOrAuthor"] == [
        {"nickname": "alice", "isAuthor": True, "isMe": False, "bio": "", "interests": []},
        {"nickname": "bob", "isAuthor": False, "isMe": True, "bio": "", "interests": []},
        {"nickname": "charlie", "isAuthor": False, "isMe": False, "bio": "", "interests": []},
    ]
    assert _parse(dto["reviewAvailableTime"]) - _parse(dto["createdAt"]) == timedelta(minutes=30)
    assert "+" not in dto["createdAt"]  # a LocalDateTime, without offset


def test_it_lists_only_the_callers_matches_newest_first(alice, bob, charlie):
    first = random_match(alice, bob)
    second = random_match(alice, charlie)
    random_match(bob, charlie)

    ids = [dto["matchId"] for dto in _list(client_for(alice)).json()["content"]]

    assert ids == [str(second.api_id), str(first.api_id)]


def test_it_sorts_oldest_first_when_asked(alice, bob):
    first, second = random_match(alice, bob), random_match(alice, bob)

    ids = [
        dto["matchId"] for dto in _list(client_for(alice), sort="createdAt,asc").json()["content"]
    ]

    assert ids == [str(first.api_id), str(second.api_id)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"contentCategory": "STUDY"}, ["study-room"]),
        ({"contentCategory": "meal"}, ["meal-random"]),
        ({"methodCategory": "MANUAL"}, ["study-room"]),
        ({"methodCategory": "RANDOM"}, ["meal-random"]),
        ({"contentCategory": "MEAL", "methodCategory": "MANUAL"}, []),
    ],
)
def test_it_filters_by_category_and_method(alice, bob, query, expected):
    names = {
        str(random_match(alice, bob, category=ContentCategory.MEAL).api_id): "meal-random",
        str(completed_room(alice, bob, category=ContentCategory.STUDY)[1].api_id): "study-room",
    }

    content = _list(client_for(alice), **query).json()["content"]

    assert [names[dto["matchId"]] for dto in content] == expected


@pytest.mark.parametrize(
    "query", [{"contentCategory": "LUNCH"}, {"methodCategory": "manual"}, {"sort": "members"}]
)
def test_it_refuses_bad_query_values(alice, query):
    assert error_code(_list(client_for(alice), **query)) == (400, "C001")


def test_it_marks_the_matches_the_caller_reviewed(alice, bob, settings):
    settings.REVIEW_DELAY_MINUTES = 0
    reviewed, pending = random_match(alice, bob), random_match(alice, bob)
    match_review_create(
        match=reviewed, reviewer=alice, scores=[(bob, ActivityMatchScore.MATCH_REVIEW_5)]
    )

    flags = {
        dto["matchId"]: dto["isReviewed"] for dto in _list(client_for(alice)).json()["content"]
    }
    bobs = {dto["matchId"]: dto["isReviewed"] for dto in _list(client_for(bob)).json()["content"]}

    assert flags == {str(reviewed.api_id): True, str(pending.api_id): False}
    assert bobs == {str(reviewed.api_id): False, str(pending.api_id): False}


def test_it_hides_an_anonymous_author_from_the_other_members(alice, bob, operator):
    _room, match = completed_room(alice, bob, anonymity=True)

    as_bob = client_for(bob).get(f"/api/matches/{match.api_id}").json()
    as_alice = client_for(alice).get(f"/api/matches/{match.api_id}").json()
    as_operator = client_for(operator).get(f"/api/matches/{match.api_id}").json()

    assert as_bob["participantsOrAuthor"][0] == {
        "nickname": "익명",
        "isAuthor": True,
        "isMe": False,
        "bio": "",
        "interests": [],
    }
    assert "alice" not in str(as_bob)
    assert as_alice["participantsOrAuthor"][0] == {
        "nickname": "alice",
        "isAuthor": True,
        "isMe": True,
        "bio": "",
        "interests": [],
    }
    assert as_operator["participantsOrAuthor"][0]["nickname"] == "alice"


def test_it_answers_in_three_queries_whatever_the_size(alice, django_assert_num_queries):
    partners = [UserFactory(username=f"partner{i}") for i in range(6)]
    for partner in partners[:2]:
        random_match(alice, partner)
    client = client_for(alice)

    with django_assert_num_queries(3):
        small = _list(client)
    for partner in partners[2:]:
        completed_room(alice, partner, UserFactory(username=f"third-{partner.username}"))
    with django_assert_num_queries(3):
        large = _list(client)

    assert small.json()["numberOfElements"] == 2
    assert large.json()["numberOfElements"] == 6


def test_it_pages_the_list(alice, bob):
    matches = [random_match(alice, bob) for _ in range(5)]

    first = _list(client_for(alice), size=2).json()
    last = _list(client_for(alice), size=2, page=2).json()

    assert [dto["matchId"] for dto in first["content"]] == [
        str(matches[4].api_id),
        str(matches[3].api_id),
    ]
    assert first["last"] is False
    assert [dto["matchId"] for dto in last["content"]] == [str(matches[0].api_id)]
    assert last["last"] is True


def test_it_shows_one_match_to_a_member(alice, bob):
    match = random_match(alice, bob)

    response = client_for(bob).get(f"/api/matches/{match.api_id}")

    assert response.status_code == 200
    # One match adds, ours, where to eat (matching/tests/test_suggestions_api.py).
    assert list(response.json()) == [*MATCH_DTO_KEYS, "restaurantSuggestions", "pinnedRestaurant"]
    assert response.json()["methodCategory"] == MethodCategory.RANDOM


def test_it_refuses_one_match_to_a_non_member(alice, bob, charlie):
    match = random_match(alice, bob)

    assert error_code(client_for(charlie).get(f"/api/matches/{match.api_id}")) == (403, "MCH002")


def test_it_shows_any_match_to_an_operator(alice, bob, operator):
    match = random_match(alice, bob)

    response = client_for(operator).get(f"/api/matches/{match.api_id}")

    assert response.status_code == 200
    assert response.json()["isReviewed"] is False
    assert all(member["isMe"] is False for member in response.json()["participantsOrAuthor"])


@pytest.mark.parametrize("match_id", ["00000000-0000-0000-0000-000000000000", "x"])
def test_it_answers_404_for_an_unknown_match(alice, match_id):
    assert error_code(client_for(alice).get(f"/api/matches/{match_id}")) == (404, "C003")


def test_it_needs_a_login(api_client, db):
    assert api_client.get("/api/matches").status_code == 401


def test_it_keeps_the_match_when_the_room_is_edited_by_an_operator(alice, bob, operator):
    room, match = completed_room(alice, bob)

    # A completed room cannot be deleted, so its match always points at it.
    response = client_for(operator).post(f"/api/articles/{room.api_id}/recoverable-delete")

    assert error_code(response) == (409, "AR007")
    assert Match.objects.get(pk=match.pk).room_id == room.pk


def test_it_names_a_hidden_author_the_same_in_every_language(alice, bob):
    _room, match = completed_room(alice, bob, anonymity=True)

    response = client_for(bob).get(
        f"/api/matches/{match.api_id}", headers={"accept-language": "en"}
    )

    assert response.json()["participantsOrAuthor"][0]["nickname"] == "익명"
