"""A local fake of the 42 intra OAuth server, for tests of anything that logs in through 42.

A real HTTP server on 127.0.0.1 (a free port, in a thread) answers what our provider calls:
`GET /oauth/authorize` (the consent page: redirects back with a `code` and the echoed `state`, or
`error=access_denied`), `POST /oauth/token` (checks client id, secret, code and redirect URI, so a
wrong exchange fails) and `GET /v2/me` (the bearer token's profile). The browser side is driven by
Django's test client.

Use the `fake_intra` fixture (registered for the whole suite in the root conftest)::

    def test_it_logs_in(client, fake_intra):
        response = fake_intra.login(client, intra_profile("alice"))
        assert response.url == reverse("accounts:choose")

Switches on the fixture: `deny` (the student refuses consent), `token_status` / `profile_status`
(the endpoint answers that HTTP status), `client_secret` (what the fake expects).
"""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from tests.helpers import serve_in_thread

CAMPUS_IDS = {"Seoul": 29, "Gyeongsan": 69, "Paris": 1}


def intra_profile(
    login: str,
    *,
    intra_id: int | None = None,
    email: str | None = "",
    image_link: str | None = "",
    campus: str | list[str] = "Seoul",
    primary_campus: str | None = None,
) -> dict:
    """A `/v2/me` answer shaped like the real one (only the fields we read, plus a few).

    `email=None` / `image_link=None` leave the key out; "" picks a default from the login.
    """
    campuses = [campus] if isinstance(campus, str) else list(campus)
    primary = primary_campus or (campuses[0] if campuses else None)
    profile: dict = {
        "id": intra_id if intra_id is not None else 100000 + sum(map(ord, login)) * 7,
        "login": login,
        "first_name": login.capitalize(),
        "last_name": "Kim",
        "usual_full_name": f"{login.capitalize()} Kim",
        "url": f"https://api.intra.42.fr/v2/users/{login}",
        "kind": "student",
        "campus": [
            {"id": CAMPUS_IDS.get(name, 1000 + i), "name": name, "time_zone": "Asia/Seoul"}
            for i, name in enumerate(campuses)
        ],
        "campus_users": [
            {
                "id": 9000 + i,
                "campus_id": CAMPUS_IDS.get(name, 1000 + i),
                "is_primary": name == primary,
            }
            for i, name in enumerate(campuses)
        ],
    }
    if email is not None:
        profile["email"] = email or f"{login}@student.42seoul.kr"
    if image_link is not None:
        link = image_link or f"https://cdn.intra.42.fr/users/{login}.jpg"
        profile["image"] = {"link": link, "versions": {"small": link, "medium": link}}
    return profile


class FakeIntra:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeIntra":
        self._server, self._stop_server = serve_in_thread(_handler_for(self))
        return self

    def stop(self) -> None:
        self._stop_server()

    def reset(self, *, client_id: str = "", client_secret: str = "") -> None:
        with self._lock:
            self.client_id = client_id
            self.client_secret = client_secret
            self.profile: dict | None = None  # the student signed in at the intra
            self.deny = False
            self.token_status: int | None = None
            self.profile_status: int | None = None
            self.codes: dict[str, dict] = {}
            self.tokens: dict[str, dict] = {}
            self.calls: list[str] = []

    # --- driving a login from a test ----------------------------------------------------------

    def start_login(self, client: Client, *, handoff: bool = False, **params) -> str:
        """Start a login (the page's POST, or the React hand-off's GET); the authorize URL."""
        if handoff:
            response = client.get(reverse("accounts:oauth_handoff_start"), params)
        else:
            response = client.post(reverse("fortytwo_login"), params)
        assert response.status_code == 302, response
        assert response.url.startswith(f"{self.url}/oauth/authorize?"), response.url
        return response.url

    def consent(self, authorize_url: str) -> str:
        """What the student's browser does at 42: open the authorize URL; the callback URL."""
        response = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def login(self, client: Client, profile: dict | None = None, *, handoff: bool = False):
        """A whole login as `profile`; the response of our callback."""
        if profile is not None:
            self.profile = profile
        callback_url = self.consent(self.start_login(client, handoff=handoff))
        return client.get(callback_url)

    # --- the server side ----------------------------------------------------------------------

    def _authorize(self, query: dict) -> tuple[int, dict, str]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect_uri:
            return 400, {}, "invalid client or redirect_uri"
        if query.get("response_type") != "code" or "public" not in query.get("scope", "").split():
            return 400, {}, "invalid response_type or scope"
        back: dict[str, str] = {}
        if self.deny or self.profile is None:
            back["error"] = "access_denied"
            back["error_description"] = "The resource owner or authorization server denied"
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"profile": dict(self.profile), "redirect_uri": redirect_uri}
            back["code"] = code
        if "state" in query:
            back["state"] = query["state"]
        return 302, {"Location": f"{redirect_uri}?{urlencode(back)}"}, ""

    def _token(self, form: dict) -> tuple[int, dict]:
        if self.token_status is not None:
            return self.token_status, {"error": "server_error"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return 401, {"error": "invalid_client"}
        issued = self.codes.pop(form.get("code", ""), None)
        if (
            form.get("grant_type") != "authorization_code"
            or issued is None
            or issued["redirect_uri"] != form.get("redirect_uri")
        ):
            return 400, {"error": "invalid_grant"}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = issued["profile"]
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 7200,
            "refresh_token": secrets.token_urlsafe(24),
            "scope": "public",
            "created_at": 1700000000,
        }

    def _me(self, authorization: str) -> tuple[int, dict]:
        if self.profile_status is not None:
            return self.profile_status, {"error": "server_error"}
        scheme, _, token = authorization.partition(" ")
        profile = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if profile is None:
            return 401, {"error": "invalid_token"}
        return 200, profile


def _handler_for(fake: FakeIntra) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args) -> None:  # keep test output clean
            pass

        def _reply(self, status: int, headers: dict, body: str | dict) -> None:
            payload = (json.dumps(body) if isinstance(body, dict) else body).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/json" if isinstance(body, dict) else "text/plain"
            )
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with fake._lock:
                fake.calls.append(f"GET {parts.path}")
                if parts.path == "/oauth/authorize":
                    status, headers, text = fake._authorize(query)
                    return self._reply(status, headers, text)
                if parts.path == "/v2/me":
                    status, body = fake._me(self.headers.get("Authorization", ""))
                    return self._reply(status, {}, body)
            return self._reply(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake._lock:
                fake.calls.append(f"POST {parts.path}")
                if parts.path == "/oauth/token":
                    status, body = fake._token(form)
                    return self._reply(status, {}, body)
            return self._reply(404, {}, {"error": "not_found"})

    return Handler


@pytest.fixture(scope="session")
def fake_intra_server():
    server = FakeIntra().start()
    yield server
    server.stop()


@pytest.fixture
def fake_intra(fake_intra_server, settings):
    """The fake, reset, expecting our app's credentials; FORTYTWO_API_URL points at it."""
    app = settings.SOCIALACCOUNT_PROVIDERS["fortytwo"]["APPS"][0]
    fake_intra_server.reset(client_id=app["client_id"], client_secret=app["secret"])
    settings.FORTYTWO_API_URL = fake_intra_server.url
    yield fake_intra_server
    fake_intra_server.reset()
