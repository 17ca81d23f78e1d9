"""One client address for throttles, lockouts and logs: X-Forwarded-For only from our proxies."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from partner42.log import JsonFormatter
from partner42.net import client_ip

LOGIN = "/api/auth/login"


def _request(remote: str, xff: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_it_ignores_x_forwarded_for_by_default(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_it_ignores_x_forwarded_for_from_an_untrusted_peer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("trusted", "remote", "xff", "expected"),
    [
        # nginx overwrites the header with the peer it saw.
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.7", "198.51.100.7"),
        # A client's own value is on the left; the proxy appended the real peer on the right.
        (["10.0.0.5"], "10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours: skip both.
        (["10.0.0.0/8"], "10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # Only proxies: the left-most one.
        (["10.0.0.0/8"], "10.0.0.5", "10.0.0.7, 10.0.0.9", "10.0.0.7"),
        # No header from a proxy: the proxy itself.
        (["10.0.0.0/8"], "10.0.0.5", None, "10.0.0.5"),
        # Garbage in the header stops the walk at the last hop we could read.
        (["10.0.0.0/8"], "10.0.0.5", "not-an-ip, 10.0.0.9", "10.0.0.9"),
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.7:4444", "10.0.0.5"),
        # IPv6 and IPv4-mapped peers.
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2001:470::1", "2001:470::1"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),
    ],
)
def test_it_reads_x_forwarded_for_behind_a_trusted_proxy(settings, trusted, remote, xff, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(_request(remote, xff)) == expected


def test_it_skips_a_malformed_trusted_proxy_entry(settings):
    settings.TRUSTED_PROXIES = ["nonsense", "10.0.0.5"]
    assert client_ip(_request("10.0.0.5", "198.51.100.7")) == "198.51.100.7"


@pytest.fixture
def login_rate(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    yield
    cache.clear()


def _login(client: APIClient, xff: str):
    return client.post(LOGIN, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR=xff)


@pytest.mark.django_db
def test_it_throttles_logins_whatever_x_forwarded_for_an_untrusted_client_sends(
    login_rate, settings
):
    settings.TRUSTED_PROXIES = []
    client = APIClient()
    statuses = [_login(client, f"203.0.113.{n}").status_code for n in range(15)]

    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}


@pytest.mark.django_db
def test_it_throttles_per_forwarded_address_behind_a_trusted_proxy(login_rate, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()

    assert [_login(client, "203.0.113.1").status_code for _ in range(4)] == [401] * 3 + [429]
    # Another client behind the same proxy has its own budget.
    assert _login(client, "203.0.113.2").status_code == 401


def test_it_logs_the_client_address_of_a_request(settings):
    settings.TRUSTED_PROXIES = []
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", (), None)
    record.request = _request("203.0.113.9", "1.2.3.4")
    record.status_code = 500

    entry = json.loads(JsonFormatter().format(record))

    assert entry["client_ip"] == "203.0.113.9"
    assert entry["method"] == "GET"
    assert entry["path"] == "/"
    assert "request" not in entry
    assert entry["status_code"] == 500


def test_it_logs_the_forwarded_address_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", (), None)
    record.request = _request("10.0.0.5", "198.51.100.7")

    assert json.loads(JsonFormatter().format(record))["client_ip"] == "198.51.100.7"
