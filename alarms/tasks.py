import logging
import random

from celery import shared_task
from django.conf import settings
from django.utils import translation
from slack_sdk.errors import SlackApiError

from alarms.slack import SlackTransientError, slack_match_notice_send

logger = logging.getLogger(__name__)

SLACK_MAX_RETRIES = 5
SLACK_BACKOFF_BASE_SECONDS = 10
SLACK_BACKOFF_MAX_SECONDS = 600


def slack_retry_countdown(retries: int, retry_after: int | None = None) -> int:
    """Backoff with jitter (about 10 s, 20 s, 40 s ... capped), or Slack's own Retry-After."""
    if retry_after:
        return retry_after
    ceiling = min(SLACK_BACKOFF_MAX_SECONDS, SLACK_BACKOFF_BASE_SECONDS * 2**retries)
    return random.randint(ceiling // 2, ceiling)  # noqa: S311 (jitter, not security)


@shared_task(bind=True, max_retries=SLACK_MAX_RETRIES, ignore_result=True)
def slack_match_notice_task(
    self,
    emails: list[str],
    text: str,
    match_id: str | None = None,
    buttons: list[dict] | None = None,
) -> bool:
    """Tell the members of a new match on Slack. Enqueue it with transaction.on_commit.

    With `match_id` (the match's api id) the message carries its buttons (alarms.slackapp):
    "매칭 보기", then `buttons` (built with `alarms.slackapp.blocks.button` by the caller).

    Whatever Slack does, this never raises to the caller: the match is made either way.
    """
    retries = self.request.retries
    blocks = _match_notice_blocks(text, match_id, buttons or [])
    while True:
        try:
            return slack_match_notice_send(emails=emails, text=text, blocks=blocks)
        except SlackTransientError as exc:
            if retries >= self.max_retries:
                logger.error("Slack match notice given up after %d retries: %s", retries, exc)
                return False
            countdown = slack_retry_countdown(retries, exc.retry_after)
            logger.warning("Slack match notice failed (%s); retry %d", exc, retries + 1)
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=countdown) from exc
            # Eager mode (embedded default, tests) would raise Retry into the caller's
            # on_commit: retry in place instead, without the wait.
            retries += 1
        except SlackApiError as exc:
            logger.error("Slack refused the match notice: %s", exc.response.get("error"))
            return False
        except Exception:
            logger.exception("Slack match notice failed")
            return False


def _match_notice_blocks(text: str, match_id: str | None, buttons: list[dict]) -> list[dict] | None:
    if not match_id:
        return None
    from alarms.slackapp.blocks import match_notice_blocks

    # Korean like the text (built with the site's language), whoever's request sends it.
    with translation.override(settings.LANGUAGE_CODE):
        return match_notice_blocks(text=text, match_api_id=match_id, extra_buttons=buttons)


# Registered for the worker (Celery discovers only `<app>.tasks`).
from alarms.slackapp.tasks import slack_response_task  # noqa: E402, F401
