"""Replies to a button press: Slack ignores the HTTP answer of a block_actions request, so an
ephemeral reply is posted to the payload's `response_url`, after the 200 (Celery)."""

import logging

from celery import shared_task
from django.conf import settings
from slack_sdk.webhook import WebhookClient

logger = logging.getLogger(__name__)


def response_url_allowed(url: str) -> bool:
    """Only Slack's own hooks (SLACK_RESPONSE_URL_PREFIXES) ever get a POST from us."""
    return isinstance(url, str) and any(
        prefix and url.startswith(prefix) for prefix in settings.SLACK_RESPONSE_URL_PREFIXES
    )


@shared_task(ignore_result=True)
def slack_response_task(response_url: str, body: dict) -> bool:
    """POST `body` (Slack message JSON) to a response_url; never raises."""
    if not response_url_allowed(response_url):
        logger.warning("Slack response_url outside SLACK_RESPONSE_URL_PREFIXES: reply dropped")
        return False
    try:
        response = WebhookClient(
            response_url, timeout=settings.SLACK_TIMEOUT_SECONDS, retry_handlers=[]
        ).send_dict(body)
    except Exception:
        logger.exception("Slack reply to a button press failed")
        return False
    if response.status_code != 200:
        logger.warning("Slack refused a reply to a button press: HTTP %s", response.status_code)
        return False
    return True
