"""Requests as Slack sends them to /slack/commands and /slack/interactions, signed here with
Slack's algorithm (written out, not slack_sdk's): v0=HMAC-SHA256(secret, "v0:<ts>:<body>")."""

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
COMMANDS = "/slack/commands"
INTERACTIONS = "/slack/interactions"
FORM = "application/x-www-form-urlencoded"


def slack_user_id() -> str:
    """A Slack user id of its own per test: Slack's answers are cached in the shared Redis."""
    return "U" + uuid.uuid4().hex[:10].upper()


def signature(body: bytes, timestamp: int | str, secret: str = SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_post(
    client,
    path: str,
    body: bytes,
    *,
    timestamp: int | None = None,
    secret: str = SECRET,
    sign: bool = True,
    content_type: str = FORM,
    **headers,
):
    timestamp = int(time.time()) if timestamp is None else timestamp
    if sign:
        headers.setdefault("X-Slack-Request-Timestamp", str(timestamp))
        headers.setdefault("X-Slack-Signature", signature(body, timestamp, secret))
    return client.post(path, body, content_type=content_type, headers=headers)


def command_body(user_id: str, text: str, **fields) -> bytes:
    form = {
        "token": "deprecated-verification-token",
        "team_id": "T0001",
        "team_domain": "42seoul",
        "channel_id": "D0001",
        "user_id": user_id,
        "user_name": "someone",
        "command": "/42partner",
        "text": text,
        "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
        "trigger_id": uuid.uuid4().hex,  # Slack's differs at each request
        **fields,
    }
    return urlencode(form).encode()


def send_command(client, user_id: str, text: str = "", **kw):
    return signed_post(client, COMMANDS, command_body(user_id, text), **kw)


def actions_payload(user_id: str, response_url: str, *actions: dict, **fields) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": "someone", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "42seoul"},
        "api_app_id": "A0001",
        "trigger_id": uuid.uuid4().hex,
        "response_url": response_url,
        "actions": list(actions),
        **fields,
    }


def action(action_id: str, *, value: str = "", block_id: str = "") -> dict:
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "action_ts": "1.2",
    }


def interaction_body(payload) -> bytes:
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return urlencode({"payload": raw}).encode()


def send_interaction(client, payload, **kw):
    return signed_post(client, INTERACTIONS, interaction_body(payload), **kw)
