"""Reads of matches as their members see them, and of the activity ledger (SPEC section 5).

Anonymity is enforced here: the author of an anonymous room stays hidden in the match it became,
to everyone but themself and operators (SPEC section 3). Totals are always SUMs over ledger rows.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from accounts.selectors import user_is_operator
from matching.models import Activity, Match, MatchCondition, MatchMember
from matching.selectors import NotMatchMemberError
from partner42.choices import (
    ANONYMOUS_NICKNAME,
    CONDITION_ENUMS,
    ContentCategory,
    conditions_by_kind,
)
from partner42.errors import NotFoundError
from partner42.models import parse_api_id
from partner42.pagination import SliceParams, slice_queryset
from partner42.text import name_key

# The API's sort names and their lookups on MatchMember (a match list is the caller's memberships).
MATCH_SORT_FIELDS = {"createdAt": "match__created_at"}
MATCH_DEFAULT_ORDER = ["-match__created_at"]
ACTIVITY_SORT_FIELDS = {"createdAt": "created_at", "score": "score"}
ACTIVITY_DEFAULT_ORDER = ["-created_at"]
# The names of the mask a review may use for a hidden author: the API's and the English pages'.
MASK_KEYS = frozenset({name_key(ANONYMOUS_NICKNAME), "anonymous"})


def review_available_time(match: Match) -> datetime:
    return match.created_at + timedelta(minutes=settings.REVIEW_DELAY_MINUTES)


# --- Matches as a member sees them --------------------------------------------------------------


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
        Match.objects.select_related("room")
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


def match_review_target(*, view: MatchView, nickname: str):
    """The member a review names by `nickname`, as the reviewer was shown the members; None when
    the name addresses no member (the service answers MCH003, whatever the name was).

    Visible members go by their nickname (case and width ignored). The author of an anonymous room
    goes by the mask (`익명`, or `anonymous` as the English pages show it) for everyone; their real
    nickname names them only for those who see it (themself, operators). For the others it names
    nobody, exactly like a stranger's or a made-up name, so a review can never confirm a guess.
    """
    key = _fold(nickname)
    is_mask = name_key(nickname) in MASK_KEYS
    room = view.match.room
    anonymous_room = room is not None and room.anonymity
    for member in view.members:
        if member.hidden:
            if is_mask:
                return member.member.user
        elif _fold(member.nickname) == key or (is_mask and member.is_author and anonymous_room):
            return member.member.user
    return None


def _fold(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


# --- The activity ledger ------------------------------------------------------------------------


def activity_rows(
    *,
    user,
    category: str | None = None,
    activity_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Activity]:
    """The user's rows, `start` included and `end` excluded."""
    qs = Activity.objects.filter(user=user)
    if category:
        qs = qs.filter(category=category)
    if activity_type:
        qs = qs.filter(activity_type=activity_type)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    return qs


def activity_score(**filters: Any) -> int:
    """The sum of the user's rows (0 without any). Takes the filters of `activity_rows`."""
    return activity_rows(**filters).aggregate(total=Coalesce(Sum("score"), 0))["total"]


def activity_category_scores(**filters: Any) -> dict[str, int]:
    """Totals per category, every category present, in one query."""
    filters.pop("category", None)
    totals = dict.fromkeys(ContentCategory.values, 0)
    rows = (
        activity_rows(**filters)
        .order_by()
        .values("category")
        .annotate(total=Sum("score"))
        .values_list("category", "total")
    )
    for category, total in rows:
        totals[category] = total or 0
    return totals


def activity_history(*, params: SliceParams, **filters: Any) -> tuple[list[Activity], bool]:
    """A slice of the user's rows with their matches, newest first by default. One query."""
    return slice_queryset(activity_rows(**filters).select_related("match"), params)
