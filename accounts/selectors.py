"""Reads on accounts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from partner42.choices import AlarmType
from partner42.errors import ErrorCode, ForbiddenError, NotFoundError
from partner42.models import parse_api_id


class NotYoursError(ForbiddenError):
    """U001: another student's profile."""

    error_code = ErrorCode.NOT_YOURS


def user_is_operator(user: User | None) -> bool:
    """Staff: operators see deleted rooms and anonymous authors. False for visitors and None."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def user_is_author_or_operator(user: User | None, *, author_pk: int | None) -> bool:
    """The one "author or operator" rule: who may edit, delete, complete a room or a comment and
    see an anonymous author. False for visitors and None."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk == author_pk or user_is_operator(user)


def user_get(*, api_id: str) -> User:
    """The user with this public id; a malformed id is just as unknown (404 C003)."""
    user = User.objects.filter(api_id=parse_api_id(api_id)).first()
    if user is None:
        raise NotFoundError()
    return user


def user_get_visible(*, api_id: str, viewer: User) -> User:
    """A profile the viewer may read: their own, or anyone's for an operator."""
    user = user_get(api_id=api_id)
    if not user_is_author_or_operator(viewer, author_pk=user.pk):
        raise NotYoursError()
    return user


def user_get_own(*, api_id: str, viewer: User) -> User:
    """A profile the viewer may change: only their own (operators use the admin)."""
    user = user_get(api_id=api_id)
    if user.pk != viewer.pk:
        raise NotYoursError()
    return user


# --- Profile and preferences ------------------------------------------------------------------

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_today(now: datetime | None = None) -> date:
    """Today in Asia/Seoul, the day a pause of random matching is counted in."""
    return (now or timezone.now()).astimezone(SEOUL).date()


def user_random_snoozed_until(*, user: User, today: date | None = None) -> date | None:
    """The day random matching comes back for this student, while their pause lasts; else None.

    The pause is over on its date: no job has to lift it.
    """
    until = user.random_snooze_until
    if until is None or until <= (today or seoul_today()):
        return None
    return until


def user_alarm_switches(*, user: User) -> dict[str, bool]:
    """Every alarm kind, in its order, with whether the student gets it."""
    muted = set(user.muted_alarm_types or ())
    return {kind: kind not in muted for kind in AlarmType.values}
