"""Data for the dashboard's tests, written at chosen Seoul instants."""

from datetime import date, datetime, time, timedelta

from accounts.tests.factories import UserFactory
from matching.models import Match, MatchMember, MemberReview
from matching.tests.factories import RandomMatchRequestFactory
from partner42.choices import ContentCategory, MethodCategory
from rooms.models import Room
from rooms.selectors import SEOUL
from rooms.tests.factories import CommentFactory, RoomFactory


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def match_at(
    when: datetime,
    *,
    category: str = ContentCategory.MEAL,
    method: str = MethodCategory.RANDOM,
    members=(),
) -> Match:
    match = Match.objects.create(category=category, method=method, participant_num=len(members))
    Match.objects.filter(pk=match.pk).update(created_at=when)
    for user in members:
        MatchMember.objects.create(match=match, user=user)
    return match


def request_at(when: datetime, *, waited: timedelta | None = None, **kwargs):
    """A random request made at `when`; with `waited`, matched that long after."""
    if waited is not None:
        kwargs.update(status="MATCHED", closed_at=when + waited)
    return RandomMatchRequestFactory(created_at=when, **kwargs)


def room_at(when: datetime, *, completed: datetime | None = None, **kwargs) -> Room:
    room = RoomFactory(**kwargs)
    Room.objects.filter(pk=room.pk).update(
        created_at=when, is_complete=completed is not None, completed_at=completed
    )
    room.refresh_from_db()
    return room


def review_at(when: datetime, score_kind: str, *, match: Match | None = None, reviewer=None):
    reviewer = reviewer or UserFactory()
    target = UserFactory()
    match = match or match_at(when, members=[reviewer, target])
    return MemberReview.objects.create(
        match=match, reviewer=reviewer, target=target, score_kind=score_kind, created_at=when
    )


def comment_at(when: datetime, **kwargs):
    comment = CommentFactory(**kwargs)
    type(comment).objects.filter(pk=comment.pk).update(created_at=when)
    return comment
