"""Titles and comments made only of characters nobody can see are refused like empty ones, in
the API (400 C001 naming the field) and in the page forms (a form error), by the services too."""

import pytest
from django.urls import reverse

from partner42.errors import ApplicationError
from rooms import services
from rooms.models import Comment, Room
from rooms.tests.factories import CommentFactory, RoomFactory
from rooms.tests.test_api import article_body, client_for, opinion
from rooms.tests.test_views import room_form

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u200b",
    "\u200b\u200c\u200d",
    "\ufeff \ufeff",
    "\u3164\u3164",  # Hangul filler
    "\u115f",
    "\u2800",  # braille blank
    "\u2060\u00a0\u3000",
    "\u202e\u202d",  # bidi overrides
]


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", ["title", "content"])
def test_it_refuses_an_invisible_title_or_content_in_the_api(alice, field, text):
    response = client_for(alice).post("/api/articles", article_body(**{field: text}), format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "C001"
    assert field in _fields(response)
    assert not Room.objects.exists()


@pytest.mark.parametrize("field", ["title", "content"])
def test_it_refuses_an_invisible_title_or_content_on_update(alice, field):
    room = RoomFactory(author=alice)

    response = client_for(alice).put(
        f"/api/articles/{room.api_id}", article_body(**{field: "\u200b\u3164"}), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in _fields(response)
    room.refresh_from_db()
    assert getattr(room, field).strip()


@pytest.mark.parametrize("text", INVISIBLE)
def test_it_refuses_an_invisible_comment_in_the_api(alice, text):
    room = RoomFactory(author=alice)

    response = opinion(client_for(alice), room, text)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "C001"
    assert _fields(response) == ["content"]
    assert not Comment.objects.exists()


def test_it_refuses_an_invisible_comment_edit_in_the_api(alice):
    comment = CommentFactory(author=alice)

    response = client_for(alice).put(
        f"/api/opinions/{comment.api_id}", {"content": "\u200b"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert _fields(response) == ["content"]


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", ["title", "content"])
def test_it_shows_a_form_error_for_an_invisible_title_or_content(client, alice, field, text):
    client.force_login(alice)

    response = client.post(reverse("rooms:create"), room_form(**{field: text}))

    assert response.status_code == 400
    assert 'class="form-error"' in response.text
    assert "보이는 글자를 한 자 이상 써 주세요." in response.text
    assert not Room.objects.exists()


@pytest.mark.parametrize("text", INVISIBLE)
def test_it_refuses_an_invisible_comment_on_the_page(client, alice, text):
    room = RoomFactory(author=alice)
    client.force_login(alice)

    response = client.post(
        reverse("rooms:comment-create", args=[room.api_id]), {"content": text}, follow=True
    )

    assert "보이는 글자를 한 자 이상 써 주세요." in response.text
    assert not Comment.objects.exists()


def test_it_shows_a_form_error_for_an_invisible_comment_edit(client, alice):
    comment = CommentFactory(author=alice, content="원래 댓글")
    client.force_login(alice)

    response = client.post(
        reverse("rooms:comment-edit", args=[comment.api_id]), {"content": "\u200b\u3164"}
    )

    assert response.status_code == 400
    assert 'class="form-error"' in response.text
    comment.refresh_from_db()
    assert comment.content == "원래 댓글"


@pytest.mark.parametrize("field", ["title", "content"])
def test_it_refuses_them_in_the_services_whoever_calls_them(alice, field):
    room = RoomFactory(author=alice)
    fields = {
        "category": room.category,
        "title": room.title,
        "content": room.content,
        "meeting_date": room.date,
        "anonymity": False,
        "participant_num_max": 4,
        "conditions": {},
    }
    fields[field] = "\u200b"

    with pytest.raises(ApplicationError) as refused:
        services.room_create(author=alice, **fields)
    assert refused.value.code == "C001"
    assert field in [error["field"] for error in refused.value.errors]
    with pytest.raises(ApplicationError):
        services.comment_create(room=room, author=alice, content="\u3164")


def test_it_keeps_text_with_something_visible(alice):
    room = RoomFactory(author=alice)

    response = opinion(client_for(alice), room, "\u200b좋아요\u200b")

    assert response.status_code == 200, response.content
