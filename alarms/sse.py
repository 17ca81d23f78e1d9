"""`GET /api/alarm/subscribe?accessToken=<jwt>`: the React client's alarm stream (API.md 4.6).

A plain async Django view over an async generator: under ASGI Django would read a sync iterator
whole before sending the first byte. The stream joins the user's alarm group on the channel layer,
so it hears the same pushes as the pages' websockets, and leaves the group when the client goes
away (Django cancels the response and closes the generator).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from alarms.services import NOTIFY_EVENT, alarm_group_name
from partner42.errors import ErrorCode, error_body
from partner42.metrics import ALARM_CONNECTIONS

logger = logging.getLogger(__name__)

INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'
_READER_FAILED = "sse.reader_failed"


@csrf_exempt  # token-authenticated, no cookie: nothing to forge
async def alarm_subscribe(request):
    if request.method != "GET":
        return JsonResponse(
            error_body(ErrorCode.METHOD_NOT_ALLOWED), status=405, headers={"Allow": "GET"}
        )
    token = request.GET.get("accessToken", "")
    if not token:
        return _refuse(ErrorCode.NOT_AUTHENTICATED, status=401)
    user = await _user_for_token(token)
    if user is None:
        return _refuse(ErrorCode.INVALID_ACCESS_TOKEN, status=settings.LEGACY_EXPIRED_TOKEN_STATUS)

    response = StreamingHttpResponse(
        _event_stream(user_api_id=user.api_id), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    # A compressor buffers what it compresses: with a Content-Encoding set, GZipMiddleware (and
    # any middleware like it) leaves the response alone, so every event leaves at once.
    response["Content-Encoding"] = "identity"
    return response


async def _user_for_token(token: str):
    try:
        access = AccessToken(token)
        user_key = access[jwt_settings.USER_ID_CLAIM]
    except (TokenError, KeyError):
        return None
    user_model = get_user_model()
    try:
        return await user_model.objects.filter(
            **{jwt_settings.USER_ID_FIELD: user_key}, is_active=True
        ).afirst()
    except (ValueError, TypeError, ValidationError):  # a claim that is no UUID
        return None


def _refuse(error_code: ErrorCode, *, status: int) -> JsonResponse:
    body = error_body(error_code)
    body["status"] = status
    return JsonResponse(body, status=status, headers={"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})


def _event(name: str, data: str, user_api_id) -> str:
    return f"id:{user_api_id}_alarmList_{_server_time()}\nevent:{name}\ndata:{data}\n\n"


def _server_time() -> str:
    # Java's LocalDateTime.toString() as the original sent it: seconds left out when zero.
    now = timezone.localtime().replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M" if now.second == 0 else "%Y-%m-%dT%H:%M:%S")


async def _event_stream(*, user_api_id) -> AsyncIterator[str]:
    layer = get_channel_layer()
    channel = await layer.new_channel(prefix="sse")
    group = alarm_group_name(user_api_id)
    keepalive = settings.ALARM_SSE_KEEPALIVE_SECONDS
    # A reader task owns layer.receive(): cancelling receive() on every keep-alive timeout could
    # drop a message, a queue.get() cannot.
    queue: asyncio.Queue[dict] = asyncio.Queue()
    reader: asyncio.Task | None = None
    connections = ALARM_CONNECTIONS.labels(transport="sse")
    connections.inc()
    try:
        await layer.group_add(group, channel)
        reader = asyncio.create_task(_forward(layer, channel, queue))
        yield _event("CONNECTED", "subscribe", user_api_id)
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                # Renew the membership too, so a stream open longer than group_expiry stays in.
                await layer.group_add(group, channel)
                yield ": keep-alive\n\n"
                continue
            if message.get("type") == _READER_FAILED:
                return  # the client's EventSource reconnects and re-subscribes
            if message.get("type") == NOTIFY_EVENT:
                yield _event("alarmList", "alarmList", user_api_id)
    finally:
        connections.dec()
        # Client gone (CancelledError inside an await, or GeneratorExit at a yield): leave the
        # group so that pushes stop going to a channel nobody reads.
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        try:
            await layer.group_discard(group, channel)
        except Exception:
            logger.exception("Could not leave alarm group %s", group)


async def _forward(layer, channel: str, queue: asyncio.Queue) -> None:
    try:
        while True:
            queue.put_nowait(await layer.receive(channel))
    except Exception:
        logger.exception("Alarm stream lost the channel layer; closing the stream")
        queue.put_nowait({"type": _READER_FAILED})
