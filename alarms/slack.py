"""Slack notices on a match: look members up by email, open a group DM, post the summary.

Called from `alarms.tasks.slack_match_notice_task` (a Celery task with retries), never inside a
transaction. Transient failures (connection errors, 5xx, rate limits) raise SlackTransientError
for the task to retry; a member unknown to Slack is skipped and logged.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.error import URLError

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from alarms.selectors import slack_opted_out_emails
from partner42.choices import ANONYMOUS_NICKNAME

logger = logging.getLogger(__name__)

# Slack's own error names that mean "try again later" even with a 200.
_TRANSIENT_ERRORS = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


class SlackTransientError(Exception):
    """Worth retrying; `retry_after` is Slack's Retry-After in seconds when it sent one."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def slack_client() -> WebClient | None:
    if not settings.SLACK_BOT_TOKEN:
        return None
    # No slack_sdk retry handlers: the Celery task retries with backoff, and only it.
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=settings.SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def slack_match_notice_send(
    *, emails: list[str], text: str, blocks: list[dict] | None = None
) -> bool:
    """Post `text` to a group DM of the members with these emails. True if a message was sent.

    With `blocks` (Block Kit, alarms.slackapp.blocks) the message shows them and `text` is the
    fallback of notifications and old clients.

    A member who switched Slack notices off (their preferences) is left out of the group DM;
    checked here, when the notice goes out, so a switch made meanwhile counts.
    """
    client = slack_client()
    if client is None:
        logger.info("SLACK_BOT_TOKEN is not set: match notice not sent to Slack")
        return False

    emails = list(dict.fromkeys(e.strip() for e in emails if e and e.strip()))
    opted_out = slack_opted_out_emails(emails=emails)
    user_ids: list[str] = []
    for email in emails:
        if email.casefold() in opted_out:
            logger.info("A member switched Slack notices off: left out of the match notice")
            continue
        try:
            response = _call(client.users_lookupByEmail, email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                logger.warning("Slack does not know %s: left out of the match notice", email)
                continue
            raise
        user_ids.append(response["user"]["id"])

    if not user_ids:
        logger.warning("No match member is on Slack: match notice not sent")
        return False
    channel = _call(client.conversations_open, users=user_ids)["channel"]["id"]
    if blocks:
        _call(client.chat_postMessage, channel=channel, text=text, blocks=blocks)
    else:
        _call(client.chat_postMessage, channel=channel, text=text)
    return True


@dataclass(frozen=True)
class NoticeMember:
    """A member of a new match as the group DM names them; `hidden` for an anonymous author,
    whose introduction (bio, interests) is never shown (it could tell who wrote the room)."""

    nickname: str
    hidden: bool = False
    interests: Sequence[str] = ()
    bio: str = ""


# A bio is shown in the notice by its first line, cut to this many characters.
NOTICE_BIO_CHARACTERS = 80


def _bio_line(bio: str) -> str:
    first = next((line.strip() for line in bio.splitlines() if line.strip()), "")
    if len(first) > NOTICE_BIO_CHARACTERS:
        first = first[: NOTICE_BIO_CHARACTERS - 1].rstrip() + "…"
    return first


@dataclass(frozen=True)
class NoticeRestaurant:
    """A restaurant suggested to a meal match (matching/selectors/suggestions.py)."""

    name: str
    category: str
    walk_minutes: int


def match_notice_text(
    *,
    category_label: str,
    method_label: str,
    members: Sequence[NoticeMember],
    restaurants: Sequence[NoticeRestaurant] = (),
) -> str:
    """The Korean summary of a new match, the only text posted to its group DM.

    Every member reads this one message, so a hidden member (the author of an anonymous room)
    is named by the mask for all of them, themself included, and their interests are left out.
    """
    names = ", ".join(ANONYMOUS_NICKNAME if m.hidden else m.nickname for m in members)
    # The first line of each visible member's bio, then their interests (their profile), so the
    # chat starts with a topic.
    bios = [
        f"· {m.nickname}: {_bio_line(m.bio)}" for m in members if not m.hidden and _bio_line(m.bio)
    ]
    # One line per member who wrote interests (their profile), so the chat starts with a topic.
    interests = [
        f"· {m.nickname}: {', '.join(m.interests)}" for m in members if not m.hidden and m.interests
    ]
    return "\n".join(
        [
            f"[42Partner] {category_label} 매칭이 확정되었어요! ({method_label})",
            f"함께할 동료: {names}",
            *(["한 줄 소개", *bios] if bios else []),
            *(["관심사", *interests] if interests else []),
            # A meal match: up to three restaurants near the campus that fit its conditions.
            *(["가 볼 만한 식당", *map(_restaurant_line, restaurants)] if restaurants else []),
            "이 대화방에서 시간과 장소를 정해 보세요.",
        ]
    )


def _restaurant_line(restaurant: NoticeRestaurant) -> str:
    details = ", ".join(
        part for part in (restaurant.category, f"도보 {restaurant.walk_minutes}분") if part
    )
    return f"· {restaurant.name} ({details})"


def meeting_question_text(*, category_label: str, url: str) -> str:
    """The Korean "did you meet?" question posted to a match's group DM some hours after the
    meeting. It names nobody (a hidden author stays hidden); the page asks the rest."""
    return "\n".join(
        [
            f"[42Partner] {category_label} 매칭, 만남은 어땠나요?",
            "아래 버튼으로 만났는지 알려 주세요.",
            f"오지 않은 사람이 있었다면 매칭 페이지에서 알려 주세요: {url}",
        ]
    )


def _call(method, **kwargs):
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        status = response.status_code or 0
        error = response.get("error") if isinstance(response.data, dict) else None
        if status == 429 or status >= 500 or error in _TRANSIENT_ERRORS:
            retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
            raise SlackTransientError(
                f"Slack {method.__name__}: HTTP {status} {error or ''}".strip(),
                retry_after=int(retry_after) if str(retry_after or "").isdigit() else None,
            ) from exc
        raise
    except (URLError, OSError) as exc:  # refused, reset, DNS, timeout (TimeoutError is an OSError)
        raise SlackTransientError(f"Slack {method.__name__}: {exc}") from exc
