import logging
import smtplib

from celery import shared_task

from accounts.services import email_confirmation_send
from accounts.tokens import refresh_token_prune

logger = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = 3


@shared_task
def refresh_token_prune_task() -> int:
    deleted = refresh_token_prune()
    logger.info("pruned %d expired refresh tokens", deleted)
    return deleted


@shared_task(bind=True, max_retries=EMAIL_MAX_RETRIES, ignore_result=True)
def email_confirmation_send_task(self, user_id: int, site_url: str) -> bool:
    """Mail the confirmation link of a pending email. Enqueue it with transaction.on_commit."""
    try:
        return email_confirmation_send(user_id=user_id, site_url=site_url)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            # The student sees the pending address and can ask for the mail again.
            logger.exception("Email confirmation mail to user %s not sent", user_id)
            return False
        logger.warning("Email confirmation mail failed (%s); retrying", exc)
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
