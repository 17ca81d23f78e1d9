"""Password logins lock out after repeated failures: per account and per address (django-axes)."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
API_LOGIN = "/api/auth/login"
PASSWORD = "correct horse battery"


@pytest.fixture
def admin_operator(db):
    user = UserFactory(username="ops", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def _admin_login(client: Client, username: str, password: str, **extra):
    return client.post(
        ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def _assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert "로그인 실패가 너무 많습니다" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)


def test_it_lets_an_operator_into_the_admin_with_the_right_password(client, admin_operator):
    response = _admin_login(client, "ops", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_operator.pk)


def test_it_locks_an_admin_account_after_five_failures(client, admin_operator):
    for _ in range(4):
        assert _admin_login(client, "ops", "wrong").status_code == 200  # the form again

    _assert_locked_page(_admin_login(client, "ops", "wrong"))
    # The right password no longer gets in (it did after 40 wrong ones).
    _assert_locked_page(_admin_login(client, "ops", PASSWORD))
    assert SESSION_KEY not in client.session


def test_it_locks_an_account_whatever_address_the_failures_come_from(admin_operator):
    for n in range(5):
        _admin_login(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "ops", "wrong")

    _assert_locked_page(_admin_login(Client(REMOTE_ADDR="198.51.100.7"), "ops", PASSWORD))


def test_it_locks_an_address_whatever_account_it_tries(client, admin_operator):
    for n in range(5):
        _admin_login(client, f"guess{n}", "wrong")

    _assert_locked_page(_admin_login(client, "ops", PASSWORD))
    # Another address still gets in.
    assert _admin_login(Client(REMOTE_ADDR="198.51.100.7"), "ops", PASSWORD).status_code == 302


def test_it_forgets_the_failures_after_a_success(client, admin_operator):
    for _ in range(4):
        _admin_login(client, "ops", "wrong")
    assert _admin_login(client, "ops", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        _admin_login(client, "ops", "wrong")
    assert _admin_login(client, "ops", PASSWORD).status_code == 302


def test_it_ignores_x_forwarded_for_from_an_untrusted_peer(client, admin_operator, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        _admin_login(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")

    _assert_locked_page(_admin_login(client, "ops", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"))


def test_it_counts_the_forwarded_address_behind_a_trusted_proxy(client, admin_operator, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(5):
        _admin_login(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")

    response = _admin_login(client, "ops", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 302
    addresses = set(AccessFailureLog.objects.values_list("ip_address", flat=True))
    assert addresses == {f"203.0.113.{n + 1}" for n in range(5)}


def test_it_locks_the_api_login_with_the_error_body(admin_operator):
    api = APIClient()
    for _ in range(4):
        assert api.post(API_LOGIN, {"username": "ops", "password": "wrong"}).status_code == 401

    for password in ("wrong", PASSWORD):
        response = api.post(API_LOGIN, {"username": "ops", "password": password})
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert list(body) == ["message", "status", "errors", "code"]
        assert body["code"] == "C008"
        assert body["status"] == 429
        assert "로그인 실패가 너무 많습니다" in body["message"]
        assert response["Retry-After"] == str(15 * 60)
        assert "refresh-token" not in response.cookies


def test_it_shares_the_count_between_the_admin_and_the_api(client, admin_operator):
    for _ in range(5):
        _admin_login(client, "ops", "wrong")

    response = APIClient().post(API_LOGIN, {"username": "ops", "password": PASSWORD})

    assert response.status_code == 429


def test_it_reads_limit_and_cool_off_from_settings(client, admin_operator, settings):
    from datetime import timedelta

    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    _admin_login(client, "ops", "wrong")

    response = _admin_login(client, "ops", "wrong")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_it_lets_an_operator_unlock_an_account_in_the_admin(client, admin_operator):
    for _ in range(5):
        _admin_login(client, "ops", "wrong")
    _assert_locked_page(_admin_login(client, "ops", PASSWORD))
    other = UserFactory(username="ops2", is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(other)

    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "ops" in listing.content.decode()
    assert admin_client.get("/admin/axes/accessfailurelog/").status_code == 200
    pks = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": pks}, follow=True
    )
    assert response.status_code == 200
    assert "잠금 기록" in response.content.decode()

    assert not AccessAttempt.objects.exists()
    assert _admin_login(client, "ops", PASSWORD).status_code == 302


def test_it_still_lets_the_test_client_log_in_without_a_request(client, admin_operator):
    assert client.login(username="ops", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
