"""Calendar files: who may fetch which, what they say (Asia/Seoul), the feed and its token."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from accounts.calendar import calendar_feed_get_or_create, calendar_feed_owner
from accounts.models import CalendarFeed
from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token_pair
from matching.models import Match
from matching.services.matches import match_create
from partner42.calendar import SEOUL
from partner42.choices import ConditionKind, ContentCategory, MatchStatus, MethodCategory, Place
from rooms.models import Room
from rooms.selectors import room_today
from rooms.services import room_complete, room_delete, room_join
from rooms.tests.factories import RoomFactory

ROLES = ("anonymous", "outsider", "member", "author", "operator")


def _tomorrow() -> date:
    return room_today() + timedelta(days=1)


def _parse(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def _events(response) -> list:
    return list(_parse(response).walk("VEVENT"))


def _uids(response) -> set[str]:
    return {str(event["UID"]) for event in _events(response)}


def _random_match(*users) -> Match:
    return match_create(
        category=ContentCategory.MEAL,
        method=MethodCategory.RANDOM,
        users=list(users),
        conditions={ConditionKind.PLACE: [Place.GAEPO]},
    )


@pytest.fixture
def world(alice, bob, charlie, operator):
    """alice wrote a room bob joined, and a completed room whose match they share; charlie is
    an outsider."""
    room = RoomFactory(author=alice, meeting_time=time(12, 30))
    room_join(room=room, user=bob)
    done = RoomFactory(author=alice, title="done room")
    room_join(room=done, user=bob)
    match = room_complete(room=done, user=alice)
    return {
        "room": room,
        "match": match,
        "users": {"outsider": charlie, "member": bob, "author": alice, "operator": operator},
        "token": calendar_feed_get_or_create(user=alice).token,
    }


def _page_client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _api_client(world, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        pair = issue_token_pair(user=world["users"][role])
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    return client


# Every new URL x every kind of visitor: (method, url, body) -> status per role.
# 302 for an anonymous page visitor is the login redirect; the feed's token is its credential.
ACCESS = {
    "room_ics": (("get", "room"), (302, 200, 200, 200, 200)),
    "match_ics": (("get", "match"), (302, 403, 200, 200, 200)),
    "feed": (("get", "feed"), (200, 200, 200, 200, 200)),
    "feed_unknown_token": (("get", "feed_unknown"), (404, 404, 404, 404, 404)),
    "rotate_confirmed": (("post", "rotate"), (302, 302, 302, 302, 302)),
    "rotate_get": (("get", "rotate"), (302, 405, 405, 405, 405)),
    "api_feed": (("api_get", "api_feed"), (401, 200, 200, 200, 200)),
    "api_rotate": (("api_post", "api_rotate"), (401, 200, 200, 200, 200)),
}


def _url(world, name: str) -> str:
    return {
        "room": reverse("calendar:room", args=[world["room"].api_id]),
        "match": reverse("calendar:match", args=[world["match"].api_id]),
        "feed": reverse("calendar:feed", args=[world["token"]]),
        "feed_unknown": reverse("calendar:feed", args=["x" * 43]),
        "rotate": reverse("calendar:rotate"),
        "api_feed": reverse("calendar:api-feed"),
        "api_rotate": reverse("calendar:api-feed-rotate"),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ACCESS)
def test_it_answers_each_visitor_as_the_access_table_says(world, case, role):
    (method, target), statuses = ACCESS[case]
    url = _url(world, target)
    if method.startswith("api_"):
        client = _api_client(world, role)
        response = getattr(client, method[4:])(url)
    elif method == "post":
        response = _page_client(world, role).post(url, {"confirm": "1"})
    else:
        response = _page_client(world, role).get(url)
    assert response.status_code == statuses[ROLES.index(role)], (case, role)
    if response.status_code == 302 and role == "anonymous":
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


def test_it_refuses_an_outsider_the_match_with_the_match_pages_code(world, charlie):
    client = Client()
    client.force_login(charlie)
    page = client.get(reverse("mypage:match_detail", args=[world["match"].api_id]))
    ics = client.get(reverse("calendar:match", args=[world["match"].api_id]))
    assert page.status_code == ics.status_code == 403


def test_it_answers_404_for_an_unknown_match_or_room(alice, client):
    client.force_login(alice)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("calendar:room", args=[unknown])).status_code == 404
    assert client.get(reverse("calendar:match", args=[unknown])).status_code == 404


def test_it_hides_a_deleted_room_but_from_operators(alice, charlie, operator, client):
    room = RoomFactory(author=alice)
    room_delete(room=room, user=alice)
    url = reverse("calendar:room", args=[room.api_id])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(operator)
    assert client.get(url).status_code == 200


def test_it_rotates_only_the_callers_own_feed(world, bob):
    client = Client()
    client.force_login(bob)
    client.post(reverse("calendar:rotate"), {"confirm": "1"})
    assert calendar_feed_owner(token=world["token"]) == world["users"]["author"]


def test_it_needs_the_csrf_token_to_rotate(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    token = calendar_feed_get_or_create(user=alice).token
    assert client.post(reverse("calendar:rotate"), {"confirm": "1"}).status_code == 403
    assert CalendarFeed.objects.get(user=alice).token == token


def test_it_asks_before_rotating_without_javascript(alice, client):
    client.force_login(alice)
    token = calendar_feed_get_or_create(user=alice).token
    response = client.post(reverse("calendar:rotate"), {"next": "/me/"})
    assert response.status_code == 200
    assert 'name="confirm" value="1"' in response.content.decode()
    assert CalendarFeed.objects.get(user=alice).token == token


# --- what the files say -------------------------------------------------------------------------


def test_it_puts_a_room_at_its_meeting_time_in_seoul(alice, client):
    room = RoomFactory(author=alice, meeting_time=time(12, 30), title="점심, 같이; 먹어요")
    client.force_login(alice)
    response = client.get(reverse("calendar:room", args=[room.api_id]))
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="room-{room.api_id}.ics"'
    calendar = _parse(response)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    (event,) = calendar.walk("VEVENT")
    assert event.start == datetime.combine(room.date, time(12, 30), tzinfo=SEOUL)
    assert str(event.start.tzinfo) == "Asia/Seoul"
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event.end - event.start == timedelta(hours=1)
    assert str(event["SUMMARY"]) == "[식사] 점심, 같이; 먹어요"  # escaping undone by the parser
    assert b"\\, " in response.content  # and done by the writer
    assert "DTSTAMP" in event
    assert str(event["URL"]).endswith(reverse("rooms:detail", args=[room.api_id]))
    assert str(event["LOCATION"]) == "개포 클러스터"


def test_it_makes_an_all_day_event_of_a_room_without_a_time(alice, client):
    room = RoomFactory(author=alice)
    client.force_login(alice)
    (event,) = _events(client.get(reverse("calendar:room", args=[room.api_id])))
    assert event.start == room.date
    assert not isinstance(event.start, datetime)
    assert event.end == room.date + timedelta(days=1)


def test_it_keeps_the_uid_of_an_event_everywhere(world, alice, bob, client):
    room = world["room"]
    client.force_login(bob)
    url = reverse("calendar:room", args=[room.api_id])
    first = _uids(client.get(url))
    second = _uids(client.get(url, HTTP_HOST="127.0.0.1"))
    feed = _uids(client.get(reverse("calendar:feed", args=[world["token"]])))
    assert first == second == {f"room-{room.api_id}@42partner"}
    assert first <= feed  # the feed names the same event, so a calendar never shows it twice


def test_it_never_names_an_anonymous_rooms_author(alice, bob, charlie, operator):
    room = RoomFactory(author=alice, anonymity=True, content="비밀")
    room_join(room=room, user=bob)
    other = RoomFactory(author=alice, anonymity=True)
    room_join(room=other, user=bob)
    match = room_complete(room=other, user=alice)
    for viewer in (alice, bob, charlie, operator):
        client = Client()
        client.force_login(viewer)
        body = client.get(reverse("calendar:room", args=[room.api_id])).content.decode()
        assert alice.nickname not in body
        assert alice.username not in body
    client = Client()
    client.force_login(alice)
    assert alice.nickname not in client.get(reverse("calendar:match", args=[match.api_id])).text
    bob_token = calendar_feed_get_or_create(user=bob).token
    feed = Client().get(reverse("calendar:feed", args=[bob_token]))
    assert alice.nickname not in feed.content.decode()


def test_it_puts_a_rooms_match_at_the_rooms_time(alice, bob, client):
    room = RoomFactory(author=alice, meeting_time=time(19, 0))
    room_join(room=room, user=bob)
    match = room_complete(room=room, user=alice)
    client.force_login(bob)
    (event,) = _events(client.get(reverse("calendar:match", args=[match.api_id])))
    assert event.start == datetime.combine(room.date, time(19, 0), tzinfo=SEOUL)
    assert str(event["UID"]) == f"match-{match.api_id}@42partner"
    assert room.title in str(event["SUMMARY"])


def test_it_puts_a_random_match_on_its_day_in_seoul(alice, bob, client):
    match = _random_match(alice, bob)
    # 23:30 UTC is 08:30 the next day in Seoul.
    made = datetime(2030, 5, 1, 23, 30, tzinfo=UTC)
    Match.objects.filter(pk=match.pk).update(created_at=made)
    client.force_login(alice)
    (event,) = _events(client.get(reverse("calendar:match", args=[match.api_id])))
    assert event.start == date(2030, 5, 2)
    assert str(event["LOCATION"]) == "개포 클러스터"


def test_it_marks_a_cancelled_match_cancelled(alice, bob, client):
    match = _random_match(alice, bob)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)
    client.force_login(alice)
    (event,) = _events(client.get(reverse("calendar:match", args=[match.api_id])))
    assert str(event["STATUS"]) == "CANCELLED"


# --- the feed -----------------------------------------------------------------------------------


def test_it_lists_only_my_coming_rooms_and_matches(alice, bob, charlie):
    today = room_today()
    written = RoomFactory(author=alice, title="written")
    joined = RoomFactory(author=bob, title="joined", date=today)
    room_join(room=joined, user=alice)
    others = RoomFactory(author=bob, title="others")
    past = RoomFactory(author=alice, title="past")
    Room.objects.filter(pk=past.pk).update(date=today - timedelta(days=1))
    deleted = RoomFactory(author=alice, title="deleted")
    room_delete(room=deleted, user=alice)
    completed = RoomFactory(author=alice, title="completed")
    room_join(room=completed, user=bob)
    room_match = room_complete(room=completed, user=alice)
    random_today = _random_match(alice, bob)
    random_old = _random_match(alice, charlie)
    Match.objects.filter(pk=random_old.pk).update(created_at=timezone.now() - timedelta(days=2))
    cancelled = _random_match(alice, bob)
    Match.objects.filter(pk=cancelled.pk).update(status=MatchStatus.CANCELED)
    not_mine = _random_match(bob, charlie)

    token = calendar_feed_get_or_create(user=alice).token
    response = Client().get(reverse("calendar:feed", args=[token]))

    assert response["Cache-Control"] == "private, no-store"
    assert "Content-Disposition" not in response
    assert _uids(response) == {
        f"room-{written.api_id}@42partner",
        f"room-{joined.api_id}@42partner",
        f"match-{room_match.api_id}@42partner",
        f"match-{random_today.api_id}@42partner",
    }
    body = response.content.decode()
    for gone in (others, past, deleted):
        assert str(gone.api_id) not in body
    assert str(not_mine.api_id) not in body


def test_it_answers_the_feed_in_fixed_queries(alice, bob, django_assert_num_queries):
    token = calendar_feed_get_or_create(user=alice).token
    for _ in range(3):
        room = RoomFactory(author=alice)
        room_join(room=room, user=bob)
        done = RoomFactory(author=bob)
        room_join(room=done, user=alice)
        room_complete(room=done, user=bob)
        _random_match(alice, bob)
    client = Client()
    # The feed row with its user, rooms, their places, matches, their places, their rooms' places.
    with django_assert_num_queries(6):
        response = client.get(reverse("calendar:feed", args=[token]))
    assert len(_events(response)) == 9


def test_it_retires_the_old_feed_url_on_rotation(alice, client):
    old = calendar_feed_get_or_create(user=alice).token
    client.force_login(alice)
    response = client.post(reverse("calendar:rotate"), {"confirm": "1", "next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    new = CalendarFeed.objects.get(user=alice).token
    assert new != old
    anonymous = Client()
    assert anonymous.get(reverse("calendar:feed", args=[old])).status_code == 404
    assert anonymous.get(reverse("calendar:feed", args=[new])).status_code == 200


def test_it_keeps_one_feed_per_student(alice):
    first = calendar_feed_get_or_create(user=alice)
    assert calendar_feed_get_or_create(user=alice).token == first.token
    assert CalendarFeed.objects.filter(user=alice).count() == 1
    assert len(first.token) == 43


def test_it_refuses_a_token_that_differs_only_in_case(alice):
    token = calendar_feed_get_or_create(user=alice).token
    other = token.swapcase()
    if other != token:
        assert calendar_feed_owner(token=other) is None
    assert calendar_feed_owner(token=token) == alice


def test_it_closes_the_feed_of_a_deactivated_student(alice):
    token = calendar_feed_get_or_create(user=alice).token
    alice.is_active = False
    alice.save()
    assert Client().get(reverse("calendar:feed", args=[token])).status_code == 404


def test_it_gives_and_rotates_the_feed_url_through_the_api(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=alice).access}")
    first = client.get("/api/calendar/feed").json()
    assert first["url"] == first["url"].strip()
    assert first["url"].startswith("http://testserver/calendar/")
    assert first["rotatedAt"] is None
    assert client.get("/api/calendar/feed").json()["url"] == first["url"]
    rotated = client.post("/api/calendar/feed/rotate").json()
    assert rotated["url"] != first["url"]
    assert rotated["rotatedAt"] is not None
    assert Client().get(first["url"].removeprefix("http://testserver")).status_code == 404
    assert Client().get(rotated["url"].removeprefix("http://testserver")).status_code == 200


def test_it_describes_the_calendar_api_in_the_schema(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "get" in paths["/api/calendar/feed"]
    assert "post" in paths["/api/calendar/feed/rotate"]


# --- links --------------------------------------------------------------------------------------


def test_it_links_the_room_page_to_its_calendar_file(alice, client):
    room = RoomFactory(author=alice)
    client.force_login(alice)
    page = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()
    assert reverse("calendar:room", args=[room.api_id]) in page


def test_it_links_the_random_match_page_to_its_calendar_file(alice, bob, client):
    match = _random_match(alice, bob)
    client.force_login(alice)
    page = client.get(reverse("matching:match_detail", args=[match.api_id])).content.decode()
    assert reverse("calendar:match", args=[match.api_id]) in page


def test_it_shows_the_feed_section_with_its_url_and_rotate_form(alice, rf):
    from django.template.loader import render_to_string

    request = rf.get("/me/")
    request.user = alice
    html = render_to_string("accounts/_calendar_feed.html", {"request": request})
    token = CalendarFeed.objects.get(user=alice).token
    assert f"/calendar/{token}.ics" in html
    assert reverse("calendar:rotate") in html
    assert "data-confirm=" in html


def test_it_keeps_feed_tokens_apart_between_students(db):
    tokens = {calendar_feed_get_or_create(user=UserFactory()).token for _ in range(5)}
    assert len(tokens) == 5


def test_it_speaks_english_on_request(alice, bob, client):
    room = RoomFactory(author=alice)
    match = _random_match(alice, bob)
    client.force_login(alice)
    page = client.get(reverse("rooms:detail", args=[room.api_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Add to calendar" in page.content.decode()
    (event,) = _events(
        client.get(reverse("calendar:match", args=[match.api_id]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert str(event["SUMMARY"]) == "[Meal] Random match"


def test_it_answers_head_for_calendar_apps_that_ask_first(alice):
    token = calendar_feed_get_or_create(user=alice).token
    response = Client().head(reverse("calendar:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
