"""Reads of reviews and the activity ledger (SPEC section 5): who a review names, scores and
history. Totals are always SUMs over ledger rows."""

import unicodedata
from datetime import datetime
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from matching.models import Activity
from matching.selectors.matches import MatchView
from partner42.choices import (
    ANONYMOUS_NICKNAME,
    ContentCategory,
)
from partner42.pagination import SliceParams, slice_queryset
from partner42.text import name_key

ACTIVITY_SORT_FIELDS = {"createdAt": "created_at", "score": "score"}


ACTIVITY_DEFAULT_ORDER = ["-created_at"]


# The names of the mask a review may use for a hidden author: the API's and the English pages'.
MASK_KEYS = frozenset({name_key(ANONYMOUS_NICKNAME), "anonymous"})


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
