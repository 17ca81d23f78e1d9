"""Alarms: a row in the caller's transaction, then a live push to every open tab after commit.

The push goes through the channel layer to the group `alarms.user.<api_id>`, which every websocket
(pages) and SSE stream (React client) of that user joins, in whichever process serves it. Network
I/O happens only in `transaction.on_commit`, so a rolled-back cause pushes nothing, and a failed
push (Redis down) is logged and never undoes the row: the list and the bell read the rows.
"""

import asyncio
import logging
import uuid
from datetime import timedelta
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alarms.models import Alarm, AlarmType
from alarms.selectors import alarm_list, alarm_unread_count
from partner42.pagination import SliceParams, slice_queryset

logger = logging.getLogger(__name__)

# Channel-layer message types: AlarmConsumer.alarm_notify / alarm_unread and the SSE view read them.
NOTIFY_EVENT = "alarm.notify"
UNREAD_EVENT = "alarm.unread"
# The push runs in the committing thread: a Redis that hangs must not hold the request for long.
PUSH_TIMEOUT_SECONDS = 2.0


def alarm_group_name(user_api_id: uuid.UUID | str) -> str:
    return f"alarms.user.{user_api_id}"


def alarm_create(
    *,
    user,
    alarm_type: AlarmType | str,
    calling_nickname: str | None = None,
    article_id: uuid.UUID | None = None,
    opinion_id: uuid.UUID | None = None,
    match_id: uuid.UUID | None = None,
    room_title: str | None = None,
) -> Alarm | None:
    """Write an alarm for `user` (the recipient) and push it live once the transaction commits.

    Call it inside the transaction of the cause: the row commits or rolls back with it (no
    savepoint of its own, so it adds a SELECT and one INSERT to the caller's queries). The caller
    picks the recipient and applies the product's rules (never alarm oneself, the mask `익명` as
    the nickname of an anonymous room's author); ids are the public `api_id`s of the room, comment
    and match, `room_title` the room's title for the alarm's message.

    Repeated alarms are coalesced: while the recipient has an alarm of the same kind from the same
    caller (nickname) on the same room younger than `ALARM_COALESCE_SECONDS`, no row is
    written and nothing is pushed; that alarm is returned. A join/leave loop or a comment flood
    gives its target one alarm of each kind per window, not one per request.

    A kind the recipient switched off (`muted_alarm_types`, their preferences) is not written
    at all, so nothing is pushed or counted either: None. It is read from the `user` passed in,
    which the callers have just loaded in the same transaction (no query of its own).
    """
    alarm_type = AlarmType(alarm_type)  # an unknown type fails before touching the transaction
    if alarm_type.value in (user.muted_alarm_types or ()):
        return None
    with transaction.atomic(savepoint=False):
        recent = _recent_same_alarm(
            user=user,
            alarm_type=alarm_type,
            calling_nickname=calling_nickname,
            article_id=article_id,
            match_id=match_id,
        )
        if recent is not None:
            return recent
        alarm = Alarm.objects.create(
            user=user,
            alarm_type=alarm_type,
            calling_nickname=calling_nickname or "",
            article_id=article_id,
            opinion_id=opinion_id,
            match_id=match_id,
            room_title=(room_title or "")[: Alarm._meta.get_field("room_title").max_length],
        )
        event = {
            "type": NOTIFY_EVENT,
            "alarmId": str(alarm.api_id),
            "alarmType": alarm_type.value,
            "text": alarm.text,
            # The websocket renders the message in each page's language from these two.
            "callingNickname": alarm.calling_nickname,
            "roomTitle": alarm.room_title,
        }
        transaction.on_commit(
            partial(_push, user_id=user.pk, user_api_id=user.api_id, event=event, with_unread=True)
        )
    return alarm


def _recent_same_alarm(
    *,
    user,
    alarm_type: AlarmType,
    calling_nickname: str | None,
    article_id: uuid.UUID | None,
    match_id: uuid.UUID | None,
) -> Alarm | None:
    window = settings.ALARM_COALESCE_SECONDS
    # Only alarms of a caller on a room repeat. A match's alarm is about a match just made (never
    # a repeat: no query spent on it), an expiry notice names no caller.
    if window <= 0 or not calling_nickname or article_id is None or match_id is not None:
        return None
    return (
        Alarm.objects.filter(
            user=user,
            alarm_type=alarm_type,
            calling_nickname=calling_nickname,
            article_id=article_id,
            created_at__gte=timezone.now() - timedelta(seconds=window),
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic(savepoint=False)
def alarm_list_mark_read(*, user, alarm_ids: list[int]) -> int:
    """Mark these alarms of `user` read in one UPDATE; the user's bells learn the new count."""
    if not alarm_ids:
        return 0
    updated = Alarm.objects.filter(user=user, pk__in=alarm_ids, is_read=False).update(is_read=True)
    if updated:
        transaction.on_commit(
            partial(alarm_push_unread_count, user_id=user.pk, user_api_id=user.api_id)
        )
    return updated


def alarm_list_read(*, user, params: SliceParams) -> tuple[list[Alarm], bool]:
    """A slice of the user's alarms, newest first by default; listing them marks them read.

    The one rule for the API and the page: the alarms come back as they were before this call
    (new ones still unread), and the unread ones among them become read.
    """
    alarms, has_next = slice_queryset(alarm_list(user=user), params)
    alarm_list_mark_read(user=user, alarm_ids=[alarm.pk for alarm in alarms if not alarm.is_read])
    return alarms, has_next


def alarm_push_unread_count(*, user_id: int, user_api_id: uuid.UUID | str) -> bool:
    """Send the current unread count to every open connection of the user (no new alarm)."""
    return _push(
        user_id=user_id, user_api_id=user_api_id, event={"type": UNREAD_EVENT}, with_unread=True
    )


def _push(*, user_id: int, user_api_id: uuid.UUID | str, event: dict, with_unread: bool) -> bool:
    # Runs after commit: the row is safe whatever happens here, so nothing may raise to the caller.
    try:
        message = dict(event)
        if with_unread:
            message["unread"] = alarm_unread_count(user_id=user_id)
        async_to_sync(_group_send)(alarm_group_name(user_api_id), message)
    except Exception:
        logger.exception("Live alarm push to user %s failed; the alarm row is kept", user_api_id)
        return False
    return True


async def _group_send(group: str, message: dict) -> None:
    await asyncio.wait_for(
        get_channel_layer().group_send(group, message), timeout=PUSH_TIMEOUT_SECONDS
    )
