"""Writes of reviews and of the activity ledger (SPEC section 5).

The ledger only grows: every score is a row, every total a SUM, so nothing can drift. A member
reviews a match once: the compare-and-set on `MatchMember.is_reviewed` decides, and the unique
(match, reviewer, target) constraint backs it up.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import (
    ACTIVITY_POINTS,
    REVIEW_SCORES,
    Activity,
    ActivityMatchScore,
    ActivityType,
    Match,
    MatchMember,
    MemberReview,
)
from matching.selectors.matches import NotMatchMemberError, review_available_time
from partner42.errors import ApplicationError, ErrorCode, InvalidInputError

# Which part of the product a kind of row rewards.
ACTIVITY_TYPES: dict[str, str] = {
    ActivityMatchScore.ARTICLE_MATCH_AUTHOR: ActivityType.ARTICLE,
}


class AlreadyReviewedError(ApplicationError):
    error_code = ErrorCode.ALREADY_REVIEWED


class ReviewTargetNotMemberError(ApplicationError):
    error_code = ErrorCode.REVIEW_TARGET_NOT_MEMBER


class ReviewSelfError(ApplicationError):
    error_code = ErrorCode.REVIEW_SELF


class ReviewNotOpenError(ApplicationError):
    error_code = ErrorCode.REVIEW_NOT_OPEN


def activity_row(*, user, match: Match, score_kind: str, now: datetime | None = None) -> Activity:
    """An unsaved ledger row for `user` in `match`'s category, with today's points."""
    score_kind = ActivityMatchScore(score_kind)
    return Activity(
        user=user,
        category=match.category,
        activity_type=ACTIVITY_TYPES.get(score_kind, ActivityType.MATCH),
        score_kind=score_kind,
        score=ACTIVITY_POINTS[score_kind],
        match=match,
        created_at=now or timezone.now(),
    )


def activity_record_match(
    *, match: Match, users: Iterable, author=None, now: datetime | None = None
) -> list[Activity]:
    """Every member of a new match: MATCH_PARTICIPANT, or ARTICLE_MATCH_AUTHOR for the author
    of the room it came from. Call it in the transaction that creates the match."""
    now = now or timezone.now()
    author_pk = getattr(author, "pk", None)
    return Activity.objects.bulk_create(
        activity_row(
            user=user,
            match=match,
            score_kind=ActivityMatchScore.ARTICLE_MATCH_AUTHOR
            if user.pk == author_pk
            else ActivityMatchScore.MATCH_PARTICIPANT,
            now=now,
        )
        for user in users
    )


def _field_error(field: str, value: str, reason: str) -> dict[str, str]:
    return {"field": field, "value": value, "reason": reason}


@transaction.atomic
def match_review_create(
    *,
    match: Match,
    reviewer,
    scores: Sequence[tuple[object | None, str]],
    now: datetime | None = None,
) -> list[MemberReview]:
    """The reviewer scores every other member of the match once: `scores` is (user, score kind),
    the user None when the reviewer named somebody who is not a member.

    Checks in the original's order: 403 MCH002 reviewer not a member, 400 MCH003 a target not a
    member (one answer for every wrong name, so a hidden author's real name is no oracle), 400
    MCH004 self, then (ours) 400 C001 a member left out or named twice, 409 MCH001 already
    reviewed, 409 MCH005 before `reviewAvailableTime`. Writes the reviews, one ledger row per
    reviewed member and MAKE_MATCH_REVIEW for the reviewer, in one transaction.
    """
    now = now or timezone.now()
    members = {m.user_id: m for m in MatchMember.objects.filter(match=match)}
    me = members.get(reviewer.pk)
    if me is None:
        raise NotMatchMemberError()
    for target, _score in scores:
        # None: a name that addresses no member as the reviewer sees them (selectors.reviews).
        if target is None or target.pk not in members:
            raise ReviewTargetNotMemberError()
    for target, _score in scores:
        if target.pk == reviewer.pk:
            raise ReviewSelfError()
    errors = []
    for _target, score in scores:
        if score not in REVIEW_SCORES:
            errors.append(_field_error("activityMatchScore", str(score), _("Not a review score.")))
    target_pks = [target.pk for target, _score in scores]
    if len(set(target_pks)) != len(target_pks):
        errors.append(_field_error("memberReviewDtos", "", _("A member is named twice.")))
    missing = set(members) - set(target_pks) - {reviewer.pk}
    if missing:
        errors.append(_field_error("memberReviewDtos", "", _("Every other member must be scored.")))
    if errors:
        raise InvalidInputError(errors=errors)
    if me.is_reviewed:
        raise AlreadyReviewedError()
    if now < review_available_time(match):
        raise ReviewNotOpenError()

    # The compare-and-set: of two concurrent reviews by the same member, the second waits for
    # the first's row lock, then finds the flag set and updates nothing.
    if not MatchMember.objects.filter(pk=me.pk, is_reviewed=False).update(is_reviewed=True):
        raise AlreadyReviewedError()
    try:
        with transaction.atomic():
            reviews = MemberReview.objects.bulk_create(
                MemberReview(
                    match=match, reviewer=reviewer, target=target, score_kind=score, created_at=now
                )
                for target, score in scores
            )
    except IntegrityError:
        raise AlreadyReviewedError() from None
    Activity.objects.bulk_create(
        [
            activity_row(
                user=reviewer, match=match, score_kind=ActivityMatchScore.MAKE_MATCH_REVIEW, now=now
            ),
            *(
                activity_row(user=target, match=match, score_kind=score, now=now)
                for target, score in scores
            ),
        ]
    )
    return reviews
