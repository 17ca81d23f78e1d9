"""Writes of random matching: requests (create, cancel, renew, expire) and the matchmaker run."""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext

from accounts.selectors import seoul_today, user_random_snoozed_until
from alarms.models import AlarmType
from alarms.services import AlarmDraft, AlarmPushSender, alarm_create, alarm_create_many
from matching.locks import MatchmakingLock
from matching.matchmaker import Candidate, Planner, mask_of
from matching.models import (
    RANDOM_CONDITION_KINDS,
    Activity,
    ActivityMatchScore,
    Block,
    Match,
    MatchCondition,
    MatchMember,
    RandomMatchRequest,
)
from matching.selectors.meetings import random_match_paused_users
from matching.services.matches import (
    SYSTEM_NICKNAME,
    slack_match_notices_enqueue,
)
from matching.services.meetings import random_match_check_not_paused
from matching.services.reviews import activity_row
from partner42.celery import enqueue
from partner42.choices import (
    CONDITION_ENUMS,
    ContentCategory,
    MatchStatus,
    MethodCategory,
)
from partner42.errors import (
    ApplicationError,
    ErrorCode,
    InvalidInputError,
    NotFoundError,
)
from partner42.metrics import MATCHMAKING_RUN_SECONDS

logger = logging.getLogger(__name__)


Status = RandomMatchRequest.Status


# Set while a triggered run is queued and not started: more requests in the meantime add nothing.
PENDING_KEY = "matching:matchmaking:pending"


PENDING_TIMEOUT_SECONDS = 60


# A pass whose groups lost a race (a cancel, an expiry) is planned again at most this often.
MAX_PASSES = 3


# Groups made in one transaction (`_apply_groups`): a constant number of statements and one
# commit for all of them. Bounded so that a cancel waiting on a claimed row, and the live pushes
# of the first matches of a batch, wait for a few dozen matches at most.
GROUPS_PER_TRANSACTION = 50


class RandomMatchSnoozedError(ApplicationError):
    error_code = ErrorCode.RANDOM_MATCH_SNOOZED


class RandomMatchExistsError(ApplicationError):
    error_code = ErrorCode.RANDOM_MATCH_EXISTS


class RandomMatchNoneError(ApplicationError):
    error_code = ErrorCode.RANDOM_MATCH_NONE


class RandomMatchWrongConditionError(ApplicationError):
    error_code = ErrorCode.RANDOM_MATCH_WRONG_CONDITION


def random_match_conditions_split(
    *, category: str, conditions: Mapping[str, Iterable[str] | None]
) -> tuple[list[str], list[str]]:
    """RM003: a random request carries places and the category's one option kind
    (`RANDOM_CONDITION_KINDS`); any other kind with values is refused. Empty or None is "any"."""
    place_kind, option_kind = RANDOM_CONDITION_KINDS[category]
    if any(values for kind, values in conditions.items() if kind not in (place_kind, option_kind)):
        raise RandomMatchWrongConditionError()
    return list(conditions.get(place_kind) or ()), list(conditions.get(option_kind) or ())


def _clean_conditions(category: str, places: Iterable[str], options: Iterable[str]):
    place_kind, option_kind = RANDOM_CONDITION_KINDS[category]
    try:
        clean_places = sorted(
            {CONDITION_ENUMS[place_kind](v).value for v in places},
            key=list(CONDITION_ENUMS[place_kind].values).index,
        )
        clean_options = sorted(
            {CONDITION_ENUMS[option_kind](v).value for v in options},
            key=list(CONDITION_ENUMS[option_kind].values).index,
        )
    except ValueError as exc:
        raise InvalidInputError() from exc
    return clean_places, clean_options


@transaction.atomic
def random_match_request_create(
    *,
    user,
    category: str,
    places: Iterable[str] = (),
    options: Iterable[str] = (),
    conditions: Mapping[str, Iterable[str] | None] | None = None,
    now: datetime | None = None,
) -> RandomMatchRequest:
    """Queue a request (empty lists = any) and trigger a matchmaking run after commit.

    `options` are ways of eating for MEAL, types of study for STUDY. Or `conditions` by kind
    instead of both, checked against the category (RM003, `random_match_conditions_split`).
    """
    now = now or timezone.now()
    try:
        category = ContentCategory(category)
    except ValueError as exc:
        raise InvalidInputError() from exc
    if conditions is not None:
        places, options = random_match_conditions_split(category=category, conditions=conditions)
    places, options = _clean_conditions(category, places, options)
    _check_not_snoozed(user=user, now=now)
    # RM005: absences in a row paused random matching (matching.services.meetings).
    random_match_check_not_paused(user=user, now=now)
    # A request past its time but not yet expired by beat still holds the waiting key.
    random_match_expire_due(now=now, user=user)
    try:
        with transaction.atomic():
            request = RandomMatchRequest.objects.create(
                user=user,
                category=category,
                places=places,
                options=options,
                status=Status.WAITING,
                waiting_key=RandomMatchRequest.make_waiting_key(user.pk, category),
                created_at=now,
                expires_at=now + timedelta(minutes=settings.RANDOM_MATCH_TTL_MINUTES),
            )
    except IntegrityError as exc:
        raise RandomMatchExistsError() from exc
    transaction.on_commit(matchmaking_trigger, robust=True)
    return request


def _check_not_snoozed(*, user, now: datetime) -> None:
    """RM004 while the student has paused random matching (their preferences); it is over on
    its date (Asia/Seoul)."""
    until = user_random_snoozed_until(user=user, today=seoul_today(now))
    if until is not None:
        message = gettext(
            "랜덤 매칭을 쉬는 중이에요. %(date)s부터 다시 신청할 수 있어요. "
            "내 페이지의 설정에서 쉬기를 끝낼 수 있어요."
        ) % {"date": until.isoformat()}
        raise RandomMatchSnoozedError(
            message=message,
            errors=[{"field": "randomSnoozeUntil", "value": until.isoformat(), "reason": message}],
        )


@transaction.atomic
def random_match_request_cancel(*, user, category: str, now: datetime | None = None) -> int:
    """Cancel the user's waiting request in `category`; 409 RM002 when none waits.

    One conditional UPDATE: if the matchmaker claimed the row first, it is no longer WAITING and
    the cancel finds nothing; if the cancel commits first, the matchmaker's guarded update misses.
    """
    now = now or timezone.now()
    random_match_expire_due(now=now, user=user)
    cancelled = RandomMatchRequest.objects.filter(
        user=user, category=category, status=Status.WAITING, expires_at__gt=now
    ).update(
        status=Status.CANCELLED,
        version=F("version") + 1,
        waiting_key=None,
        closed_at=now,
        updated_at=now,
    )
    if not cancelled:
        raise RandomMatchNoneError()
    return cancelled


@transaction.atomic
def random_match_request_cancel_by_id(*, request_id: int, now: datetime | None = None) -> bool:
    """The admin's cancel: True if this request was still waiting and is now cancelled."""
    now = now or timezone.now()
    return bool(
        RandomMatchRequest.objects.filter(pk=request_id, status=Status.WAITING).update(
            status=Status.CANCELLED,
            version=F("version") + 1,
            waiting_key=None,
            closed_at=now,
            updated_at=now,
        )
    )


@transaction.atomic
def random_match_request_renew(
    *, user, category: str, now: datetime | None = None
) -> RandomMatchRequest:
    """Queue again, with the same conditions, the user's last request that expired unmatched."""
    now = now or timezone.now()
    random_match_expire_due(now=now, user=user)
    last = (
        RandomMatchRequest.objects.filter(user=user, category=category)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.status != Status.EXPIRED:
        if last is not None and last.status == Status.WAITING:
            raise RandomMatchExistsError()
        raise NotFoundError()
    return random_match_request_create(
        user=user, category=category, places=last.places, options=last.options, now=now
    )


def random_match_expire_due(
    *, now: datetime | None = None, user=None, sender: AlarmPushSender | None = None
) -> int:
    """Expire waiting requests past their time, each with a "no partner found" alarm.

    Called by every matchmaking run (beat) and before reads and writes of a user's requests,
    since the embedded default has no beat. Each row is its own conditional update, so a row the
    matchmaker or a cancel closed meanwhile is left alone and alarms nobody.
    """
    now = now or timezone.now()
    due = RandomMatchRequest.objects.filter(status=Status.WAITING, expires_at__lte=now)
    if user is not None:
        due = due.filter(user=user)
    expired = 0
    for request in due.select_related("user").order_by("expires_at", "id"):
        with transaction.atomic():
            updated = RandomMatchRequest.objects.filter(
                pk=request.pk, status=Status.WAITING, version=request.version
            ).update(
                status=Status.EXPIRED,
                version=F("version") + 1,
                waiting_key=None,
                closed_at=now,
                updated_at=now,
            )
            if updated:
                alarm_create(
                    user=request.user, alarm_type=AlarmType.RANDOM_MATCH_EXPIRED, sender=sender
                )
                expired += 1
    return expired


def matchmaking_trigger() -> None:
    """Enqueue one run unless one is already pending (many requests, one run)."""
    from matching.tasks import matchmaking_run_task

    if cache.add(PENDING_KEY, "1", timeout=PENDING_TIMEOUT_SECONDS):
        enqueue(matchmaking_run_task)  # a broker that is down: logged, the beat tick runs it


@dataclass
class MatchmakingResult:
    skipped: bool = False
    expired: int = 0
    matches: list[int] = field(default_factory=list)
    conflicts: int = 0
    lock_lost: bool = False

    def as_dict(self) -> dict:
        return {
            "skipped": self.skipped,
            "expired": self.expired,
            "matched": len(self.matches),
            "conflicts": self.conflicts,
            "lock_lost": self.lock_lost,
        }


class _GroupConflict(Exception):
    """A request of the group was cancelled, expired or matched since it was read."""


class _LockLost(Exception):
    pass


def matchmaking_run(*, now: datetime | None = None, size: int | None = None) -> MatchmakingResult:
    """One matchmaking run: expire due requests, then pair what waits, oldest first.

    Never overlaps another run (Redis lock; a second caller returns `skipped`). Groups are made
    in batches, one transaction each (`_apply_groups`); an exception in a group leaves the groups
    before it made and the rest waiting for the next run, with no half-made match. The run's
    live alarm pushes all go through one `AlarmPushSender`.
    """
    lock = MatchmakingLock()
    if not lock.acquire():
        return MatchmakingResult(skipped=True)
    try:
        with MATCHMAKING_RUN_SECONDS.time():
            result = _matchmaking_run_locked(lock=lock, now=now, size=size)
    finally:
        lock.release()
    logger.info("Matchmaking run: %s", result.as_dict())
    return result


def _matchmaking_run_locked(
    *, lock: MatchmakingLock, now: datetime | None, size: int | None
) -> MatchmakingResult:
    result = MatchmakingResult()
    # One sender for the run: every live alarm push of it goes through one event loop.
    with AlarmPushSender() as sender:
        try:
            # From here on a new request must trigger a new run: this one may not see it.
            cache.delete(PENDING_KEY)
            result.expired = random_match_expire_due(now=now, sender=sender)
            sender.flush()
            for category in ContentCategory:
                for _ in range(MAX_PASSES):
                    conflicts = _matchmaking_pass(
                        category=category,
                        now=now or timezone.now(),
                        size=size or settings.MATCH_SIZE,
                        lock=lock,
                        result=result,
                        sender=sender,
                    )
                    if not conflicts:
                        break
        except _LockLost:
            result.lock_lost = True
    return result


def _matchmaking_pass(
    *,
    category: str,
    now: datetime,
    size: int,
    lock: MatchmakingLock,
    result: MatchmakingResult,
    sender: AlarmPushSender,
) -> int:
    place_kind, option_kind = RANDOM_CONDITION_KINDS[category]
    place_universe = list(CONDITION_ENUMS[place_kind].values)
    option_universe = list(CONDITION_ENUMS[option_kind].values)
    # A student who paused random matching after asking is left waiting, not matched: the
    # request expires as usual (or is matched once the pause is over).
    waiting = RandomMatchRequest.objects.filter(
        category=category, status=Status.WAITING, expires_at__gt=now
    ).exclude(user__random_snooze_until__gt=seoul_today(now))
    # Nor is one whom absences in a row paused (docs/matching.md, "Did you meet?").
    waiting = waiting.exclude(
        Exists(random_match_paused_users(now=now).filter(user_id=OuterRef("user_id")))
    )
    candidates = [
        Candidate(
            request_id=pk,
            user_id=user_id,
            version=version,
            created_at=created_at,
            place_mask=mask_of(places, place_universe),
            option_mask=mask_of(options, option_universe),
        )
        for pk, user_id, version, created_at, places, options in waiting.values_list(
            "pk", "user_id", "version", "created_at", "places", "options"
        ).order_by("created_at", "pk")
    ]
    if len(candidates) < 2:
        return 0
    waiting_users = waiting.values("user_id")
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in=waiting_users)
        # What a match reads of its members: who they are and the alarm kinds they muted (a
        # deferred column costs a query each). The Slack notice is written by the default worker.
        .only("pk", "api_id", "username", "nickname", "muted_alarm_types")
    }
    planner = Planner(
        size=size,
        past_partners=_past_partners(waiting_users),
        blocked=_blocked(waiting_users),
    )
    groups = planner.plan(candidates)
    context = _Pass(
        category=category, now=now, users=users, lock=lock, result=result, sender=sender
    )
    conflicts = 0
    for start in range(0, len(groups), GROUPS_PER_TRANSACTION):
        conflicts += _apply_groups(groups[start : start + GROUPS_PER_TRANSACTION], context)
    result.conflicts += conflicts
    return conflicts


@dataclass(frozen=True)
class _Pass:
    """What every batch of one category's pass shares: the users it read, the run's lock, result
    and push sender."""

    category: str
    now: datetime
    users: Mapping[int, object]
    lock: MatchmakingLock
    result: MatchmakingResult
    sender: AlarmPushSender


def _apply_groups(groups: list[list[Candidate]], context: _Pass) -> int:
    """Make these groups' matches in one transaction; returns the number of conflicts.

    First all at once (`_apply_batch`: a constant number of statements for the whole batch).
    If that raises, its transaction is rolled back whole and the same groups are made one by
    one, each in a savepoint of its own (`_apply_groups_one_by_one`), so a failing group undoes
    itself alone and the others commit. After the commit the live alarm pushes of these matches
    go out through the run's one sender.
    """
    if not context.lock.keep():
        raise _LockLost()
    if _batch_supported():
        try:
            with transaction.atomic():
                matches, conflicts = _apply_batch(
                    groups=groups,
                    category=context.category,
                    now=context.now,
                    users=context.users,
                    sender=context.sender,
                )
        except Exception:
            logger.warning(
                "Matchmaking: a batch of %d groups failed, making them one by one",
                len(groups),
                exc_info=True,
            )
        else:
            context.result.matches.extend(match.pk for match in matches)
            context.sender.flush()
            return conflicts
    return _apply_groups_one_by_one(groups, context)


def _batch_supported() -> bool:
    # The batch needs the ids of the matches it inserts: MariaDB ≥ 10.5, SQLite, PostgreSQL.
    return connection.features.can_return_rows_from_bulk_insert


def _apply_batch(
    *,
    groups: list[list[Candidate]],
    category: str,
    now: datetime,
    users: Mapping[int, object],
    sender: AlarmPushSender | None,
) -> tuple[list[Match], int]:
    """Claim the requests of many groups and make their matches, in the caller's transaction,
    with a constant number of statements whatever the number and size of the groups.

    The requests are read and locked first (SELECT ... FOR UPDATE on (id, WAITING, not
    expired)): a group with a request gone or at another version lost a race (a cancel, an
    expiry) and is left out, counted as a conflict; the locked rows of the others cannot change
    until the commit. Then one INSERT of the matches (their ids come back: RETURNING), one
    UPDATE claiming every request and linking it to its match, one INSERT each for the members,
    conditions, activity rows and alarms.
    """
    request_ids = [c.request_id for group in groups for c in group]
    current = dict(
        RandomMatchRequest.objects.select_for_update()
        .filter(pk__in=request_ids, status=Status.WAITING, expires_at__gt=now)
        .order_by("pk")  # one lock order for every locker of several requests
        .values_list("pk", "version")
    )
    intact = [g for g in groups if all(current.get(c.request_id) == c.version for c in g)]
    conflicts = len(groups) - len(intact)
    if not intact:
        return [], conflicts
    matches = Match.objects.bulk_create(
        Match(
            category=category,
            method=MethodCategory.RANDOM,
            status=MatchStatus.MATCHED,
            participant_num=len(group),
        )
        for group in intact
    )
    claimed_ids = [c.request_id for group in intact for c in group]
    claimed = RandomMatchRequest.objects.filter(pk__in=claimed_ids).update(
        status=Status.MATCHED,
        version=F("version") + 1,
        waiting_key=None,
        closed_at=now,
        updated_at=now,
        match_id=_match_of_request(
            {
                c.request_id: match.pk
                for match, group in zip(matches, intact, strict=True)
                for c in group
            }
        ),
    )
    if claimed != len(claimed_ids):  # locked above: only a bug gets here
        raise RuntimeError("Matchmaking: locked requests changed during their claim")
    _random_match_fill(
        made=[
            (match, [users[c.user_id] for c in group], _common_conditions(category, group))
            for match, group in zip(matches, intact, strict=True)
        ],
        now=now,
        sender=sender,
    )
    return matches, conflicts


def _match_of_request(match_ids: Mapping[int, int]) -> RawSQL:
    """`CASE id WHEN <request> THEN <match> ... END` for the claim's UPDATE: the same statement
    as Case(When(...)) per request, without compiling thousands of expressions (only integers
    from our own rows, passed as parameters)."""
    column = connection.ops.quote_name(RandomMatchRequest._meta.pk.column)
    whens = " ".join(["WHEN %s THEN %s"] * len(match_ids))
    params = [value for pair in match_ids.items() for value in pair]
    return RawSQL(f"CASE {column} {whens} END", params, output_field=IntegerField())  # noqa: S611


def _apply_groups_one_by_one(groups: list[list[Candidate]], context: _Pass) -> int:
    """Make these groups' matches in one transaction, each group in a savepoint of its own.

    A group that lost a race (`_GroupConflict`) is rolled back to its savepoint alone and
    counted. Any other error in a group rolls back that group alone too: the groups before it
    commit, the rest of the pass is left waiting and the error is raised after the commit (the
    task retries the run). Returns the number of conflicts.
    """
    conflicts = 0
    failure: BaseException | None = None
    lock_lost = False
    with transaction.atomic():
        for group in groups:
            try:
                if not context.lock.keep():
                    lock_lost = True
                    break
                match = _apply_group(
                    group=group,
                    category=context.category,
                    now=context.now,
                    users=context.users,
                    sender=context.sender,
                )
            except _GroupConflict:
                conflicts += 1
                continue
            except Exception as exc:
                failure = exc
                break
            context.result.matches.append(match.pk)
    context.sender.flush()
    if failure is not None:
        raise failure
    if lock_lost:
        raise _LockLost()
    return conflicts


def _past_partners(waiting_users) -> dict[int, set[int]]:
    their_matches = MatchMember.objects.filter(user_id__in=waiting_users).values("match_id")
    members_by_match: dict[int, list[int]] = defaultdict(list)
    for match_id, user_id in MatchMember.objects.filter(match_id__in=their_matches).values_list(
        "match_id", "user_id"
    ):
        members_by_match[match_id].append(user_id)
    partners: dict[int, set[int]] = defaultdict(set)
    for members in members_by_match.values():
        for user_id in members:
            partners[user_id].update(m for m in members if m != user_id)
    return partners


def _blocked(waiting_users) -> dict[int, set[int]]:
    blocked: dict[int, set[int]] = defaultdict(set)
    rows = Block.objects.filter(
        Q(blocker_id__in=waiting_users) | Q(blocked_id__in=waiting_users)
    ).values_list("blocker_id", "blocked_id")
    for blocker_id, blocked_id in rows:
        blocked[blocker_id].add(blocked_id)
        blocked[blocked_id].add(blocker_id)
    return blocked


@transaction.atomic
def _apply_group(
    *,
    group: list[Candidate],
    category: str,
    now: datetime,
    users: Mapping[int, object],
    sender: AlarmPushSender | None = None,
) -> Match:
    """Claim the group's requests and make their match, all or nothing (a savepoint inside the
    batch's transaction, `_apply_groups`).

    The match row comes first, so the claim links the requests to it in the same statement: one
    conditional UPDATE on (id, version, WAITING, not expired). Fewer rows than the group means
    someone else got there first (a cancel wins cleanly), and we roll back, match row included.
    The waiting key allows one waiting request per user and category, so claiming these rows
    closes every waiting request of the matched users in this category. Then the members,
    conditions, activity rows and alarms, one INSERT each whatever the group's size.
    """
    match = Match.objects.create(
        category=category,
        method=MethodCategory.RANDOM,
        status=MatchStatus.MATCHED,
        participant_num=len(group),
    )
    guard = Q()
    for candidate in group:
        guard |= Q(pk=candidate.request_id, version=candidate.version)
    claimed = RandomMatchRequest.objects.filter(
        guard, status=Status.WAITING, expires_at__gt=now
    ).update(
        status=Status.MATCHED,
        version=F("version") + 1,
        waiting_key=None,
        closed_at=now,
        updated_at=now,
        match=match,
    )
    if claimed != len(group):
        raise _GroupConflict()
    # Members read after the claim: a user whose request was cancelled after the pass read
    # the users may be missing, and that group has just conflicted.
    members = [users[c.user_id] for c in group]
    _random_match_fill(
        made=[(match, members, _common_conditions(category, group))], now=now, sender=sender
    )
    return match


def _random_match_fill(
    *,
    made: list[tuple[Match, list, Mapping[str, list[str]]]],
    now: datetime,
    sender: AlarmPushSender | None,
) -> None:
    """What `match_create` writes besides the match rows, for random matches (no author, no
    room): for `made` (match, members, common conditions), one INSERT per table for all of
    them; the alarms' pushes and one Slack notice per match after commit."""
    MatchMember.objects.bulk_create(
        MatchMember(match=match, user=user) for match, members, _ in made for user in members
    )
    MatchCondition.objects.bulk_create(
        MatchCondition(match=match, kind=kind, value=value)
        for match, _, conditions in made
        for kind, values in conditions.items()
        for value in values
    )
    Activity.objects.bulk_create(
        activity_row(
            user=user, match=match, score_kind=ActivityMatchScore.MATCH_PARTICIPANT, now=now
        )
        for match, members, _ in made
        for user in members
    )
    alarm_create_many(
        drafts=[
            AlarmDraft(
                user=user,
                alarm_type=AlarmType.MATCH_CONFIRMED,
                calling_nickname=SYSTEM_NICKNAME,
                match_id=match.api_id,
            )
            for match, members, _ in made
            for user in members
        ],
        sender=sender,
    )
    # The default worker writes each notice (its text reads a meal match's suggestions): one
    # message for the whole batch, published after its commit.
    transaction.on_commit(
        partial(slack_match_notices_enqueue, match_ids=[str(match.api_id) for match, _, _ in made])
    )


def _common_conditions(category: str, group: list[Candidate]) -> dict[str, list[str]]:
    """What the group has in common: the values in every member's masks (empty list = any)."""
    place_mask = option_mask = -1
    for candidate in group:
        place_mask &= candidate.place_mask
        option_mask &= candidate.option_mask
    common: dict[str, list[str]] = {}
    for kind, mask in zip(RANDOM_CONDITION_KINDS[category], (place_mask, option_mask), strict=True):
        values = list(CONDITION_ENUMS[kind].values)
        common[kind] = [value for bit, value in enumerate(values) if mask & (1 << bit)]
    return common
