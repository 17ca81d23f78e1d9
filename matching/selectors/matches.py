"""Reads of matches as their members see them (SPEC section 5).

Anonymity is enforced here: the author of an anonymous room stays hidden in the match it became,
to everyone but themself and operators (SPEC section 3).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from accounts.selectors import user_is_operator
from matching.models import Match, MatchCondition, MatchMember
from partner42.choices import (
    ANONYMOUS_NICKNAME,
    CONDITION_ENUMS,
    conditions_by_kind,
)
from partner42.errors import ErrorCode, ForbiddenError, NotFoundError
from partner42.models import parse_api_id
from partner42.pagination import SliceParams, slice_queryset


class NotMatchMemberError(ForbiddenError):
    """MCH002: the match is someone else's (a 403 page on the site)."""

    error_code = ErrorCode.NOT_MATCH_MEMBER


def match_get_for_member(*, user, api_id) -> Match:
    """A match with members (and their users) and conditions; only for its members."""
    match = (
        Match.objects.filter(api_id=api_id)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MatchMember.objects.select_related("user").order_by("id"),
            ),
            "conditions",
        )
        .first()
    )
    if match is None:
        raise NotFoundError()
    if not any(member.user_id == user.pk for member in match.members.all()):
        raise NotMatchMemberError()
    return match


# The API's sort names and their lookups on MatchMember (a match list is the caller's memberships).
MATCH_SORT_FIELDS = {"createdAt": "match__created_at"}


MATCH_DEFAULT_ORDER = ["-match__created_at"]


def review_available_time(match: Match) -> datetime:
    return match.created_at + timedelta(minutes=settings.REVIEW_DELAY_MINUTES)


@dataclass(frozen=True)
class MemberView:
    """A member as the viewer may see them; `user` is None when hidden (anonymous author)."""

    member: MatchMember
    nickname: str
    is_author: bool
    is_me: bool
    hidden: bool

    @property
    def user(self):
        return None if self.hidden else self.member.user

    @property
    def label(self) -> str:
        """The name a page shows: a hidden author's in the page's language."""
        return gettext("익명") if self.hidden else self.nickname

    # The introduction fellow members read; a hidden author shows none (it could name them).
    @property
    def bio(self) -> str:
        return "" if self.hidden else self.member.user.bio

    @property
    def interests(self) -> list[str]:
        return [] if self.hidden else list(self.member.user.interests or [])


@dataclass(frozen=True)
class MatchView:
    match: Match
    members: list[MemberView]
    conditions: dict[str, list[str]]
    is_member: bool
    is_reviewed: bool
    review_available_time: datetime

    def review_open(self, now: datetime) -> bool:
        return now >= self.review_available_time

    @property
    def condition_labels(self) -> list[str]:
        return [
            str(CONDITION_ENUMS[kind](value).label)
            for kind, values in self.conditions.items()
            for value in values
        ]

    @property
    def can_review(self) -> bool:
        return self.is_member and not self.is_reviewed

    @property
    def review_targets(self) -> list[MemberView]:
        """The members the viewer scores in a review: everyone else, in member order."""
        return [member for member in self.members if not member.is_me]


def _author_hidden(match: Match, member: MatchMember, viewer) -> bool:
    room = match.room
    return (
        member.is_author
        and room is not None
        and room.anonymity
        and member.user_id != getattr(viewer, "pk", None)
        and not user_is_operator(viewer)
    )


def _match_view(match: Match, viewer, *, membership: MatchMember | None) -> MatchView:
    """Needs `match.room` selected and `members` (with users) and `conditions` prefetched."""
    viewer_pk = getattr(viewer, "pk", None)
    members = []
    for member in match.members.all():
        hidden = _author_hidden(match, member, viewer)
        members.append(
            MemberView(
                member=member,
                nickname=ANONYMOUS_NICKNAME if hidden else member.user.nickname,
                is_author=member.is_author,
                is_me=viewer_pk is not None and member.user_id == viewer_pk,
                hidden=hidden,
            )
        )
    if membership is None:
        membership = next((m.member for m in members if m.is_me), None)
    return MatchView(
        match=match,
        members=members,
        conditions=conditions_by_kind((row.kind, row.value) for row in match.conditions.all()),
        is_member=membership is not None,
        is_reviewed=membership is not None and membership.is_reviewed,
        review_available_time=review_available_time(match),
    )


def _with_members(prefix: str = "") -> list[Prefetch]:
    return [
        Prefetch(
            f"{prefix}members", queryset=MatchMember.objects.select_related("user").order_by("pk")
        ),
        Prefetch(f"{prefix}conditions", queryset=MatchCondition.objects.order_by("pk")),
    ]


def match_get_visible(*, api_id: Any, viewer, check_member: bool = True) -> MatchView:
    """One match for a member (or an operator): 404 C003 when absent, 403 MCH002 otherwise.

    Three queries: the match with its room, its members with their users, its conditions.
    """
    match = (
        Match.objects.select_related("room", "pinned_restaurant")
        .prefetch_related(*_with_members())
        .filter(api_id=parse_api_id(api_id))
        .first()
    )
    if match is None:
        raise NotFoundError()
    view = _match_view(match, viewer, membership=None)
    if check_member and not view.is_member and not user_is_operator(viewer):
        raise NotMatchMemberError()
    return view


def match_memberships(
    *, user, category: str | None = None, method: str | None = None
) -> QuerySet[MatchMember]:
    qs = (
        MatchMember.objects.filter(user=user)
        .select_related("match", "match__room")
        .prefetch_related(*_with_members("match__"))
    )
    if category:
        qs = qs.filter(match__category=category)
    if method:
        qs = qs.filter(match__method=method)
    return qs


def match_list(
    *, user, params: SliceParams, category: str | None = None, method: str | None = None
) -> tuple[list[MatchView], bool]:
    """A slice of the user's matches, newest first by default. Three queries whatever its size:
    the memberships with their matches and rooms, the matches' members with users, conditions."""
    memberships, has_next = slice_queryset(
        match_memberships(user=user, category=category, method=method), params
    )
    return [_match_view(m.match, user, membership=m) for m in memberships], has_next
