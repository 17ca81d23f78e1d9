"""GET /api/restaurants, /api/restaurants/pick and /api/restaurants/{id}."""

import pytest

from restaurants.tests.factories import restaurant_near

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return [
        restaurant_near("GAEPO", 100, name="국밥집", category="한식", price_level=1),
        restaurant_near("GAEPO", 0, 300, name="짜장집", category="중국식"),
        restaurant_near("GAEPO", -600, name="초밥집", category="일식", link="https://example.com"),
        restaurant_near("GAEPO", 0, -900, name="찌개집", category="한식"),
        restaurant_near("SEOCHO", 150, name="서초국수", category="한식"),
    ]


def _error_fields(response):
    return [error["field"] for error in response.json()["errors"]]


def test_it_lists_restaurants_near_a_campus_as_a_slice(api_client, places):
    response = api_client.get("/api/restaurants", {"campus": "GAEPO", "size": 2})

    assert response.status_code == 200
    body = response.json()
    assert [r["name"] for r in body["content"]] == ["국밥집", "짜장집"]
    assert body["last"] is False
    assert body["first"] is True
    assert body["numberOfElements"] == 2
    assert body["pageable"]["pageSize"] == 2
    assert body["content"][0] == {
        "restaurantId": str(places[0].api_id),
        "name": "국밥집",
        "category": "한식",
        "address": "서울특별시 강남구 개포로 416 (개포동)",
        "phone": "02-000-0000",
        "latitude": pytest.approx(places[0].latitude),
        "longitude": pytest.approx(places[0].longitude),
        "priceLevel": 1,
        "link": "",
        "campus": "GAEPO",
        "distance": 100,
        "walkMinutes": 2,
    }


def test_it_filters_by_campus_category_and_walking_time(api_client, places):
    response = api_client.get(
        "/api/restaurants", {"campus": "gaepo", "category": "한식", "maxWalkMinutes": 10}
    )

    assert [r["name"] for r in response.json()["content"]] == ["국밥집"]
    seocho = api_client.get("/api/restaurants", {"campus": "SEOCHO", "maxWalkMinutes": 10})
    assert [r["name"] for r in seocho.json()["content"]] == ["서초국수"]


def test_it_defaults_to_gaepo(api_client, places):
    response = api_client.get("/api/restaurants")

    assert response.json()["content"][0]["name"] == "국밥집"
    assert {r["campus"] for r in response.json()["content"]} == {"GAEPO"}


def test_it_pages_and_sorts(api_client, places):
    second = api_client.get("/api/restaurants", {"size": 2, "page": 1})
    by_name = api_client.get("/api/restaurants", {"sort": "name,desc", "maxWalkMinutes": 15})

    assert [r["name"] for r in second.json()["content"]] == ["초밥집", "찌개집"]
    assert [r["name"] for r in by_name.json()["content"]] == [
        "초밥집",
        "찌개집",
        "짜장집",
        "국밥집",
    ]
    assert by_name.json()["sort"]["sorted"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"campus": "BUSAN"}, "campus"),
        ({"maxWalkMinutes": "ten"}, "maxWalkMinutes"),
        ({"maxWalkMinutes": "-1"}, "maxWalkMinutes"),
        ({"maxWalkMinutes": "121"}, "maxWalkMinutes"),
        ({"category": "가" * 51}, "category"),
        ({"page": "-1"}, "page"),
        ({"size": "1000"}, "size"),
        ({"sort": "rating"}, "sort"),
    ],
)
def test_it_answers_bad_parameters_with_400_c001(api_client, places, params, field):
    response = api_client.get("/api/restaurants", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "C001"
    assert body["status"] == 400
    assert _error_fields(response) == [field]
    assert body["errors"][0]["value"] == next(iter(params.values()))


def test_it_picks_one_matching_restaurant(api_client, places):
    response = api_client.get(
        "/api/restaurants/pick", {"campus": "GAEPO", "category": "한식", "maxWalkMinutes": 15}
    )

    assert response.status_code == 200
    assert response.json()["name"] in {"국밥집", "찌개집"}
    assert response.json()["campus"] == "GAEPO"


def test_it_answers_404_c003_when_nothing_can_be_picked(api_client, places):
    response = api_client.get("/api/restaurants/pick", {"category": "양식"})

    assert response.status_code == 404
    assert response.json()["code"] == "C003"


def test_it_checks_the_pick_parameters_too(api_client, places):
    response = api_client.get("/api/restaurants/pick", {"maxWalkMinutes": "soon"})

    assert response.status_code == 400
    assert response.json()["code"] == "C001"


def test_it_shows_one_restaurant_with_its_distance_to_each_campus(api_client, places):
    response = api_client.get(f"/api/restaurants/{places[2].api_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "초밥집"
    assert body["isOpen"] is True
    assert body["link"] == "https://example.com"
    assert body["distances"][0] == {"campus": "GAEPO", "distance": 600, "walkMinutes": 9}
    assert body["distances"][1]["campus"] == "SEOCHO"


@pytest.mark.parametrize("restaurant_id", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_it_answers_404_c003_for_an_unknown_restaurant(api_client, places, restaurant_id):
    response = api_client.get(f"/api/restaurants/{restaurant_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "C003"


@pytest.mark.parametrize("url", ["/api/restaurants", "/api/restaurants/pick"])
def test_it_reads_with_a_constant_number_of_queries(
    api_client, places, django_assert_num_queries, url
):
    for n in range(30):
        restaurant_near("GAEPO", 200 + n * 10)

    with django_assert_num_queries(1):  # cold: the campus's restaurants, once
        assert api_client.get(url, {"size": 50}).status_code == 200
    with django_assert_num_queries(0):  # warm: from this process's copy
        assert api_client.get(url, {"size": 50, "category": "한식"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "queries"), [("/api/restaurants", 1), ("/api/restaurants/pick", 2)]
)
def test_it_reads_with_a_constant_number_of_queries_without_the_cache(
    api_client, places, settings, django_assert_num_queries, url, queries
):
    settings.RESTAURANT_CACHE_SECONDS = 0
    for n in range(30):
        restaurant_near("GAEPO", 200 + n * 10)

    for size in (5, 50):
        with django_assert_num_queries(queries):
            assert api_client.get(url, {"size": size}).status_code == 200


def test_it_needs_no_login_and_accepts_a_logged_in_student(api_client, places, alice):
    api_client.force_authenticate(alice)

    assert api_client.get("/api/restaurants").status_code == 200


def test_it_lists_only_restaurants_near_the_cluster_by_default(api_client, places):
    far = restaurant_near("GAEPO", 1500, name="먼집")  # 23 minutes' walk
    names = [r["name"] for r in api_client.get("/api/restaurants").json()["content"]]
    assert "찌개집" in names  # 900 m, 14 minutes
    assert far.name not in names
    unlimited = api_client.get("/api/restaurants", {"maxWalkMinutes": 0}).json()["content"]
    assert far.name in [r["name"] for r in unlimited]


def test_a_match_shows_its_suggestions_in_the_shape_of_the_list(places):
    """matching's JSON writes the cards with `restaurant_card_dto` (no serializer on the way):
    the same keys and values as this API's `RestaurantCardOutput`, for every kind of card."""
    import json

    from restaurants.api.serializers import RestaurantCardOutput, restaurant_card_dto
    from restaurants.selectors import RecommendationQuery, restaurant_recommendation_list

    cards, _more = restaurant_recommendation_list(query=RecommendationQuery(campus="GAEPO"))
    assert cards
    for card in cards:
        by_serializer = json.loads(json.dumps(RestaurantCardOutput(card).data))
        assert json.loads(json.dumps(restaurant_card_dto(card))) == by_serializer
