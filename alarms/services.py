"""Alarms: a row in the caller's transaction, then a live push to every open tab after commit.

The push goes through the channel layer to the group `alarms.user.<api_id>`, which every websocket
(pages) and SSE stream (React client) of that user joins, in whichever process serves it. Network
I/O happens only in `transaction.on_commit`, so a rolled-back cause pushes nothing, and a failed
push (Redis down) is logged and never undoes the row: the list and the bell read the rows.
"""

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alarms.models import Alarm, AlarmType
from alarms.selectors import alarm_list, alarm_unread_count, alarm_unread_counts
from partner42.pagination import SliceParams, slice_queryset

logger = logging.getLogger(__name__)

# Channel-layer message types: AlarmConsumer.alarm_notify / alarm_unread and the SSE view read them.
NOTIFY_EVENT = "alarm.notify"
UNREAD_EVENT = "alarm.unread"
# The push runs in the committing thread: a Redis that hangs must not hold the request for long.
PUSH_TIMEOUT_SECONDS = 2.0
# A bulk sender's group_sends in flight at once on its one event loop (and as many connections).
PUSH_CONCURRENCY = 8


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
    sender: "AlarmPushSender | None" = None,
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

    With a `sender` (`AlarmPushSender`, bulk writers like the matchmaker), the push is queued on
    it after commit instead of going out at once; the sender's `flush()` sends it.
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
        event = _notify_event(alarm)
        if sender is not None:
            transaction.on_commit(partial(sender.add, [_Push(user.pk, user.api_id, event)]))
        else:
            transaction.on_commit(
                partial(
                    _push, user_id=user.pk, user_api_id=user.api_id, event=event, with_unread=True
                )
            )
    return alarm


def _notify_event(alarm: Alarm) -> dict:
    return {
        "type": NOTIFY_EVENT,
        "alarmId": str(alarm.api_id),
        "alarmType": AlarmType(alarm.alarm_type).value,
        "text": alarm.text,
        # The websocket renders the message in each page's language from these two.
        "callingNickname": alarm.calling_nickname,
        "roomTitle": alarm.room_title,
    }


@dataclass(frozen=True)
class AlarmDraft:
    """One alarm of `alarm_create_many`: the arguments of `alarm_create`."""

    user: Any
    alarm_type: AlarmType | str
    calling_nickname: str | None = None
    article_id: uuid.UUID | None = None
    opinion_id: uuid.UUID | None = None
    match_id: uuid.UUID | None = None
    room_title: str | None = None


def alarm_create_many(
    *, drafts: Iterable[AlarmDraft], sender: "AlarmPushSender | None" = None
) -> list[Alarm]:
    """`alarm_create` for many alarms at once: one INSERT, and their pushes after commit
    through one sender (the given one, else one made for them: one event loop for all).

    The same rules: kinds a recipient muted are left out (no row, no push); a draft that may
    coalesce with a recent alarm (a caller on a room) goes through `alarm_create` one by one.
    Returns the alarms written (or coalesced into), in the order of the drafts.
    """
    drafts = list(drafts)
    types = [AlarmType(draft.alarm_type) for draft in drafts]  # unknown types fail first
    max_title = Alarm._meta.get_field("room_title").max_length
    made: list[Alarm] = []
    new: list[tuple[Alarm, Any]] = []
    with transaction.atomic(savepoint=False):
        for draft, alarm_type in zip(drafts, types, strict=True):
            if alarm_type.value in (draft.user.muted_alarm_types or ()):
                continue
            if _may_coalesce(draft.calling_nickname, draft.article_id, draft.match_id):
                alarm = alarm_create(**_draft_kwargs(draft), sender=sender)
                if alarm is not None:
                    made.append(alarm)
                continue
            alarm = Alarm(
                user=draft.user,
                alarm_type=alarm_type,
                calling_nickname=draft.calling_nickname or "",
                article_id=draft.article_id,
                opinion_id=draft.opinion_id,
                match_id=draft.match_id,
                room_title=(draft.room_title or "")[:max_title],
            )
            made.append(alarm)
            new.append((alarm, draft.user))
        if new:
            Alarm.objects.bulk_create([alarm for alarm, _user in new])
            pushes = [_Push(user.pk, user.api_id, _notify_event(alarm)) for alarm, user in new]
            if sender is not None:
                transaction.on_commit(partial(sender.add, pushes))
            else:
                transaction.on_commit(partial(_push_many, pushes))
    return made


def _draft_kwargs(draft: AlarmDraft) -> dict:
    return {
        "user": draft.user,
        "alarm_type": draft.alarm_type,
        "calling_nickname": draft.calling_nickname,
        "article_id": draft.article_id,
        "opinion_id": draft.opinion_id,
        "match_id": draft.match_id,
        "room_title": draft.room_title,
    }


def _may_coalesce(
    calling_nickname: str | None, article_id: uuid.UUID | None, match_id: uuid.UUID | None
) -> bool:
    # The rule of `_recent_same_alarm`: only alarms of a caller on a room repeat.
    return (
        settings.ALARM_COALESCE_SECONDS > 0
        and bool(calling_nickname)
        and article_id is not None
        and match_id is None
    )


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
    if not _may_coalesce(calling_nickname, article_id, match_id):
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


class _Push(NamedTuple):
    user_id: int
    user_api_id: uuid.UUID | str
    event: dict


def _push_many(pushes: list[_Push]) -> int:
    # After commit (alarm_create_many without a sender): one event loop for all of them.
    with AlarmPushSender() as sender:
        sender.add(pushes)
        return sender.flush()


class AlarmPushSender:
    """One long-lived sender for the live pushes of many alarms (the matchmaker's run).

    `alarm_create(..., sender=)` and `alarm_create_many(..., sender=)` queue their pushes here
    once their transaction commits (`transaction.on_commit`: a rolled-back savepoint or
    transaction queues nothing). `flush()` sends what is queued: one COUNT query for the
    unread counts of all the recipients, then every group_send on one event loop (at most
    `PUSH_CONCURRENCY` at once), so the channel layer's Redis connections are opened once for
    the sender's life instead of once per push (`async_to_sync` makes a new loop each call).
    Leaving the `with` block flushes and closes the loop and its connections.

    Like `_push`, it never raises: a failed push is logged and the rows stay (the list and the
    bell read them). Flush from a thread without a running event loop (any sync caller).
    """

    def __init__(self) -> None:
        self._pending: list[_Push] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.sent = 0
        self.failed = 0

    def __enter__(self) -> "AlarmPushSender":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def add(self, pushes: Iterable[_Push]) -> None:
        self._pending.extend(pushes)
        if self._closed:
            # A commit after the sender's life (its user ran inside an outer transaction):
            # sent at once rather than never.
            self.close()

    def flush(self) -> int:
        """Send the queued pushes; returns how many went out."""
        pushes, self._pending = self._pending, []
        if not pushes:
            return 0
        try:
            unread = alarm_unread_counts(user_ids={push.user_id for push in pushes})
            messages = [
                (alarm_group_name(push.user_api_id), {**push.event, "unread": unread[push.user_id]})
                for push in pushes
            ]
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            outcomes = self._loop.run_until_complete(_group_send_many(messages))
        except Exception:
            logger.exception("Live push of %d alarms failed; the alarm rows are kept", len(pushes))
            self.failed += len(pushes)
            return 0
        errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if errors:
            logger.error(
                "Live alarm push to %d of %d users failed; the alarm rows are kept",
                len(errors),
                len(messages),
                exc_info=errors[0],
            )
        self.failed += len(errors)
        self.sent += len(messages) - len(errors)
        return len(messages) - len(errors)

    def close(self) -> None:
        self._closed = True
        try:
            self.flush()
        finally:
            loop, self._loop = self._loop, None
            if loop is not None:
                try:
                    loop.close()  # channels-redis closes this loop's connections first
                except Exception:
                    logger.exception("Closing the alarm push loop failed")


async def _group_send_many(messages: list[tuple[str, dict]]) -> list:
    layer = get_channel_layer()
    listened = await _groups_listened(layer, [group for group, _ in messages])
    slots = asyncio.Semaphore(PUSH_CONCURRENCY)

    async def send(group: str, message: dict) -> None:
        if listened is not None and group not in listened:
            return  # no open tab: nothing to tell, the bell reads the row when one opens
        async with slots:
            await asyncio.wait_for(layer.group_send(group, message), timeout=PUSH_TIMEOUT_SECONDS)

    return await asyncio.gather(
        *(send(group, message) for group, message in messages), return_exceptions=True
    )


async def _groups_listened(layer, groups: list[str]) -> set[str] | None:
    """Of these groups, those some connection has joined, in one pipelined round trip per Redis
    host; None (send to all) for another layer or when the check fails.

    A channels-redis group_send to a group nobody joined still costs two round trips (the
    expiry sweep, the member list) and nobody hears it; most students matched by a run have no
    tab open. The group's members are read the way channels-redis stores them (a sorted set
    scored by join time, members older than `group_expiry` being stale), so a tab that joined
    is never skipped.
    """
    if not isinstance(layer, RedisChannelLayer) or not groups:
        return None
    try:
        by_host: dict[int, list[str]] = defaultdict(list)
        for group in dict.fromkeys(groups):
            by_host[layer.consistent_hash(group)].append(group)
        since = f"({int(time.time()) - layer.group_expiry}"
        listened: set[str] = set()
        for index, host_groups in by_host.items():
            pipe = layer.connection(index).pipeline(transaction=False)
            for group in host_groups:
                pipe.zcount(layer._group_key(group), since, "+inf")
            counts = await asyncio.wait_for(pipe.execute(), timeout=PUSH_TIMEOUT_SECONDS)
            listened.update(
                group for group, count in zip(host_groups, counts, strict=True) if count
            )
    except Exception:
        logger.warning("Could not read which alarm groups are listened to; sending to all")
        return None
    return listened
