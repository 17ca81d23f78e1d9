"""Live room pages: after a committed change of a room (seats, state, comments) its open pages
hear "room changed" over the channel layer and re-fetch their live parts over HTTP.

The event carries nothing but the fact: every viewer re-reads the parts with their own session, so
an anonymous room's author is masked exactly as on the page, and the socket never queries.
"""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from rooms.cache import detail_changed

logger = logging.getLogger(__name__)

ROOM_CHANGED = "room.changed"
PUSH_TIMEOUT_SECONDS = 2


def room_group_name(room_api_id: uuid.UUID | str) -> str:
    return f"rooms.room.{room_api_id}"


def room_changed(room_api_id: uuid.UUID | str) -> None:
    """Tell the room's open pages, once the current transaction commits (never before)."""
    detail_changed(room_api_id)  # every write that tells the pages also outdates the cache
    group = room_group_name(room_api_id)
    transaction.on_commit(lambda: _push(group), robust=True)


def _push(group: str) -> None:
    # After commit: the change is safe whatever happens here, so nothing may raise to the caller.
    try:
        async_to_sync(_group_send)(group, {"type": ROOM_CHANGED})
    except Exception:
        logger.exception("Live room push to %s failed", group)


async def _group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await asyncio.wait_for(layer.group_send(group, message), timeout=PUSH_TIMEOUT_SECONDS)
