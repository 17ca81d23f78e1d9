import json
import uuid
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from rooms import services
from rooms.models import Comment, Participation, Room, RoomCondition
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db

SLICE_KEYS = [
    "content",
    "pageable",
    "first",
    "last",
    "size",
    "number",
    "sort",
    "numberOfElements",
    "empty",
]
LIST_ITEM_KEYS = [
    "nickname",
    "userId",
    "articleId",
    "title",
    "content",
    "date",
    "createdAt",
    "anonymity",
    "isComplete",
    "isToday",
    "participantNumMax",
    "participantNum",
    "contentCategory",
    "matchConditionDto",
    "meetingTime",
]
DETAIL_KEYS = [
    "articleId",
    "userId",
    "title",
    "date",
    "createdAt",
    "content",
    "anonymity",
    "isToday",
    "participantNumMax",
    "participantNum",
    "contentCategory",
    "matchConditionDto",
    "participantsOrAuthor",
    "restaurant",
    "meetingTime",
]
OPINION_KEYS = [
    "opinionId",
    "userId",
    "nickname",
    "createdAt",
    "updatedAt",
    "content",
    "parentId",
    "level",
]


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def tomorrow() -> str:
    return (services.room_today() + timedelta(days=1)).isoformat()


def article_body(**overrides) -> dict:
    body = {
        "title": "점심",
        "date": tomorrow(),
        "matchConditionDto": {
            "placeList": ["GAEPO"],
            "timeOfEatingList": ["LUNCH"],
            "wayOfEatingList": ["EATOUT"],
        },
        "content": "치킨",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
    }
    body.update(overrides)
    return body


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert body["code"] == code, body
    assert body["status"] == status
    return body


# --- board --------------------------------------------------------------------------------------


def test_it_lists_rooms_as_a_slice(alice):
    room = RoomFactory(author=alice)

    response = client_for(None).get("/api/articles")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == SLICE_KEYS
    assert body["first"] is True
    assert body["last"] is True
    assert body["numberOfElements"] == 1
    item = body["content"][0]
    assert list(item) == LIST_ITEM_KEYS
    assert item["articleId"] == str(room.api_id)
    assert item["nickname"] == "alice"
    assert item["userId"] == str(alice.api_id)
    assert item["participantNum"] == 1
    assert item["isToday"] is False
    assert item["matchConditionDto"] == {
        "placeList": ["GAEPO"],
        "timeOfEatingList": ["LUNCH"],
        "wayOfEatingList": ["EATOUT"],
        "typeOfStudyList": [],
    }


def test_it_filters_the_board(alice, operator):
    meal = RoomFactory(author=alice, category="MEAL")
    study = RoomFactory(author=alice, category="STUDY")
    done = RoomFactory(author=alice)
    Room.objects.filter(pk=done.pk).update(is_complete=True)
    masked = RoomFactory(author=alice, anonymity=True)
    gone = RoomFactory(author=alice)
    services.room_delete(room=gone, user=alice)
    client = client_for(operator)

    def ids(query):
        response = client.get("/api/articles" + query)
        assert response.status_code == 200, response.content
        return {item["articleId"] for item in response.json()["content"]}

    assert ids("") == {str(r.api_id) for r in (meal, study, done, masked)}
    assert ids("?contentCategory=study") == {str(study.api_id)}
    assert ids("?isComplete=false&contentCategory=MEAL") == {
        str(meal.api_id),
        str(masked.api_id),
    }
    assert ids("?isComplete=true") == {str(done.api_id)}
    assert ids("?anonymity=true") == {str(masked.api_id)}
    assert ids("?placeList=SEOCHO") == {str(study.api_id)}
    assert ids("?placeList=SEOCHO,GAEPO&typeOfStudyList=inner_circle") == {str(study.api_id)}


def test_it_pages_the_board_newest_meeting_first(alice):
    today = services.room_today()
    rooms = [RoomFactory(author=alice, date=today + timedelta(days=d)) for d in range(5)]
    client = client_for(None)

    first = client.get("/api/articles?size=2").json()
    second = client.get("/api/articles?size=2&page=1").json()
    last = client.get("/api/articles?size=2&page=2").json()

    got = [i["articleId"] for page in (first, second, last) for i in page["content"]]
    assert got == [str(r.api_id) for r in reversed(rooms)]
    assert (first["last"], second["last"], last["last"]) == (False, False, True)
    by_creation = client.get("/api/articles?sort=createdAt,asc").json()["content"]
    assert [i["articleId"] for i in by_creation] == [str(r.api_id) for r in rooms]


@pytest.mark.parametrize(
    "query",
    [
        "?isComplete=maybe",
        "?contentCategory=LUNCH",
        "?anonymity=2",
        "?placeList=MOON",
        "?sort=password",
        "?page=-1",
        "?size=abc",
    ],
)
def test_it_refuses_bad_board_queries(query):
    response = client_for(None).get("/api/articles" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] in ("C001", "C005")  # C005: a value of the wrong type
    assert body["errors"]


def test_it_hides_anonymous_authors_on_the_board(alice, bob, operator):
    RoomFactory(author=alice, anonymity=True)

    def first_item(user):
        return client_for(user).get("/api/articles").json()["content"][0]

    for outsider in (None, bob):
        item = first_item(outsider)
        assert (item["nickname"], item["userId"]) == ("익명", None)
    for insider in (alice, operator):
        item = first_item(insider)
        assert (item["nickname"], item["userId"]) == ("alice", str(alice.api_id))


@pytest.mark.parametrize("size", [1, 10, 30])
def test_it_reads_a_board_page_in_three_queries_whatever_its_size(
    alice, bob, size, django_assert_num_queries
):
    for n in range(60):
        room = RoomFactory(author=alice if n % 2 else bob, anonymity=n % 3 == 0)
        CommentFactory(room=room, author=bob)
    client = client_for(alice)  # forced authentication: no query for the user

    with django_assert_num_queries(3):  # rooms with their comment counts; authors; conditions
        response = client.get(f"/api/articles?page=1&size={size}")
    assert response.status_code == 200
    assert response.json()["numberOfElements"] == size
    with django_assert_num_queries(3):  # the first page, not cached yet
        client.get(f"/api/articles?size={size}")
    with django_assert_num_queries(0):  # the first page, from the cache
        client.get(f"/api/articles?size={size}")


# --- detail -------------------------------------------------------------------------------------


def test_it_shows_a_room(alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)

    body = client_for(bob).get(f"/api/articles/{room.api_id}").json()

    assert list(body) == DETAIL_KEYS
    assert body["userId"] == str(alice.api_id)
    assert body["participantNum"] == 2
    assert body["participantsOrAuthor"] == [
        {"nickname": "alice", "isAuthor": True, "isMe": False},
        {"nickname": "bob", "isAuthor": False, "isMe": True},
    ]
    anonymous = client_for(None).get(f"/api/articles/{room.api_id}").json()
    assert [m["isMe"] for m in anonymous["participantsOrAuthor"]] == [False, False]


def test_it_hides_the_anonymous_author_in_the_detail(alice, bob, operator):
    room = RoomFactory(author=alice, anonymity=True)
    services.room_join(room=room, user=bob)

    seen_by_bob = client_for(bob).get(f"/api/articles/{room.api_id}").json()
    assert seen_by_bob["userId"] is None
    assert seen_by_bob["participantsOrAuthor"][0] == {
        "nickname": "익명",
        "isAuthor": True,
        "isMe": False,
    }
    assert "alice" not in json.dumps(seen_by_bob, ensure_ascii=False)
    for insider in (alice, operator):
        body = client_for(insider).get(f"/api/articles/{room.api_id}").json()
        assert body["userId"] == str(alice.api_id)
        assert body["participantsOrAuthor"][0]["nickname"] == "alice"


@pytest.mark.parametrize("article_id", ["d1d2fed7-5417-49e0-ae24-8a3eaea37b30", "not-a-uuid", "1"])
def test_it_answers_404_for_unknown_rooms(article_id):
    assert_error(client_for(None).get(f"/api/articles/{article_id}"), 404, "C003")


def test_it_hides_deleted_rooms_from_all_but_operators(alice, operator):
    room = RoomFactory(author=alice)
    services.room_delete(room=room, user=alice)

    assert_error(client_for(alice).get(f"/api/articles/{room.api_id}"), 404, "C003")
    assert client_for(operator).get(f"/api/articles/{room.api_id}").status_code == 200
    assert client_for(operator).get("/api/articles").json()["content"] == []


# --- create -------------------------------------------------------------------------------------


def test_it_creates_a_room(alice):
    response = client_for(alice).post("/api/articles", article_body(), format="json")

    assert response.status_code == 200, response.content
    room = Room.objects.get(api_id=response.json()["articleId"])
    assert list(response.json()) == ["articleId"]
    assert room.author == alice
    assert room.participant_num == 1
    assert RoomCondition.objects.filter(room=room).count() == 3


def test_it_accepts_the_react_clients_short_dates_and_lower_case_enums(alice):
    day = services.room_today() + timedelta(days=40)
    body = article_body(
        date=f"{day.year}-{day.month}-{day.day}",
        contentCategory="study",
        matchConditionDto={"placeList": ["seocho"], "typeOfStudyList": ["inner_circle"]},
    )

    response = client_for(alice).post("/api/articles", body, format="json")

    assert response.status_code == 200, response.content
    room = Room.objects.get()
    assert (room.date, room.category) == (day, "STUDY")


def test_it_accepts_json_sent_as_text_plain(alice):
    response = client_for(alice).post(
        "/api/articles", json.dumps(article_body()), content_type="text/plain;charset=UTF-8"
    )
    assert response.status_code == 200, response.content


def test_it_requires_a_login_to_create(api_client):
    response = api_client.post("/api/articles", article_body(), format="json")
    assert response.status_code == 401
    assert not Room.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"content": ""}, "content"),
        ({"content": "x" * 100_001}, "content"),
        ({"date": "2030/01/05"}, "date"),
        ({"date": "2030-02-30"}, "date"),
        ({"date": 20300105}, "date"),
        ({"participantNumMax": 1}, "participantNumMax"),
        ({"participantNumMax": 21}, "participantNumMax"),
        ({"participantNumMax": "many"}, "participantNumMax"),
        ({"participantNumMax": 2**70}, "participantNumMax"),
        ({"anonymity": "perhaps"}, "anonymity"),
        ({"contentCategory": "DRINK"}, "contentCategory"),
        ({"matchConditionDto": {"placeList": ["MOON"]}}, "matchConditionDto.placeList[0]"),
        ({"matchConditionDto": {"colour": ["RED"]}}, "matchConditionDto.colour"),
        ({"matchConditionDto": {"typeOfStudyList": ["INNER_CIRCLE"]}}, "typeOfStudyList"),
        ({"unknownKey": 1}, "unknownKey"),
    ],
)
def test_it_refuses_bad_room_input(alice, change, field):
    response = client_for(alice).post("/api/articles", article_body(**change), format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in ("C001", "C005")
    assert field in [error["field"] for error in body["errors"]], body
    assert not Room.objects.exists()
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    "missing",
    [
        "title",
        "date",
        "matchConditionDto",
        "content",
        "anonymity",
        "participantNumMax",
        "contentCategory",
    ],
)
def test_it_requires_every_field(alice, missing):
    body = article_body()
    del body[missing]
    response = client_for(alice).post("/api/articles", body, format="json")
    body = assert_error(response, 400, "C001")
    assert [e["field"] for e in body["errors"]] == [missing]


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ('{"title": "x",', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        ("title=x", "application/x-www-form-urlencoded"),
    ],
)
def test_it_refuses_bodies_that_are_not_an_article(alice, payload, content_type):
    response = client_for(alice).post("/api/articles", payload, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"message", "status", "errors", "code"}
    assert not Room.objects.exists()


def test_it_refuses_a_past_date(alice):
    yesterday = (services.room_today() - timedelta(days=1)).isoformat()
    response = client_for(alice).post("/api/articles", article_body(date=yesterday), format="json")
    assert_error(response, 400, "AR011")
    assert response.json()["errors"] == [
        {
            "field": "date",
            "value": yesterday,
            "reason": "오늘(서울 시간)이나 그 이후 날짜를 골라 주세요.",
        }
    ]
    assert not Room.objects.exists()


# --- update and delete --------------------------------------------------------------------------


def test_it_updates_a_room_but_never_its_category(alice):
    room = RoomFactory(author=alice)
    body = article_body(title="저녁", contentCategory="STUDY", participantNumMax=6)
    body["matchConditionDto"] = {"placeList": ["SEOCHO"], "timeOfEatingList": ["DINNER"]}

    response = client_for(alice).put(f"/api/articles/{room.api_id}", body, format="json")

    assert response.json() == {"articleId": str(room.api_id)}
    room.refresh_from_db()
    assert (room.title, room.category, room.participant_num_max) == ("저녁", "MEAL", 6)
    assert room.version == 1


def test_it_guards_updates(alice, bob, charlie, operator):
    room = RoomFactory(author=alice, participant_num_max=3)
    services.room_join(room=room, user=bob)
    services.room_join(room=room, user=charlie)
    url = f"/api/articles/{room.api_id}"

    assert_error(client_for(bob).put(url, article_body(), format="json"), 403, "AR001")
    assert_error(client_for(None).put(url, article_body(), format="json"), 401, "AU000")
    assert_error(
        client_for(alice).put(url, article_body(participantNumMax=2), format="json"),
        409,
        "AR003",
    )
    assert client_for(operator).put(url, article_body(), format="json").status_code == 200
    Room.objects.filter(pk=room.pk).update(is_complete=True)
    assert_error(client_for(alice).put(url, article_body(), format="json"), 409, "AR007")
    assert_error(
        client_for(alice).put(f"/api/articles/{uuid.uuid4()}", article_body(), format="json"),
        404,
        "C003",
    )


@pytest.mark.parametrize("how", ["delete", "recoverable-delete"])
def test_it_soft_deletes_through_both_paths(alice, bob, how):
    room = RoomFactory(author=alice)
    url = f"/api/articles/{room.api_id}"

    def call(user):
        client = client_for(user)
        return client.delete(url) if how == "delete" else client.post(url + "/recoverable-delete")

    assert_error(call(bob), 403, "AR001")
    response = call(alice)
    assert response.json() == {"articleId": str(room.api_id)}
    assert Room.objects.get(pk=room.pk).deleted_at is not None
    assert_error(call(alice), 404, "C003")


def test_it_refuses_deleting_a_completed_room(alice):
    room = RoomFactory(author=alice)
    Room.objects.filter(pk=room.pk).update(is_complete=True)
    response = client_for(alice).post(f"/api/articles/{room.api_id}/recoverable-delete")
    assert_error(response, 409, "AR007")


# --- participate --------------------------------------------------------------------------------


def test_it_joins_and_leaves(alice, bob):
    room = RoomFactory(author=alice, participant_num_max=2)
    url = f"/api/articles/{room.api_id}"

    response = client_for(bob).post(url + "/participate")
    assert response.json() == {"articleId": str(room.api_id)}
    assert response["X-Seat-Attempts"] == "1"
    assert_error(client_for(bob).post(url + "/participate"), 409, "AR005")
    assert_error(client_for(alice).post(url + "/participate"), 409, "AR005")
    assert_error(client_for(alice).post(url + "/participate-cancel"), 409, "AR010")
    assert client_for(bob).post(url + "/participate-cancel").status_code == 200
    assert_error(client_for(bob).post(url + "/participate-cancel"), 409, "AR007")
    assert_error(client_for(None).post(url + "/participate"), 401, "AU000")


def test_it_answers_the_reasons_of_refused_joins(alice, bob, charlie, operator):
    full = RoomFactory(author=alice, participant_num_max=2)
    services.room_join(room=full, user=bob)
    assert_error(client_for(charlie).post(f"/api/articles/{full.api_id}/participate"), 409, "AR008")

    done = RoomFactory(author=alice)
    Room.objects.filter(pk=done.pk).update(is_complete=True)
    assert_error(client_for(charlie).post(f"/api/articles/{done.api_id}/participate"), 409, "AR007")

    gone = RoomFactory(author=alice)
    services.room_delete(room=gone, user=alice)
    assert_error(client_for(charlie).post(f"/api/articles/{gone.api_id}/participate"), 404, "C003")
    assert_error(
        client_for(operator).post(f"/api/articles/{gone.api_id}/participate"), 409, "AR006"
    )
    assert_error(client_for(charlie).post(f"/api/articles/{uuid.uuid4()}/participate"), 404, "C003")


def test_it_refuses_other_methods(alice):
    room = RoomFactory(author=alice)
    assert_error(client_for(alice).get(f"/api/articles/{room.api_id}/participate"), 405, "C002")
    assert_error(client_for(alice).patch(f"/api/articles/{room.api_id}", {}), 405, "C002")


# --- opinions -----------------------------------------------------------------------------------


def opinion(client, room, content="좋아요", parent=None, **extra):
    body = {"articleId": str(room.api_id), "content": content, "parentId": parent, "level": 1}
    body.update(extra)
    return client.post("/api/opinions", body, format="json")


def test_it_comments_replies_and_lists(alice, bob):
    room = RoomFactory(author=alice)

    top = opinion(client_for(bob), room).json()["opinionId"]
    reply = opinion(client_for(alice), room, "네", parent=top, level=7).json()["opinionId"]
    opinion(client_for(alice), room, "", parent="")  # refused: blank

    listing = client_for(None).get(f"/api/articles/{room.api_id}/opinions").json()
    assert list(listing) == ["valueCount", "values"]
    assert listing["valueCount"] == 2
    first, second = listing["values"]
    assert list(first) == OPINION_KEYS
    assert (first["opinionId"], first["nickname"], first["parentId"], first["level"]) == (
        top,
        "bob",
        None,
        1,
    )
    assert (second["opinionId"], second["parentId"], second["level"]) == (reply, top, 2)
    single = client_for(None).get(f"/api/opinions/{reply}").json()
    assert single == second


def test_it_answers_an_empty_list_for_unknown_rooms():
    response = client_for(None).get(f"/api/articles/{uuid.uuid4()}/opinions")
    assert response.json() == {"valueCount": 0, "values": []}


def test_it_refuses_bad_comments(alice, bob):
    room = RoomFactory(author=alice)
    client = client_for(bob)

    assert_error(opinion(client, room, content="x" * 1001), 400, "C001")
    assert_error(opinion(client, room, content=None), 400, "C001")
    assert_error(opinion(client, room, color="red"), 400, "C001")
    assert_error(opinion(client, room, parent=str(uuid.uuid4())), 404, "C003")
    assert_error(opinion(client, room, parent="garbage"), 404, "C003")
    other_room_comment = CommentFactory(author=bob)
    assert_error(opinion(client, room, parent=str(other_room_comment.api_id)), 404, "C003")
    bad_room = client.post(
        "/api/opinions", {"articleId": str(uuid.uuid4()), "content": "x"}, format="json"
    )
    assert_error(bad_room, 404, "C003")
    assert_error(opinion(client_for(None), room), 401, "AU000")
    assert Comment.objects.filter(room=room).count() == 0


def test_it_edits_a_comment_from_a_bare_string_or_an_object(alice, bob, operator):
    comment = CommentFactory(author=bob)
    url = f"/api/opinions/{comment.api_id}"

    assert client_for(bob).put(url, '"고쳤어요"', content_type="application/json").json() == {
        "opinionId": str(comment.api_id)
    }
    assert Comment.objects.get(pk=comment.pk).content == "고쳤어요"
    assert client_for(operator).put(url, {"content": "운영자"}, format="json").status_code == 200
    assert Comment.objects.get(pk=comment.pk).content == "운영자"
    assert_error(client_for(alice).put(url, {"content": "남의 것"}, format="json"), 403, "OP001")
    assert_error(client_for(bob).put(url, {"content": ""}, format="json"), 400, "C001")
    assert_error(client_for(bob).put(url, "42", content_type="application/json"), 400, "C005")


@pytest.mark.parametrize("how", ["delete", "recoverable-delete"])
def test_it_deletes_comments_softly_and_idempotently(alice, bob, how):
    comment = CommentFactory(author=bob)
    url = f"/api/opinions/{comment.api_id}"

    def call(user):
        client = client_for(user)
        return client.delete(url) if how == "delete" else client.post(url + "/recoverable-delete")

    assert_error(call(alice), 403, "OP001")
    assert call(bob).json() == {"opinionId": str(comment.api_id)}
    assert call(bob).status_code == 200
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None
    assert client_for(None).get(f"/api/articles/{comment.room.api_id}/opinions").json() == {
        "valueCount": 0,
        "values": [],
    }
    # A deleted comment can still be read alone, as in the original.
    assert client_for(None).get(url).status_code == 200


def test_it_hides_the_anonymous_author_in_comments(alice, bob, operator):
    room = RoomFactory(author=alice, anonymity=True)
    CommentFactory(room=room, author=alice, content="작성자 댓글")
    CommentFactory(room=room, author=bob, content="참여자 댓글")

    def nicknames(user):
        values = client_for(user).get(f"/api/articles/{room.api_id}/opinions").json()["values"]
        return [(v["nickname"], v["userId"]) for v in values]

    assert nicknames(bob) == [("익명", None), ("bob", str(bob.api_id))]
    assert nicknames(None) == [("익명", None), ("bob", str(bob.api_id))]
    for insider in (alice, operator):
        assert nicknames(insider)[0] == ("alice", str(alice.api_id))


def test_it_hides_comments_of_deleted_rooms(alice, bob, operator):
    comment = CommentFactory(author=bob, room=RoomFactory(author=alice))
    services.room_delete(room=comment.room, user=alice)

    assert_error(client_for(bob).get(f"/api/opinions/{comment.api_id}"), 404, "C003")
    assert client_for(operator).get(f"/api/opinions/{comment.api_id}").status_code == 200
    assert_error(opinion(client_for(bob), comment.room), 404, "C003")


def test_it_refuses_a_huge_body_without_a_row(alice):
    body = json.dumps(article_body(content="가" * 3_000_000))
    response = client_for(alice).post("/api/articles", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"message", "status", "errors", "code"}
    assert not Room.objects.exists()


def test_it_refuses_bytes_that_are_not_utf8(alice):
    response = client_for(alice).post(
        "/api/articles", b'{"title": "\xff\xfe"}', content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"message", "status", "errors", "code"}


@pytest.mark.parametrize(
    "body",
    [
        {"articleId": 42, "content": "x"},
        {"articleId": ["a"], "content": "x"},
        {"articleId": None, "content": "x"},
        {"content": "x"},
        {"articleId": "ROOM", "content": {"text": "x"}},
        {"articleId": "ROOM", "content": "x", "level": "deep"},
        {"articleId": "ROOM", "content": "x", "parentId": 7},
    ],
)
def test_it_refuses_opinions_of_the_wrong_shape(alice, body):
    room = RoomFactory(author=alice)
    body = {k: str(room.api_id) if v == "ROOM" else v for k, v in body.items()}
    response = client_for(alice).post("/api/opinions", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"message", "status", "errors", "code"}
    assert not Comment.objects.exists()
