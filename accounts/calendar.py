"""The personal calendar feed's secret: made on first use, rotated on request, looked up by token.

The feed URL carries the token and nothing else, so the token is the credential: 256 random bits
(`secrets.token_urlsafe`), found through the column's unique index (an equality lookup on a
random value, so timing tells nothing useful about other tokens). Rotating writes a new token in
place: the old URL stops answering at once.
"""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CalendarFeed, User

TOKEN_BYTES = 32
# What `secrets.token_urlsafe(TOKEN_BYTES)` gives: 43 URL-safe characters.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"
_TOKEN_RE = re.compile(TOKEN_PATTERN)


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    """The student's feed, made now if they have none (two first requests at once: one row)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, token=_new_token())
    except IntegrityError:
        # A parallel first request made it (the user column is unique).
        return CalendarFeed.objects.get(user=user)


@transaction.atomic
def calendar_feed_rotate(*, user: User, now=None) -> CalendarFeed:
    """A new secret for the student's feed; the previous URL answers 404 from now on."""
    feed = calendar_feed_get_or_create(user=user)
    feed.token = _new_token()
    feed.rotated_at = now or timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed


def calendar_feed_owner(*, token: str) -> User | None:
    """The active student whose feed `token` opens, or None (unknown, rotated or malformed)."""
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    # The index found the row by equality; compare again in constant time so that a collation
    # that folds case (MariaDB's default) never lets a token differing in case through.
    if not secrets.compare_digest(feed.token, token):
        return None
    return feed.user
