"""The React client's bodies: JSON.stringify(...) sent as form-urlencoded or text/plain (API.md Q5).

Its axios 1.1.3 labels a string body `application/x-www-form-urlencoded`; every write of API.md
must read it as the JSON document it is, with the headers that client sends (a Bearer token).
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair
from matching.tests.match_helpers import completed_room
from rooms.models import Comment, Room
from rooms.tests.factories import CommentFactory, RoomFactory

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CLIENT_TYPES = [FORM, "text/plain", "text/plain;charset=UTF-8"]


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=user).access}")
    return client


def send(client, method: str, path: str, body, content_type: str):
    return getattr(client, method)(path, json.dumps(body), content_type=content_type)


def article_body(**fields) -> dict:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "title": "점심",
        "date": tomorrow.isoformat(),
        "matchConditionDto": {"placeList": ["GAEPO"], "wayOfEatingList": ["EATOUT"]},
        "content": "치킨",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
        **fields,
    }


@pytest.mark.parametrize("content_type", CLIENT_TYPES)
def test_it_creates_and_edits_a_room_from_a_json_string_body(alice, content_type):
    client = client_of(alice)

    created = send(client, "post", "/api/articles", article_body(), content_type)
    assert created.status_code == 200, created.content
    article_id = created.json()["articleId"]

    updated = send(
        client, "put", f"/api/articles/{article_id}", article_body(title="저녁"), content_type
    )
    assert updated.status_code == 200, updated.content
    assert Room.objects.get(api_id=article_id).title == "저녁"


@pytest.mark.parametrize("content_type", CLIENT_TYPES)
def test_it_takes_comments_replies_and_edits_from_a_json_string_body(alice, bob, content_type):
    room = RoomFactory(author=alice)
    client = client_of(bob)
    body = {"articleId": str(room.api_id), "content": "저요", "parentId": None, "level": 1}

    comment = send(client, "post", "/api/opinions", body, content_type)
    assert comment.status_code == 200, comment.content
    parent_id = comment.json()["opinionId"]
    reply = send(
        client, "post", "/api/opinions", {**body, "parentId": parent_id, "level": 2}, content_type
    )
    assert reply.status_code == 200, reply.content
    # The edit sends a bare JSON string (API.md Q5).
    edit = send(client, "put", f"/api/opinions/{parent_id}", "고쳤어요", content_type)
    assert edit.status_code == 200, edit.content

    assert Comment.objects.get(api_id=parent_id).content == "고쳤어요"
    assert Comment.objects.get(api_id=reply.json()["opinionId"]).parent.api_id.hex == (
        parent_id.replace("-", "")
    )


@pytest.mark.parametrize("content_type", CLIENT_TYPES)
def test_it_takes_a_review_from_a_json_string_body(settings, alice, bob, content_type):
    settings.REVIEW_DELAY_MINUTES = 0
    _room, match = completed_room(alice, bob)
    body = {
        "matchId": str(match.api_id),
        "memberReviewDtos": [{"nickname": bob.nickname, "activityMatchScore": "MATCH_REVIEW_5"}],
    }

    response = send(
        client_of(alice), "post", f"/api/matches/{match.api_id}/review", body, content_type
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("content_type", CLIENT_TYPES)
def test_it_takes_random_match_requests_and_cancels_from_a_json_string_body(alice, content_type):
    client = client_of(alice)
    body = {"contentCategory": "STUDY", "placeList": ["GAEPO"], "typeOfStudyList": []}

    created = send(client, "post", "/api/random-matches", body, content_type)
    assert created.status_code == 201, created.content
    cancelled = send(
        client, "post", "/api/random-matches/mine", {"contentCategory": "STUDY"}, content_type
    )
    assert cancelled.status_code == 200, cancelled.content


@pytest.mark.parametrize("content_type", CLIENT_TYPES)
def test_it_takes_an_email_change_from_a_json_string_body(alice, content_type):
    response = send(
        client_of(alice),
        "patch",
        f"/api/users/{alice.api_id}/email",
        {"email": "alice@example.org"},
        content_type,
    )

    assert response.status_code == 200, response.content


def test_it_answers_c007_to_a_broken_json_document_under_the_form_type(alice):
    response = client_of(alice).post("/api/articles", '{"title": ', content_type=FORM)

    assert response.status_code == 400
    assert response.json()["code"] == "C007"


def test_it_keeps_refusing_a_real_form_where_only_json_was_taken(alice):
    response = client_of(alice).post("/api/articles", "title=lunch&content=x", content_type=FORM)

    assert response.status_code == 415
    assert response.json()["code"] == "C009"


def test_it_still_reads_a_real_form_where_forms_were_taken(alice):
    response = client_of(alice).post(
        "/api/random-matches/mine", "contentCategory=STUDY", content_type=FORM
    )

    # Parsed as the form: nothing to cancel, rather than a 400 or a 415.
    assert response.json()["code"] == "RM002"


def test_it_still_requires_csrf_for_a_session_call_with_a_json_string_body(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/api/articles", json.dumps(article_body()), content_type=FORM)

    assert response.status_code == 403


def test_it_gives_a_new_room_and_comment_equal_timestamps(alice, bob):
    client = client_of(alice)
    article_id = send(client, "post", "/api/articles", article_body(), JSON).json()["articleId"]
    opinion_id = send(
        client,
        "post",
        "/api/opinions",
        {"articleId": article_id, "content": "첫 댓글", "parentId": "", "level": 1},
        JSON,
    ).json()["opinionId"]

    room = Room.objects.get(api_id=article_id)
    comment = Comment.objects.get(api_id=opinion_id)
    assert room.created_at == room.updated_at
    assert comment.created_at == comment.updated_at
    shown = client.get(f"/api/opinions/{opinion_id}").json()
    assert shown["createdAt"] == shown["updatedAt"]
    # Also rows made outside the API, one by one or in bulk.
    made = CommentFactory(room=room, author=bob)
    assert made.created_at == made.updated_at
    bulk = Comment.objects.bulk_create(
        [Comment(room=room, author=bob, level=1, content=str(n)) for n in range(3)]
    )
    assert all(c.created_at == c.updated_at for c in bulk)
