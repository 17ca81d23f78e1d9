import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue_token_pair

pytestmark = pytest.mark.django_db


def _as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=user).access}")
    return client


def _url(user_or_id, suffix: str = "") -> str:
    user_id = getattr(user_or_id, "api_id", user_or_id)
    return f"/api/users/{user_id}{suffix}"


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert body["status"] == status
    assert body["code"] == code
    return body


def _fields(body: dict) -> list[str]:
    return [error["field"] for error in body["errors"]]


# --- GET /api/users/{userId} ------------------------------------------------------------------


def test_it_shows_the_users_own_profile(alice):
    response = _as(alice).get(_url(alice))

    assert response.status_code == 200
    assert response.json() == {
        "userId": str(alice.api_id),
        "oauth2Username": "alice",
        "nickname": "alice",
        "email": "alice@student.42seoul.kr",
        "imageUrl": "https://cdn.intra.42.fr/users/alice.jpg",
        "pendingEmail": None,
    }
    # The original's fields in their order, then ours.
    assert list(response.json()) == [
        "userId",
        "oauth2Username",
        "nickname",
        "email",
        "imageUrl",
        "pendingEmail",
    ]


def test_it_hides_another_users_profile(alice, bob):
    _assert_error(_as(bob).get(_url(alice)), 403, "U001")


def test_it_shows_any_profile_to_an_operator(alice, operator):
    response = _as(operator).get(_url(alice))
    assert response.status_code == 200
    assert response.json()["userId"] == str(alice.api_id)


def test_it_answers_404_to_an_unknown_user(alice):
    _assert_error(_as(alice).get(_url(uuid.uuid4())), 404, "C003")


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "%20"])
def test_it_answers_404_to_a_malformed_id(alice, bad_id):
    _assert_error(_as(alice).get(_url(bad_id)), 404, "C003")


def test_it_requires_authentication(alice):
    _assert_error(APIClient().get(_url(alice)), 401, "AU000")


def test_it_accepts_the_session(alice):
    client = APIClient()
    client.force_login(alice)
    assert client.get(_url(alice)).status_code == 200


# --- PATCH /api/users/{userId}/email ----------------------------------------------------------


def test_it_asks_to_change_the_email(alice):
    # The change waits for its confirmation link (accounts/tests/test_email_change.py).
    response = _as(alice).patch(
        _url(alice, "/email"), {"email": "alice@example.org"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"userId": str(alice.api_id)}
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"
    assert alice.pending_email == "alice@example.org"


def test_it_keeps_the_own_email(alice):
    response = _as(alice).patch(
        _url(alice, "/email"), {"email": "ALICE@student.42seoul.kr"}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("email", ["not-an-email", "", "a@", "   "])
def test_it_refuses_an_invalid_email(alice, email):
    response = _as(alice).patch(_url(alice, "/email"), {"email": email}, format="json")
    body = _assert_error(response, 400, "C001")
    assert _fields(body) == ["email"]
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"


def test_it_refuses_an_email_of_another_user(alice, bob):
    response = _as(alice).patch(
        _url(alice, "/email"), {"email": "BOB@student.42seoul.kr"}, format="json"
    )
    body = _assert_error(response, 400, "C001")
    assert body["errors"] == [
        {
            "field": "email",
            "value": "BOB@student.42seoul.kr",
            "reason": "이미 사용 중인 이메일입니다.",
        }
    ]


def test_it_refuses_a_missing_email(alice):
    body = _assert_error(_as(alice).patch(_url(alice, "/email"), {}, format="json"), 400, "C001")
    assert _fields(body) == ["email"]


def test_it_refuses_an_unknown_key_in_the_email_body(alice):
    response = _as(alice).patch(
        _url(alice, "/email"), {"email": "alice@example.org", "nickname": "x"}, format="json"
    )
    body = _assert_error(response, 400, "C001")
    assert _fields(body) == ["nickname"]
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"


def test_it_refuses_a_body_that_is_not_an_object(alice):
    response = _as(alice).patch(_url(alice, "/email"), ["alice@example.org"], format="json")
    assert response.status_code == 400


def test_it_refuses_malformed_json(alice):
    response = _as(alice).patch(
        _url(alice, "/email"), '{"email": ', content_type="application/json"
    )
    assert response.status_code == 400


def test_it_refuses_to_change_another_users_email(alice, bob):
    response = _as(bob).patch(_url(alice, "/email"), {"email": "b@example.org"}, format="json")
    _assert_error(response, 403, "U001")
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"


def test_it_refuses_an_operator_changing_an_email(alice, operator):
    response = _as(operator).patch(_url(alice, "/email"), {"email": "o@example.org"}, format="json")
    _assert_error(response, 403, "U001")


def test_it_answers_404_to_the_email_of_an_unknown_user(alice):
    response = _as(alice).patch(
        _url(uuid.uuid4(), "/email"), {"email": "a@example.org"}, format="json"
    )
    _assert_error(response, 404, "C003")


def test_it_requires_csrf_with_the_session(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.patch(_url(alice, "/email"), {"email": "a@example.org"}, format="json")
    _assert_error(response, 403, "C006")


def test_it_answers_405_to_get_on_email(alice):
    _assert_error(_as(alice).get(_url(alice, "/email")), 405, "C002")


# --- PATCH /api/users/{userId}/nickname -------------------------------------------------------


def test_it_changes_the_nickname(alice):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": "앨리스"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"userId": str(alice.api_id)}
    alice.refresh_from_db()
    assert alice.nickname == "앨리스"


@pytest.mark.parametrize("nickname", ["ab", "가" * 20, "  trimmed  "])
def test_it_accepts_nicknames_of_two_to_twenty_characters(alice, nickname):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": nickname}, format="json")
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.nickname == nickname.strip()


@pytest.mark.parametrize("nickname", ["a", "가" * 21, "", "   "])
def test_it_refuses_a_nickname_of_a_bad_length(alice, nickname):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": nickname}, format="json")
    body = _assert_error(response, 400, "C001")
    assert _fields(body) == ["nickname"]
    alice.refresh_from_db()
    assert alice.nickname == "alice"


def test_it_refuses_a_nickname_taken_by_another_user(alice, bob):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": "BOB"}, format="json")
    body = _assert_error(response, 400, "C001")
    assert body["errors"] == [
        {"field": "nickname", "value": "BOB", "reason": "이미 사용 중인 닉네임입니다."}
    ]
    alice.refresh_from_db()
    assert alice.nickname == "alice"


def test_it_keeps_the_own_nickname(alice):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": "alice"}, format="json")
    assert response.status_code == 200


def test_it_refuses_a_nickname_that_is_not_a_string(alice):
    response = _as(alice).patch(_url(alice, "/nickname"), {"nickname": ["x"]}, format="json")
    assert response.status_code == 400
    assert _fields(response.json()) == ["nickname"]


def test_it_refuses_an_unknown_key_in_the_nickname_body(alice):
    response = _as(alice).patch(
        _url(alice, "/nickname"), {"nickname": "newname", "admin": True}, format="json"
    )
    body = _assert_error(response, 400, "C001")
    assert _fields(body) == ["admin"]


def test_it_refuses_to_change_another_users_nickname(alice, bob):
    response = _as(bob).patch(_url(alice, "/nickname"), {"nickname": "hacked"}, format="json")
    _assert_error(response, 403, "U001")
    alice.refresh_from_db()
    assert alice.nickname == "alice"


def test_it_answers_404_to_the_nickname_of_an_unknown_user(alice):
    response = _as(alice).patch(_url("nope", "/nickname"), {"nickname": "newname"}, format="json")
    _assert_error(response, 404, "C003")
