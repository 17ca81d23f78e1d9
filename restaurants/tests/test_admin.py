"""The restaurant admin: search, filters, actions, and distances kept on save."""

import pytest

from restaurants.models import Restaurant
from restaurants.tests.factories import restaurant_near

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return [
        restaurant_near("GAEPO", 100, name="국밥집", category="한식"),
        restaurant_near("SEOCHO", 200, name="서초국수", category="분식"),
        restaurant_near("GAEPO", 50, name="닫은집", is_open=False),
    ]


def _listed(response) -> set[str]:
    return {r.name for r in response.context["cl"].result_list}


def test_it_lists_with_distances(staff_client, places):
    response = staff_client.get("/admin/restaurants/restaurant/")

    assert response.status_code == 200
    assert "GAEPO 100 m" in response.content.decode()


def test_it_searches_and_filters(staff_client, places):
    assert _listed(staff_client.get("/admin/restaurants/restaurant/", {"q": "국수"})) == {
        "서초국수"
    }
    assert _listed(staff_client.get("/admin/restaurants/restaurant/", {"is_open__exact": "0"})) == {
        "닫은집"
    }
    near = staff_client.get("/admin/restaurants/restaurant/", {"near": "SEOCHO:5"})
    assert _listed(near) == {"서초국수"}
    assert _listed(staff_client.get("/admin/restaurants/restaurant/", {"near": "GAEPO:x"})) == set()


def test_it_measures_a_restaurant_added_by_hand(staff_client):
    response = staff_client.post(
        "/admin/restaurants/restaurant/add/",
        {
            "name": "새로운집",
            "category": "한식",
            "is_open": "on",
            "price_level": "2",
            "link": "",
            "road_address": "서울 강남구 개포로 416",
            "address": "",
            "phone": "",
            "latitude": "37.4881",
            "longitude": "127.0655",
            "distances-TOTAL_FORMS": "0",
            "distances-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    restaurant = Restaurant.objects.get(name="새로운집")
    assert restaurant.licence_id is None
    assert restaurant.distances.get(campus="GAEPO").metres == 0
    assert 3000 < restaurant.distances.get(campus="SEOCHO").metres < 3700


def test_it_closes_and_opens_with_actions(staff_client, places):
    staff_client.post(
        "/admin/restaurants/restaurant/",
        {"action": "mark_closed", "_selected_action": [places[0].pk, places[1].pk]},
    )

    assert set(Restaurant.objects.filter(is_open=False).values_list("name", flat=True)) == {
        "국밥집",
        "서초국수",
        "닫은집",
    }
