"""A local fake of the Slack Web API methods we call, over real HTTP (for slack_sdk), and of
the response URLs of button presses."""

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.helpers import serve_in_thread

TOKEN = "xoxb-test-token"


@dataclass
class FakeSlack:
    users: dict[str, str] = field(default_factory=dict)  # email -> Slack user id
    calls: list[tuple[str, dict]] = field(default_factory=list)
    # method -> responses to give before answering normally: (status, body, headers)
    failures: dict[str, list[tuple[int, object, dict]]] = field(default_factory=dict)
    url: str = ""
    # Slack user id -> profile email for users.info, beyond the reverse of `users`.
    profiles: dict[str, str] = field(default_factory=dict)
    # Posts to response URLs (`hooks_url` + anything): (path, JSON body).
    hooks: list[tuple[str, dict]] = field(default_factory=list)
    hooks_url: str = ""

    def calls_to(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def answer(self, method: str, params: dict, token: str) -> tuple[int, object, dict]:
        self.calls.append((method, params))
        if self.failures.get(method):
            return self.failures[method].pop(0)
        if token != TOKEN:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "users.lookupByEmail":
            user_id = self.users.get(params.get("email", ""))
            if user_id is None:
                return 200, {"ok": False, "error": "users_not_found"}, {}
            return 200, {"ok": True, "user": {"id": user_id, "profile": {}}}, {}
        if method == "users.info":
            user_id = params.get("user", "")
            emails = {uid: email for email, uid in self.users.items()} | self.profiles
            if user_id not in emails:
                return 200, {"ok": False, "error": "user_not_found"}, {}
            profile = {"email": emails[user_id]} if emails[user_id] else {}
            return 200, {"ok": True, "user": {"id": user_id, "profile": profile}}, {}
        if method == "conversations.open":
            users = params.get("users", "")
            users = users if isinstance(users, str) else ",".join(users)
            return 200, {"ok": True, "channel": {"id": "G" + users.replace(",", "")}}, {}
        if method == "chat.postMessage":
            return 200, {"ok": True, "channel": params.get("channel"), "ts": "1.000100"}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}


def _handler(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # slack_sdk sends every method as a POST
            url = urlsplit(self.path)
            method = url.path.rsplit("/", 1)[-1]
            params = dict(parse_qsl(url.query))
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if raw:
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params.update(json.loads(raw))
                else:
                    params.update(parse_qsl(raw))
            if url.path.startswith("/hooks/"):  # a response_url (slack_sdk's WebhookClient)
                fake.hooks.append((url.path, json.loads(raw or "{}")))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                return
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            status, body, headers = fake.answer(method, params, token)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            ctype = "text/html" if isinstance(body, str) else "application/json; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


def serve_fake_slack():
    """Start a FakeSlack on a free local port; returns (fake, stop)."""
    fake = FakeSlack()
    server, stop = serve_in_thread(_handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    fake.hooks_url = f"http://127.0.0.1:{server.server_address[1]}/hooks/"
    return fake, stop
