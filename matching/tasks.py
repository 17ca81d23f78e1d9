"""Celery tasks of the matching app: thin wrappers around services.

`matchmaking_run_task` is routed to the `matchmaking` queue (settings.CELERY_TASK_ROUTES), which
one worker consumes with concurrency 1; the Redis lock inside the service keeps runs apart even
if a second worker is started by mistake.
"""

from celery import shared_task

from matching.services.matches import match_slack_notice_send, match_slack_notices_send
from matching.services.meetings import meeting_check_ask_due
from matching.services.random import matchmaking_run


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def matchmaking_run_task() -> dict:
    return matchmaking_run().as_dict()


@shared_task(ignore_result=True)
def meeting_check_due_task() -> int:
    """Beat: ask the members of matches whose meeting is some hours past whether they met."""
    return meeting_check_ask_due()


@shared_task(ignore_result=True)
def match_slack_notices_task(match_ids: list[str]) -> int:
    """Write new matches' Slack notices in the default worker and hand each to the Slack task
    (one message per batch of matches: the matchmaker publishes once per commit)."""
    return match_slack_notices_send(match_ids=match_ids)


@shared_task(ignore_result=True)
def match_slack_notice_task(match_id: str) -> bool:
    """One match's notice: the message an earlier release published, still read when a deploy
    finds some in the queue."""
    return match_slack_notice_send(match_id=match_id)
