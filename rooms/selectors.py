"""Reads for rooms and comments: the board, the detail, comment lists, and who may see what.

Anonymity is enforced here, not in the client (SPEC section 3): `author_visible` decides, and the
presenters below replace the author's nickname and id for everyone else.
"""

import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_is_author_or_operator, user_is_operator
from partner42.choices import ANONYMOUS_NICKNAME, conditions_by_kind
from partner42.errors import NotFoundError
from partner42.models import parse_api_id
from partner42.pagination import SliceParams, slice_queryset
from rooms.cache import board_cached, board_key, board_rendered, detail_rendered
from rooms.models import Comment, Participation, Room, RoomCondition

SEOUL = ZoneInfo("Asia/Seoul")


def room_today(now: datetime | None = None) -> date:
    """Today in Seoul, the only calendar the product knows."""
    return timezone.localtime(now or timezone.now(), SEOUL).date()


def room_is_closed(room: Room, today: date) -> bool:
    """Open for joins no longer: its meeting day has passed in Seoul (SPEC section 3).

    A completed room is closed as well, with a reason of its own (AR007 "completed")."""
    return room.date < today


# The API's sort names (the original's entity fields) and their ORM lookups.
BOARD_SORT_FIELDS = {
    "date": "date",
    "createdAt": "created_at",
    "participantNum": "participant_num",
    "participantNumMax": "participant_num_max",
    "title": "title",
}
# The open board: the soonest meeting first, from today (SPEC section 3). Ascending like the board
# indexes, so a page is one forward index walk.
BOARD_DEFAULT_ORDER = ["date", "created_at"]
# Boards that include past rooms (completed, or every room): the latest meeting first.
BOARD_HISTORY_ORDER = ["-date", "-created_at"]


def board_default_order(*, is_complete: bool | None) -> list[str]:
    return BOARD_DEFAULT_ORDER if is_complete is False else BOARD_HISTORY_ORDER


def _viewer_pk(viewer: User | None) -> int | None:
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


def author_visible(*, anonymity: bool, author_pk: int, viewer: User | None) -> bool:
    return not anonymity or user_is_author_or_operator(viewer, author_pk=author_pk)


# --- Single rooms -------------------------------------------------------------------------------


def room_get(*, api_id: Any, viewer: User | None) -> Room:
    """The room, or 404 C003 when absent, or deleted and the viewer is not an operator."""
    room = (
        Room.objects.select_related("author", "restaurant")
        .filter(api_id=parse_api_id(api_id))
        .first()
    )
    if room is None or (room.deleted_at is not None and not user_is_operator(viewer)):
        raise NotFoundError()
    return room


def room_conditions(room: Room) -> dict[str, list[str]]:
    """Conditions by kind, every kind present, values in the enum's order."""
    return conditions_by_kind(RoomCondition.objects.filter(room=room).values_list("kind", "value"))


@dataclass(frozen=True)
class Member:
    user_pk: int
    user_api_id: uuid.UUID | None
    nickname: str
    is_author: bool
    is_me: bool


@dataclass(frozen=True)
class RoomDetail:
    room: Room
    conditions: dict[str, list[str]]
    members: list[Member]
    author_visible: bool
    is_member: bool
    can_manage: bool  # edit and delete
    can_complete: bool  # managing, and someone besides the author joined (AR009)
    can_join: bool
    can_leave: bool
    is_today: bool
    is_closed: bool  # the meeting date has passed (Asia/Seoul): no more joins


def room_detail(*, room: Room, viewer: User | None, now: datetime | None = None) -> RoomDetail:
    """The room with members and conditions, masked for the viewer. Two queries."""
    return _detail_for(
        room, _participants(room), room_conditions(room), viewer=viewer, today=room_today(now)
    )


def _participants(room: Room) -> list[tuple[int, uuid.UUID, str]]:
    """(user pk, user api id, nickname) of the room's members in joining order. One query."""
    return list(
        Participation.objects.filter(room=room)
        .order_by("created_at", "pk")
        .values_list("user_id", "user__api_id", "user__nickname")
    )


def _detail_for(
    room: Room,
    participants: list[tuple[int, uuid.UUID, str]],
    conditions: dict[str, list[str]],
    *,
    viewer: User | None,
    today: date,
) -> RoomDetail:
    visible = author_visible(anonymity=room.anonymity, author_pk=room.author_id, viewer=viewer)
    me = _viewer_pk(viewer)
    members = []
    for user_pk, user_api_id, nickname in participants:
        is_author = user_pk == room.author_id
        hidden = is_author and not visible
        members.append(
            Member(
                user_pk=user_pk,
                user_api_id=None if hidden else user_api_id,
                nickname=ANONYMOUS_NICKNAME if hidden else nickname,
                is_author=is_author,
                is_me=me is not None and user_pk == me,
            )
        )
    is_member = me is not None and any(m.user_pk == me for m in members)
    is_open = not room.is_complete and room.deleted_at is None
    is_closed = not room.is_complete and room_is_closed(room, today)
    can_manage = is_open and user_is_author_or_operator(viewer, author_pk=room.author_id)
    return RoomDetail(
        room=room,
        conditions=conditions,
        members=members,
        author_visible=visible,
        is_member=is_member,
        can_manage=can_manage,
        can_complete=can_manage and room.participant_num > 1,
        can_join=is_open
        and not is_closed
        and me is not None
        and not is_member
        and not room.is_full,
        can_leave=is_open and is_member and room.author_id != me,
        is_today=room.date == today,
        is_closed=is_closed,
    )


@dataclass(frozen=True)
class RoomSnapshot:
    """What the room's detail shows anyone, before masking: cached as it is."""

    room: Room  # with its author and restaurant
    participants: list[tuple[int, uuid.UUID, str]]
    conditions: dict[str, list[str]]


def room_snapshot(*, api_id: Any) -> RoomSnapshot:
    """The room, deleted or not, with members and conditions; 404 C003 when absent. Three
    queries."""
    room = (
        Room.objects.select_related("author", "restaurant")
        .filter(api_id=parse_api_id(api_id))
        .first()
    )
    if room is None:
        raise NotFoundError()
    return RoomSnapshot(
        room=room, participants=_participants(room), conditions=room_conditions(room)
    )


def room_detail_rendered(
    *,
    api_id: Any,
    viewer: User | None,
    render: Callable[[RoomDetail], bytes],
    now: datetime | None = None,
) -> bytes:
    """`render(detail)` of the room masked for the viewer, 404 C003 like `room_get`.

    The snapshot comes from the cache (no query; three on a miss) and the body is shared by the
    viewers it shows alike (`detail_variant`).
    """
    room_key = str(parse_api_id(api_id))
    today = room_today(now)

    def variant(snapshot: RoomSnapshot) -> Hashable:
        # Before any body is served: a deleted room is for operators only.
        if snapshot.room.deleted_at is not None and not user_is_operator(viewer):
            raise NotFoundError()
        return (today, detail_variant(snapshot, viewer))

    def render_snapshot(snapshot: RoomSnapshot) -> bytes:
        detail = _detail_for(
            snapshot.room, snapshot.participants, snapshot.conditions, viewer=viewer, today=today
        )
        return render(detail)

    return detail_rendered(
        room_key, lambda: room_snapshot(api_id=room_key), render=render_snapshot, variant=variant
    )


def detail_variant(snapshot: RoomSnapshot, viewer: User | None) -> Hashable:
    """A name shared by exactly the viewers `_detail_for` shows the room alike.

    Members (and the author) see themselves marked: a body each. Operators see an anonymous
    author; everybody else sees the same.
    """
    me = _viewer_pk(viewer)
    if me is not None and (
        me == snapshot.room.author_id or any(pk == me for pk, _, _ in snapshot.participants)
    ):
        return ("member", me)
    if snapshot.room.anonymity and user_is_operator(viewer):
        return "operator"
    return "public"


# --- The board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    category: str | None = None
    is_complete: bool | None = None
    anonymity: bool | None = None
    # kind -> accepted values: a room matches when it has one of them (and so for every kind).
    conditions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def cache_parts(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "is_complete": self.is_complete,
            "anonymity": self.anonymity,
            "conditions": sorted((k, tuple(sorted(v))) for k, v in self.conditions.items() if v),
        }


def room_board_queryset(filters: BoardFilters, *, today: date | None = None) -> QuerySet[Room]:
    """The board's rooms; the open board (`is_complete=False`) starts at `today` (Seoul)."""
    comment_count = (
        Comment.objects.filter(room=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Authors in a query of their own, not a join: with a join MariaDB may start from the (small)
    # user table and sort every open room; alone, the room query walks an index in board order and
    # stops after one page.
    qs = Room.objects.filter(deleted_at__isnull=True).annotate(
        comment_count=Coalesce(Subquery(comment_count, output_field=IntegerField()), 0)
    )
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.is_complete is not None:
        qs = qs.filter(is_complete=filters.is_complete)
    if filters.is_complete is False:
        # A room whose date has passed is closed: off the open board (SPEC section 3).
        qs = qs.filter(date__gte=today or room_today())
    if filters.anonymity is not None:
        qs = qs.filter(anonymity=filters.anonymity)
    for kind, values in filters.conditions.items():
        if values:
            qs = qs.filter(
                Exists(
                    RoomCondition.objects.filter(
                        room=OuterRef("pk"), kind=kind, value__in=list(values)
                    )
                )
            )
    return qs


_BOARD_FIELDS = (
    "pk",
    "api_id",
    "author_id",
    "title",
    "content",
    "date",
    "meeting_time",
    "created_at",
    "anonymity",
    "is_complete",
    "participant_num_max",
    "participant_num",
    "category",
    "comment_count",
)


def _board_items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Board entries before masking: plain data, the same for every viewer, so it can be cached.

    Built from values, not model instances: a page of twenty rooms costs a fraction of the time.
    """
    if not rows:
        return []
    authors = {
        user["pk"]: user
        for user in User.objects.filter(pk__in={row["author_id"] for row in rows}).values(
            "pk", "api_id", "nickname"
        )
    }
    pairs: dict[int, list[tuple[str, str]]] = {row["pk"]: [] for row in rows}
    for room_id, kind, value in RoomCondition.objects.filter(room_id__in=list(pairs)).values_list(
        "room_id", "kind", "value"
    ):
        pairs[room_id].append((kind, value))
    return [
        {
            "article_id": str(row["api_id"]),
            "author_pk": row["author_id"],
            "author_api_id": str(authors[row["author_id"]]["api_id"]),
            "author_nickname": authors[row["author_id"]]["nickname"],
            "title": row["title"],
            "content": row["content"],
            "date": row["date"],
            "meeting_time": row["meeting_time"],
            "created_at": row["created_at"],
            "anonymity": row["anonymity"],
            "is_complete": row["is_complete"],
            "participant_num_max": row["participant_num_max"],
            "participant_num": row["participant_num"],
            "category": row["category"],
            "conditions": conditions_by_kind(pairs[row["pk"]]),
            "comment_count": row["comment_count"],
        }
        for row in rows
    ]


BoardPage = tuple[list[dict[str, Any]], bool]


def _board_page(
    filters: BoardFilters, params: SliceParams, today: date
) -> tuple[Callable[[], BoardPage], str | None]:
    """How to compute the slice, and its cache key (None past the first slice)."""

    def compute() -> BoardPage:
        qs = room_board_queryset(filters, today=today)
        rows, has_next = slice_queryset(qs.values(*_BOARD_FIELDS), params)
        return _board_items(rows), has_next

    if params.page != 0:
        return compute, None
    # Seoul's date is part of the key: a page cached at 23:59 must not show yesterday's rooms at
    # midnight (the open board starts today).
    key = board_key(
        {
            **filters.cache_parts(),
            "today": today.isoformat(),
            "size": params.size,
            "order": tuple(params.order_by),
        }
    )
    return compute, key


def room_board(
    *,
    filters: BoardFilters,
    params: SliceParams,
    use_cache: bool = True,
    now: datetime | None = None,
) -> BoardPage:
    """One slice of the board as plain items; the first slice comes through the shared cache.

    Three queries whatever the size (one for an empty page): the rooms (comment count as a
    subquery), their authors and their conditions.
    """
    compute, key = _board_page(filters, params, room_today(now))
    if key is None or not use_cache:
        return compute()
    return board_cached(key, compute)


def room_board_rendered(
    *,
    filters: BoardFilters,
    params: SliceParams,
    viewer: User | None,
    render: Callable[[BoardPage], bytes],
    now: datetime | None = None,
) -> bytes:
    """`render(slice)` for this viewer, where `render` masks the slice's items for the viewer.

    The first slice's body is kept with the process's copy of the cached page and shared by the
    viewers it masks identically (`board_variant`): then no query, and one Redis GET.
    """
    compute, key = _board_page(filters, params, room_today(now))
    if key is None:
        return render(compute())
    return board_rendered(
        key, compute, render=render, variant=lambda page: board_variant(page[0], viewer)
    )


def board_variant(items: list[dict[str, Any]], viewer: User | None) -> Hashable:
    """A name shared by exactly the viewers `board_item_for` shows these items alike.

    Operators see every author; anybody else sees all but the anonymous rooms' authors, except
    their own: an author of an anonymous room on the page gets a body of their own.
    """
    if user_is_operator(viewer):
        return "operator"
    me = _viewer_pk(viewer)
    if me is not None and any(item["anonymity"] and item["author_pk"] == me for item in items):
        return ("author", me)
    return "public"


def board_item_for(item: dict[str, Any], viewer: User | None, today: date) -> dict[str, Any]:
    """The board item as this viewer may see it, plus what depends on the day."""
    visible = author_visible(
        anonymity=item["anonymity"], author_pk=item["author_pk"], viewer=viewer
    )
    return {
        **item,
        "author_visible": visible,
        "author_nickname": item["author_nickname"] if visible else ANONYMOUS_NICKNAME,
        "author_api_id": item["author_api_id"] if visible else None,
        "is_today": item["date"] == today,
        "is_closed": not item["is_complete"] and item["date"] < today,
    }


# --- Comments -----------------------------------------------------------------------------------


def comment_get(*, api_id: Any, viewer: User | None) -> Comment:
    """The comment (deleted ones too), 404 when absent or its room is gone for this viewer."""
    comment = (
        Comment.objects.select_related("author", "parent", "room", "room__author")
        .filter(api_id=parse_api_id(api_id))
        .first()
    )
    if comment is None or (comment.room.deleted_at is not None and not user_is_operator(viewer)):
        raise NotFoundError()
    return comment


def comment_list(*, room: Room) -> list[Comment]:
    """Live comments of the room in creation order (the API's list). One query."""
    return list(
        Comment.objects.filter(room=room, deleted_at__isnull=True)
        .select_related("author", "parent")
        .order_by("created_at", "pk")
    )


def comment_author_visible(*, comment: Comment, room: Room, viewer: User | None) -> bool:
    """Only the anonymous room's author is hidden, in their own room's comments."""
    return comment.author_id != room.author_id or author_visible(
        anonymity=room.anonymity, author_pk=room.author_id, viewer=viewer
    )


@dataclass
class CommentNode:
    comment: Comment
    author_visible: bool
    nickname: str
    is_room_author: bool
    can_manage: bool
    replies: list["CommentNode"] = field(default_factory=list)


def comment_tree(*, room: Room, viewer: User | None) -> list[CommentNode]:
    """Top-level comments with every descendant flattened under them (pages nest two levels).

    Deleted comments stay in the tree when they have replies, shown as "deleted comment"; a
    deleted comment without live descendants is left out. One query.
    """
    comments = list(
        Comment.objects.filter(room=room).select_related("author").order_by("created_at", "pk")
    )
    nodes: dict[int, CommentNode] = {}
    for comment in comments:
        visible = comment_author_visible(comment=comment, room=room, viewer=viewer)
        nodes[comment.pk] = CommentNode(
            comment=comment,
            author_visible=visible,
            nickname=comment.author.nickname if visible else ANONYMOUS_NICKNAME,
            is_room_author=comment.author_id == room.author_id,
            can_manage=comment.deleted_at is None
            and user_is_author_or_operator(viewer, author_pk=comment.author_id),
        )

    def root_of(comment: Comment) -> Comment:
        seen = set()
        while comment.parent_id is not None and comment.parent_id in nodes:
            if comment.pk in seen:  # impossible by construction; never loop forever
                break
            seen.add(comment.pk)
            comment = nodes[comment.parent_id].comment
        return comment

    roots: list[CommentNode] = []
    for comment in comments:
        node = nodes[comment.pk]
        root = root_of(comment)
        if root.pk == comment.pk:
            roots.append(node)
        else:
            nodes[root.pk].replies.append(node)

    live_parents = {c.parent_id for c in comments if c.deleted_at is None}

    def shown(node: CommentNode) -> bool:
        return node.comment.deleted_at is None or node.comment.pk in live_parents

    result = []
    for root in roots:
        root.replies = [reply for reply in root.replies if shown(reply)]
        if root.comment.deleted_at is None or root.replies:
            result.append(root)
    return result


# --- My rooms -----------------------------------------------------------------------------------


def room_list_mine(*, user: User) -> list[dict[str, Any]]:
    """The open rooms the user wrote or joined (the author is a participant too), soonest first.

    Board items (the same shape, to be masked with `board_item_for`). Three queries whatever the
    number of rooms: the rooms with their comment counts, their authors, their conditions.
    """
    comment_count = (
        Comment.objects.filter(room=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        Room.objects.filter(
            deleted_at__isnull=True,
            is_complete=False,
            pk__in=Participation.objects.filter(user=user).values("room_id"),
        )
        .annotate(comment_count=Coalesce(Subquery(comment_count, output_field=IntegerField()), 0))
        .order_by("date", "created_at", "pk")
        .values(*_BOARD_FIELDS)
    )
    return _board_items(rows)
