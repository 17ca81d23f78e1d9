"""Reads of random-match requests.

A WAITING request past `expires_at` counts as expired everywhere here, whether or not a run has
expired it yet: correctness never waits for beat, and a read never writes. The row, and its "no
partner found" alarm, are written by the scheduled run (`random_match_expire_due`) or by the
user's next write.
"""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from matching.models import RandomMatchRequest
from partner42.errors import NotFoundError

Status = RandomMatchRequest.Status


def random_match_active(*, now: datetime | None = None) -> QuerySet[RandomMatchRequest]:
    now = now or timezone.now()
    return RandomMatchRequest.objects.filter(status=Status.WAITING, expires_at__gt=now)


def random_match_request_waiting(
    *, user, category: str, now: datetime | None = None
) -> RandomMatchRequest | None:
    return random_match_active(now=now).filter(user=user, category=category).first()


def random_match_is_waiting(*, user, category: str | None = None, now=None) -> bool:
    qs = random_match_active(now=now).filter(user=user)
    if category:
        qs = qs.filter(category=category)
    return qs.exists()


def random_match_waiting_count(*, category: str | None = None, now=None, exclude_user=None) -> int:
    """Distinct users with an active request (in `category`, or in any), but `exclude_user`."""
    qs = random_match_active(now=now)
    if category:
        qs = qs.filter(category=category)
    if exclude_user is not None:
        qs = qs.exclude(user=exclude_user)
    return qs.values("user_id").distinct().count()


def _as_of(request: RandomMatchRequest | None, now: datetime | None) -> RandomMatchRequest | None:
    """The request as the student sees it at `now`: still WAITING past its time is EXPIRED."""
    if (
        request is not None
        and request.status == Status.WAITING
        and request.expires_at <= (now or timezone.now())
    ):
        request.status = Status.EXPIRED  # in memory only: reads never write
    return request


def random_match_request_latest(
    *, user, category: str, now: datetime | None = None
) -> RandomMatchRequest | None:
    """The user's most recent request in `category`, whatever its state (for the pages)."""
    return _as_of(
        RandomMatchRequest.objects.filter(user=user, category=category)
        .select_related("match")
        .order_by("-created_at", "-id")
        .first(),
        now,
    )


def random_match_last_category(*, user) -> str | None:
    """The category of the user's most recent request, if any (the page's default tab)."""
    return (
        RandomMatchRequest.objects.filter(user=user)
        .order_by("-created_at", "-id")
        .values_list("category", flat=True)
        .first()
    )


def random_match_request_get(*, user, api_id, now: datetime | None = None) -> RandomMatchRequest:
    request = _as_of(
        RandomMatchRequest.objects.filter(user=user, api_id=api_id).select_related("match").first(),
        now,
    )
    if request is None:
        raise NotFoundError()
    return request
