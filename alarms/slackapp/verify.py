"""Is this request from Slack, and the first time we see it?

Slack signs each request with the app's signing secret: `X-Slack-Signature` is
`v0=HMAC-SHA256(secret, "v0:<X-Slack-Request-Timestamp>:<raw body>")`. slack_sdk's
SignatureVerifier checks it and refuses a timestamp more than 5 minutes from now. A signed
request replayed within those 5 minutes would pass it again, so each (timestamp, signature)
is remembered in the cache (Redis) for the window and a second one is refused.
"""

import hashlib
import logging
from enum import Enum

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger(__name__)

# slack_sdk's own window (its SignatureVerifier refuses older and later timestamps), plus a margin.
REPLAY_WINDOW_SECONDS = 5 * 60 + 60
# Slack's payloads are a few kilobytes; anything much bigger is not from Slack.
MAX_BODY_BYTES = 64 * 1024


class Verdict(Enum):
    OK = "ok"
    DISABLED = "disabled"  # no signing secret configured
    TOO_LARGE = "too_large"
    BAD_SIGNATURE = "bad_signature"  # missing headers, wrong signature, old or future timestamp
    REPLAY = "replay"
    UNAVAILABLE = "unavailable"  # the cache that remembers signatures did not answer


def slack_request_verify(request: HttpRequest) -> Verdict:
    """Check a request to a Slack endpoint; read its body only within MAX_BODY_BYTES."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        logger.warning("SLACK_SIGNING_SECRET is not set: request to %s refused", request.path)
        return Verdict.DISABLED
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return Verdict.TOO_LARGE
    if length > MAX_BODY_BYTES:
        return Verdict.TOO_LARGE
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return Verdict.TOO_LARGE
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        logger.warning("Slack request without its signature headers refused")
        return Verdict.BAD_SIGNATURE
    try:
        valid = SignatureVerifier(secret).is_valid(
            body=body, timestamp=timestamp, signature=signature
        )
    except (UnicodeDecodeError, ValueError):
        valid = False
    if not valid:
        logger.warning("Slack request with a bad signature or an old timestamp refused")
        return Verdict.BAD_SIGNATURE
    key = "slack:seen:" + hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
    added = cache.add(key, "1", timeout=REPLAY_WINDOW_SECONDS)
    if added is None:  # the fail-open cache could not reach Redis: we cannot tell a replay
        logger.error("Slack request refused: the cache cannot tell a replay (Redis down?)")
        return Verdict.UNAVAILABLE
    if not added:
        logger.warning("Replayed Slack request refused")
        return Verdict.REPLAY
    return Verdict.OK
