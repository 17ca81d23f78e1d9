"""Writes for rooms and comments (SPEC sections 3 and 4).

Seats are guarded by a compare-and-set on the room row: one conditional UPDATE with F() that checks
the version read just before, the capacity and the state, in the same transaction as the
participation row. Zero rows updated means somebody else changed the room first: re-read, decide
again, retry after a short random pause. The last attempt locks the row (SELECT ... FOR UPDATE), so
the loop always ends with either the change or the true reason (AR005/AR006/AR007/AR008), never
with a vague "try again".

Refusals fail fast: the optimistic read and the rules run before any transaction is opened, so a
full (or completed, closed, already joined) room is answered after one read, without a
transaction, a row lock or a retry. Only a request the rules allow goes on to the UPDATE.

The UPDATE comes before the INSERT on purpose: on InnoDB the foreign-key check of the inserted
participation takes a shared lock on the room row, and two joiners holding that shared lock while
both waiting to update the row would deadlock. Taking the row's exclusive lock first serialises
them instead.
"""

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as TimeOfDay
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_author_or_operator, user_is_operator
from alarms.models import AlarmType
from alarms.services import alarm_create
from matching.models import Match
from matching.services.matches import match_create
from partner42.choices import (
    ANONYMOUS_NICKNAME,
    CATEGORY_CONDITION_KINDS,
    CONDITION_ENUMS,
    CONDITION_LIST_NAMES,
    ConditionKind,
    ContentCategory,
    MethodCategory,
)
from partner42.errors import (
    ApplicationError,
    ErrorCode,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from partner42.text import is_blank
from restaurants.geo import campus_keys
from restaurants.models import Restaurant
from restaurants.selectors import NEAR_WALK_MINUTES, restaurant_is_near
from rooms.cache import board_changed
from rooms.live import room_changed
from rooms.models import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    COMMENT_MAX,
    CONTENT_MAX,
    TITLE_MAX,
    Comment,
    Participation,
    Room,
    RoomCondition,
)
from rooms.selectors import room_is_closed, room_today

logger = logging.getLogger(__name__)

# Attempts, the last of which locks the row: one optimistic try, then one that cannot lose. A lost
# try means another change won, and under a burst the losing UPDATE has already queued on the row
# lock for that winner's commit: more optimistic tries only queue again (bench/bench_contention.py
# measured six tries against two).
SEAT_ATTEMPTS = 2
BACKOFF_BASE_SECONDS = 0.002
BACKOFF_CAP_SECONDS = 0.05

Conditions = Mapping[str, Iterable[str]]
# room_update's default for `restaurant`: keep it (the React client knows no restaurants).
UNCHANGED: Any = object()
T = TypeVar("T")
C = TypeVar("C")


# --- Errors (SPEC section 10) -------------------------------------------------------------------


class ArticleDeletedError(ApplicationError):
    error_code = ErrorCode.ARTICLE_DELETED


class NotArticleAuthorError(ApplicationError):
    error_code = ErrorCode.NOT_ARTICLE_AUTHOR


class ArticleCompletedError(ApplicationError):
    error_code = ErrorCode.ARTICLE_COMPLETED


class ArticleClosedError(ApplicationError):
    error_code = ErrorCode.ARTICLE_CLOSED


class AlreadyParticipantError(ApplicationError):
    error_code = ErrorCode.ALREADY_PARTICIPANT


class ArticleFullError(ApplicationError):
    error_code = ErrorCode.ARTICLE_FULL


class AuthorCannotLeaveError(ApplicationError):
    error_code = ErrorCode.AUTHOR_CANNOT_LEAVE


class NotParticipantError(ApplicationError):
    error_code = ErrorCode.NOT_PARTICIPANT


class NotOpinionAuthorError(ApplicationError):
    error_code = ErrorCode.NOT_OPINION_AUTHOR


class NoParticipantBesidesAuthorError(ApplicationError):
    error_code = ErrorCode.NO_PARTICIPANT_BESIDES_AUTHOR


class CapacityBelowCountError(ApplicationError):
    error_code = ErrorCode.CAPACITY_BELOW_COUNT


class DateInPastError(ApplicationError):
    error_code = ErrorCode.DATE_IN_PAST


@dataclass(frozen=True)
class SeatChange:
    """A successful join or leave: the room as it is after the change, and the attempts it took."""

    room: Room
    attempts: int


# --- Validation ---------------------------------------------------------------------------------


def _error(field: str, value: object, reason: str) -> dict[str, str]:
    return {"field": field, "value": "" if value is None else str(value), "reason": reason}


def _clean_meeting_time(value: TimeOfDay | None) -> TimeOfDay | None:
    if value is None:
        return None
    if not isinstance(value, TimeOfDay):
        raise InvalidInputError(errors=[_error("meetingTime", value, _("A time, HH:mm."))])
    # Minutes are all a meeting needs; seconds would only make two equal times differ.
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _clean_conditions(category: str, conditions: Conditions) -> tuple[dict[str, list[str]], list]:
    allowed = CATEGORY_CONDITION_KINDS[category]
    cleaned: dict[str, list[str]] = {}
    errors = []
    for kind, values in conditions.items():
        values = list(dict.fromkeys(values or ()))
        field = CONDITION_LIST_NAMES.get(kind, str(kind))
        if kind not in CONDITION_ENUMS:
            errors.append(_error(field, kind, _("Unknown condition.")))
            continue
        if values and kind not in allowed:
            errors.append(
                _error(field, ",".join(values), _("This condition does not apply to the category."))
            )
            continue
        bad = [v for v in values if v not in CONDITION_ENUMS[kind].values]
        if bad:
            errors.append(_error(field, ",".join(bad), _("Unknown value.")))
            continue
        if values:
            cleaned[kind] = values
    return cleaned, errors


def _validate_room(
    *,
    category: str,
    title: str,
    content: str,
    meeting_date: date,
    participant_num_max: int,
    conditions: Conditions,
    now: datetime | None,
    allow_past_date: bool = False,
) -> dict[str, list[str]]:
    """Everything a room needs, whatever the caller (API, page, admin): C001 first, then AR011."""
    errors = []
    if category not in ContentCategory.values:
        errors.append(_error("contentCategory", category, _("Unknown category.")))
    if is_blank(title) or len(title) > TITLE_MAX:
        errors.append(_error("title", title, _("1 to %(max)d characters.") % {"max": TITLE_MAX}))
    if is_blank(content) or len(content) > CONTENT_MAX:
        errors.append(_error("content", "", _("1 to %(max)d characters.") % {"max": CONTENT_MAX}))
    if (
        isinstance(participant_num_max, bool)
        or not isinstance(participant_num_max, int)
        or not CAPACITY_MIN <= participant_num_max <= CAPACITY_MAX
    ):
        errors.append(
            _error(
                "participantNumMax",
                participant_num_max,
                _("Between %(min)d and %(max)d.") % {"min": CAPACITY_MIN, "max": CAPACITY_MAX},
            )
        )
    if not isinstance(meeting_date, date) or isinstance(meeting_date, datetime):
        errors.append(_error("date", meeting_date, _("A date, yyyy-MM-dd.")))
    cleaned: dict[str, list[str]] = {}
    if category in ContentCategory.values:
        cleaned, condition_errors = _clean_conditions(category, conditions)
        errors.extend(condition_errors)
    if errors:
        raise InvalidInputError(errors=errors)
    if meeting_date < room_today(now) and not allow_past_date:
        raise DateInPastError(
            errors=[
                _error(
                    "date",
                    meeting_date.isoformat(),
                    _("Today (Asia/Seoul) or later."),
                )
            ],
        )
    return cleaned


def _check_restaurant(
    *,
    category: str,
    restaurant: Restaurant | None,
    current_id: int | None = None,
    places: Iterable[str] = (),
) -> None:
    """Only a MEAL room names a restaurant; a newly named one must be open and near the room's
    campus (one of its places; any campus when it names none)."""
    if restaurant is None:
        return
    reason = None
    campuses = [place for place in places if place in campus_keys()]
    if category != ContentCategory.MEAL:
        reason = _("Only a meal room can name a restaurant.")
    elif restaurant.pk != current_id and not restaurant.is_open:
        reason = _("This restaurant is closed.")
    elif restaurant.pk != current_id and not restaurant_is_near(
        restaurant=restaurant, campuses=campuses
    ):
        reason = _("This restaurant is not near the room's campus (%(minutes)d minutes' walk).") % {
            "minutes": NEAR_WALK_MINUTES
        }
    if reason:
        raise InvalidInputError(errors=[_error("restaurantId", restaurant.api_id, reason)])


def _replace_conditions(room: Room, conditions: dict[str, list[str]]) -> None:
    RoomCondition.objects.filter(room=room).delete()
    RoomCondition.objects.bulk_create(
        RoomCondition(room=room, kind=kind, value=value)
        for kind, values in conditions.items()
        for value in values
    )


# --- Permissions --------------------------------------------------------------------------------


def _check_visible(room: Room, user: User | None) -> None:
    """A deleted room does not exist except for operators, who get the real reason (AR006)."""
    if room.deleted_at is not None:
        if user_is_operator(user):
            raise ArticleDeletedError()
        raise NotFoundError()


def _check_author_or_operator(room: Room, user: User) -> None:
    if not user_is_author_or_operator(user, author_pk=room.author_id):
        raise NotArticleAuthorError()


# --- Rooms --------------------------------------------------------------------------------------


@transaction.atomic
def room_create(
    *,
    author: User,
    category: str,
    title: str,
    content: str,
    meeting_date: date,
    anonymity: bool,
    participant_num_max: int,
    conditions: Conditions,
    restaurant: Restaurant | None = None,
    meeting_time: TimeOfDay | None = None,
    now: datetime | None = None,
) -> Room:
    cleaned = _validate_room(
        category=category,
        title=title,
        content=content,
        meeting_date=meeting_date,
        participant_num_max=participant_num_max,
        conditions=conditions,
        now=now,
    )
    _check_restaurant(
        category=category, restaurant=restaurant, places=cleaned.get(ConditionKind.PLACE, ())
    )
    room = Room.objects.create(
        author=author,
        category=category,
        title=title,
        content=content,
        date=meeting_date,
        meeting_time=_clean_meeting_time(meeting_time),
        anonymity=bool(anonymity),
        participant_num_max=participant_num_max,
        participant_num=1,
        restaurant=restaurant,
    )
    Participation.objects.create(room=room, user=author)
    _replace_conditions(room, cleaned)
    board_changed()
    return room


def room_update(
    *,
    room: Room,
    user: User,
    title: str,
    content: str,
    meeting_date: date,
    anonymity: bool,
    participant_num_max: int,
    conditions: Conditions,
    restaurant: Restaurant | None = UNCHANGED,
    meeting_time: TimeOfDay | None = UNCHANGED,
    now: datetime | None = None,
    allow_past_date: bool = False,
) -> Room:
    """Replace the editable fields and the conditions; the category never changes (Q8).

    `restaurant` and `meeting_time` are replaced only when given (None clears them): the React
    client knows neither.

    `allow_past_date` is for operators fixing an old room in the admin; the site never sets it.
    """
    cleaned = _validate_room(
        category=room.category,
        title=title,
        content=content,
        meeting_date=meeting_date,
        participant_num_max=participant_num_max,
        conditions=conditions,
        now=now,
        allow_past_date=allow_past_date,
    )

    def check(current: Room) -> dict[str, Any]:
        _check_visible(current, user)
        _check_author_or_operator(current, user)
        if current.is_complete:
            raise ArticleCompletedError()
        if participant_num_max < current.participant_num:
            raise CapacityBelowCountError(
                errors=[
                    _error(
                        "participantNumMax",
                        participant_num_max,
                        _("Below the current number of participants (%(n)d).")
                        % {"n": current.participant_num},
                    )
                ],
            )
        changes: dict[str, Any] = {}
        if meeting_time is not UNCHANGED:
            changes["meeting_time"] = _clean_meeting_time(meeting_time)
        if restaurant is not UNCHANGED:
            _check_restaurant(
                category=current.category,
                restaurant=restaurant,
                current_id=current.restaurant_id,
                places=cleaned.get(ConditionKind.PLACE, ()),
            )
            changes["restaurant"] = restaurant
        return changes

    def write(current: Room, changes: dict[str, Any]) -> Room | None:
        won = (
            _open_room(current)
            .filter(participant_num__lte=participant_num_max)
            .update(
                title=title,
                content=content,
                date=meeting_date,
                anonymity=bool(anonymity),
                participant_num_max=participant_num_max,
                version=F("version") + 1,
                updated_at=now or timezone.now(),
                **changes,
            )
        )
        if won:
            _replace_conditions(current, cleaned)
            board_changed()
            room_changed(current.api_id)
            return Room.objects.select_related("author").get(pk=current.pk)
        return None  # lost the compare-and-set: read again

    result, _attempts = _seat_retry(room, check, write)
    return result


def room_join(*, room: Room, user: User, now: datetime | None = None) -> SeatChange:
    today = room_today(now)

    def check(current: Room) -> None:
        _check_visible(current, user)
        if current.is_complete:
            raise ArticleCompletedError()
        if room_is_closed(current, today):
            raise ArticleClosedError()
        if _is_member(current, user):
            raise AlreadyParticipantError()
        if current.participant_num >= current.participant_num_max:
            raise ArticleFullError()

    def write(current: Room, _checked: None) -> Room | None:
        won = (
            _open_room(current)
            .filter(participant_num__lt=F("participant_num_max"))
            .update(participant_num=F("participant_num") + 1, version=F("version") + 1)
        )
        if won:
            try:
                Participation.objects.create(room=current, user=user)
            except IntegrityError:
                # The same user joined in a concurrent request; leaving this block with the
                # exception rolls back our UPDATE with it.
                raise AlreadyParticipantError() from None
            # The alarm row commits (or not) with the join; it is pushed on commit.
            alarm_create(
                user=current.author,
                alarm_type=AlarmType.PARTICIPATION_ON_MY_POST,
                calling_nickname=user.nickname,
                article_id=current.api_id,
                room_title=current.title,
            )
            board_changed()
            room_changed(current.api_id)
            return _reread(current)
        return None  # lost the compare-and-set: read again

    changed, attempts = _seat_retry(room, check, write, member=user)
    return SeatChange(room=changed, attempts=attempts)


def room_leave(*, room: Room, user: User) -> SeatChange:
    def check(current: Room) -> None:
        _check_visible(current, user)
        if current.is_complete:
            raise ArticleCompletedError()
        if current.author_id == user.pk:
            raise AuthorCannotLeaveError()
        if not _is_member(current, user):
            raise NotParticipantError()

    def write(current: Room, _checked: None) -> Room | None:
        won = (
            _open_room(current)
            .filter(participant_num__gt=1)
            .update(participant_num=F("participant_num") - 1, version=F("version") + 1)
        )
        if won:
            removed, _details = Participation.objects.filter(room=current, user=user).delete()
            if removed != 1:
                # A concurrent leave of the same user won; this raise undoes our UPDATE.
                raise NotParticipantError()
            alarm_create(
                user=current.author,
                alarm_type=AlarmType.PARTICIPATION_CANCEL_ON_MY_POST,
                calling_nickname=user.nickname,
                article_id=current.api_id,
                room_title=current.title,
            )
            board_changed()
            room_changed(current.api_id)
            return _reread(current)
        return None  # lost the compare-and-set: read again

    changed, attempts = _seat_retry(room, check, write, member=user)
    return SeatChange(room=changed, attempts=attempts)


@transaction.atomic
def room_delete(*, room: Room, user: User, now: datetime | None = None) -> Room:
    """Soft delete: hidden everywhere but the admin and matches. A completed room stays."""
    current = _read_room(room.pk, lock=False)
    if current.deleted_at is not None:
        raise NotFoundError()  # also for operators: there is nothing left to delete
    _check_author_or_operator(current, user)
    if current.is_complete:
        raise ArticleCompletedError()
    won = Room.objects.filter(pk=current.pk, deleted_at__isnull=True, is_complete=False).update(
        deleted_at=now or timezone.now(), version=F("version") + 1
    )
    if not won:
        raise _reason(_read_room(room.pk, lock=False), user)
    board_changed()
    room_changed(current.api_id)
    return _reread(current)


@transaction.atomic
def room_restore(*, room: Room, user: User) -> Room:
    if not user_is_operator(user):
        raise ForbiddenError()
    won = Room.objects.filter(pk=room.pk, deleted_at__isnull=False).update(
        deleted_at=None, version=F("version") + 1
    )
    if won:
        board_changed()
        room_changed(room.api_id)
    return _reread(room)


def _seat_retry(
    room: Room,
    check: Callable[[Room], C],
    write: Callable[[Room, C], T | None],
    *,
    member: User | None = None,
) -> tuple[T, int]:
    """Run `check` then `write` on a fresh read of the room until the compare-and-set wins.

    `check(current)` applies the rules to the row it is given and raises the domain error when
    one refuses; it may read more (never write) and returns what `write` needs.
    `write(current, checked)` makes the conditional update against `_open_room(current)` and the
    writes that go with it, all in one transaction, and returns the result, or None when the
    update counted zero rows (somebody changed the room since the read): that try is undone and
    retried after a jittered pause.

    The optimistic tries read and check outside any transaction, so a refusal (a full room, say)
    costs one read and takes no lock; only `write` opens the transaction, and the version check
    makes the read's age harmless. The last try reads the row with SELECT ... FOR UPDATE inside
    the transaction, so it cannot lose. `member`, when given, comes with the optimistic reads
    (see `_is_member`). Returns the result and the number of tries it took.
    """
    for number in range(1, SEAT_ATTEMPTS + 1):
        if number < SEAT_ATTEMPTS:
            current = _read_room(room.pk, lock=False, member=member)
            checked = check(current)
            with transaction.atomic():
                result = write(current, checked)
        else:
            with transaction.atomic():
                current = _read_room(room.pk, lock=True)
                result = write(current, check(current))
        if result is not None:
            return result, number
        _backoff(number)
    raise _undecided(room)


def _read_room(pk: int, *, lock: bool, member: User | None = None) -> Room:
    qs = Room.objects.all()
    if lock:
        qs = qs.select_for_update()
    elif member is not None:
        # The membership in the same round trip. Not on the locking read: a FOR UPDATE would
        # lock the participation row it finds as well.
        qs = qs.annotate(
            member_joined=Exists(
                Participation.objects.filter(room=OuterRef("pk"), user=member).values("pk")
            )
        )
    try:
        return qs.get(pk=pk)
    except Room.DoesNotExist:
        raise NotFoundError() from None


def _is_member(current: Room, user: User) -> bool:
    joined = getattr(current, "member_joined", None)
    if joined is None:  # the locking read, or a read without `member`
        return Participation.objects.filter(room=current, user=user).exists()
    return bool(joined)


def _reread(room: Room) -> Room:
    return Room.objects.select_related("author").get(pk=room.pk)


def _open_room(current: Room):
    """The compare-and-set target: this room, unchanged since we read it, and still open."""
    return Room.objects.filter(
        pk=current.pk, version=current.version, is_complete=False, deleted_at__isnull=True
    )


def _backoff(attempt: int) -> None:
    # Full jitter (random pause up to an exponentially growing bound): spreads the losers out.
    bound = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    time.sleep(random.uniform(0, bound))  # noqa: S311 - jitter, not security


def _reason(current: Room, user: User) -> ApplicationError:
    if current.deleted_at is not None:
        return ArticleDeletedError() if user_is_operator(user) else NotFoundError()
    if current.is_complete:
        return ArticleCompletedError()
    return ApplicationError()  # C004, the default code


def _undecided(room: Room) -> ApplicationError:
    # Unreachable: the last attempt holds the row lock, so its compare-and-set cannot lose.
    logger.error("room %s: the locked attempt lost its compare-and-set", room.pk)
    return ApplicationError()  # C004, the default code


# --- Comments -----------------------------------------------------------------------------------


def _clean_comment_content(content: str) -> str:
    if is_blank(content) or len(content) > COMMENT_MAX:
        raise InvalidInputError(
            errors=[
                _error(
                    "content",
                    content if isinstance(content, str) and len(content) <= COMMENT_MAX else "",
                    _("1 to %(max)d characters.") % {"max": COMMENT_MAX},
                )
            ],
        )
    return content


@transaction.atomic
def comment_create(
    *, room: Room, author: User, content: str, parent: Comment | None = None
) -> Comment:
    content = _clean_comment_content(content)
    current = _read_room(room.pk, lock=False)
    _check_visible(current, author)
    if parent is not None and (parent.room_id != current.pk or parent.deleted_at is not None):
        raise NotFoundError()
    comment = Comment.objects.create(
        room=current,
        author=author,
        parent=parent,
        level=parent.level + 1 if parent else 1,
        content=content,
    )
    # The room's own author commenting in an anonymous room is the mask in the alarm too.
    hidden = current.anonymity and author.pk == current.author_id
    caller = ANONYMOUS_NICKNAME if hidden else author.nickname
    if parent is not None and parent.author_id != author.pk:
        alarm_create(
            user=parent.author,
            alarm_type=AlarmType.COMMENT_ON_MY_COMMENT,
            calling_nickname=caller,
            article_id=current.api_id,
            opinion_id=parent.api_id,
            room_title=current.title,
        )
    # A comment on my room alarms me (not my own; a reply to me already did).
    if current.author_id != author.pk and (parent is None or parent.author_id != current.author_id):
        alarm_create(
            user=current.author,
            alarm_type=AlarmType.COMMENT_ON_MY_POST,
            calling_nickname=caller,
            article_id=current.api_id,
            opinion_id=comment.api_id,
            room_title=current.title,
        )
    board_changed()  # the board shows comment counts
    room_changed(current.api_id)
    return comment


def _check_comment_author(comment: Comment, user: User) -> None:
    if not user_is_author_or_operator(user, author_pk=comment.author_id):
        raise NotOpinionAuthorError()


@transaction.atomic
def comment_update(*, comment: Comment, user: User, content: str) -> Comment:
    content = _clean_comment_content(content)
    _check_comment_author(comment, user)
    won = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
        content=content, updated_at=timezone.now()
    )
    if not won:
        raise NotFoundError()
    room_changed(comment.room.api_id)
    return Comment.objects.select_related("author", "parent", "room").get(pk=comment.pk)


@transaction.atomic
def comment_delete(*, comment: Comment, user: User, now: datetime | None = None) -> Comment:
    """Soft and idempotent: the comment shows as deleted and keeps its replies."""
    _check_comment_author(comment, user)
    won = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
        deleted_at=now or timezone.now()
    )
    if won:
        board_changed()
        room_changed(comment.room.api_id)
    return Comment.objects.select_related("author", "parent", "room").get(pk=comment.pk)


@transaction.atomic
def comment_restore(*, comment: Comment, user: User) -> Comment:
    if not user_is_operator(user):
        raise ForbiddenError()
    if Comment.objects.filter(pk=comment.pk, deleted_at__isnull=False).update(deleted_at=None):
        board_changed()
    return Comment.objects.get(pk=comment.pk)


# --- Completing a room (SPEC sections 3 and 5) --------------------------------------------------


def room_complete(*, room: Room, user: User, now: datetime | None = None) -> Match:
    """Close the room and make its MANUAL match with every participant, in one transaction.

    The compare-and-set on (version, still open) decides: of two racing completes one wins and the
    other re-reads and answers AR007; a join or leave between our read of the participants and
    our update bumps the version, so we read again rather than make a match without them. The
    unique room on Match is the last line of defence.
    """

    def check(current: Room) -> list[User]:
        _check_visible(current, user)
        _check_author_or_operator(current, user)
        if current.is_complete:
            raise ArticleCompletedError()
        members = [
            p.user
            for p in Participation.objects.filter(room=current)
            .select_related("user")
            .order_by("created_at", "pk")
        ]
        # The author first, then the others in the order they joined.
        members.sort(key=lambda member: member.pk != current.author_id)
        if not any(member.pk != current.author_id for member in members):
            raise NoParticipantBesidesAuthorError()
        return members

    def write(current: Room, members: list[User]) -> Match | None:
        completed_at = now or timezone.now()
        won = _open_room(current).update(
            is_complete=True,
            completed_at=completed_at,
            version=F("version") + 1,
            updated_at=completed_at,
        )
        if won:
            conditions: dict[str, list[str]] = {}
            for kind, value in RoomCondition.objects.filter(room=current).values_list(
                "kind", "value"
            ):
                conditions.setdefault(kind, []).append(value)
            author = members[0] if members[0].pk == current.author_id else current.author
            try:
                match = match_create(
                    category=current.category,
                    method=MethodCategory.MANUAL,
                    users=members,
                    conditions=conditions,
                    author=author,
                    room=current,
                )
            except IntegrityError:
                # The room already has its match (the unique room): unreachable past the
                # compare-and-set, and raising here undoes our update with it.
                raise ArticleCompletedError() from None
            board_changed()
            room_changed(current.api_id)
            return match
        return None  # lost the compare-and-set: read again

    result, _attempts = _seat_retry(room, check, write)
    return result
