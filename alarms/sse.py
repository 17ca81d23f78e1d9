"""`GET /api/alarm/subscribe?accessToken=<jwt>`: the React client's alarm stream (API.md 4.6).

A plain async Django view over an async generator: under ASGI Django would read a sync iterator
whole before sending the first byte. The stream joins the user's alarm group on the channel layer,
so it hears the same pushes as the pages' websockets, and leaves the group when the client goes
away (Django cancels the response and closes the generator).

A stream holds no database connection while it waits and takes a slot of the per-user and
per-process caps (alarms/streams.py). Whatever fails once the stream has started ends it quietly
with a `retry:` hint, so that EventSource reconnects: an exception after the response started
would reach daphne, whose error handling then breaks for the rest of the process's life.
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
from alarms.streams import (
    StreamRefused,
    StreamSlot,
    StreamUnavailable,
    run_in_database,
    stream_slot_acquire,
)
from partner42.errors import ErrorCode, error_body
from partner42.metrics import ALARM_CONNECTIONS

logger = logging.getLogger(__name__)

INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'
_READER_FAILED = "sse.reader_failed"
# Sent before a stream ends on a failure: EventSource waits this long before it reconnects.
RECONNECT_MILLISECONDS = 5000
_RETRY = f"retry:{RECONNECT_MILLISECONDS}\n\n"
# Joining or leaving the group: a Redis that does not answer within this is down.
LAYER_TIMEOUT_SECONDS = 3.0
RETRY_AFTER_SECONDS = 30


@csrf_exempt  # token-authenticated, no cookie: nothing to forge
async def alarm_subscribe(request):
    if request.method != "GET":
        return JsonResponse(
            error_body(ErrorCode.METHOD_NOT_ALLOWED), status=405, headers={"Allow": "GET"}
        )
    token = request.GET.get("accessToken", "")
    if not token:
        return _refuse(ErrorCode.NOT_AUTHENTICATED, status=401)
    user_key = _user_key_for_token(token)
    if user_key is None:
        return _refuse(ErrorCode.INVALID_ACCESS_TOKEN, status=settings.LEGACY_EXPIRED_TOKEN_STATUS)
    # The cap before the database: a flood of streams of one user never reaches MariaDB.
    try:
        slot = await stream_slot_acquire(user_key, transport="sse")
    except StreamRefused as refused:
        return _too_many(refused)
    except StreamUnavailable:
        logger.warning("Alarm stream refused: Redis unavailable for the stream cap")
        return _reconnect_later()
    try:
        user = await run_in_database(_active_user, user_key)
    except BaseException:
        await slot.release()
        raise
    if user is None:
        await slot.release()
        return _refuse(ErrorCode.INVALID_ACCESS_TOKEN, status=settings.LEGACY_EXPIRED_TOKEN_STATUS)

    response = StreamingHttpResponse(
        _event_stream(user_api_id=user.api_id, slot=slot),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    # A compressor buffers what it compresses: with a Content-Encoding set, GZipMiddleware (and
    # any middleware like it) leaves the response alone, so every event leaves at once.
    response["Content-Encoding"] = "identity"
    return response


def _user_key_for_token(token: str):
    """The user claim of a valid access token (signature, type, expiry), without the database."""
    try:
        return AccessToken(token)[jwt_settings.USER_ID_CLAIM]
    except (TokenError, KeyError):
        return None


def _active_user(user_key):
    user_model = get_user_model()
    try:
        return user_model.objects.filter(
            **{jwt_settings.USER_ID_FIELD: user_key}, is_active=True
        ).first()
    except (ValueError, TypeError, ValidationError):  # a claim that is no UUID
        return None


def _refuse(error_code: ErrorCode, *, status: int) -> JsonResponse:
    body = error_body(error_code)
    body["status"] = status
    return JsonResponse(body, status=status, headers={"WWW-Authenticate": INVALID_TOKEN_CHALLENGE})


def _too_many(refused: StreamRefused) -> JsonResponse:
    """429 C008 for the user's cap; 503 (same body, its own status) when this process is full."""
    status = 429 if refused.per_user else 503
    body = error_body(ErrorCode.THROTTLED)
    body["status"] = status
    return JsonResponse(body, status=status, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _reconnect_later() -> StreamingHttpResponse:
    """A stream that only asks EventSource to come back later (a non-200 would stop it for good)."""

    async def once() -> AsyncIterator[str]:
        yield _RETRY

    response = StreamingHttpResponse(once(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Content-Encoding"] = "identity"
    return response


def _event(name: str, data: str, user_api_id) -> str:
    return f"id:{user_api_id}_alarmList_{_server_time()}\nevent:{name}\ndata:{data}\n\n"


def _server_time() -> str:
    # Java's LocalDateTime.toString() as the original sent it: seconds left out when zero.
    now = timezone.localtime().replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M" if now.second == 0 else "%Y-%m-%dT%H:%M:%S")


async def _event_stream(*, user_api_id, slot: StreamSlot) -> AsyncIterator[str]:
    layer = get_channel_layer()
    group = alarm_group_name(user_api_id)
    keepalive = settings.ALARM_SSE_KEEPALIVE_SECONDS
    # A reader task owns layer.receive(): cancelling receive() on every keep-alive timeout could
    # drop a message, a queue.get() cannot.
    queue: asyncio.Queue[dict] = asyncio.Queue()
    reader: asyncio.Task | None = None
    channel: str | None = None
    connections = ALARM_CONNECTIONS.labels(transport="sse")
    connections.inc()
    try:
        try:
            channel = await layer.new_channel(prefix="sse")
            async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                await layer.group_add(group, channel)
        except Exception as exc:
            logger.warning("Alarm stream could not join %s: %r", group, exc)
            yield _RETRY
            return
        reader = asyncio.create_task(_forward(layer, channel, queue))
        yield _event("CONNECTED", "subscribe", user_api_id)
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                try:
                    # Renew the membership too, so a stream open longer than group_expiry stays
                    # in, and the slot's lease.
                    async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                        await layer.group_add(group, channel)
                    await slot.renew()
                except Exception as exc:
                    logger.warning("Alarm stream lost Redis; closing it: %r", exc)
                    yield _RETRY
                    return
                yield ": keep-alive\n\n"
                continue
            if message.get("type") == _READER_FAILED:
                yield _RETRY  # the client's EventSource reconnects and re-subscribes
                return
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
        if channel is not None:
            try:
                async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                    await layer.group_discard(group, channel)
            except Exception as exc:
                logger.warning("Could not leave alarm group %s: %r", group, exc)
        await slot.release()


async def _forward(layer, channel: str, queue: asyncio.Queue) -> None:
    try:
        while True:
            queue.put_nowait(await layer.receive(channel))
    except Exception as exc:
        logger.warning("Alarm stream lost the channel layer; closing the stream: %r", exc)
        queue.put_nowait({"type": _READER_FAILED})
