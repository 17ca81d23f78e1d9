from datetime import timedelta
from functools import partial

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import IssuedRefreshToken
from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token_pair
from tests.helpers import run_together

REFRESH = "/api/token/refresh"
LOGOUT = "/api/token/logout"
SECURITY_LOGOUT = "/api/security/logout"
LOGIN = "/api/auth/login"

pytestmark = pytest.mark.django_db


def _user_url(user) -> str:
    return f"/api/users/{user.api_id}"


def _jti(raw_refresh: str) -> str:
    return RefreshToken(raw_refresh)["jti"]


def _row(raw_refresh: str) -> IssuedRefreshToken:
    return IssuedRefreshToken.objects.get(jti=_jti(raw_refresh))


def _with_cookie(client: APIClient, raw_refresh: str) -> APIClient:
    client.cookies["refresh-token"] = raw_refresh
    return client


def _expired_access(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=aware_utcnow() - timedelta(hours=1))
    return str(token)


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert body["status"] == status
    assert body["code"] == code


# --- Access tokens ----------------------------------------------------------------------------


def test_it_authenticates_a_bearer_access_token(api_client, alice):
    pair = issue_token_pair(user=alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    response = api_client.get(_user_url(alice))
    assert response.status_code == 200
    assert response.json()["userId"] == str(alice.api_id)


def test_it_answers_401_au001_to_an_expired_access_token(api_client, alice):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_expired_access(alice)}")
    response = api_client.get(_user_url(alice))
    _assert_error(response, 401, "AU001")
    assert response.json()["message"] == "토큰이 만료되었습니다."
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_it_answers_the_legacy_403_when_configured(api_client, alice, settings):
    settings.LEGACY_EXPIRED_TOKEN_STATUS = 403
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_expired_access(alice)}")
    response = api_client.get(_user_url(alice))
    _assert_error(response, 403, "AU001")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-jwt",
        "Bearer",
        "Bearer two parts",
    ],
)
def test_it_answers_au001_to_a_malformed_bearer_header(api_client, alice, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get(_user_url(alice))
    _assert_error(response, 401, "AU001")
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_it_answers_au001_to_a_forged_access_token(api_client, alice):
    header, payload, signature = issue_token_pair(user=alice).access.split(".")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")
    _assert_error(api_client.get(_user_url(alice)), 401, "AU001")


def test_it_answers_au001_to_a_refresh_token_used_as_access_token(api_client, alice):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=alice).refresh}")
    _assert_error(api_client.get(_user_url(alice)), 401, "AU001")


def test_it_answers_au001_to_the_token_of_a_disabled_user(api_client, alice):
    pair = issue_token_pair(user=alice)
    alice.is_active = False
    alice.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    _assert_error(api_client.get(_user_url(alice)), 401, "AU001")


def test_it_answers_au001_to_the_token_of_a_missing_user(api_client, alice):
    token = AccessToken()
    token["user_id"] = "00000000-0000-0000-0000-000000000000"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    _assert_error(api_client.get(_user_url(alice)), 401, "AU001")


def test_it_answers_au000_without_any_token(api_client, alice):
    _assert_error(api_client.get(_user_url(alice)), 401, "AU000")


# --- Refresh ----------------------------------------------------------------------------------


def test_it_refreshes_and_rotates_the_cookie(api_client, alice):
    pair = issue_token_pair(user=alice)

    response = _with_cookie(api_client, pair.refresh).post(REFRESH)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["accessToken"]
    assert AccessToken(body["accessToken"])["user_id"] == str(alice.api_id)
    cookie = response.cookies["refresh-token"]
    assert cookie.value != pair.refresh
    assert cookie["path"] == "/api/token"
    assert cookie["httponly"] is True
    assert _row(cookie.value).parent_jti == _jti(pair.refresh)
    assert _row(pair.refresh).used_at is not None


def test_it_refreshes_again_with_the_rotated_cookie(api_client, alice):
    pair = issue_token_pair(user=alice)
    _with_cookie(api_client, pair.refresh)

    # The test client keeps the cookie it was sent, like a browser.
    assert api_client.post(REFRESH).status_code == 200
    assert api_client.post(REFRESH).status_code == 200
    assert IssuedRefreshToken.objects.filter(user=alice).count() == 3


def test_it_answers_au002_without_a_cookie(api_client):
    _assert_error(api_client.post(REFRESH), 401, "AU002")


def test_it_answers_au003_to_a_garbage_cookie(api_client):
    _assert_error(_with_cookie(api_client, "garbage").post(REFRESH), 401, "AU003")


def test_it_answers_au003_to_an_access_token_in_the_cookie(api_client, alice):
    pair = issue_token_pair(user=alice)
    _assert_error(_with_cookie(api_client, pair.access).post(REFRESH), 401, "AU003")


def test_it_answers_au003_to_the_cookie_of_a_deleted_user(api_client):
    user = UserFactory(username="leaver")
    pair = issue_token_pair(user=user)
    IssuedRefreshToken.objects.filter(user=user).delete()  # what deleting the user cascades to
    _assert_error(_with_cookie(api_client, pair.refresh).post(REFRESH), 401, "AU003")


def test_it_answers_au004_to_a_disabled_user(api_client, alice):
    pair = issue_token_pair(user=alice)
    alice.is_active = False
    alice.save()
    _assert_error(_with_cookie(api_client, pair.refresh).post(REFRESH), 401, "AU004")


def test_it_revokes_the_family_when_a_rotated_token_is_replayed(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    a = issue_token_pair(user=alice)
    response = _with_cookie(APIClient(), a.refresh).post(REFRESH)
    assert response.status_code == 200
    b = response.cookies["refresh-token"].value

    replay = _with_cookie(APIClient(), a.refresh).post(REFRESH)

    _assert_error(replay, 401, "AU003")
    assert _row(b).revoked_at is not None
    _assert_error(_with_cookie(APIClient(), b).post(REFRESH), 401, "AU003")


def test_it_answers_a_quick_second_use_with_the_same_cookie(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    response = _with_cookie(APIClient(), a.refresh).post(REFRESH)
    b = response.cookies["refresh-token"].value

    # Within REFRESH_REUSE_GRACE_SECONDS: a parallel request of the same client.
    again = _with_cookie(APIClient(), a.refresh).post(REFRESH)

    assert again.status_code == 200
    assert again.cookies["refresh-token"].value == b
    assert AccessToken(again.json()["accessToken"])["user_id"] == str(alice.api_id)
    assert _row(b).revoked_at is None
    assert _with_cookie(APIClient(), b).post(REFRESH).status_code == 200


def test_it_refreshes_despite_a_stale_bearer_header(api_client, alice):
    pair = issue_token_pair(user=alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_expired_access(alice)}")
    assert _with_cookie(api_client, pair.refresh).post(REFRESH).status_code == 200


def test_it_refreshes_from_the_frontend_origin(api_client, alice, settings):
    settings.FRONTEND_URL = "https://client.example.org"
    pair = issue_token_pair(user=alice)
    response = _with_cookie(api_client, pair.refresh).post(
        REFRESH, HTTP_ORIGIN="https://client.example.org"
    )
    assert response.status_code == 200


def test_it_refuses_a_refresh_from_a_foreign_origin(api_client, alice):
    pair = issue_token_pair(user=alice)
    response = _with_cookie(api_client, pair.refresh).post(
        REFRESH, HTTP_ORIGIN="https://evil.example.com"
    )
    _assert_error(response, 403, "C006")
    assert _row(pair.refresh).used_at is None


def test_it_answers_405_to_get_on_refresh(api_client):
    _assert_error(api_client.get(REFRESH), 405, "C002")


def _post_in_parallel(path: str, raw_refresh: str, threads: int) -> list:
    clients = [_with_cookie(APIClient(), raw_refresh) for _ in range(threads)]
    responses = run_together([partial(client.post, path) for client in clients])
    crashes = [r for r in responses if isinstance(r, Exception)]
    assert crashes == []
    return responses


@pytest.mark.django_db(transaction=True)
def test_it_answers_one_of_twenty_parallel_refreshes_with_no_grace(settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    user = UserFactory(username="racer")
    start = issue_token_pair(user=user)

    responses = _post_in_parallel(REFRESH, start.refresh, threads=20)

    assert len(responses) == 20
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    assert len(winners) == 1
    assert len(losers) == 19
    assert all(r.status_code == 401 and r.json()["code"] == "AU003" for r in losers)
    # With no grace every loser is a replay: the family, the winner's new token included, is
    # revoked.
    family = _row(start.refresh).family
    assert IssuedRefreshToken.objects.filter(family=family).count() == 2
    assert not IssuedRefreshToken.objects.filter(family=family, revoked_at=None).exists()
    new_cookie = winners[0].cookies["refresh-token"].value
    _assert_error(_with_cookie(APIClient(), new_cookie).post(REFRESH), 401, "AU003")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [3, 20])
def test_it_keeps_a_client_logged_in_through_parallel_refreshes(threads):
    """The React client's my page: several requests fail at once, each refreshes on its own."""
    user = UserFactory(username="racer")
    start = issue_token_pair(user=user)

    responses = _post_in_parallel(REFRESH, start.refresh, threads=threads)

    assert [r.status_code for r in responses] == [200] * threads, [r.content for r in responses]
    cookies = {r.cookies["refresh-token"].value for r in responses}
    assert len(cookies) == 1
    family = _row(start.refresh).family
    live = IssuedRefreshToken.objects.filter(family=family, used_at=None, revoked_at=None)
    assert [row.jti for row in live] == [_jti(cookies.pop())]
    next_cookie = responses[0].cookies["refresh-token"].value
    assert _with_cookie(APIClient(), next_cookie).post(REFRESH).status_code == 200


# --- Logout -----------------------------------------------------------------------------------


def test_it_revokes_the_family_and_clears_the_cookie_on_logout(api_client, alice):
    a = issue_token_pair(user=alice)
    b = _with_cookie(APIClient(), a.refresh).post(REFRESH).cookies["refresh-token"].value

    response = _with_cookie(api_client, b).post(LOGOUT)

    assert response.status_code == 200
    assert response.content == b""
    cookie = response.cookies["refresh-token"]
    assert cookie.value == ""
    assert cookie["max-age"] == 0
    assert cookie["path"] == "/api/token"
    assert not IssuedRefreshToken.objects.filter(user=alice, revoked_at=None).exists()
    _assert_error(_with_cookie(APIClient(), b).post(REFRESH), 401, "AU003")


def test_it_logs_out_without_a_cookie(api_client):
    response = api_client.post(LOGOUT)
    assert response.status_code == 200
    assert response.cookies["refresh-token"]["max-age"] == 0


def test_it_refuses_a_logout_from_a_foreign_origin(api_client, alice):
    pair = issue_token_pair(user=alice)
    response = _with_cookie(api_client, pair.refresh).post(
        LOGOUT, HTTP_ORIGIN="https://evil.example.com"
    )
    _assert_error(response, 403, "C006")
    assert _row(pair.refresh).revoked_at is None


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_it_revokes_the_access_tokens_family_on_security_logout(api_client, alice, method):
    pair = issue_token_pair(user=alice)
    other_device = issue_token_pair(user=alice)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")

    response = getattr(api_client, method)(SECURITY_LOGOUT)

    assert response.status_code == 200
    assert response.content == b""
    assert response.cookies["refresh-token"]["max-age"] == 0
    assert _row(pair.refresh).revoked_at is not None
    assert _row(other_device.refresh).revoked_at is None


def test_it_answers_security_logout_with_an_expired_token(api_client, alice):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_expired_access(alice)}")
    assert api_client.post(SECURITY_LOGOUT).status_code == 200


def test_it_ends_the_session_on_security_logout(alice):
    client = APIClient()
    client.force_login(alice)
    assert client.get(_user_url(alice)).status_code == 200

    assert client.get(SECURITY_LOGOUT).status_code == 200

    _assert_error(client.get(_user_url(alice)), 401, "AU000")


# --- Password login ---------------------------------------------------------------------------


@pytest.fixture
def operator_with_password(operator):
    operator.set_password("correct horse battery")
    operator.save()
    return operator


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_it_logs_an_operator_in_with_a_password(api_client, operator_with_password, fmt):
    response = api_client.post(
        LOGIN, {"username": "operator", "password": "correct horse battery"}, format=fmt
    )

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["userId", "accessToken"]
    assert body["userId"] == str(operator_with_password.api_id)
    cookie = response.cookies["refresh-token"].value
    assert _row(cookie).user == operator_with_password
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['accessToken']}")
    assert api_client.get(_user_url(operator_with_password)).status_code == 200


def test_it_logs_in_with_an_urlencoded_form(api_client, operator_with_password):
    response = api_client.post(
        LOGIN,
        "username=operator&password=correct+horse+battery",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("operator", "wrong"), ("nobody", "correct horse battery"), ("alice", "anything")],
)
def test_it_answers_au005_to_bad_credentials(
    api_client, operator_with_password, alice, username, password
):
    response = api_client.post(LOGIN, {"username": username, "password": password})
    _assert_error(response, 401, "AU005")
    assert "refresh-token" not in response.cookies


def test_it_refuses_a_disabled_operator(api_client, operator_with_password):
    operator_with_password.is_active = False
    operator_with_password.save()
    response = api_client.post(LOGIN, {"username": "operator", "password": "correct horse battery"})
    _assert_error(response, 401, "AU005")


def test_it_answers_c001_to_a_missing_field(api_client):
    response = api_client.post(LOGIN, {"username": "operator"})
    _assert_error(response, 400, "C001")
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


def test_it_answers_c001_to_an_unknown_login_field(api_client, operator_with_password):
    response = api_client.post(
        LOGIN,
        {"username": "operator", "password": "correct horse battery", "remember": True},
        format="json",
    )
    _assert_error(response, 400, "C001")
    assert [e["field"] for e in response.json()["errors"]] == ["remember"]


def test_it_throttles_password_logins(api_client, monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "2/min"})
    for _ in range(2):
        _assert_error(api_client.post(LOGIN, {"username": "x", "password": "y"}), 401, "AU005")

    response = api_client.post(LOGIN, {"username": "x", "password": "y"})

    _assert_error(response, 429, "C008")
    cache.clear()
