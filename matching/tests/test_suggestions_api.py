"""Where a meal match eats, over the API: `restaurantSuggestions` and `pinnedRestaurant` in
`GET /api/matches/{id}`, and `PUT`/`DELETE /api/matches/{id}/restaurant`."""

import pytest

from matching.models import Match, MatchStatus
from matching.selectors.suggestions import restaurant_suggestions
from matching.tests.match_helpers import client_for, completed_room, error_code, random_match
from partner42.choices import ContentCategory, Place
from restaurants.cache import local_cache_clear
from restaurants.tests.factories import restaurant_near


@pytest.fixture(autouse=True)
def _fresh_restaurant_cache(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    local_cache_clear()
    yield
    local_cache_clear()


@pytest.fixture
def restaurants(db):
    return [restaurant_near(Place.GAEPO, 60 + 40 * i, name=f"r{i}") for i in range(6)]


def _url(match) -> str:
    return f"/api/matches/{match.api_id}/restaurant"


def test_the_match_lists_its_suggestions_and_no_pin(alice, bob, restaurants):
    match = random_match(alice, bob)

    body = client_for(alice).get(f"/api/matches/{match.api_id}").json()

    cards = restaurant_suggestions(match)
    assert [s["restaurantId"] for s in body["restaurantSuggestions"]] == [
        str(c.api_id) for c in cards
    ]
    first = body["restaurantSuggestions"][0]
    assert list(first) == [
        "restaurantId",
        "name",
        "category",
        "address",
        "phone",
        "latitude",
        "longitude",
        "priceLevel",
        "link",
        "campus",
        "distance",
        "walkMinutes",
    ]
    assert first["campus"] == "GAEPO"
    assert body["pinnedRestaurant"] is None


def test_a_study_match_has_no_suggestions(alice, bob, restaurants):
    match = random_match(alice, bob, category=ContentCategory.STUDY)

    body = client_for(alice).get(f"/api/matches/{match.api_id}").json()

    assert body["restaurantSuggestions"] == []
    assert body["pinnedRestaurant"] is None


def test_a_member_pins_and_unpins(alice, bob, restaurants):
    match = random_match(alice, bob)
    chosen = restaurants[4]

    response = client_for(bob).put(_url(match), {"restaurantId": str(chosen.api_id)}, format="json")

    assert response.status_code == 200
    pinned = response.json()["pinnedRestaurant"]
    assert pinned["restaurantId"] == str(chosen.api_id)
    assert pinned["name"] == "r4"
    assert pinned["pinnedBy"] == "bob"
    assert pinned["isOpen"] is True
    assert pinned["pinnedAt"]
    again = client_for(alice).get(f"/api/matches/{match.api_id}").json()
    assert again["pinnedRestaurant"]["restaurantId"] == str(chosen.api_id)

    response = client_for(alice).delete(_url(match))
    assert response.status_code == 200
    assert response.json()["pinnedRestaurant"] is None
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None
    # `null` unpins too.
    client_for(alice).put(_url(match), {"restaurantId": str(chosen.api_id)}, format="json")
    response = client_for(alice).put(_url(match), {"restaurantId": None}, format="json")
    assert response.json()["pinnedRestaurant"] is None


def test_the_hidden_author_is_masked_as_the_pinner(alice, bob, restaurants):
    _room, match = completed_room(alice, bob, participant_num_max=2, anonymity=True)
    client_for(alice).put(_url(match), {"restaurantId": str(restaurants[0].api_id)}, format="json")

    seen_by_bob = client_for(bob).get(f"/api/matches/{match.api_id}").json()
    seen_by_alice = client_for(alice).get(f"/api/matches/{match.api_id}").json()

    assert seen_by_bob["pinnedRestaurant"]["pinnedBy"] == "익명"
    assert seen_by_alice["pinnedRestaurant"]["pinnedBy"] == "alice"


def test_it_refuses_outsiders_and_operators(alice, bob, charlie, operator, restaurants):
    match = random_match(alice, bob)
    body = {"restaurantId": str(restaurants[0].api_id)}

    assert error_code(client_for(charlie).put(_url(match), body, format="json")) == (403, "MCH002")
    assert error_code(client_for(operator).put(_url(match), body, format="json")) == (
        403,
        "MCH002",
    )
    assert error_code(client_for(charlie).delete(_url(match))) == (403, "MCH002")
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def test_it_answers_404_for_an_unknown_or_malformed_match(alice):
    for match_id in ("00000000-0000-0000-0000-000000000000", "nonsense"):
        response = client_for(alice).delete(f"/api/matches/{match_id}/restaurant")
        assert error_code(response) == (404, "C003")


def test_a_canceled_match_answers_409(alice, bob, restaurants):
    match = random_match(alice, bob)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)

    response = client_for(alice).put(
        _url(match), {"restaurantId": str(restaurants[0].api_id)}, format="json"
    )

    assert error_code(response) == (409, "MCH006")
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "restaurantId"),  # required
        ({"restaurantId": "nonsense"}, "restaurantId"),
        ({"restaurantId": "00000000-0000-0000-0000-000000000000"}, "restaurantId"),
        ({"restaurantId": "' OR 1=1 --"}, "restaurantId"),
        ({"restaurantId": 42}, "restaurantId"),
        ({"restaurantId": "x" * 500}, "restaurantId"),
        ({"restaurantId": None, "extra": 1}, "extra"),
    ],
)
def test_it_answers_400_naming_the_field(alice, bob, restaurants, body, field):
    match = random_match(alice, bob)

    response = client_for(alice).put(_url(match), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in ("C001", "C005")
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("body", [["a"], {"restaurantId": ["a"]}, {"restaurantId": {"a": 1}}])
def test_it_answers_4xx_to_bodies_of_the_wrong_shape(alice, bob, body):
    match = random_match(alice, bob)

    response = client_for(alice).put(_url(match), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in ("C001", "C005")


def test_malformed_json_is_400(alice, bob):
    match = random_match(alice, bob)

    response = client_for(alice).put(_url(match), "{", content_type="application/json")

    assert error_code(response) == (400, "C007")


def test_a_far_or_closed_restaurant_is_refused(alice, bob, restaurants):
    match = random_match(alice, bob)
    far = restaurant_near(Place.GAEPO, 4000)
    closed = restaurant_near(Place.GAEPO, 40, is_open=False)

    for restaurant in (far, closed):
        response = client_for(alice).put(
            _url(match), {"restaurantId": str(restaurant.api_id)}, format="json"
        )
        assert error_code(response) == (400, "C001")
        assert response.json()["errors"][0]["field"] == "restaurantId"
        assert response.json()["errors"][0]["value"] == str(restaurant.api_id)


def test_the_match_reads_in_fixed_queries(alice, bob, restaurants, django_assert_num_queries):
    match = random_match(alice, bob)
    client = client_for(alice)
    client.get(f"/api/matches/{match.api_id}")  # warm the restaurant cache

    # The match with its room and pin, members, conditions (as before), the members' recent pins.
    with django_assert_num_queries(4):
        client.get(f"/api/matches/{match.api_id}")
    client.put(_url(match), {"restaurantId": str(restaurants[0].api_id)}, format="json")
    with django_assert_num_queries(4):
        client.get(f"/api/matches/{match.api_id}")
