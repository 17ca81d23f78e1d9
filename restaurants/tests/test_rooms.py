"""A MEAL room may name a restaurant: services, API (`restaurantId`), create/edit form, detail."""

from datetime import timedelta

import pytest

from partner42.choices import ContentCategory
from partner42.errors import ApplicationError
from restaurants.tests.factories import restaurant_near
from rooms import services
from rooms.models import Room
from rooms.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def soup():
    return restaurant_near("GAEPO", 100, name="국밥집", category="한식")


@pytest.fixture
def closed():
    return restaurant_near("GAEPO", 200, name="닫은집", is_open=False)


def _tomorrow() -> str:
    return (services.room_today() + timedelta(days=1)).isoformat()


def _article(**overrides) -> dict:
    body = {
        "title": "점심",
        "date": _tomorrow(),
        "matchConditionDto": {"placeList": ["GAEPO"], "timeOfEatingList": ["LUNCH"]},
        "content": "국밥 먹어요",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
    }
    body.update(overrides)
    return body


def _update_kwargs(room: Room, **overrides) -> dict:
    kwargs = {
        "title": room.title,
        "content": room.content,
        "meeting_date": room.date,
        "anonymity": room.anonymity,
        "participant_num_max": room.participant_num_max,
        "conditions": {},
    }
    kwargs.update(overrides)
    return kwargs


# --- services -----------------------------------------------------------------------------------


def test_it_names_a_restaurant_on_a_meal_room(alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)

    assert Room.objects.get(pk=room.pk).restaurant == soup


@pytest.mark.parametrize(
    ("category", "which", "reason"),
    [
        (ContentCategory.STUDY, "soup", "식사 방에서만"),
        (ContentCategory.MEAL, "closed", "영업하지 않는"),
    ],
)
def test_it_refuses_a_restaurant_on_a_study_room_or_a_closed_one(
    alice, soup, closed, category, which, reason
):
    restaurant = {"soup": soup, "closed": closed}[which]

    with pytest.raises(ApplicationError) as excinfo:
        RoomFactory(author=alice, category=category, restaurant=restaurant)

    assert excinfo.value.code == "C001"
    assert excinfo.value.errors[0]["field"] == "restaurantId"
    assert reason in excinfo.value.errors[0]["reason"]
    assert not Room.objects.exists()


def test_it_keeps_clears_or_replaces_the_restaurant_on_update(alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)
    other = restaurant_near("GAEPO", 300, name="짜장집")

    kept = services.room_update(room=room, user=alice, **_update_kwargs(room))
    assert kept.restaurant == soup
    replaced = services.room_update(room=room, user=alice, **_update_kwargs(room, restaurant=other))
    assert replaced.restaurant == other
    cleared = services.room_update(room=room, user=alice, **_update_kwargs(room, restaurant=None))
    assert cleared.restaurant is None


def test_it_keeps_a_restaurant_that_closed_after_it_was_named(alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)
    soup.is_open = False
    soup.save()

    updated = services.room_update(
        room=room, user=alice, **_update_kwargs(room, title="다시", restaurant=soup)
    )

    assert updated.restaurant == soup


def test_it_forgets_a_deleted_restaurant(alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)

    soup.delete()

    assert Room.objects.get(pk=room.pk).restaurant is None


# --- API ----------------------------------------------------------------------------------------


def test_it_takes_restaurant_id_in_the_api_and_shows_it(api_client, alice, soup):
    api_client.force_authenticate(alice)

    created = api_client.post(
        "/api/articles", _article(restaurantId=str(soup.api_id)), format="json"
    )

    assert created.status_code == 200, created.content
    article_id = created.json()["articleId"]
    detail = api_client.get(f"/api/articles/{article_id}").json()
    assert detail["restaurant"] == {
        "restaurantId": str(soup.api_id),
        "name": "국밥집",
        "category": "한식",
        "address": soup.road_address,
        "isOpen": True,
    }


def test_it_keeps_the_restaurant_when_a_client_puts_without_it(api_client, alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)
    api_client.force_authenticate(alice)

    kept = api_client.put(f"/api/articles/{room.api_id}", _article(title="새 제목"), format="json")
    assert kept.status_code == 200, kept.content
    assert Room.objects.get(pk=room.pk).restaurant == soup

    cleared = api_client.put(
        f"/api/articles/{room.api_id}", _article(restaurantId=None), format="json"
    )
    assert cleared.status_code == 200
    assert Room.objects.get(pk=room.pk).restaurant is None
    assert api_client.get(f"/api/articles/{room.api_id}").json()["restaurant"] is None


@pytest.mark.parametrize(
    "restaurant_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "closed", "study"]
)
def test_it_answers_a_bad_restaurant_id_with_400_c001(
    api_client, alice, soup, closed, restaurant_id
):
    api_client.force_authenticate(alice)
    body = _article(restaurantId=restaurant_id)
    if restaurant_id == "closed":
        body["restaurantId"] = str(closed.api_id)
    if restaurant_id == "study":
        body.update(
            restaurantId=str(soup.api_id),
            contentCategory="STUDY",
            matchConditionDto={"placeList": ["GAEPO"], "typeOfStudyList": ["INNER_CIRCLE"]},
        )

    response = api_client.post("/api/articles", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "C001"
    assert [e["field"] for e in response.json()["errors"]] == ["restaurantId"]
    assert not Room.objects.exists()


# --- pages --------------------------------------------------------------------------------------


def _form(**overrides) -> dict:
    data = {
        "category": "MEAL",
        "title": "점심",
        "date": _tomorrow(),
        "participant_num_max": "4",
        "content": "국밥 먹어요",
        "places": ["GAEPO"],
    }
    data.update(overrides)
    return data


def test_it_offers_nearby_restaurants_on_the_meal_form_only(client, alice, soup, closed):
    restaurant_near("SEOCHO", 150, name="서초국수")
    client.force_login(alice)

    meal = client.get("/rooms/new/", {"category": "MEAL"}).content.decode()
    study = client.get("/rooms/new/", {"category": "STUDY"}).content.decode()

    assert 'name="restaurant"' in meal
    assert f'<option value="{soup.api_id}">국밥집 · 한식 · 2분</option>' in meal
    assert "서초국수" in meal
    assert 'label="' in meal  # grouped by campus
    assert "닫은집" not in meal
    assert 'name="restaurant"' not in study


def test_it_creates_a_room_naming_the_restaurant_from_the_form(client, alice, soup):
    client.force_login(alice)

    response = client.post("/rooms/new/", _form(restaurant=str(soup.api_id)))

    assert response.status_code == 302
    room = Room.objects.get()
    assert room.restaurant == soup
    detail = client.get(response["Location"]).content.decode()
    assert "국밥집" in detail
    assert soup.road_address in detail


def test_it_shows_the_forms_restaurant_errors_on_the_field(client, alice, closed):
    client.force_login(alice)

    response = client.post("/rooms/new/", _form(restaurant=str(closed.api_id)))

    assert response.status_code == 400
    assert "지금은 영업하지 않는 식당이에요." in response.content.decode()
    assert not Room.objects.exists()


def test_it_keeps_a_closed_restaurant_selected_when_editing(client, alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)
    soup.is_open = False
    soup.save()
    client.force_login(alice)

    page = client.get(f"/rooms/{room.api_id}/edit/").content.decode()
    assert f'<option value="{soup.api_id}" selected>국밥집</option>' in page

    response = client.post(
        f"/rooms/{room.api_id}/edit/", _form(title="다시", restaurant=str(soup.api_id))
    )
    assert response.status_code == 302
    assert Room.objects.get(pk=room.pk).restaurant == soup


# --- Near its own campus (issue 13 item 8) ------------------------------------------------------


def test_it_refuses_a_restaurant_far_from_the_rooms_campus_in_the_api(api_client, alice):
    seocho = restaurant_near("SEOCHO", 150, name="서초국수")
    api_client.force_authenticate(alice)

    response = api_client.post(
        "/api/articles", _article(restaurantId=str(seocho.api_id)), format="json"
    )  # a GAEPO room

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "C001"
    assert [e["field"] for e in body["errors"]] == ["restaurantId"]
    assert "15" in body["errors"][0]["reason"]
    assert not Room.objects.exists()


def test_it_takes_a_restaurant_near_one_of_the_rooms_places_or_any_campus(alice):
    seocho = restaurant_near("SEOCHO", 150, name="서초국수")
    both = {"PLACE": ["GAEPO", "SEOCHO"], "TIME_OF_EATING": ["LUNCH"]}
    anywhere = {"TIME_OF_EATING": ["LUNCH"]}
    assert RoomFactory(author=alice, restaurant=seocho, conditions=both).restaurant == seocho
    assert RoomFactory(author=alice, restaurant=seocho, conditions=anywhere).restaurant == seocho


def test_it_refuses_a_restaurant_beyond_the_walk_of_every_campus(alice):
    far = restaurant_near("GAEPO", 1500, name="먼집")  # 23 minutes' walk
    with pytest.raises(ApplicationError) as caught:
        RoomFactory(author=alice, restaurant=far, conditions={"TIME_OF_EATING": ["LUNCH"]})
    assert caught.value.errors[0]["field"] == "restaurantId"


def test_it_refuses_a_far_restaurant_on_update_but_keeps_the_named_one(alice, soup):
    room = RoomFactory(author=alice, restaurant=soup)
    seocho = restaurant_near("SEOCHO", 150, name="서초국수")
    gaepo = {"PLACE": ["GAEPO"]}
    with pytest.raises(ApplicationError):
        services.room_update(
            room=room, user=alice, **_update_kwargs(room, restaurant=seocho, conditions=gaepo)
        )
    kept = services.room_update(
        room=room, user=alice, **_update_kwargs(room, restaurant=soup, conditions=gaepo)
    )
    assert kept.restaurant == soup


def test_it_shows_the_far_restaurant_error_on_the_form_field(client, alice):
    seocho = restaurant_near("SEOCHO", 150, name="서초국수")
    client.force_login(alice)

    response = client.post("/rooms/new/", _form(restaurant=str(seocho.api_id)))

    assert response.status_code == 400
    assert "캠퍼스 근처" in response.content.decode()
    assert not Room.objects.exists()
