"""The Celery app, and `enqueue`: publishing a task without ever failing the caller.

Tasks are published after commit (`transaction.on_commit`): the request's rows are safe, and a
broker that is down or hangs must neither turn the answer into a 500 nor hold it for the driver's
minutes. `enqueue` gives up within the broker timeouts of the settings (REDIS_TIMEOUT_SECONDS, one
retry), logs what was not enqueued and returns False; whatever the task would have done is left
to the next run of its beat schedule (the matchmaking tick pairs every waiting request).
"""

import logging
import os
from functools import partial

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partner42.settings")

app = Celery("partner42")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`; False (logged) instead of an exception if the broker fails."""
    try:
        task.delay(*args, **kwargs)
    except Exception as exc:
        logger.warning(
            "Could not enqueue %s (%s: %s); its next scheduled run does the work",
            task.name,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """`enqueue` once the current transaction commits (at once outside a transaction)."""
    from django.db import transaction

    transaction.on_commit(partial(enqueue, task, *args, **kwargs))
