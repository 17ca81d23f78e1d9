import logging

from celery import shared_task

from accounts.tokens import refresh_token_prune

logger = logging.getLogger(__name__)


@shared_task
def refresh_token_prune_task() -> int:
    deleted = refresh_token_prune()
    logger.info("pruned %d expired refresh tokens", deleted)
    return deleted
