"""The realtime process: websockets and the SSE alarm stream (docs/alarms.md).

Two things differ from the WSGI web process:

- **No persistent database connections** (`CONN_MAX_AGE=0` whatever the environment says): a
  stream or socket touches the database once or twice in its life, and each request runs in a
  thread of its own, so kept connections would pile up idle (54 after one load test).
- **No exception escapes an HTTP response that has started**: daphne answers such an exception by
  starting the response again, which raises inside its periodic checker and stops that checker
  for good; from then on nothing reaps finished requests and a crashed request is never answered.
  `contain_late_errors` logs the error and ends the response instead.
- **No access token in the access log**: the SSE stream's `?accessToken=<jwt>` is written as
  `accessToken=[REDACTED]` by daphne's access log (`redact_daphne_access_log`; gunicorn and nginx
  have the same rule in deploy/).
"""

import logging
import os
import re

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partner42.settings")

# Build the Django app before importing anything that touches models (consumers, routing).
django.setup(set_prefix=False)

from partner42.middleware import ApiASGIHandler, daphne_leave_bodies_to_django  # noqa: E402

django_asgi_app = ApiASGIHandler()
daphne_leave_bodies_to_django()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.db import connections  # noqa: E402

from alarms.routing import websocket_urlpatterns  # noqa: E402
from rooms.routing import websocket_urlpatterns as room_websocket_urlpatterns  # noqa: E402

logger = logging.getLogger(__name__)


def forbid_persistent_connections() -> None:
    """Every database connection of this process closes at the end of its request."""
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


def contain_late_errors(app):
    """An HTTP app whose exceptions after `http.response.start` end the response quietly."""

    async def contained(scope, receive, send):
        started = finished = False

        async def tracking_send(message):
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception:
            if not started:
                raise  # the server still answers 500
            logger.exception("Error after the response started; ending it")
            if not finished:
                try:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                except Exception:
                    logger.debug("Could not end the response", exc_info=True)

    return contained


ACCESS_TOKEN_PATTERN = re.compile(r"((?:^|[?&])accessToken=)[^&\s\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` (a request line, a URL) with every accessToken value replaced by [REDACTED]."""
    return ACCESS_TOKEN_PATTERN.sub(r"\1[REDACTED]", text)


def redact_daphne_access_log() -> None:
    """daphne (which imports this module before it serves) writes redacted request lines."""
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:  # another ASGI server
        return
    if getattr(AccessLogGenerator.write_entry, "redacts", False):
        return
    write_entry = AccessLogGenerator.write_entry

    def redacting_write_entry(self, host, date, request, *args, **kwargs):
        return write_entry(self, host, date, redact(request), *args, **kwargs)

    redacting_write_entry.redacts = True
    AccessLogGenerator.write_entry = redacting_write_entry


forbid_persistent_connections()
redact_daphne_access_log()

application = ProtocolTypeRouter(
    {
        "http": contain_late_errors(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns + room_websocket_urlpatterns))
        ),
    }
)
