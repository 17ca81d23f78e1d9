"""Who is pressing: a Slack user id -> our User whose confirmed email is their Slack email.

Slack tells us only its own user id; `users.info` (scope users:read.email) gives the email of
their Slack profile. The student is the active User whose confirmed `email` (never the pending
one) equals it, case-insensitively. Slack's answer is cached briefly (the email of a Slack user
rarely changes); our side is read at every request, so a changed or removed email counts at once.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from slack_sdk.errors import SlackApiError

from alarms.slack import slack_client

logger = logging.getLogger(__name__)

EMAIL_CACHE_SECONDS = 10 * 60
UNKNOWN_CACHE_SECONDS = 60  # a student who just set their Slack email waits at most this
# Each request has Slack's 3 seconds: users.info gets less, whatever SLACK_TIMEOUT_SECONDS says.
LOOKUP_TIMEOUT_SECONDS = 2


class SlackLookupError(Exception):
    """Slack could not tell us who this is right now (down, slow, misconfigured)."""


@dataclass(frozen=True)
class SlackIdentity:
    slack_user_id: str
    user: AbstractUser | None  # None: no student of ours with that confirmed email


def slack_user_email(slack_user_id: str) -> str:
    """The email of a Slack user's profile ("" when they have none); raises SlackLookupError."""
    key = f"slack:email:{slack_user_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    client = slack_client()
    if client is None:
        raise SlackLookupError("SLACK_BOT_TOKEN is not set")
    client.timeout = LOOKUP_TIMEOUT_SECONDS
    try:
        response = client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        if error == "user_not_found":
            cache.set(key, "", timeout=UNKNOWN_CACHE_SECONDS)
            return ""
        raise SlackLookupError(f"Slack users.info: {error or exc.response.status_code}") from exc
    except OSError as exc:  # refused, reset, timeout (URLError is an OSError)
        raise SlackLookupError(f"Slack users.info: {exc}") from exc
    user = response.get("user") if isinstance(response.data, dict) else None
    profile = user.get("profile") if isinstance(user, dict) else None
    email = profile.get("email") if isinstance(profile, dict) else None
    email = email.strip() if isinstance(email, str) else ""
    cache.set(key, email, timeout=EMAIL_CACHE_SECONDS if email else UNKNOWN_CACHE_SECONDS)
    return email


def slack_identity_resolve(*, slack_user_id: str) -> SlackIdentity:
    """The student behind a Slack user, or `user=None`; raises SlackLookupError."""
    email = slack_user_email(slack_user_id)
    user = None
    if email:
        # Two accounts whose addresses differ only in case (the unique index of a case-blind
        # collation prevents it on MariaDB): neither is meant, so nobody is.
        found = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2])
        user = found[0] if len(found) == 1 else None
    if user is None:
        logger.info("Slack user %s has no student with that confirmed email", slack_user_id)
    return SlackIdentity(slack_user_id=slack_user_id, user=user)
