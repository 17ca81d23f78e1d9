"""Time (SPEC section 3): a room whose meeting date has passed in Seoul is closed, the open board
starts today with the soonest meeting, and a room may carry a meeting time."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partner42.pagination import SliceParams
from rooms import selectors, services
from rooms.models import Participation, Room
from rooms.selectors import SEOUL
from rooms.tests.factories import RoomFactory

pytestmark = pytest.mark.django_db


def _seoul(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def _pass_midnight(room: Room) -> Room:
    """The room as it is the day after its meeting: its date is yesterday (Seoul)."""
    Room.objects.filter(pk=room.pk).update(date=services.room_today() - timedelta(days=1))
    room.refresh_from_db()
    return room


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Joins --------------------------------------------------------------------------------------


def test_it_refuses_to_join_a_room_whose_date_has_passed(alice, bob):
    room = _pass_midnight(RoomFactory(author=alice))

    with pytest.raises(services.ApplicationError) as refused:
        services.room_join(room=room, user=bob)

    assert (refused.value.error_code.code, refused.value.error_code.status) == ("AR007", 409)
    assert refused.value.error_code is services.ErrorCode.ARTICLE_CLOSED
    assert not Participation.objects.filter(room=room, user=bob).exists()
    assert Room.objects.get(pk=room.pk).participant_num == 1


def test_it_closes_the_room_at_midnight_in_seoul(alice, bob, charlie):
    today = services.room_today()
    room = RoomFactory(author=alice, date=today)

    # 23:59 in Seoul on the meeting day: still open; 00:00 the next day: closed.
    services.room_join(room=room, user=bob, now=_seoul(today, 23, 59))
    with pytest.raises(services.ApplicationError) as refused:
        services.room_join(room=room, user=charlie, now=_seoul(today + timedelta(days=1), 0, 0))

    assert refused.value.error_code is services.ErrorCode.ARTICLE_CLOSED
    assert Room.objects.get(pk=room.pk).participant_num == 2


def test_it_answers_409_ar007_to_an_api_join_of_a_past_room(alice, bob):
    room = _pass_midnight(RoomFactory(author=alice))

    response = _api(bob).post(f"/api/articles/{room.api_id}/participate")

    assert response.status_code == 409
    assert response.json()["code"] == "AR007"
    assert Room.objects.get(pk=room.pk).participant_num == 1


def test_it_refuses_a_page_join_of_a_past_room_with_a_message(client, alice, bob):
    room = _pass_midnight(RoomFactory(author=alice))
    client.force_login(bob)

    detail = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()
    response = client.post(reverse("rooms:join", args=[room.api_id]), follow=True)

    assert reverse("rooms:join", args=[room.api_id]) not in detail  # no join button
    assert "지난 모임" in detail
    assert services.ErrorCode.ARTICLE_CLOSED.message in response.content.decode()
    assert not Participation.objects.filter(room=room, user=bob).exists()


# --- The open board -----------------------------------------------------------------------------


def test_it_leaves_past_rooms_off_the_open_board(client, alice, bob):
    today = services.room_today()
    past = _pass_midnight(RoomFactory(author=alice, title="어제 점심"))
    RoomFactory(author=alice, title="오늘 점심", date=today)
    client.force_login(bob)

    page = client.get(reverse("rooms:board")).content.decode()
    api = _api(bob).get("/api/articles", {"isComplete": "false", "contentCategory": "MEAL"}).json()

    assert "오늘 점심" in page
    assert "어제 점심" not in page
    assert [item["title"] for item in api["content"]] == ["오늘 점심"]
    # Still reachable on the "all" board, marked as past.
    everything = client.get(reverse("rooms:board"), {"status": "all"}).content.decode()
    assert past.title in everything


def test_it_orders_the_board_soonest_meeting_first_from_today(client, alice, bob):
    today = services.room_today()
    for days in (9, 0, 3, 1):
        RoomFactory(author=alice, title=f"in {days} days", date=today + timedelta(days=days))
    _pass_midnight(RoomFactory(author=alice, title="yesterday"))
    client.force_login(bob)

    response = client.get(reverse("rooms:board"))
    api = _api(bob).get("/api/articles", {"isComplete": "false"}).json()

    expected = ["in 0 days", "in 1 days", "in 3 days", "in 9 days"]
    assert [room["title"] for room in response.context["rooms"]] == expected
    assert [item["title"] for item in api["content"]] == expected


def test_it_never_serves_yesterdays_rooms_from_a_page_cached_before_midnight(alice):
    today = services.room_today()
    RoomFactory(author=alice, title="today", date=today)
    RoomFactory(author=alice, title="tomorrow", date=today + timedelta(days=1))
    filters = selectors.BoardFilters(category="MEAL", is_complete=False)
    params = SliceParams(page=0, size=20, order_by=[*selectors.BOARD_DEFAULT_ORDER, "pk"])

    def titles(now):
        items, _ = selectors.room_board(filters=filters, params=params, now=now)
        return [item["title"] for item in items]

    assert titles(_seoul(today, 23, 59)) == ["today", "tomorrow"]
    assert titles(_seoul(today + timedelta(days=1), 0, 0)) == ["tomorrow"]


def test_it_keeps_the_open_board_at_three_queries(client, alice, bob, django_assert_num_queries):
    today = services.room_today()
    for days in range(5):
        RoomFactory(author=alice, date=today + timedelta(days=days))
    client.force_login(bob)
    client.get(reverse("rooms:board"))  # session and user rows warm

    filters = selectors.BoardFilters(category="MEAL", is_complete=False)
    params = SliceParams(page=0, size=20, order_by=[*selectors.BOARD_DEFAULT_ORDER, "pk"])
    with django_assert_num_queries(3):
        selectors.room_board(filters=filters, params=params, use_cache=False)


# --- Meeting time -------------------------------------------------------------------------------


def test_it_keeps_an_optional_meeting_time_from_the_form(client, alice, bob):
    client.force_login(alice)
    tomorrow = services.room_today() + timedelta(days=1)

    response = client.post(
        reverse("rooms:create"),
        {
            "category": "MEAL",
            "title": "저녁",
            "date": tomorrow.isoformat(),
            "meeting_time": "18:30",
            "participant_num_max": "4",
            "content": "같이 먹어요",
        },
    )

    assert response.status_code == 302
    room = Room.objects.get(title="저녁")
    assert room.meeting_time == time(18, 30)
    client.force_login(bob)
    assert "18:30" in client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()
    assert "18:30" in client.get(reverse("rooms:board")).content.decode()


def test_it_takes_and_shows_meeting_time_in_the_api(alice):
    tomorrow = services.room_today() + timedelta(days=1)
    body = {
        "title": "저녁",
        "date": tomorrow.isoformat(),
        "matchConditionDto": {"placeList": ["GAEPO"]},
        "content": "같이 먹어요",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
        "meetingTime": "18:30",
    }
    client = _api(alice)

    created = client.post("/api/articles", body, format="json")
    article_id = created.json()["articleId"]
    one = client.get(f"/api/articles/{article_id}").json()
    listed = client.get("/api/articles").json()["content"][0]

    assert (one["meetingTime"], listed["meetingTime"]) == ("18:30", "18:30")
    # The React client knows no meeting time: absent on update keeps it, null clears it.
    del body["meetingTime"]
    client.put(f"/api/articles/{article_id}", body, format="json")
    assert Room.objects.get(api_id=article_id).meeting_time == time(18, 30)
    client.put(f"/api/articles/{article_id}", {**body, "meetingTime": None}, format="json")
    assert Room.objects.get(api_id=article_id).meeting_time is None
    bad = client.post("/api/articles", {**body, "meetingTime": "25:00"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "C001")
